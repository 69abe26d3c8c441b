import { createHash, randomBytes } from 'node:crypto';
import { Connection, OAuth2 } from 'jsforce';
import { fail, ok, type Result } from '../../../core/result.ts';
import { crmOauthRequestExists, insertCrmOauthRequest, takeCrmOauthRequest } from '../../../storage/crm-oauth.repo.ts';
import type { Actor } from '../../../storage/transitions.repo.ts';
import type { AppDeps } from '../../context.ts';
import { assertTarget, TargetRefused } from '../../outbound/safe-target.ts';
import { refusedConnection, storeConnection, type ConnectionView } from '../crm.ts';
import { openCredentials, sealCredentials, type SecretKey } from '../credentials.ts';
import { classifySalesforceError, salesforceApiVersion, type SalesforceWebCredentials } from './salesforce-client.ts';

/**
 * Connecting Salesforce from Settings › Integrations with the OAuth 2.0 web-server flow
 * (authorization code grant with PKCE, as Salesforce recommends for web apps):
 * 1. `startSalesforceAuthorization`: a random `state` and PKCE `code_verifier` are made; the state's
 *    SHA-256, the session it is bound to and the sealed verifier + consumer secret are stored for
 *    10 minutes; the answer is Salesforce's authorize URL (`code_challenge` = S256 of the verifier).
 * 2. The admin signs in to Salesforce and allows access; Salesforce redirects the browser back to the
 *    settings page with `code` and `state`; the page posts them with the admin's session.
 * 3. `finishSalesforceAuthorization`: the state must exist, be unused, unexpired and belong to *this*
 *    session (a link someone else started, or a replayed callback, is refused); the code is exchanged
 *    with the verifier and secret; the refresh token is stored sealed with the connection. Access
 *    tokens are never stored: every sync exchanges the refresh token for a fresh one.
 */
const ttlMs = 10 * 60_000;
const sha256 = (s: string) => createHash('sha256').update(s).digest('base64url');
const oauthAad = 'salesforce-oauth';
/** Binds a state to a browser session without storing the session token (a hash of a hash, distinct from the session store's). */
export const sessionBinding = (sessionToken: string) => sha256(`leadloop-oauth-session:${sessionToken}`);

export type StartInput = { loginUrl: string; clientId: string; clientSecret: string; redirectUri: string; sessionToken: string | null; userId: string | null; pushSince: Date | null };
type Pending = { loginUrl: string; clientId: string; clientSecret: string; redirectUri: string; codeVerifier: string; pushSince: string | null };

const oauth2Of = (p: Pick<Pending, 'loginUrl' | 'clientId' | 'clientSecret' | 'redirectUri'>) => new OAuth2({ loginUrl: p.loginUrl.replace(/\/$/, ''), clientId: p.clientId, clientSecret: p.clientSecret, redirectUri: p.redirectUri });

export async function startSalesforceAuthorization(deps: AppDeps, workspaceId: string, secret: Result<SecretKey>, input: StartInput): Promise<Result<{ authorizeUrl: string; expiresAt: Date }>> {
  if (!secret.ok) return secret;
  if (!input.sessionToken) {
    return fail('Forbidden', 'The Salesforce sign-in runs in the web app (Settings › Integrations › Connect Salesforce): it is bound to your browser session. Scripts connect with the JWT bearer flow: POST /api/v1/integrations/salesforce/connect.', [{ path: 'authorization', message: 'web session required' }]);
  }
  // The login URL is where the code is exchanged later: the outgoing-address rule judges it now.
  try {
    await assertTarget(input.loginUrl, deps.outbound, 'body.login_url');
  } catch (e) {
    if (e instanceof TargetRefused) return refusedConnection('salesforce', e);
    throw e;
  }
  const state = randomBytes(32).toString('base64url');
  // RFC 7636: 43–128 characters from the unreserved set; 64 random bytes in base64url are 86.
  const codeVerifier = randomBytes(64).toString('base64url');
  const now = deps.clock.now();
  const expiresAt = new Date(now.getTime() + ttlMs);
  const pending: Pending = { loginUrl: input.loginUrl, clientId: input.clientId, clientSecret: input.clientSecret, redirectUri: input.redirectUri, codeVerifier, pushSince: input.pushSince?.toISOString() ?? null };
  await insertCrmOauthRequest(deps.db, workspaceId, {
    stateHash: sha256(state), provider: 'salesforce', sessionHash: sessionBinding(input.sessionToken), userId: input.userId,
    sealed: sealCredentials(secret.value, workspaceId, oauthAad, pending), createdAt: now, expiresAt,
  });
  const authorizeUrl = oauth2Of(pending).getAuthorizationUrl({
    scope: 'api refresh_token', state, code_challenge: createHash('sha256').update(codeVerifier).digest('base64url'), code_challenge_method: 'S256',
  });
  return ok({ authorizeUrl, expiresAt });
}

