import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

export const OIDC_CLIENT = { id: 'leadloop-test', secret: 'leadloop-test-secret-0123456789abcdef' };

/**
 * A real OpenID provider (the `oidc-provider` package, certified OP implementation) on a loopback
 * port, with its development sign-in screens: any login name is accepted as the account id. An
 * account id is its email; ids starting with "unverified" have `email_verified: false`.
 * Its issuer uses the host name `localhost`, so for a Leadloop at 127.0.0.1 the provider is another site.
 */
export async function startOidcProvider(redirectUri: string): Promise<{ issuer: string; close: () => Promise<void> }> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const issuer = `http://localhost:${port}`;
  const provider = new Provider(issuer, {
    clients: [{ client_id: OIDC_CLIENT.id, client_secret: OIDC_CLIENT.secret, redirect_uris: [redirectUri], grant_types: ['authorization_code'], response_types: ['code'] }],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    cookies: { keys: ['oidc-test-cookie-key'] },
    pkce: { required: () => true },
    findAccount: (_ctx, id) => ({
      accountId: id,
      claims: () => ({ sub: id, email: id, email_verified: !id.startsWith('unverified'), name: id.split('@')[0] }),
    }),
  });
  // Quiet: the development interactions warn on every start.
  provider.on('server_error', () => {});
  server.on('request', provider.callback());
  return { issuer, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
