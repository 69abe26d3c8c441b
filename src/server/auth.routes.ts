import { z } from 'zod';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { RateLimitedFailure, SignedIn } from '../app/auth.ts';
import type { OidcPending } from '../app/oidc.ts';
import { findUser } from '../app/workspaces.ts';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../core/auth/password-policy.rules.ts';
import type { Failure } from '../core/result.ts';
import { principalOf, SESSION_COOKIE } from './auth.guard.ts';
import { errorResponses, errorSchema, pageOf, pageParams } from './contract/common.contract.ts';
import { byLocale, pageInMemory } from '../core/lists.rules.ts';
import { toUserDto, userDto } from './contract/admin.contract.ts';
import type { ServerDeps } from './create-server.ts';
import { sendError, sendFailure } from './errors.ts';

const OIDC_COOKIE = 'leadloop_oidc';

const warningDto = z.object({ code: z.string(), message: z.string() });
const meDto = z.object({
  user: userDto.nullable(), workspace_id: z.string(), permissions: z.array(z.string()), via: z.string(),
  csrf_token: z.string().nullable().describe('Send as X-CSRF-Token on state-changing requests made with the session cookie.'),
  warnings: z.array(warningDto).describe('Things an administrator must fix, e.g. the demo admin still has its demo password.'),
});
const workspaceDto = z.object({ id: z.string(), name: z.string(), role: z.string() });
const toWorkspaceDto = (w: { workspaceId: string; workspaceName: string; role: string }) => ({ id: w.workspaceId, name: w.workspaceName, role: w.role });
const workspaceChoiceDto = errorSchema.extend({ workspaces: z.array(workspaceDto).describe('Where this email and password open an account: send one as workspace_id.') });
const signedInDto = z.object({ user: userDto, expires_at: z.string(), csrf_token: z.string() });
const passwordField = z.string().min(1).max(1000).describe(`At least ${PASSWORD_MIN_LENGTH} characters, at most ${PASSWORD_MAX_LENGTH}, not a common password.`);
const tokenField = z.string().min(16).max(200);
const rateLimited = { 429: errorSchema };

/** Same-origin public doors: the web app's own forms. */
const publicForm = { permission: 'public' as const, sameOriginOnly: true };

