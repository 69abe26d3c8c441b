import { isRole, permissionsFor, type Role } from '../core/access.ts';
import { ACCOUNT_THROTTLE, ADDRESS_THROTTLE, afterSuccess, countAttempt, refundAttempt, RESET_THROTTLE, retryAfterSeconds } from '../core/auth/login-throttle.rules.ts';
import { passwordProblem } from '../core/auth/password-policy.rules.ts';
import { normalizeEmail } from '../core/identity.ts';
import { fail, ok, type Failure, type Result } from '../core/result.ts';
import { findLiveApiKeyByHash, type ApiKey } from '../storage/api-keys.repo.ts';
import type { DbOrTrx } from '../storage/db.ts';
import { lockThrottle, saveThrottle } from '../storage/login-throttle.repo.ts';
import { findSessionWithLinks, linkedAccountState, setSessionLinks, workspaceNames } from '../storage/session-links.repo.ts';
import { deleteSession, deleteSessionsOfUser, findLiveSession, insertSession } from '../storage/sessions.repo.ts';
import { findUserToken, insertUserToken, lockUserToken, markUserTokenUsed, retireUserTokens, type UserTokenKind } from '../storage/user-tokens.repo.ts';
import { adminsWithDemoPassword, findLoginCandidates, getUser, getUserWithSecret, hasPassword, setPasswordHash, updateUser, type User, type UserWithSecret } from '../storage/users.repo.ts';
import { getWorkspace } from '../storage/workspaces.repo.ts';
import { recordAudit, type AuditActor } from './audit.ts';
import type { AppDeps, Principal } from './context.ts';
import { createMailer, type Mailer, type SentMail } from './mailer.ts';
import { csrfTokenFor, hashPassword, hashToken, newLinkToken, newSessionToken, verifyPassword } from './secrets.ts';
import { inTransaction, withTransaction } from './transaction.ts';
import { createUserInTrx } from './workspaces.ts';

// Verified keys are cached briefly so ingestion does not pay a database round trip per request;
// a revoked key stops working within this window.
const KEY_CACHE_MS = 10_000;
const KEY_CACHE_MAX = 1000;

export type AuthService = ReturnType<typeof createAuthService>;

export type AuthOptions = {
  sessionTtlHours: number;
  /** Sends reset links and lockout notices; default: email not configured (the refusal is logged, never shown to the requester). */
  mailer?: Mailer;
  /** Base URL of links in emails (reset, invitation). */
  publicUrl?: string;
  /** Called with what failed to send in the background (forgotten-password mail): the server logs it. */
  onBackgroundError?: (message: string) => void;
  /** The password hasher (default: scrypt, src/app/secrets.ts); tests wrap it to see which work a sign-in does. */
  passwords?: { hash: (password: string) => Promise<string>; verify: (password: string, stored: string) => Promise<boolean> };
};

export type SignedIn = { token: string; csrfToken: string; user: User; expiresAt: Date };
export type RateLimitedFailure = Failure & { retryAfterSeconds: number; retryAt: Date };
/** The password opens accounts in several workspaces and none was named: the sign-in form asks which. */
export type WorkspaceChoiceFailure = Failure & { choices: { workspaceId: string; workspaceName: string; role: string }[] };

const RESET_TTL_MS = 60 * 60_000;
export const INVITE_TTL_MS = 7 * 24 * 60 * 60_000;

/** A linked account still opens by the sign-in that proved it: active, and its password not changed since. */
function stillLinked(state: { active: boolean; passwordChangedAt: Date | null } | null, sessionStart: Date): boolean {
  return !!state && state.active && (!state.passwordChangedAt || state.passwordChangedAt <= sessionStart);
}

