import { createHash, createPublicKey, createVerify, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { matches, parseSoql, SoqlError, sortRecords } from './soql.ts';
import { closedStages, prefixes, schema, schemaErrors, type SalesforceApiError, type SfRecord, type Value } from './salesforce-schema.ts';

export type { SalesforceApiError, SfRecord } from './salesforce-schema.ts';

/**
 * A local SIMULATION of the Salesforce REST API (not Salesforce): the documented shapes jsforce
 * calls, answered from memory, so the connector is tested with the vendor's own client library.
 * - `POST /services/oauth2/token` — OAuth 2.0 JWT bearer flow (RS256 assertion verified against the
 *   connected app's certificate: iss = consumer key, sub = username, aud = login URL, exp).
 * - OAuth 2.0 web-server flow (`webApp` option): `GET /services/oauth2/authorize` (response_type=code,
 *   client_id, redirect_uri = a registered callback URL, state, PKCE code_challenge) shows a login and
 *   "Allow Access?" page; Allow redirects to `redirect_uri?code=…&state=…`, Deny to
 *   `?error=access_denied&error_description=end-user denied authorization&state=…`. The token endpoint
 *   takes `grant_type=authorization_code` (code single use, 15 min; client_id, client_secret and
 *   redirect_uri must match; a code_challenge needs the code_verifier: missing → invalid_grant, wrong →
 *   invalid_request "invalid code verifier") answering access_token, refresh_token, instance_url, id,
 *   issued_at, signature; and `grant_type=refresh_token` (a new access token, no new refresh token).
 *   `GET /id/{orgId}/{userId}` is the identity URL (Bearer).
 * - `/services/data/vXX.X/sobjects/{Type}` create (201 `{id, success, errors}`), `/{Type}/{id}` GET,
 *   PATCH (204), DELETE (204); unknown fields and missing required fields answer 400
 *   `[{message, errorCode, fields}]` (INVALID_FIELD, REQUIRED_FIELD_MISSING).
 * - `/query?q=` SOQL (see soql.ts) with `nextRecordsUrl` paging (`/query/{locator}`), `pageSize` records a page.
 * - `/composite/sobjects` (sObject Collections create/update, allOrNone) and `/composite` (compositeRequest
 *   subrequests with `@{ref.id}` references).
 * - Every API answer carries `Sforce-Limit-Info: api-usage=n/limit`; past the limit, 403 REQUEST_LIMIT_EXCEEDED.
 * - Revoked or expired access tokens answer 401 `INVALID_SESSION_ID`.
 * Formula fields are computed as Salesforce does: Opportunity IsClosed/IsWon from the stage, SystemModstamp
 * and LastModifiedDate on every write (strictly increasing).
 */


export type SalesforceConformance = {
  url: string;
  /** Records by object type (the org's data; tests may read it, but change it through `rep` or the API). */
  records: Map<string, Map<string, SfRecord>>;
  /** Requests the server answered, in order: method, path (without the query string). */
  requests: { method: string; path: string }[];
  pageSize: number;
  apiLimit: number;
  apiUsed: number;
  /** Rejects every access token issued so far (as a revoked connected app or expired session does). */
  revokeSessions: () => void;
  /** Makes the token endpoint refuse the next grants (a deactivated user or removed certificate). */
  refuseGrants: (reason: string | null) => void;
  /** Revokes every refresh token (an admin revoking the app's access in Salesforce Setup). */
  revokeRefreshTokens: () => void;
  /** Web-server flow grants: codes issued and refresh tokens alive (for assertions). */
  oauth: { codesIssued: number; refreshTokens: number };
  /** The next `n` API calls to a path containing `pathPart` answer with the given status and errors. */
  failNext: (pathPart: string, status: number, errors: SalesforceApiError[], n?: number) => void;
  /** What a sales rep does in the Salesforce UI, as the org records it. */
  rep: {
    insert: (type: string, fields: Record<string, Value>) => SfRecord;
    update: (type: string, id: string, fields: Record<string, Value>) => SfRecord;
    /** Lead conversion (Convert button): Account, Contact and Opportunity created, the lead marked converted. */
    convertLead: (leadId: string, opportunity: { Name: string; Amount: number; StageName: string; CloseDate: string }) => { contactId: string; accountId: string; opportunityId: string };
  };
  close: () => Promise<void>;
};

export type SalesforceConformanceOptions = {
  /** The connected app's consumer key and certificate (PEM public key or certificate). */
  clientId: string; certificate: string;
  /** Users of the org: the JWT `sub` must be one of their usernames. */
  users: { Username: string; Email: string; Name: string }[];
  pageSize?: number; apiLimit?: number; apiVersion?: string;
  /** The connected app's web-server flow: its consumer secret and registered callback URLs (exact match, as Salesforce requires). */
  webApp?: { clientSecret: string; callbackUrls: string[] };
};

const b64urlJson = (s: string) => JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as Record<string, unknown>;

export async function startSalesforceConformance(options: SalesforceConformanceOptions): Promise<SalesforceConformance> {
  const records = new Map<string, Map<string, SfRecord>>(Object.keys(schema).map((t) => [t, new Map()]));
  const tokens = new Set<string>();
  const requests: { method: string; path: string }[] = [];
  const failures: { pathPart: string; status: number; errors: SalesforceApiError[]; left: number }[] = [];
  const cursors = new Map<string, { records: Record<string, unknown>[]; offset: number }>();
  let grantRefusal: string | null = null;
  let counter = 0;
  let lastStamp = 0;
  const publicKey = createPublicKey(options.certificate);

  const stamp = () => {
    lastStamp = Math.max(Date.now(), lastStamp + 1);
    return new Date(lastStamp).toISOString().replace('Z', '+0000');
  };
  const newId = (type: string) => {
    counter++;
    return `${prefixes[type] ?? '00X'}${'0'.repeat(9)}${String(counter).padStart(3, '0')}AAA`.slice(0, 18);
  };

  function validate(type: string, fields: Record<string, unknown>, creating: boolean): SalesforceApiError[] {
    const errors = schemaErrors(type, fields, creating);
    const ownerId = fields.OwnerId;
    if (typeof ownerId === 'string' && !records.get('User')!.has(ownerId)) {
      errors.push({ message: `Owner ID: id value of incorrect type: ${ownerId}`, errorCode: 'FIELD_INTEGRITY_EXCEPTION', fields: ['OwnerId'] });
    }
    return errors;
  }

  function derive(type: string, r: SfRecord): void {
    if (type === 'Opportunity') {
      const closed = closedStages[String(r.StageName)];
      r.IsClosed = Boolean(closed);
      r.IsWon = closed?.won ?? false;
    }
    if (type === 'Lead' || type === 'Contact' || type === 'User') {
      if (type !== 'User') r.Name = [r.FirstName, r.LastName].filter(Boolean).join(' ');
    }
  }

  function insert(type: string, fields: Record<string, Value>): SfRecord {
    const at = stamp();
    const def = schema[type]!;
    const r = Object.fromEntries(def.fields.map((f) => [f, null])) as SfRecord;
    Object.assign(r, fields, { Id: newId(type), CreatedDate: at, LastModifiedDate: at, SystemModstamp: at, IsDeleted: false });
    if (type === 'Lead') { r.IsConverted = false; r.Status ??= 'Open - Not Contacted'; }
    if (type === 'Opportunity') r.CurrencyIsoCode ??= 'USD';
    if (!r.OwnerId && type !== 'User') r.OwnerId = [...records.get('User')!.keys()][0] ?? null;
    derive(type, r);
    records.get(type)!.set(r.Id, r);
    return r;
  }

  function update(type: string, id: string, fields: Record<string, Value>): SfRecord {
    const r = records.get(type)!.get(id);
    if (!r) throw new Error(`${type} ${id} not found`);
    const at = stamp();
    Object.assign(r, fields, { LastModifiedDate: at, SystemModstamp: at });
    derive(type, r);
    return r;
  }

  for (const u of options.users) insert('User', { ...u, IsActive: true });

  const rep: SalesforceConformance['rep'] = {
    insert, update,
    convertLead(leadId, opportunity) {
      const lead = records.get('Lead')!.get(leadId);
      if (!lead) throw new Error(`Lead ${leadId} not found`);
      const f = (k: string): Value => lead[k] ?? null;
      const account = insert('Account', { Name: String(lead.Company), OwnerId: f('OwnerId') });
      const contact = insert('Contact', { FirstName: f('FirstName'), LastName: f('LastName'), Email: f('Email'), AccountId: account.Id, OwnerId: f('OwnerId') });
      const opp = insert('Opportunity', { ...opportunity, AccountId: account.Id, LeadSource: f('LeadSource'), OwnerId: f('OwnerId') });
      insert('OpportunityContactRole', { OpportunityId: opp.Id, ContactId: contact.Id, Role: 'Decision Maker', IsPrimary: true });
      update('Lead', leadId, {
        IsConverted: true, Status: 'Closed - Converted', ConvertedDate: new Date(lastStamp).toISOString().slice(0, 10),
        ConvertedAccountId: account.Id, ConvertedContactId: contact.Id, ConvertedOpportunityId: opp.Id,
      });
      return { contactId: contact.Id, accountId: account.Id, opportunityId: opp.Id };
    },
  };

  const state = {} as SalesforceConformance;

  const send = (res: ServerResponse, status: number, body?: unknown) => {
    res.statusCode = status;
    if (body === undefined) { res.end(); return; }
    res.setHeader('content-type', 'application/json;charset=UTF-8');
    res.end(JSON.stringify(body));
  };

  const readBody = async (req: IncomingMessage) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  };

  const codes = new Map<string, { clientId: string; redirectUri: string; challenge: string | null; userId: string; expires: number }>();
  const refreshTokens = new Map<string, { clientId: string; userId: string }>();
  const issueAccess = (userId: string) => {
    const token = `00D000000000001!${randomBytes(24).toString('base64url')}`;
    tokens.add(token);
    return { access_token: token, instance_url: state.url, id: `${state.url}/id/00D000000000001AAA/${userId}`, token_type: 'Bearer', issued_at: String(Date.now()), signature: randomBytes(32).toString('base64') };
  };
  const html = (res: ServerResponse, status: number, body: string) => {
    res.statusCode = status;
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Salesforce (simulation)</title></head><body style="font-family:sans-serif;max-width:28rem;margin:3rem auto">${body}</body></html>`);
  };
  const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  const redirect = (res: ServerResponse, to: string, params: Record<string, string>) => {
    const u = new URL(to);
    for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
    res.statusCode = 302;
    res.setHeader('location', u.toString());
    res.end();
  };

  /** The login + consent page of the web-server flow (what Salesforce shows before "Allow"). */
  function authorizePage(url: URL, res: ServerResponse) {
    const q = url.searchParams;
    const clientId = q.get('client_id') ?? '';
    const redirectUri = q.get('redirect_uri') ?? '';
    // Errors about the client or callback are shown, never redirected (the callback is not trusted yet).
    if (!options.webApp || clientId !== options.clientId) { html(res, 400, '<h1>error=invalid_client_id</h1><p>client identifier invalid</p>'); return; }
    if (!options.webApp.callbackUrls.includes(redirectUri)) { html(res, 400, '<h1>error=redirect_uri_mismatch</h1><p>redirect_uri must match configuration</p>'); return; }
    const stateParam = q.get('state') ?? '';
    if (q.get('response_type') !== 'code') { redirect(res, redirectUri, { error: 'unsupported_response_type', error_description: 'response type not supported', state: stateParam }); return; }
    if (q.get('code_challenge') && (q.get('code_challenge_method') ?? 'S256') !== 'S256') { redirect(res, redirectUri, { error: 'invalid_request', error_description: 'invalid code challenge method', state: stateParam }); return; }
    const hidden = ['client_id', 'redirect_uri', 'state', 'code_challenge', 'scope'].map((k) => `<input type="hidden" name="${k}" value="${esc(q.get(k) ?? '')}">`).join('');
    html(res, 200, `<h1>Allow Access?</h1>
<p><strong>Leadloop</strong> (${esc(clientId)}) is asking to:</p>
<ul><li>Access and manage your data (api)</li><li>Perform requests on your behalf at any time (refresh_token, offline_access)</li></ul>
<form method="post" action="/services/oauth2/authorize">${hidden}
<p><label>Username <input name="username" autocomplete="username" required></label></p>
<p><label>Password <input name="password" type="password" autocomplete="current-password" required></label></p>
<p><button name="decision" value="allow">Allow</button> <button name="decision" value="deny" formnovalidate>Deny</button></p></form>`);
  }

  function authorizeDecision(body: string, res: ServerResponse) {
    const f = new URLSearchParams(body);
    const redirectUri = f.get('redirect_uri') ?? '';
    if (!options.webApp || f.get('client_id') !== options.clientId || !options.webApp.callbackUrls.includes(redirectUri)) { html(res, 400, '<h1>error=invalid_request</h1>'); return; }
    const stateParam = f.get('state') ?? '';
    if (f.get('decision') !== 'allow') { redirect(res, redirectUri, { error: 'access_denied', error_description: 'end-user denied authorization', state: stateParam }); return; }
    const user = [...records.get('User')!.values()].find((u) => u.Username === f.get('username'));
    if (!user || !f.get('password')) { html(res, 401, '<h1>Please check your username and password.</h1>'); return; }
    const code = `aPrx${randomBytes(24).toString('base64url')}`;
    codes.set(code, { clientId: options.clientId, redirectUri, challenge: f.get('code_challenge') || null, userId: user.Id, expires: Date.now() + 15 * 60_000 });
    state.oauth.codesIssued++;
    redirect(res, redirectUri, { code, state: stateParam });
  }

  function webServerGrant(params: URLSearchParams, res: ServerResponse) {
    const code = codes.get(params.get('code') ?? '');
    codes.delete(params.get('code') ?? ''); // single use, even when the rest is wrong
    if (!code) { send(res, 400, { error: 'invalid_grant', error_description: 'authentication failure' }); return; }
    if (code.expires < Date.now()) { send(res, 400, { error: 'invalid_grant', error_description: 'expired authorization code' }); return; }
    if (params.get('client_id') !== code.clientId) { send(res, 400, { error: 'invalid_client_id', error_description: 'client identifier invalid' }); return; }
    if (params.get('client_secret') !== options.webApp?.clientSecret) { send(res, 400, { error: 'invalid_client', error_description: 'invalid client credentials' }); return; }
    if (params.get('redirect_uri') !== code.redirectUri) { send(res, 400, { error: 'redirect_uri_mismatch', error_description: 'redirect_uri must match configuration' }); return; }
    if (code.challenge) {
      const verifier = params.get('code_verifier');
      if (!verifier) { send(res, 400, { error: 'invalid_grant', error_description: 'code verifier required' }); return; }
      if (createHash('sha256').update(verifier).digest('base64url') !== code.challenge) { send(res, 400, { error: 'invalid_request', error_description: 'invalid code verifier' }); return; }
    }
    const refresh = `5Aep${randomBytes(32).toString('base64url')}`;
    refreshTokens.set(refresh, { clientId: code.clientId, userId: code.userId });
    state.oauth.refreshTokens = refreshTokens.size;
    send(res, 200, { ...issueAccess(code.userId), refresh_token: refresh, scope: 'refresh_token api' });
  }

  function refreshGrant(params: URLSearchParams, res: ServerResponse) {
    if (grantRefusal) { send(res, 400, { error: 'invalid_grant', error_description: grantRefusal }); return; }
    const grant = refreshTokens.get(params.get('refresh_token') ?? '');
    if (!grant) { send(res, 400, { error: 'invalid_grant', error_description: 'expired access/refresh token' }); return; }
    if (params.get('client_id') !== grant.clientId) { send(res, 400, { error: 'invalid_client_id', error_description: 'client identifier invalid' }); return; }
    if (params.get('client_secret') !== options.webApp?.clientSecret) { send(res, 400, { error: 'invalid_client', error_description: 'invalid client credentials' }); return; }
    send(res, 200, { ...issueAccess(grant.userId), scope: 'refresh_token api' });
  }

  function identity(req: IncomingMessage, url: URL, res: ServerResponse) {
    const auth = req.headers.authorization ?? '';
    const token = auth.startsWith('Bearer ') ? auth.slice(7) : url.searchParams.get('oauth_token') ?? '';
    if (!tokens.has(token)) { send(res, 403, 'Bad_OAuth_Token'); return; }
    const userId = url.pathname.split('/').at(-1) ?? '';
    const user = records.get('User')!.get(userId);
    if (!user) { send(res, 404, 'Not found'); return; }
    send(res, 200, { id: `${state.url}${url.pathname}`, user_id: user.Id, organization_id: '00D000000000001AAA', username: user.Username, email: user.Email, display_name: user.Name, active: true });
  }

  function tokenEndpoint(body: string, res: ServerResponse) {
    const params = new URLSearchParams(body);
    const refuse = (description: string) => send(res, 400, { error: 'invalid_grant', error_description: description });
    if (params.get('grant_type') === 'authorization_code') { webServerGrant(params, res); return; }
    if (params.get('grant_type') === 'refresh_token') { refreshGrant(params, res); return; }
    if (params.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') {
      send(res, 400, { error: 'unsupported_grant_type', error_description: 'grant type not supported' }); return;
    }
    if (grantRefusal) { refuse(grantRefusal); return; }
    const parts = (params.get('assertion') ?? '').split('.');
    if (parts.length !== 3) { refuse('invalid assertion'); return; }
    const [h, p, s] = parts as [string, string, string];
    let header: Record<string, unknown>, claims: Record<string, unknown>;
    try { header = b64urlJson(h); claims = b64urlJson(p); } catch { refuse('invalid assertion'); return; }
    if (header.alg !== 'RS256') { refuse('invalid assertion'); return; }
    const verifier = createVerify('RSA-SHA256');
    verifier.update(`${h}.${p}`);
    if (!verifier.verify(publicKey, Buffer.from(s, 'base64url'))) { refuse('invalid assertion'); return; }
    if (claims.iss !== options.clientId) { send(res, 400, { error: 'invalid_client_id', error_description: 'client identifier invalid' }); return; }
    if (claims.aud !== state.url && claims.aud !== 'https://login.salesforce.com' && claims.aud !== 'https://test.salesforce.com') { refuse('audience is invalid'); return; }
    if (typeof claims.exp !== 'number' || claims.exp * 1000 < Date.now()) { refuse('expired authorization code'); return; }
    const user = [...records.get('User')!.values()].find((u) => u.Username === claims.sub);
    if (!user) { refuse('user hasn\'t approved this consumer'); return; }
    const token = `00D000000000001!${randomBytes(24).toString('base64url')}`;
    tokens.add(token);
    send(res, 200, {
      access_token: token, scope: 'api', instance_url: state.url, id: `${state.url}/id/00D000000000001AAA/${user.Id}`, token_type: 'Bearer',
    });
  }

  function page(res: ServerResponse, version: string, all: Record<string, unknown>[], offset: number, locatorKey?: string) {
    const slice = all.slice(offset, offset + state.pageSize);
    const done = offset + slice.length >= all.length;
    let nextRecordsUrl: string | undefined;
    if (!done) {
      const key = locatorKey ?? `01g${randomBytes(6).toString('hex')}`;
      cursors.set(key, { records: all, offset: offset + slice.length });
      nextRecordsUrl = `/services/data/v${version}/query/${key}-${offset + slice.length}`;
    }
    send(res, 200, { totalSize: all.length, done, ...(nextRecordsUrl ? { nextRecordsUrl } : {}), records: slice });
  }

  function query(res: ServerResponse, version: string, soql: string) {
    let q;
    try { q = parseSoql(soql); } catch (e) {
      send(res, 400, [{ message: `unexpected token: ${(e as SoqlError).message}`, errorCode: 'MALFORMED_QUERY' }]); return;
    }
    const def = schema[q.object];
    if (!def) { send(res, 400, [{ message: `sObject type '${q.object}' is not supported.`, errorCode: 'INVALID_TYPE' }]); return; }
    const unknown = [...q.fields, ...q.where.flat().map((c) => c.field), ...(q.orderBy ? [q.orderBy.field] : [])].find((f) => !def.fields.includes(f));
    if (unknown) { send(res, 400, [{ message: `No such column '${unknown}' on entity '${q.object}'.`, errorCode: 'INVALID_FIELD' }]); return; }
    let rows = [...records.get(q.object)!.values()].filter((r) => matches(q, r));
    rows = sortRecords(q, rows);
    if (q.limit !== null) rows = rows.slice(0, q.limit);
    const shaped = rows.map((r) => ({
      attributes: { type: q.object, url: `/services/data/v${version}/sobjects/${q.object}/${r.Id}` },
      ...Object.fromEntries(q.fields.map((f) => [f, r[f] ?? null])),
    }));
    page(res, version, shaped, 0);
  }

  function create(type: string, fields: Record<string, Value>): { status: number; body: unknown } {
    const errors = validate(type, fields, true);
    if (errors.length) return { status: 400, body: errors };
    const { attributes: _a, ...clean } = fields as Record<string, Value> & { attributes?: unknown };
    const r = insert(type, clean);
    return { status: 201, body: { id: r.Id, success: true, errors: [] } };
  }

  function patch(type: string, id: string, fields: Record<string, Value>): { status: number; body: unknown } {
    if (!records.get(type)!.has(id)) return { status: 404, body: [{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }] };
    const { attributes: _a, Id: _id, ...clean } = fields as Record<string, Value> & { attributes?: unknown };
    const errors = validate(type, clean, false);
    if (errors.length) return { status: 400, body: errors };
    if (type === 'Lead' && records.get('Lead')!.get(id)!.IsConverted) {
      return { status: 400, body: [{ message: 'cannot reference converted lead', errorCode: 'CANNOT_UPDATE_CONVERTED_LEAD', fields: [] }] };
    }
    update(type, id, clean);
    return { status: 204, body: undefined };
  }

  async function api(req: IncomingMessage, res: ServerResponse, url: URL, version: string, rest: string) {
    const method = req.method ?? 'GET';
    const body = method === 'GET' || method === 'DELETE' ? '' : await readBody(req);
    const json = () => (body ? JSON.parse(body) : {}) as Record<string, unknown>;
    let m: RegExpMatchArray | null;
    if (rest === '/query' || rest === '/query/') { query(res, version, url.searchParams.get('q') ?? ''); return; }
    if ((m = rest.match(/^\/query\/([\w]+)-(\d+)$/))) {
      const cursor = cursors.get(m[1]!);
      if (!cursor) { send(res, 400, [{ message: 'invalid query locator', errorCode: 'INVALID_QUERY_LOCATOR' }]); return; }
      page(res, version, cursor.records, Number(m[2]), m[1]);
      return;
    }
    if (rest === '/composite/sobjects' && (method === 'POST' || method === 'PATCH')) {
      const { allOrNone, records: input } = json() as { allOrNone?: boolean; records?: (Record<string, Value> & { attributes?: { type?: string } })[] };
      if (!Array.isArray(input) || input.length > 200) { send(res, 400, [{ message: 'records: 1 to 200 records', errorCode: 'INVALID_BATCH_SIZE' }]); return; }
      const results = input.map((r) => {
        const type = r.attributes?.type ?? '';
        if (!schema[type]) return { status: 400, body: [{ message: `sObject type '${type}' is not supported.`, errorCode: 'INVALID_TYPE' }] };
        if (method === 'POST') return allOrNone ? { status: validate(type, r, true).length ? 400 : 201, body: validate(type, r, true) } : create(type, r);
        return allOrNone ? { status: validate(type, r, false).length ? 400 : 204, body: validate(type, r, false) } : patch(type, String(r.Id), r);
      });
      if (allOrNone) {
        if (results.some((r) => r.status >= 400)) {
          send(res, 200, results.map((r) => ({ success: false, errors: r.status >= 400 ? r.body : [{ statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK', message: 'Record rolled back because not all records were valid and the request was using AllOrNone header', fields: [] }] })));
          return;
        }
        send(res, 200, input.map((r) => {
          const type = r.attributes!.type!;
          if (method === 'POST') return create(type, r).body;
          patch(type, String(r.Id), r);
          return { id: r.Id, success: true, errors: [] };
        }));
        return;
      }
      send(res, 200, results.map((r, i) => r.status < 300
        ? (r.body as object | undefined) ?? { id: input[i]!.Id, success: true, errors: [] }
        : { success: false, errors: (r.body as SalesforceApiError[]).map((e) => ({ statusCode: e.errorCode, message: e.message, fields: e.fields ?? [] })) }));
      return;
    }
    if (rest === '/composite' && method === 'POST') {
      const { allOrNone, compositeRequest } = json() as { allOrNone?: boolean; compositeRequest?: { method: string; url: string; referenceId: string; body?: Record<string, Value> }[] };
      const refs = new Map<string, Record<string, unknown>>();
      const answers: { body: unknown; httpHeaders: Record<string, string>; httpStatusCode: number; referenceId: string }[] = [];
      for (const sub of compositeRequest ?? []) {
        const resolve = (s: string) => s.replace(/@\{(\w+)\.(\w+)\}/g, (_x, ref: string, f: string) => String(refs.get(ref)?.[f] ?? ''));
        const subUrl = resolve(sub.url);
        const subBody = sub.body ? JSON.parse(resolve(JSON.stringify(sub.body))) as Record<string, Value> : {};
        const sm = subUrl.match(/\/sobjects\/(\w+)(?:\/(\w+))?$/);
        let answer: { status: number; body: unknown } = { status: 400, body: [{ message: `unsupported subrequest ${sub.method} ${subUrl}`, errorCode: 'INVALID_SUBREQUEST' }] };
        if (sm && schema[sm[1]!]) {
          if (sub.method === 'POST' && !sm[2]) answer = create(sm[1]!, subBody);
          else if (sub.method === 'PATCH' && sm[2]) answer = patch(sm[1]!, sm[2], subBody);
          else if (sub.method === 'GET' && sm[2]) {
            const r = records.get(sm[1]!)!.get(sm[2]);
            answer = r ? { status: 200, body: r } : { status: 404, body: [{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }] };
          }
        }
        if (answer.status < 300 && answer.body) refs.set(sub.referenceId, answer.body as Record<string, unknown>);
        answers.push({ body: answer.body ?? null, httpHeaders: {}, httpStatusCode: answer.status, referenceId: sub.referenceId });
        if (answer.status >= 400 && allOrNone) break;
      }
      send(res, 200, { compositeResponse: answers });
      return;
    }
    if ((m = rest.match(/^\/sobjects\/(\w+)(?:\/(\w+))?$/))) {
      const [, type, id] = m as unknown as [string, string, string | undefined];
      if (!schema[type]) { send(res, 404, [{ errorCode: 'NOT_FOUND', message: `The requested resource does not exist` }]); return; }
      if (!id && method === 'POST') { const r = create(type, json() as Record<string, Value>); send(res, r.status, r.body); return; }
      if (id && method === 'GET') {
        const r = records.get(type)!.get(id);
        if (!r) { send(res, 404, [{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }]); return; }
        send(res, 200, { attributes: { type, url: `/services/data/v${version}/sobjects/${type}/${id}` }, ...r });
        return;
      }
      if (id && method === 'PATCH') { const r = patch(type, id, json() as Record<string, Value>); send(res, r.status, r.body); return; }
      if (id && method === 'DELETE') {
        if (!records.get(type)!.delete(id)) { send(res, 404, [{ errorCode: 'ENTITY_IS_DELETED', message: 'entity is deleted' }]); return; }
        send(res, 204);
        return;
      }
    }
    send(res, 404, [{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }]);
  }

  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      requests.push({ method: req.method ?? 'GET', path: url.pathname });
      if (url.pathname === '/services/oauth2/token' && req.method === 'POST') { tokenEndpoint(await readBody(req), res); return; }
      if (url.pathname === '/services/oauth2/authorize' && req.method === 'GET') { authorizePage(url, res); return; }
      if (url.pathname === '/services/oauth2/authorize' && req.method === 'POST') { authorizeDecision(await readBody(req), res); return; }
      if (url.pathname.startsWith('/id/') && req.method === 'GET') { identity(req, url, res); return; }
      const m = url.pathname.match(/^\/services\/data\/v(\d+\.\d)(\/.*)$/);
      if (!m) { send(res, 404, [{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }]); return; }
      const auth = req.headers.authorization ?? '';
      if (!auth.startsWith('Bearer ') || !tokens.has(auth.slice(7))) {
        send(res, 401, [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]); return;
      }
      state.apiUsed++;
      res.setHeader('Sforce-Limit-Info', `api-usage=${state.apiUsed}/${state.apiLimit}`);
      if (state.apiUsed > state.apiLimit) {
        send(res, 403, [{ message: `TotalRequests Limit exceeded.`, errorCode: 'REQUEST_LIMIT_EXCEEDED' }]); return;
      }
      const failure = failures.find((f) => f.left > 0 && url.pathname.includes(f.pathPart));
      if (failure) { failure.left--; send(res, failure.status, failure.errors); return; }
      await api(req, res, url, m[1]!, m[2]!);
    })().catch((e: unknown) => {
      if (!res.headersSent) send(res, 500, [{ message: String(e), errorCode: 'UNKNOWN_EXCEPTION' }]);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  Object.assign(state, {
    url: `http://127.0.0.1:${port}`, records, requests, pageSize: options.pageSize ?? 2000, apiLimit: options.apiLimit ?? 15000, apiUsed: 0,
    revokeSessions: () => tokens.clear(),
    refuseGrants: (reason) => { grantRefusal = reason; },
    revokeRefreshTokens: () => { refreshTokens.clear(); state.oauth.refreshTokens = 0; },
    oauth: { codesIssued: 0, refreshTokens: 0 },
    failNext: (pathPart, status, errors, n = 1) => { failures.push({ pathPart, status, errors, left: n }); },
    rep,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  } satisfies SalesforceConformance);
  return state;
}