export function authRoutes(server: FastifyInstance, deps: ServerDeps): void {
  const app = server.withTypeProvider<ZodTypeProvider>();
  const tags = ['auth'];

  const setSession = (reply: FastifyReply, signedIn: SignedIn) => {
    reply.setCookie(SESSION_COOKIE, signedIn.token, {
      path: '/', httpOnly: true, sameSite: 'strict', secure: deps.secureCookies, expires: signedIn.expiresAt,
    });
    return { user: toUserDto(signedIn.user), expires_at: signedIn.expiresAt.toISOString(), csrf_token: signedIn.csrfToken };
  };
  const refuse = (reply: FastifyReply, failure: Failure | RateLimitedFailure) => {
    if ('retryAfterSeconds' in failure) reply.header('retry-after', String(failure.retryAfterSeconds));
    return sendFailure(reply, failure);
  };

  app.get('/api/v1/auth/options', {
    config: { permission: 'public' },
    schema: { tags, summary: 'How one can sign in here (password; single sign-on when configured) and the password policy', response: { 200: z.object({ password: z.boolean(), sso: z.object({ name: z.string(), start_url: z.string() }).nullable(), password_min_length: z.number() }) } },
  }, async () => ({
    password: true,
    sso: deps.oidc ? { name: deps.oidc.name, start_url: '/api/v1/auth/oidc/start' } : null,
    password_min_length: PASSWORD_MIN_LENGTH,
  }));

  app.post('/api/v1/auth/login', {
    config: publicForm,
    schema: {
      tags, summary: 'Log in to the web app (sets a session cookie). Throttled per account and address: 429 with Retry-After when locked.',
      body: z.strictObject({ email: z.string().min(1).max(254), password: z.string().min(1).max(1000), workspace_id: z.uuid().optional() }),
      response: { 200: signedInDto, 401: errorSchema, 403: errorSchema, 409: workspaceChoiceDto, ...rateLimited },
    },
  }, async (request, reply) => {
    const result = await deps.auth.login({ email: request.body.email, password: request.body.password, workspaceId: request.body.workspace_id, address: request.ip });
    if (!result.ok && 'choices' in result) {
      // The password is right for several workspaces: the form asks which, and signs in again with workspace_id.
      return reply.code(409).send({ error: { code: result.code, message: result.message, details: result.details }, workspaces: result.choices.map(toWorkspaceDto) });
    }
    if (!result.ok) return refuse(reply, result);
    return setSession(reply, result.value);
  });

  app.post('/api/v1/auth/logout', { config: publicForm, schema: { tags, summary: 'End the web session' } }, async (request, reply) => {
    const token = request.cookies[SESSION_COOKIE];
    if (token) await deps.auth.logout(token);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.code(204).send();
  });

  app.get('/api/v1/me', {
    config: { permission: 'read' },
    schema: { tags, summary: 'Who am I: user, workspace, permissions, the session\'s CSRF token and warnings', response: { 200: meDto, 401: errorSchema } },
  }, async (request, reply) => {
    const p = principalOf(request);
    const user = p.userId ? await findUser(deps.app, p.workspaceId, p.userId) : null;
    if (p.userId && !user) return sendError(reply, 'Unauthenticated', 'This user no longer exists.');
    const cookie = request.cookies[SESSION_COOKIE];
    const demoAdmins = await deps.auth.demoPasswordAdmins(p.workspaceId);
    const warnings = demoAdmins.length === 0 ? [] : [{
      code: 'demo_password',
      message: demoAdmins.some((a) => a.id === p.userId)
        ? 'You still sign in with the demo password, which anyone who read the README knows. Change it now.'
        : `${demoAdmins.map((a) => a.email).join(', ')} still ${demoAdmins.length === 1 ? 'signs' : 'sign'} in with the demo password; anyone who read the README can sign in as an administrator.`,
    }];
    return {
      user: user ? toUserDto(user) : null, workspace_id: p.workspaceId, permissions: [...p.permissions], via: p.apiKeyId ? 'api_key' : 'session',
      csrf_token: !p.apiKeyId && cookie ? deps.auth.csrfTokenFor(cookie) : null, warnings,
    };
  });

  app.get('/api/v1/me/workspaces', {
    config: { permission: 'read' },
    schema: {
      tags, summary: 'Workspaces this browser session may switch to (the sign-in proved their accounts), by name, the current one marked; empty for API keys',
      querystring: z.strictObject(pageParams({ keyed: ['text'] })), response: { 200: pageOf(workspaceDto.extend({ current: z.boolean() })), 400: errorSchema, 401: errorSchema },
    },
  }, async (request) => {
    const p = principalOf(request);
    const cookie = request.cookies[SESSION_COOKIE];
    const linked = !p.apiKeyId && cookie ? await deps.auth.sessionWorkspaces(cookie) : [];
    // The accounts one sign-in proved, held by the session: paged in memory by name (then id: names may repeat).
    const page = pageInMemory(linked, (w) => `${w.workspaceName}\t${w.workspaceId}`, request.query.limit, request.query.cursor, byLocale);
    return { data: page.data.map((w) => ({ ...toWorkspaceDto(w), current: w.current })), next_cursor: page.nextCursor };
  });

  app.post('/api/v1/me/workspace', {
    config: { permission: 'read' },
    schema: {
      tags, summary: 'Switch this browser to your account in another workspace (one your sign-in proved); a new session replaces this one',
      body: z.strictObject({ workspace_id: z.uuid({ message: 'must be a workspace id' }) }), response: { 200: signedInDto, ...errorResponses },
    },
  }, async (request, reply) => {
    const cookie = request.cookies[SESSION_COOKIE];
    if (principalOf(request).apiKeyId || !cookie) return sendError(reply, 'Forbidden', 'Only a web session switches workspaces; an API key belongs to one workspace.', [{ path: 'who_may', message: 'a signed-in browser' }]);
    const result = await deps.auth.switchWorkspace(cookie, request.body.workspace_id);
    if (!result.ok) return sendFailure(reply, result);
    return setSession(reply, result.value);
  });

  app.post('/api/v1/me/password', {
    config: { permission: 'read' },
    schema: {
      tags, summary: 'Change your password: needs the current one; every session of yours ends and this browser gets a new one',
      body: z.strictObject({ current_password: z.string().min(1).max(1000), new_password: passwordField }),
      response: { 200: signedInDto, ...errorResponses, ...rateLimited },
    },
  }, async (request, reply) => {
    const result = await deps.auth.changePassword(principalOf(request), { currentPassword: request.body.current_password, newPassword: request.body.new_password, address: request.ip });
    if (!result.ok) return refuse(reply, result);
    const body = setSession(reply, result.value);
    // A personal API key changed the password: no browser to hand the new session to.
    if (principalOf(request).apiKeyId) reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return body;
  });

  app.post('/api/v1/auth/forgot-password', {
    config: publicForm,
    schema: {
      tags, summary: 'Email a password-reset link (single use, 1 hour). Answers the same whether or not the email has an account.',
      body: z.strictObject({ email: z.string().min(1).max(254) }),
      response: { 202: z.object({ message: z.string() }), 400: errorSchema, 403: errorSchema, ...rateLimited },
    },
  }, async (request, reply) => {
    const result = await deps.auth.requestPasswordReset({ email: request.body.email, address: request.ip });
    if (!result.ok) return refuse(reply, result);
    return reply.code(202).send({ message: `If ${request.body.email.trim().slice(0, 254)} has a Leadloop account, a link to choose a new password is on its way. It works once, for one hour.` });
  });

  app.post('/api/v1/auth/reset-password', {
    config: publicForm,
    schema: {
      tags, summary: 'Choose a new password with an emailed reset link; every session of the user ends',
      body: z.strictObject({ token: tokenField, password: passwordField }),
      response: { 200: z.object({ message: z.string(), email: z.string() }), 400: errorSchema, 403: errorSchema },
    },
  }, async (request, reply) => {
    const result = await deps.auth.resetPassword({ token: request.body.token, password: request.body.password });
    if (!result.ok) return sendFailure(reply, result);
    return { message: 'Your password is changed and every earlier session has ended. Sign in with the new password.', email: result.value.email };
  });

  app.post('/api/v1/auth/invitation', {
    config: publicForm,
    schema: {
      tags, summary: 'What an invitation link is for (the token travels in the body, never in a URL)',
      body: z.strictObject({ token: tokenField }),
      response: { 200: z.object({ email: z.string(), name: z.string(), role: z.string(), workspace_name: z.string(), expires_at: z.string() }), 400: errorSchema, 403: errorSchema },
    },
  }, async (request, reply) => {
    const result = await deps.auth.describeInvite(request.body.token);
    if (!result.ok) return sendFailure(reply, result);
    const v = result.value;
    return { email: v.email, name: v.name, role: v.role, workspace_name: v.workspaceName, expires_at: v.expiresAt.toISOString() };
  });

  app.post('/api/v1/auth/accept-invite', {
    config: publicForm,
    schema: {
      tags, summary: 'Accept an invitation: choose a password (and name); signs you in',
      body: z.strictObject({ token: tokenField, password: passwordField, name: z.string().trim().min(1).max(200).optional() }),
      response: { 200: signedInDto, 400: errorSchema, 403: errorSchema },
    },
  }, async (request, reply) => {
    const result = await deps.auth.acceptInvite({ token: request.body.token, password: request.body.password, name: request.body.name });
    if (!result.ok) return sendFailure(reply, result);
    return setSession(reply, result.value);
  });

  // OpenID Connect: the browser goes to the provider and comes back to the callback.
  app.get('/api/v1/auth/oidc/start', {
    config: { permission: 'public' },
    schema: { tags, summary: 'Start single sign-on (redirects to the OpenID provider)', querystring: z.object({ return_to: z.string().max(500).optional() }) },
  }, async (request, reply) => {
    if (!deps.oidc) return sendError(reply, 'NotFound', 'Single sign-on is not configured here (LEADLOOP_OIDC_ISSUER is unset); sign in with your password.');
    // Only a path of this app: never an open redirect.
    const wanted = request.query.return_to ?? '/';
    const returnTo = /^\/(?![/\\])[^\s]*$/.test(wanted) ? wanted : '/';
    const started = await deps.oidc.start(returnTo);
    if (!started.ok) return reply.redirect(`/login?sso_error=${encodeURIComponent(started.message)}`);
    // Lax, not Strict: the provider's redirect back is a cross-site navigation, which must carry it.
    reply.setCookie(OIDC_COOKIE, JSON.stringify(started.value.pending), { path: '/api/v1/auth/oidc', httpOnly: true, sameSite: 'lax', secure: deps.secureCookies, maxAge: 600 });
    return reply.redirect(started.value.url);
  });

  app.get('/api/v1/auth/oidc/callback', {
    config: { permission: 'public' },
    schema: { tags, summary: 'Where the OpenID provider sends the browser back; signs in the user with that verified email', querystring: z.record(z.string(), z.string().max(4000)) },
  }, async (request, reply) => {
    const back = (message: string) => reply.redirect(`/login?sso_error=${encodeURIComponent(message)}`);
    if (!deps.oidc) return back('Single sign-on is not configured here.');
    let pending: OidcPending | null = null;
    try {
      pending = JSON.parse(request.cookies[OIDC_COOKIE] ?? 'null') as OidcPending | null;
    } catch {
      pending = null;
    }
    reply.clearCookie(OIDC_COOKIE, { path: '/api/v1/auth/oidc' });
    if (!pending || typeof pending.state !== 'string') return back('The sign-on took too long or was started in another browser; start again.');
    const current = new URL(request.url, deps.oidc.redirectUri);
    const finished = await deps.oidc.finish(current, pending);
    if (!finished.ok) return back(finished.message);
    const signedIn = await deps.auth.loginVerifiedEmail(finished.value.email);
    if (!signedIn.ok) return back(signedIn.message);
    setSession(reply, signedIn.value);
    return reply.redirect(pending.returnTo || '/');
  });
}