export function createAuthService(deps: AppDeps, options: AuthOptions) {
  const keyCache = new Map<string, { principal: Principal | null; until: number }>();
  const mailer = options.mailer ?? createMailer(undefined, '');
  const baseUrl = (options.publicUrl ?? 'http://127.0.0.1:3000').replace(/\/$/, '');
  // Unknown emails pay for one scrypt verification too, against this hash of a random password:
  // the answer's timing does not tell which emails have an account.
  let dummyHash: Promise<string> | null = null;
  const passwords = options.passwords ?? { hash: hashPassword, verify: verifyPassword };
  const background = (work: Promise<unknown>) => {
    work.catch((e: unknown) => options.onBackgroundError?.(e instanceof Error ? e.message : String(e)));
  };

  async function principalForKey(key: ApiKey): Promise<Principal | null> {
    if (!key.userId) {
      return { workspaceId: key.workspaceId, kind: 'api_key', userId: null, apiKeyId: key.id, role: null, permissions: permissionsFor({ scopes: key.scopes }) };
    }
    const user = await getUser(deps.db, key.workspaceId, key.userId);
    if (!user || user.disabledAt) return null;
    return { workspaceId: key.workspaceId, kind: 'user', userId: user.id, apiKeyId: key.id, role: user.role, permissions: permissionsFor({ scopes: key.scopes, role: user.role }) };
  }

  async function startSession(db: DbOrTrx, user: User): Promise<SignedIn> {
    const token = newSessionToken();
    const expiresAt = new Date(deps.clock.now().getTime() + options.sessionTtlHours * 3600_000);
    await insertSession(db, { tokenHash: hashToken(token), workspaceId: user.workspaceId, userId: user.id, expiresAt });
    return { token, csrfToken: csrfTokenFor(token), user, expiresAt };
  }

  /**
   * Counts one attempt against the account and the address (before the password is checked, so a
   * burst of parallel guesses is counted too); a refusal says when to try again.
   */
  async function countSignInAttempt(accountKey: string, address: string | undefined, now: Date): Promise<RateLimitedFailure | null> {
    const outcome = await withTransaction(deps, async (trx) => {
      const account = countAttempt(await lockThrottle(trx, accountKey, now), now, ACCOUNT_THROTTLE);
      const addressKey = address ? `address:${address}` : null;
      const byAddress = addressKey ? countAttempt(await lockThrottle(trx, addressKey, now), now, ADDRESS_THROTTLE) : null;
      if (!account.allowed) {
        if (account.lockedNow) await saveThrottle(trx, accountKey, account.next);
        return { refused: 'account' as const, retryAt: account.retryAt, lockedNow: account.lockedNow };
      }
      if (byAddress && !byAddress.allowed) {
        if (byAddress.lockedNow) await saveThrottle(trx, addressKey!, byAddress.next);
        return { refused: 'address' as const, retryAt: byAddress.retryAt, lockedNow: byAddress.lockedNow };
      }
      await saveThrottle(trx, accountKey, account.next);
      if (byAddress) await saveThrottle(trx, addressKey!, byAddress.next);
      return null;
    });
    if (!outcome) return null;
    const seconds = retryAfterSeconds(outcome.retryAt, now);
    const wait = seconds >= 120 ? `${Math.ceil(seconds / 60)} minutes` : `${seconds} seconds`;
    const message = outcome.refused === 'account'
      ? `Too many failed sign-ins for this account: it is locked until ${outcome.retryAt.toISOString()}. Try again in ${wait}, or reset your password.`
      : `Too many failed sign-ins from your network address: sign-in from it is paused until ${outcome.retryAt.toISOString()}. Try again in ${wait}.`;
    return { ...fail('RateLimited', message, [{ path: 'retry_after', message: `${seconds} seconds` }]), retryAfterSeconds: seconds, retryAt: outcome.retryAt, ...(outcome.lockedNow ? { lockedNow: true } : {}) };
  }

  async function sendLockoutNotice(candidates: UserWithSecret[], address: string | undefined, retryAt: Date): Promise<void> {
    for (const user of candidates) {
      const sent = await mailer.send({
        to: user.email,
        subject: 'Leadloop: sign-in to your account was paused',
        text: [
          `Hello ${user.name},`, '',
          `Leadloop refused more than ${ACCOUNT_THROTTLE.maxFailures} wrong passwords for ${user.email} within a minute${address ? ` (the last one from address ${address})` : ''},`,
          `so signing in to this account is paused until ${retryAt.toISOString()}.`, '',
          'If that was not you, someone may be guessing your password. Once the pause ends, choose a new one:',
          `${baseUrl}/forgot-password`,
        ].join('\n'),
      });
      if (!sent.ok) options.onBackgroundError?.(`Lockout notice to ${user.email} not sent: ${sent.message}`);
    }
  }

  async function mailLink(user: User, kind: UserTokenKind, token: string, expiresAt: Date, invitedBy?: string): Promise<Result<SentMail>> {
    const workspace = await getWorkspace(deps.db, user.workspaceId);
    const url = `${baseUrl}/${kind === 'reset' ? 'reset-password' : 'accept-invite'}#token=${token}`;
    const text = kind === 'reset'
      ? [
        `Hello ${user.name},`, '',
        `Someone (hopefully you) asked to reset the password of ${user.email} in the Leadloop workspace "${workspace?.name ?? ''}".`,
        'Choose a new password here (the link works once, until ' + expiresAt.toISOString() + '):', '', url, '',
        'If you did not ask for this, ignore this email: your password stays as it is.',
      ]
      : [
        'Hello,', '',
        `${invitedBy ?? 'An administrator'} invited you (${user.email}) to the Leadloop workspace "${workspace?.name ?? ''}" as ${user.role}.`,
        'Accept the invitation and choose your password here (the link works once, until ' + expiresAt.toISOString() + '):', '', url,
      ];
    return mailer.send({
      to: user.email,
      subject: kind === 'reset' ? 'Reset your Leadloop password' : `You are invited to Leadloop (${workspace?.name ?? 'workspace'})`,
      text: text.join('\n'),
      headers: { 'Auto-Submitted': 'auto-generated' },
    });
  }

  /** Creates a link token for the user (earlier unused ones stop working) and returns the secret. */
  async function issueLinkToken(db: DbOrTrx, user: User, kind: UserTokenKind, createdBy: string | null): Promise<{ token: string; expiresAt: Date }> {
    const now = deps.clock.now();
    const token = newLinkToken();
    const expiresAt = new Date(now.getTime() + (kind === 'reset' ? RESET_TTL_MS : INVITE_TTL_MS));
    await insertUserToken(db, { workspaceId: user.workspaceId, userId: user.id, kind, tokenHash: hashToken(token), now, expiresAt, createdBy });
    return { token, expiresAt };
  }

  /** Sets a new password from a reset or invitation link (single use, not expired); every session of the user ends. */
  async function redeemLink(kind: UserTokenKind, token: string, password: string, name?: string): Promise<Result<User>> {
    const now = deps.clock.now();
    return inTransaction(deps, async (trx) => {
      const found = await lockUserToken(trx, hashToken(token));
      const what = kind === 'reset' ? 'reset link' : 'invitation link';
      const again = kind === 'reset' ? 'Ask for a new one at /forgot-password.' : 'Ask your administrator to send a new invitation.';
      if (!found || found.kind !== kind) return fail('ValidationFailed', `This ${what} is not valid. ${again}`, [{ path: 'token', message: 'unknown' }]);
      if (found.usedAt) return fail('ValidationFailed', `This ${what} was already used or replaced by a newer one. ${again}`, [{ path: 'token', message: 'used' }]);
      if (found.expiresAt <= now) return fail('ValidationFailed', `This ${what} expired at ${found.expiresAt.toISOString()}. ${again}`, [{ path: 'token', message: 'expired' }]);
      const user = await getUser(trx, found.workspaceId, found.userId);
      if (!user || user.disabledAt) return fail('ValidationFailed', `The account of this ${what} is disabled. Ask your administrator.`, [{ path: 'token', message: 'account disabled' }]);
      const problem = passwordProblem(password, { email: user.email, name: name ?? user.name });
      if (problem) return fail('ValidationFailed', problem.message, [{ path: 'password', message: problem.code }]);
      await setPasswordHash(trx, user.workspaceId, user.id, await hashPassword(password), now);
      if (name && name.trim()) await updateUser(trx, user.workspaceId, user.id, { name: name.trim() });
      await markUserTokenUsed(trx, found.workspaceId, found.id, now);
      await retireUserTokens(trx, user.workspaceId, user.id, now);
      const sessionsEnded = await deleteSessionsOfUser(trx, user.workspaceId, user.id);
      await recordAudit(trx, {
        workspaceId: user.workspaceId, actor: { kind: 'user', id: user.id }, at: now, object: { type: 'user', id: user.id },
        action: kind === 'reset' ? 'user.password_reset' : 'user.invite_accepted', after: { email: user.email, sessionsEnded },
      });
      return ok({ ...user, name: name?.trim() || user.name, passwordSet: true });
    });
  }

  return {
    /** Resolves an API key (Bearer token or Segment write key) to a principal, or null. */
    async authenticateKey(token: string): Promise<Principal | null> {
      const hash = hashToken(token);
      const nowMs = deps.clock.now().getTime();
      const cached = keyCache.get(hash);
      if (cached && cached.until > nowMs) return cached.principal;
      const key = await findLiveApiKeyByHash(deps.db, hash);
      const principal = key ? await principalForKey(key) : null;
      if (keyCache.size >= KEY_CACHE_MAX) keyCache.clear();
      keyCache.set(hash, { principal, until: nowMs + KEY_CACHE_MS });
      return principal;
    },

    async authenticateSession(token: string): Promise<Principal | null> {
      const session = await findLiveSession(deps.db, hashToken(token), deps.clock.now());
      if (!session) return null;
      const user = await getUser(deps.db, session.workspaceId, session.userId);
      if (!user || user.disabledAt) return null;
      return { workspaceId: user.workspaceId, kind: 'user', userId: user.id, apiKeyId: null, role: user.role, permissions: permissionsFor({ role: user.role }) };
    },

    /**
     * Password sign-in. Throttled per account and per client address (growing lockouts, 429 with the
     * time to retry; while locked even the right password waits); unknown and known emails do the same work.
     */
    async login(input: { email: string; password: string; workspaceId?: string; address?: string }): Promise<Result<SignedIn> | RateLimitedFailure | WorkspaceChoiceFailure> {
      const now = deps.clock.now();
      const email = normalizeEmail(input.email);
      const refused = fail('Unauthenticated', 'Email or password is wrong.');
      const accountKey = `account:${email ?? input.email.trim().toLowerCase().slice(0, 254)}`;
      const limited = await countSignInAttempt(accountKey, input.address, now);
      // All workspaces' accounts of this email, even when one is named: the others become the session's switcher links.
      const candidates = email ? await findLoginCandidates(deps.db, email) : [];
      if (limited) {
        if ((limited as { lockedNow?: boolean }).lockedNow && limited.message.includes('this account')) {
          if (candidates.length) {
            await withTransaction(deps, async (trx) => {
              for (const user of candidates) {
                await recordAudit(trx, {
                  workspaceId: user.workspaceId, actor: { kind: 'system', label: 'sign-in throttle' }, action: 'user.sign_in_locked',
                  object: { type: 'user', id: user.id }, after: { email: user.email, lockedUntil: limited.retryAt.toISOString(), failures: ACCOUNT_THROTTLE.maxFailures },
                  at: now, request: { ip: input.address ?? null },
                });
              }
            });
          }
          background(sendLockoutNotice(candidates, input.address, limited.retryAt));
        }
        return limited;
      }
      const withPassword = candidates.filter((c) => c.passwordHash);
      if (withPassword.length === 0) {
        dummyHash ??= passwords.hash(newLinkToken());
        await passwords.verify(input.password, await dummyHash);
        return refused;
      }
      // Every account this password opens: with several, the person chooses (never the first one silently),
      // and the session remembers the others for the workspace switcher.
      const matched: UserWithSecret[] = [];
      for (const candidate of withPassword) if (await passwords.verify(input.password, candidate.passwordHash!)) matched.push(candidate);
      if (matched.length === 0) return refused;
      const chosen = input.workspaceId ? matched.find((m) => m.workspaceId === input.workspaceId) : matched.length === 1 ? matched[0] : undefined;
      if (input.workspaceId && !chosen) return refused;
      return withTransaction(deps, async (trx) => {
        await saveThrottle(trx, accountKey, afterSuccess(now));
        if (input.address) {
          const key = `address:${input.address}`;
          await saveThrottle(trx, key, refundAttempt(await lockThrottle(trx, key, now)));
        }
        if (!chosen) {
          const names = await workspaceNames(trx, matched.map((m) => m.workspaceId));
          const choices = matched.map((m) => ({ workspaceId: m.workspaceId, workspaceName: names.get(m.workspaceId) ?? m.workspaceId, role: m.role }))
            .sort((a, b) => a.workspaceName.localeCompare(b.workspaceName));
          return { ...fail('Conflict', `${matched[0]!.email} has an account in ${matched.length} workspaces: choose the one to sign in to.`, [{ path: 'workspace_id', message: 'choose one of the workspaces' }]), choices } satisfies WorkspaceChoiceFailure;
        }
        const { passwordHash: _omit, ...user } = chosen;
        const signedIn = await startSession(trx, user);
        const links = matched.filter((m) => m !== chosen).map((m) => ({ workspaceId: m.workspaceId, userId: m.id }));
        if (links.length) await setSessionLinks(trx, hashToken(signedIn.token), links);
        return ok(signedIn);
      });
    },

    /** Signs in a user whose email an OpenID provider verified (the caller checked `email_verified`). */
    async loginVerifiedEmail(rawEmail: string): Promise<Result<SignedIn>> {
      const email = normalizeEmail(rawEmail);
      const candidates = email ? await findLoginCandidates(deps.db, email) : [];
      if (candidates.length === 0) {
        return fail('Unauthenticated', `No Leadloop user has the email ${email ?? rawEmail}. Ask an administrator to invite you with this address.`);
      }
      if (candidates.length > 1) {
        return fail('Conflict', `The email ${email} belongs to users in ${candidates.length} workspaces; single sign-on cannot choose one. Sign in with your password instead.`);
      }
      const { passwordHash: _omit, ...user } = candidates[0]!;
      return ok(await startSession(deps.db, user));
    },

    /**
     * The workspaces this session may switch to without signing in again: its own, and those whose
     * account the sign-in's password also opened (still active, password unchanged since).
     */
    async sessionWorkspaces(token: string): Promise<{ workspaceId: string; workspaceName: string; role: string; current: boolean }[]> {
      const session = await findSessionWithLinks(deps.db, hashToken(token), deps.clock.now());
      if (!session) return [];
      const all = [{ workspaceId: session.workspaceId, userId: session.userId }, ...session.links];
      const [states, names] = await Promise.all([
        Promise.all(all.map((l) => linkedAccountState(deps.db, l.workspaceId, l.userId))),
        workspaceNames(deps.db, all.map((l) => l.workspaceId)),
      ]);
      return all.flatMap((l, i) => {
        const state = states[i];
        const current = i === 0;
        if (!state || (!current && !stillLinked(state, session.createdAt))) return [];
        return [{ workspaceId: l.workspaceId, workspaceName: names.get(l.workspaceId) ?? l.workspaceId, role: state.role, current }];
      }).sort((a, b) => a.workspaceName.localeCompare(b.workspaceName));
    },

    /**
     * Moves this browser to the account in another workspace that the sign-in proved: a new session
     * for that account (keeping the links, the old account among them), and the old session ends.
     */
    async switchWorkspace(token: string, workspaceId: string): Promise<Result<SignedIn>> {
      const now = deps.clock.now();
      const session = await findSessionWithLinks(deps.db, hashToken(token), now);
      if (!session) return fail('Unauthenticated', 'Your session ended; sign in again.');
      if (workspaceId === session.workspaceId) return fail('ValidationFailed', 'You are already in this workspace.', [{ path: 'workspace_id', message: 'current workspace' }]);
      const link = session.links.find((l) => l.workspaceId === workspaceId);
      const [state, target] = link ? await Promise.all([linkedAccountState(deps.db, link.workspaceId, link.userId), getUser(deps.db, link.workspaceId, link.userId)]) : [null, null];
      if (!link || !target || !stillLinked(state, session.createdAt)) {
        return fail('Forbidden', 'This session cannot switch to that workspace: sign out and sign in with its password.', [{ path: 'workspace_id', message: 'not proven at sign-in' }]);
      }
      return withTransaction(deps, async (trx) => {
        const signedIn = await startSession(trx, target);
        const links = [{ workspaceId: session.workspaceId, userId: session.userId }, ...session.links.filter((l) => l !== link)];
        await setSessionLinks(trx, hashToken(signedIn.token), links);
        await deleteSession(trx, hashToken(token));
        return ok(signedIn);
      });
    },

    async logout(token: string): Promise<void> {
      await deleteSession(deps.db, hashToken(token));
    },

    /** The CSRF token a web session's state-changing requests must send (header X-CSRF-Token). */
    csrfTokenFor,

    /**
     * Changes the signed-in user's password (the current one is required, and counts against the
     * account's sign-in throttle). Every session of the user ends; the caller gets a fresh one.
     */
    async changePassword(principal: Principal, input: { currentPassword: string; newPassword: string; address?: string }): Promise<Result<SignedIn> | RateLimitedFailure> {
      if (!principal.userId) return fail('Forbidden', 'Only a user has a password; this is a machine key.');
      const now = deps.clock.now();
      const user = await getUserWithSecret(deps.db, principal.workspaceId, principal.userId);
      if (!user) return fail('Unauthenticated', 'This user no longer exists.');
      const accountKey = `account:${user.email}`;
      const limited = await countSignInAttempt(accountKey, input.address, now);
      if (limited) return limited;
      if (!user.passwordHash || !(await verifyPassword(input.currentPassword, user.passwordHash))) {
        return fail('ValidationFailed', 'The current password is wrong.', [{ path: 'current_password', message: 'wrong password' }]);
      }
      const problem = passwordProblem(input.newPassword, { email: user.email, name: user.name });
      if (problem) return fail('ValidationFailed', problem.message, [{ path: 'new_password', message: problem.code }]);
      if (input.newPassword === input.currentPassword) return fail('ValidationFailed', 'The new password is the current one; choose a different one.', [{ path: 'new_password', message: 'unchanged' }]);
      const hash = await hashPassword(input.newPassword);
      const { passwordHash: _omit, ...plain } = user;
      return inTransaction(deps, async (trx) => {
        await setPasswordHash(trx, user.workspaceId, user.id, hash, now);
        await saveThrottle(trx, accountKey, afterSuccess(now));
        await retireUserTokens(trx, user.workspaceId, user.id, now);
        const sessionsEnded = await deleteSessionsOfUser(trx, user.workspaceId, user.id);
        await recordAudit(trx, { workspaceId: user.workspaceId, actor: principal, at: now, action: 'user.password_changed', object: { type: 'user', id: user.id }, after: { email: user.email, sessionsEnded } });
        return ok(await startSession(trx, plain));
      });
    },

    /**
     * Mails a reset link to every active account with this email. Answers the same whether or not one
     * exists, and sends in the background so the answer's timing does not tell either.
     */
    async requestPasswordReset(input: { email: string; address?: string }): Promise<Result<{ accepted: true }> | RateLimitedFailure> {
      const now = deps.clock.now();
      const email = normalizeEmail(input.email);
      if (!email) return fail('ValidationFailed', `'${input.email.slice(0, 100)}' is not an email address.`, [{ path: 'email', message: 'invalid email' }]);
      const limited = await withTransaction(deps, async (trx) => {
        const key = `reset:${email}`;
        const decision = countAttempt(await lockThrottle(trx, key, now), now, RESET_THROTTLE);
        if (decision.allowed || decision.lockedNow) await saveThrottle(trx, key, decision.next);
        return decision.allowed ? null : decision.retryAt;
      });
      if (limited) {
        const seconds = retryAfterSeconds(limited, now);
        return { ...fail('RateLimited', `Several reset emails were already sent to this address; wait until ${limited.toISOString()} before asking again, and check your spam folder.`, [{ path: 'retry_after', message: `${seconds} seconds` }]), retryAfterSeconds: seconds, retryAt: limited };
      }
      background((async () => {
        for (const candidate of await findLoginCandidates(deps.db, email)) {
          const { passwordHash: _omit, ...user } = candidate;
          const { token, expiresAt } = await issueLinkToken(deps.db, user, 'reset', null);
          const sent = await mailLink(user, 'reset', token, expiresAt);
          if (!sent.ok) throw new Error(`Password reset email to ${user.email} not sent: ${sent.message}`);
        }
      })());
      return ok({ accepted: true });
    },

    /** Sets a new password from an emailed reset link; all the user's sessions end. */
    async resetPassword(input: { token: string; password: string }): Promise<Result<User>> {
      return redeemLink('reset', input.token, input.password);
    },

    /** What an invitation link is for (to greet the invitee), or why it does not work. */
    async describeInvite(token: string): Promise<Result<{ email: string; name: string; role: string; workspaceName: string; expiresAt: Date }>> {
      const found = await findUserToken(deps.db, hashToken(token));
      const now = deps.clock.now();
      if (!found || found.kind !== 'invite') return fail('ValidationFailed', 'This invitation link is not valid. Ask your administrator to send a new invitation.', [{ path: 'token', message: 'unknown' }]);
      if (found.usedAt) return fail('ValidationFailed', 'This invitation was already accepted or replaced by a newer one. Sign in, or ask your administrator for a new invitation.', [{ path: 'token', message: 'used' }]);
      if (found.expiresAt <= now) return fail('ValidationFailed', `This invitation expired at ${found.expiresAt.toISOString()}. Ask your administrator to send a new one.`, [{ path: 'token', message: 'expired' }]);
      const user = await getUser(deps.db, found.workspaceId, found.userId);
      const workspace = await getWorkspace(deps.db, found.workspaceId);
      if (!user || !workspace) return fail('ValidationFailed', 'This invitation link is not valid any more.', [{ path: 'token', message: 'unknown' }]);
      return ok({ email: user.email, name: user.name, role: user.role, workspaceName: workspace.name, expiresAt: found.expiresAt });
    },

    /** Accepts an invitation: sets the password (policy applies), ends the link, signs the new user in. */
    async acceptInvite(input: { token: string; password: string; name?: string }): Promise<Result<SignedIn>> {
      const redeemed = await redeemLink('invite', input.token, input.password, input.name);
      if (!redeemed.ok) return redeemed;
      return ok(await startSession(deps.db, redeemed.value));
    },

    /**
     * Creates a user without a password and mails them an invitation link (7 days, single use). When
     * email cannot be sent, the user still exists and the answer carries the link for the admin to pass on.
     */
    async inviteUser(principal: Principal, input: { email: string; name?: string; role: Role; team?: string | null; managerId?: string | null }, actor: Principal | AuditActor = principal): Promise<Result<Invitation>> {
      const created = await inTransaction(deps, async (trx) => {
        const user = await createUserInTrx(trx, principal.workspaceId, { ...input, password: null });
        if (!user.ok) return user;
        const u = user.value;
        await recordAudit(trx, {
          workspaceId: u.workspaceId, actor, at: deps.clock.now(), action: 'user.invited', object: { type: 'user', id: u.id },
          after: { email: u.email, name: u.name, role: u.role, team: u.team, managerId: u.managerId },
        });
        return ok({ user: user.value, ...(await issueLinkToken(trx, user.value, 'invite', principal.userId)) });
      });
      if (!created.ok) return created;
      return ok(await deliverInvite(principal, created.value.user, created.value.token, created.value.expiresAt));
    },

    /** Sends a fresh invitation to a user who has not set a password yet (earlier links stop working). */
    async resendInvite(principal: Principal, userId: string): Promise<Result<Invitation>> {
      const user = await getUser(deps.db, principal.workspaceId, userId);
      if (!user) return fail('NotFound', `User ${userId} not found in this workspace.`);
      if (user.disabledAt) return fail('Conflict', `${user.email} is disabled; enable the user before inviting them again.`);
      if (await hasPassword(deps.db, user.workspaceId, user.id)) return fail('Conflict', `${user.email} already has a password; they can use "Forgot password" on the sign-in page.`);
      const { token, expiresAt } = await withTransaction(deps, async (trx) => {
        await recordAudit(trx, { workspaceId: user.workspaceId, actor: principal, at: deps.clock.now(), action: 'user.invite_resent', object: { type: 'user', id: user.id }, after: { email: user.email } });
        return issueLinkToken(trx, user, 'invite', principal.userId);
      });
      return ok(await deliverInvite(principal, user, token, expiresAt));
    },

    /** Admins still on the demo seed's password (the first-run warning names them). */
    async demoPasswordAdmins(workspaceId: string): Promise<{ id: string; email: string }[]> {
      return adminsWithDemoPassword(deps.db, workspaceId);
    },

    forgetCachedKeys(): void {
      keyCache.clear();
    },
  };

  async function deliverInvite(principal: Principal, user: User, token: string, expiresAt: Date): Promise<Invitation> {
    const inviter = principal.userId ? await getUser(deps.db, principal.workspaceId, principal.userId) : null;
    const sent = await mailLink(user, 'invite', token, expiresAt, inviter ? `${inviter.name} (${inviter.email})` : undefined);
    const url = `${baseUrl}/accept-invite#token=${token}`;
    return sent.ok
      ? { user, expiresAt, emailSent: true, emailDetail: `Invitation sent to ${user.email}.`, inviteUrl: null }
      : { user, expiresAt, emailSent: false, emailDetail: `${sent.message} Pass this link to ${user.email} yourself.`, inviteUrl: url };
  }
}

export type Invitation = { user: User; expiresAt: Date; emailSent: boolean; emailDetail: string; inviteUrl: string | null };

// API keys live in api-keys.ts; re-exported so the routes, CLI and tests keep one import for auth.
export { createApiKey, listKeys, revokeKey, type CreatedKey } from './api-keys.ts';

// Operator-side password tasks (the CLI's set-password, the first-run warning) live in operator-passwords.ts.
export { demoPasswordAdminEmails, setUserPassword } from './operator-passwords.ts';

export async function passwordHashFor(password: string): Promise<string> {
  return hashPassword(password);
}

export function parseRole(value: string): Result<Role> {
  return isRole(value) ? ok(value) : fail('ValidationFailed', `Unknown role '${value}'. Use one of admin, marketing, sales, sales_manager, viewer.`, [{ path: 'role', message: 'unknown role' }]);
}