export type FinishInput = { state: string; code: string | null; error: string | null; errorDescription: string | null; sessionToken: string | null };

const startAgain = 'Start again from Settings › Integrations › Connect Salesforce.';

export async function finishSalesforceAuthorization(deps: AppDeps, workspaceId: string, secret: Result<SecretKey>, input: FinishInput, actor: Actor): Promise<Result<ConnectionView>> {
  if (!secret.ok) return secret;
  const stateHash = sha256(input.state);
  // Only the session that started it may finish it (and use it up): a link or callback carried to
  // another browser is refused and leaves the admin's own sign-in usable.
  const request = input.sessionToken ? await takeCrmOauthRequest(deps.db, workspaceId, stateHash, sessionBinding(input.sessionToken)) : null;
  if (!request) {
    return await crmOauthRequestExists(deps.db, workspaceId, stateHash)
      ? fail('Forbidden', `This Salesforce sign-in was started in another browser session; nothing was connected. ${startAgain}`, [{ path: 'body.state', message: 'another session' }])
      : fail('ValidationFailed', `This Salesforce sign-in is unknown or was already used. ${startAgain}`, [{ path: 'body.state', message: 'unknown or used' }]);
  }
  if (request.expiresAt < deps.clock.now()) return fail('ValidationFailed', `This Salesforce sign-in expired (10 minutes). ${startAgain}`, [{ path: 'body.state', message: 'expired' }]);
  if (input.error) {
    return fail('ValidationFailed', `Salesforce did not grant access (${input.error}${input.errorDescription ? `: ${input.errorDescription}` : ''}); nothing was connected. ${startAgain}`, [{ path: 'body.error', message: input.error }]);
  }
  if (!input.code) return fail('ValidationFailed', 'Salesforce sent neither a code nor an error.', [{ path: 'body.code', message: 'required' }]);
  const pending = openCredentials<Pending>(secret.value, workspaceId, oauthAad, request.sealed);
  if (!pending.ok) return pending;
  const p = pending.value;
  let refreshToken: string;
  let instanceUrl: string;
  let username: string | null = null;
  try {
    // Judged again (DNS may have changed in the 10 minutes), then what the token answer names.
    await assertTarget(p.loginUrl, deps.outbound, 'body.login_url');
    const oauth2 = oauth2Of(p);
    oauth2.codeVerifier = p.codeVerifier;
    const token = await oauth2.requestToken(input.code);
    if (!token.refresh_token) {
      return fail('ValidationFailed', 'Salesforce gave no refresh token: add the "Perform requests at any time (refresh_token, offline_access)" scope to the connected app, then connect again.', [{ path: 'scope', message: 'refresh_token missing' }]);
    }
    refreshToken = token.refresh_token;
    instanceUrl = token.instance_url;
    await assertTarget(instanceUrl, deps.outbound, 'instance_url');
    await assertTarget(token.id, deps.outbound, 'id');
    // The identity URL names the user who allowed access (shown in Settings as "Acting as").
    const identity = await new Connection({ version: salesforceApiVersion, instanceUrl, accessToken: token.access_token }).request<{ username?: string }>({ method: 'GET', url: token.id });
    username = identity.username ?? null;
  } catch (e) {
    if (e instanceof TargetRefused) return refusedConnection('salesforce', e);
    const err = classifySalesforceError(e);
    return fail('ValidationFailed', `Salesforce refused the sign-in (${err.code}): ${err.message}. Nothing was saved. ${startAgain}`, [{ path: 'body.code', message: err.code }]);
  }
  const credentials: SalesforceWebCredentials = { flow: 'web_server', loginUrl: p.loginUrl, clientId: p.clientId, clientSecret: p.clientSecret, refreshToken, instanceUrl };
  const view = await storeConnection(deps, workspaceId, secret.value, {
    provider: 'salesforce', credentials,
    settings: { flow: 'web_server', login_url: p.loginUrl, client_id: p.clientId, username, instance_url: instanceUrl },
    pushSince: p.pushSince ? new Date(p.pushSince) : deps.clock.now(),
  }, actor);
  return ok(view);
}
