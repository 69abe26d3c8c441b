import { createSign } from 'node:crypto';
import { Connection } from 'jsforce';
import type { OutboundAllowlist } from '../../../core/webhooks/target.rules.ts';
import { assertTarget } from '../../outbound/safe-target.ts';

/**
 * The Salesforce side, through jsforce (the vendor-maintained client): OAuth 2.0 JWT bearer flow for
 * a server (a connected app with a certificate; no password, no refresh token: a new assertion per
 * sync) or the web-server flow an admin completes in Settings (a refresh token, exchanged for an
 * access token per sync), SOQL with `nextRecordsUrl` paging, sObject Collections for batched
 * creates and updates.
 * Errors are sorted into what the sync does about them: `auth` pauses the connector, `limit` stops
 * the run, `record` fails one record and the rest go on.
 */
export type SalesforceJwtCredentials = {
  /** https://login.salesforce.com, https://test.salesforce.com (sandboxes) or a My Domain URL. */
  loginUrl: string;
  /** The connected app's consumer key. */
  clientId: string;
  /** The integration user the connected app is pre-authorized for. */
  username: string;
  /** PEM private key whose certificate is uploaded to the connected app. */
  privateKey: string;
};
/** What the web-server flow (authorization code + PKCE, from Settings › Integrations) leaves to keep. */
export type SalesforceWebCredentials = {
  flow: 'web_server';
  loginUrl: string; clientId: string; clientSecret: string;
  /** Exchanged for a fresh access token at every sign-in; revoking it in Salesforce pauses the connector. */
  refreshToken: string;
  instanceUrl: string;
};
export type SalesforceCredentials = SalesforceJwtCredentials | SalesforceWebCredentials;
export const isWebServerCredentials = (c: SalesforceCredentials): c is SalesforceWebCredentials => 'flow' in c && c.flow === 'web_server';

export const salesforceApiVersion = '62.0';

export type CrmErrorKind = 'auth' | 'limit' | 'record' | 'unavailable';
export class CrmApiError extends Error {
  constructor(readonly kind: CrmErrorKind, readonly code: string, message: string) { super(message); }
}

const authCodes = new Set(['INVALID_SESSION_ID', 'invalid_grant', 'invalid_client_id', 'invalid_client', 'unsupported_grant_type', 'INVALID_AUTH_HEADER']);

/** Sorts a jsforce/transport error: what went wrong, in Salesforce's words. */
export function classifySalesforceError(e: unknown): CrmApiError {
  if (e instanceof CrmApiError) return e;
  const err = e as { name?: string; errorCode?: string; message?: string; code?: string };
  const code = err.errorCode ?? err.name ?? err.code ?? 'UNKNOWN';
  const message = err.message ?? String(e);
  if (authCodes.has(code)) return new CrmApiError('auth', code, message);
  if (code === 'REQUEST_LIMIT_EXCEEDED') return new CrmApiError('limit', code, message);
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'ETIMEDOUT' || code === 'ECONNRESET' || /^ERROR_HTTP_5/.test(code)) {
    return new CrmApiError('unavailable', code, message);
  }
  return new CrmApiError('record', code, message);
}

/** RS256-signed JWT assertion (RFC 7523) as Salesforce's JWT bearer flow expects it. */
export function jwtAssertion(c: SalesforceJwtCredentials, nowMs: number): string {
  const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const body = `${enc({ alg: 'RS256' })}.${enc({ iss: c.clientId, sub: c.username, aud: c.loginUrl.replace(/\/$/, ''), exp: Math.floor(nowMs / 1000) + 180 })}`;
  const signer = createSign('RSA-SHA256');
  signer.update(body);
  return `${body}.${signer.sign(c.privateKey).toString('base64url')}`;
}

export type SoqlRecord = Record<string, unknown> & { Id: string };
export type SaveOutcome = { ok: true; id: string } | { ok: false; code: string; message: string };

export type SalesforceApi = {
  instanceUrl: string;
  /** Every record of a SOQL query, page by page (`nextRecordsUrl`); `onPage` sees each page's size. */
  queryAll: (soql: string) => Promise<SoqlRecord[]>;
  create: (type: string, records: Record<string, unknown>[]) => Promise<SaveOutcome[]>;
  update: (type: string, records: (Record<string, unknown> & { Id: string })[]) => Promise<SaveOutcome[]>;
  /** Deletes one record (erasure); a record already gone answers ok (ENTITY_IS_DELETED / NOT_FOUND). */
  destroy: (type: string, id: string) => Promise<SaveOutcome>;
  /** API requests used and the org's daily limit, from the last answer's Sforce-Limit-Info header. */
  apiUsage: () => { used: number; limit: number } | null;
  pages: number;
};

