/** The slice of oidc-provider (no bundled types) the tests use to run a real OpenID provider. */
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';
  type Claims = Record<string, unknown>;
  type Configuration = {
    clients: Record<string, unknown>[];
    claims?: Record<string, string[]>;
    cookies?: { keys: string[] };
    pkce?: { required: () => boolean };
    findAccount: (ctx: unknown, id: string) => { accountId: string; claims: () => Claims | Promise<Claims> } | Promise<{ accountId: string; claims: () => Claims | Promise<Claims> }>;
  };
  export default class Provider {
    constructor(issuer: string, configuration: Configuration);
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
    on(event: string, listener: (...args: unknown[]) => void): this;
  }
}
