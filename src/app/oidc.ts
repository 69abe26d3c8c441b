import * as client from 'openid-client';
import { fail, ok, type Result } from '../core/result.ts';

export type OidcSettings = {
  issuer: string; clientId: string; clientSecret: string;
  /** The button's label on the sign-in page ("Sign in with <name>"). */
  name: string;
  /** Where the provider sends the browser back: <public url>/api/v1/auth/oidc/callback. */
  redirectUri: string;
};

/** What the browser keeps (in a short-lived httpOnly cookie) between the redirect to the provider and its answer. */
export type OidcPending = { state: string; nonce: string; verifier: string; returnTo: string };

export type OidcService = ReturnType<typeof createOidcService>;

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * OpenID Connect sign-in (authorization code + PKCE, state and nonce) through `openid-client`, the
 * certified relying-party library. Users are matched by their *verified* email; nobody is created.
 */
export function createOidcService(settings: OidcSettings) {
  let discovered: Promise<client.Configuration> | null = null;
  const issuer = new URL(settings.issuer);
  // Plain HTTP is only acceptable for a provider on this machine (development, tests).
  const insecure = issuer.protocol === 'http:' && LOOPBACK.has(issuer.hostname);

  function configuration(): Promise<client.Configuration> {
    discovered ??= client.discovery(issuer, settings.clientId, settings.clientSecret, undefined, insecure ? { execute: [client.allowInsecureRequests] } : undefined)
      .catch((e: unknown) => {
        discovered = null;
        throw e;
      });
    return discovered;
  }

  return {
    name: settings.name,
    redirectUri: settings.redirectUri,

    /** The provider's authorization URL and what must be kept to check its answer. */
    async start(returnTo: string): Promise<Result<{ url: string; pending: OidcPending }>> {
      let config: client.Configuration;
      try {
        config = await configuration();
      } catch (e) {
        return fail('ValidationFailed', `The single sign-on provider ${settings.issuer} cannot be reached (${e instanceof Error ? e.message : String(e)}). Sign in with your password, or ask your administrator to check LEADLOOP_OIDC_ISSUER.`);
      }
      const verifier = client.randomPKCECodeVerifier();
      const pending: OidcPending = { state: client.randomState(), nonce: client.randomNonce(), verifier, returnTo };
      const url = client.buildAuthorizationUrl(config, {
        redirect_uri: settings.redirectUri, scope: 'openid email profile', response_type: 'code',
        code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
        state: pending.state, nonce: pending.nonce,
      });
      return ok({ url: url.href, pending });
    },

    /** Checks the provider's answer (state, PKCE, nonce, ID token signature) and returns the verified email. */
    async finish(currentUrl: URL, pending: OidcPending): Promise<Result<{ email: string; name: string | null }>> {
      const error = currentUrl.searchParams.get('error');
      if (error) {
        const description = currentUrl.searchParams.get('error_description');
        return fail('Unauthenticated', `The sign-on provider refused: ${error.slice(0, 100)}${description ? ` (${description.slice(0, 200)})` : ''}.`);
      }
      try {
        const config = await configuration();
        const tokens = await client.authorizationCodeGrant(config, currentUrl, { pkceCodeVerifier: pending.verifier, expectedState: pending.state, expectedNonce: pending.nonce, idTokenExpected: true });
        const idClaims = tokens.claims();
        if (!idClaims) return fail('Unauthenticated', 'The sign-on provider sent no ID token.');
        // Many providers put only `sub` in the ID token and the email in UserInfo (checked to be the same `sub`).
        const claims: Record<string, unknown> = typeof idClaims.email === 'string'
          ? idClaims
          : { ...(await client.fetchUserInfo(config, tokens.access_token, idClaims.sub)), sub: idClaims.sub };
        const email = typeof claims.email === 'string' ? claims.email : null;
        if (!email) return fail('Unauthenticated', 'The sign-on provider did not share your email address; Leadloop finds users by email. Ask your administrator to grant the "email" scope.');
        if (claims.email_verified !== true) return fail('Unauthenticated', `The sign-on provider has not verified ${email}; Leadloop signs in only verified addresses.`);
        return ok({ email, name: typeof claims.name === 'string' ? claims.name : null });
      } catch (e) {
        return fail('Unauthenticated', `Single sign-on failed: ${e instanceof Error ? e.message : String(e)}. Try again from the sign-in page.`);
      }
    },
  };
}