/**
 * Signs in (JWT bearer, or the stored refresh token of the web-server flow) and answers the calls the sync makes. Throws CrmApiError.
 * Both addresses it calls pass the outgoing-address check of webhooks (src/app/outbound/safe-target.ts;
 * throws TargetRefused): the login URL before the sign-in, and the instance URL Salesforce's token
 * answer names before any API call (an answer must not steer Leadloop inside its own network).
 * jsforce makes its own connections, so the check runs at every sign-in — each sync run and erasure.
 */
export async function connectSalesforce(c: SalesforceCredentials, nowMs: number, allow: OutboundAllowlist | undefined): Promise<SalesforceApi> {
  const loginUrl = c.loginUrl.replace(/\/$/, '');
  await assertTarget(loginUrl, allow, 'body.login_url');
  let conn: Connection;
  try {
    if (isWebServerCredentials(c)) {
      // A fresh access token now, so a revoked refresh token pauses the connector before any work.
      const oauth2 = { loginUrl, clientId: c.clientId, clientSecret: c.clientSecret };
      const token = await new Connection({ loginUrl, version: salesforceApiVersion, oauth2 }).oauth2.refreshToken(c.refreshToken);
      conn = new Connection({ version: salesforceApiVersion, oauth2, instanceUrl: token.instance_url || c.instanceUrl, accessToken: token.access_token, refreshToken: c.refreshToken });
    } else {
      conn = new Connection({ loginUrl, version: salesforceApiVersion, oauth2: { loginUrl, clientId: c.clientId } });
      await conn.authorize({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: jwtAssertion(c, nowMs) });
    }
  } catch (e) {
    throw classifySalesforceError(e);
  }
  await assertTarget(conn.instanceUrl, allow, 'instance_url');
  const api: SalesforceApi = {
    instanceUrl: conn.instanceUrl,
    pages: 0,
    async queryAll(soql) {
      try {
        const out: SoqlRecord[] = [];
        let page = await conn.query<SoqlRecord>(soql, { autoFetch: false });
        api.pages++;
        out.push(...page.records);
        while (!page.done && page.nextRecordsUrl) {
          page = await conn.queryMore<SoqlRecord>(page.nextRecordsUrl, { autoFetch: false } as never);
          api.pages++;
          out.push(...page.records);
        }
        return out.map(({ attributes: _a, ...r }) => r as SoqlRecord);
      } catch (e) {
        throw classifySalesforceError(e);
      }
    },
    async create(type, records) {
      return save(() => conn.sobject(type).create(records as never[], { allOrNone: false }), records.length);
    },
    async update(type, records) {
      return save(() => conn.sobject(type).update(records as never[], { allOrNone: false }), records.length);
    },
    async destroy(type, id) {
      try {
        await conn.sobject(type).destroy(id);
        return { ok: true, id };
      } catch (e) {
        const err = classifySalesforceError(e);
        if (err.code === 'ENTITY_IS_DELETED' || err.code === 'NOT_FOUND') return { ok: true, id };
        if (err.kind !== 'record') throw err;
        return { ok: false, code: err.code, message: err.message };
      }
    },
    apiUsage: () => conn.limitInfo?.apiUsage ?? null,
  };
  return api;
}

async function save(call: () => Promise<unknown>, n: number): Promise<SaveOutcome[]> {
  if (n === 0) return [];
  let results: unknown;
  try {
    results = await call();
  } catch (e) {
    throw classifySalesforceError(e);
  }
  return (results as { success: boolean; id?: string; errors?: { errorCode?: string; statusCode?: string; message: string }[] }[]).map((r) => r.success
    ? { ok: true as const, id: String(r.id) }
    : { ok: false as const, code: r.errors?.[0]?.errorCode ?? r.errors?.[0]?.statusCode ?? 'UNKNOWN', message: (r.errors ?? []).map((x) => x.message).join('; ') || 'failed' });
}

/** A SOQL string literal (quotes and backslashes escaped): lead-supplied text never becomes SOQL syntax. */
export const soqlString = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
/** SOQL dateTime literal. */
export const soqlDateTime = (iso: string) => new Date(iso.replace(/([+-]\d{2})(\d{2})$/, '$1:$2')).toISOString();
