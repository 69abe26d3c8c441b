import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local SIMULATION of the HubSpot CRM API (not HubSpot): the documented v3/v4 shapes
 * @hubspot/api-client calls, answered from memory, so the connector is tested with the vendor's own
 * client. Shapes follow HubSpot's published OpenAPI documents (CRM objects v3, search, batch,
 * associations v4, pipelines, owners):
 * - `/crm/v3/objects/{contacts|companies|deals}` create/read/update, `/batch/{create|read|update}`
 *   (`{status: 'COMPLETE', results, startedAt, completedAt}`), `/search` (filterGroups, sorts,
 *   `paging.next.after`, at most 200 a page); unknown properties answer 400 VALIDATION_ERROR with
 *   PROPERTY_DOESNT_EXIST, a second contact with the same email 409 CONFLICT ("Existing ID: …").
 * - `POST /crm/v3/objects/contacts/gdpr-delete` (`{objectId, idProperty?}`): permanently deletes the
 *   contact and its associations, 204; an unknown id answers 404, an unknown email (idProperty
 *   `email`) is blocklisted and answers 204, as HubSpot documents it.
 * - `/crm/v4/associations/{from}/{to}/batch/read`, `/crm/v3/pipelines/deals`, `/crm/v3/owners/`,
 *   `/account-info/v3/details`.
 * - A wrong token answers 401 INVALID_AUTHENTICATION; `rateLimitNext(n)` answers 429 with HubSpot's
 *   secondly-limit body (the client waits and retries).
 */
type Props = Record<string, string | null>;
export type HsObject = { id: string; properties: Props; createdAt: string; updatedAt: string; archived: boolean };

const modifiedProp: Record<string, string> = { contacts: 'lastmodifieddate', companies: 'hs_lastmodifieddate', deals: 'hs_lastmodifieddate' };
const knownProps: Record<string, string[]> = {
  contacts: ['email', 'firstname', 'lastname', 'jobtitle', 'phone', 'company', 'lifecyclestage', 'hs_lead_status', 'hubspot_owner_id',
    // Custom properties the setup guide asks an admin to create (README: "HubSpot setup").
    'leadloop_id', 'leadloop_score', 'leadloop_rating', 'leadloop_why', 'leadloop_stage'],
  companies: ['name', 'domain'],
  deals: ['dealname', 'amount', 'dealstage', 'pipeline', 'closedate', 'deal_currency_code', 'hubspot_owner_id'],
};
const lifecycleOrder = ['subscriber', 'lead', 'marketingqualifiedlead', 'salesqualifiedlead', 'opportunity', 'customer', 'evangelist', 'other'];

export type HubspotConformance = {
  url: string;
  objects: Record<'contacts' | 'companies' | 'deals', Map<string, HsObject>>;
  associations: { from: string; fromId: string; to: string; toId: string }[];
  requests: { method: string; path: string; status: number }[];
  /** Contact ids (or blocklisted emails) permanently deleted through the GDPR endpoint, in order. */
  gdprDeleted: string[];
  /** The next `n` API calls answer 429 (HubSpot's secondly limit). */
  rateLimitNext: (n: number) => void;
  /** Revokes the private app token (as uninstalling or rotating it does). */
  revokeToken: () => void;
  /** What a sales rep does in HubSpot, as the portal records it. */
  rep: {
    create: (type: 'contacts' | 'companies' | 'deals', properties: Props) => HsObject;
    update: (type: 'contacts' | 'companies' | 'deals', id: string, properties: Props) => HsObject;
    associate: (from: string, fromId: string, to: string, toId: string) => void;
  };
  close: () => Promise<void>;
};

export async function startHubspotConformance(options: { token: string; portalId?: number; owners?: { email: string; firstName: string; lastName: string }[]; pageSize?: number }): Promise<HubspotConformance> {
  const objects = { contacts: new Map<string, HsObject>(), companies: new Map<string, HsObject>(), deals: new Map<string, HsObject>() };
  const associations: HubspotConformance['associations'] = [];
  const requests: HubspotConformance['requests'] = [];
  const gdprDeleted: string[] = [];
  let token: string | null = options.token;
  let limited = 0;
  let seq = 1000;
  let last = 0;
  const owners = (options.owners ?? []).map((o, i) => ({ id: String(500 + i), ...o, userId: 9000 + i, createdAt: new Date(0).toISOString(), updatedAt: new Date(0).toISOString(), archived: false }));
  const pipeline = {
    id: 'default', label: 'Sales Pipeline', displayOrder: 0, archived: false, createdAt: new Date(0).toISOString(), updatedAt: new Date(0).toISOString(),
    stages: [
      ['appointmentscheduled', 'Appointment Scheduled', 'false', '0.2'], ['qualifiedtobuy', 'Qualified To Buy', 'false', '0.4'],
      ['contractsent', 'Contract Sent', 'false', '0.8'], ['closedwon', 'Closed Won', 'true', '1.0'], ['closedlost', 'Closed Lost', 'true', '0.0'],
    ].map(([id, label, isClosed, probability], i) => ({
      id, label, displayOrder: i, metadata: { isClosed, probability }, archived: false, createdAt: new Date(0).toISOString(), updatedAt: new Date(0).toISOString(), writePermissions: 'CRM_PERMISSIONS_ENFORCEMENT',
    })),
  };
  const now = () => { last = Math.max(Date.now(), last + 1); return new Date(last).toISOString(); };

  function validate(type: string, props: Props): string | null {
    const bad = Object.keys(props).filter((k) => !knownProps[type]!.includes(k));
    if (!bad.length) return null;
    return `Property values were not valid: ${JSON.stringify(bad.map((name) => ({ isValid: false, message: `Property "${name}" does not exist`, error: 'PROPERTY_DOESNT_EXIST', name, localizedErrorMessage: `Property "${name}" does not exist` })))}`;
  }
  function create(type: keyof typeof objects, props: Props): HsObject {
    const at = now();
    const id = String(++seq);
    const o: HsObject = { id, properties: { ...props, createdate: at, [modifiedProp[type]!]: at, hs_object_id: id }, createdAt: at, updatedAt: at, archived: false };
    if (type === 'deals') o.properties.pipeline ??= 'default';
    objects[type].set(id, o);
    return o;
  }
  function update(type: keyof typeof objects, id: string, props: Props): HsObject {
    const o = objects[type].get(id);
    if (!o) throw new Error(`${type} ${id} not found`);
    const next = { ...props };
    // HubSpot moves the lifecycle stage forward only.
    if (type === 'contacts' && next.lifecyclestage && o.properties.lifecyclestage
      && lifecycleOrder.indexOf(next.lifecyclestage) < lifecycleOrder.indexOf(o.properties.lifecyclestage)) delete next.lifecyclestage;
    const at = now();
    Object.assign(o.properties, next, { [modifiedProp[type]!]: at });
    o.updatedAt = at;
    return o;
  }
  const pick = (o: HsObject, props: string[] | undefined) => ({
    ...o, properties: Object.fromEntries(Object.entries(o.properties).filter(([k]) => !props?.length || props.includes(k) || ['hs_object_id', 'createdate', 'lastmodifieddate', 'hs_lastmodifieddate'].includes(k))),
  });
  const error = (res: ServerResponse, status: number, category: string, message: string, extra: Record<string, unknown> = {}) =>
    send(res, status, { status: 'error', message, correlationId: '00000000-0000-4000-8000-000000000000', category, ...extra });
  const send = (res: ServerResponse, status: number, body: unknown) => {
    res.statusCode = status;
    res.setHeader('content-type', 'application/json;charset=utf-8');
    res.end(JSON.stringify(body));
  };
  const readBody = async (req: IncomingMessage) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const s = Buffer.concat(chunks).toString('utf8');
    return (s ? JSON.parse(s) : {}) as Record<string, any>;
  };
  const batch = (results: unknown[]) => ({ status: 'COMPLETE', results, startedAt: new Date().toISOString(), completedAt: new Date().toISOString() });

  function search(type: keyof typeof objects, body: Record<string, any>) {
    const groups = (body.filterGroups ?? []) as { filters: { propertyName: string; operator: string; value?: string; values?: string[] }[] }[];
    const val = (v: string | null | undefined, prop: string) => (v === null || v === undefined ? null : /date$/.test(prop) ? Date.parse(v) : v.toLowerCase());
    const cmp = (prop: string, raw: string | undefined) => (raw === undefined ? null : /date$/.test(prop) ? (/^\d+$/.test(raw) ? Number(raw) : Date.parse(raw)) : raw.toLowerCase());
    const test = (o: HsObject, f: { propertyName: string; operator: string; value?: string; values?: string[] }) => {
      const a = val(o.properties[f.propertyName], f.propertyName);
      const b = cmp(f.propertyName, f.value);
      switch (f.operator) {
        case 'EQ': return a === b;
        case 'NEQ': return a !== b;
        case 'IN': return (f.values ?? []).map((v) => cmp(f.propertyName, v)).includes(a);
        case 'HAS_PROPERTY': return a !== null;
        case 'GT': return a !== null && b !== null && a > b;
        case 'GTE': return a !== null && b !== null && a >= b;
        case 'LT': return a !== null && b !== null && a < b;
        case 'LTE': return a !== null && b !== null && a <= b;
        default: throw new Error(`operator ${f.operator}`);
      }
    };
    let rows = [...objects[type].values()].filter((o) => !groups.length || groups.some((g) => g.filters.every((f) => test(o, f))));
    const sort = (body.sorts ?? [])[0] as { propertyName: string; direction: string } | undefined;
    if (sort) rows.sort((x, y) => { const a = val(x.properties[sort.propertyName], sort.propertyName) ?? ''; const b = val(y.properties[sort.propertyName], sort.propertyName) ?? ''; return (a < b ? -1 : a > b ? 1 : 0) * (sort.direction === 'DESCENDING' ? -1 : 1); });
    else rows.sort((x, y) => Number(x.id) - Number(y.id));
    const limit = Math.min(Number(body.limit ?? 10), options.pageSize ?? 200);
    const offset = Number(body.after ?? 0);
    const total = rows.length;
    rows = rows.slice(offset, offset + limit);
    const next = offset + rows.length < total ? { paging: { next: { after: String(offset + rows.length) } } } : {};
    return { total, results: rows.map((o) => pick(o, body.properties)), ...next };
  }

  async function handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const method = req.method ?? 'GET';
    const path = url.pathname.replace(/\/$/, '');
    if (req.headers.authorization !== `Bearer ${token}`) {
      error(res, 401, 'INVALID_AUTHENTICATION', 'Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview');
      return;
    }
    if (limited > 0) {
      limited--;
      error(res, 429, 'RATE_LIMITS', 'You have reached your secondly limit.', { errorType: 'RATE_LIMIT', policyName: 'SECONDLY' });
      return;
    }
    if (path === '/account-info/v3/details') { send(res, 200, { portalId: options.portalId ?? 4242, accountType: 'STANDARD', timeZone: 'UTC', companyCurrency: 'USD', utcOffset: '+00:00' }); return; }
    if (path === '/crm/v3/pipelines/deals' && method === 'GET') { send(res, 200, { results: [pipeline] }); return; }
    if (path === '/crm/v3/owners' && method === 'GET') {
      const email = url.searchParams.get('email');
      send(res, 200, { results: owners.filter((o) => !email || o.email.toLowerCase() === email.toLowerCase()) });
      return;
    }
    if (path === '/crm/v3/objects/contacts/gdpr-delete' && method === 'POST') {
      const body = await readBody(req);
      const key = String(body.objectId ?? '');
      if (!key) { error(res, 400, 'VALIDATION_ERROR', 'objectId is required'); return; }
      const byEmail = body.idProperty === 'email';
      const found = byEmail ? [...objects.contacts.values()].find((o) => o.properties.email?.toLowerCase() === key.toLowerCase()) : objects.contacts.get(key);
      if (!found && !byEmail) { error(res, 404, 'OBJECT_NOT_FOUND', 'resource not found'); return; }
      if (found) {
        objects.contacts.delete(found.id);
        for (let i = associations.length - 1; i >= 0; i--) {
          const a = associations[i]!;
          if ((a.from === 'contacts' && a.fromId === found.id) || (a.to === 'contacts' && a.toId === found.id)) associations.splice(i, 1);
        }
      }
      gdprDeleted.push(found?.id ?? key);
      res.statusCode = 204;
      res.end();
      return;
    }
    let m = path.match(/^\/crm\/v4\/associations\/(\w+)\/(\w+)\/batch\/read$/);
    if (m && method === 'POST') {
      const body = await readBody(req);
      const [, from, to] = m as unknown as [string, string, string];
      send(res, 200, batch((body.inputs as { id: string }[]).map(({ id }) => ({
        from: { id }, to: associations.filter((a) => a.from === from && a.to === to && a.fromId === id)
          .map((a) => ({ toObjectId: Number(a.toId), associationTypes: [{ category: 'HUBSPOT_DEFINED', typeId: from === 'deals' && to === 'contacts' ? 3 : 5, label: null }] })),
      })).filter((r) => r.to.length)));
      return;
    }
    m = path.match(/^\/crm\/v4\/objects\/(\w+)\/(\w+)\/associations\/default\/(\w+)\/(\w+)$/);
    if (m && method === 'PUT') {
      const [, from, fromId, to, toId] = m as unknown as [string, string, string, string, string];
      associations.push({ from, fromId, to, toId }, { from: to, fromId: toId, to: from, toId: fromId });
      if (from === 'deals' && objects.deals.has(fromId)) update('deals', fromId, {});
      send(res, 200, batch([{ from: { id: fromId }, to: { id: toId }, associationSpec: { associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 3 } }]));
      return;
    }
    m = path.match(/^\/crm\/v3\/objects\/(contacts|companies|deals)(?:\/(\w+))?(?:\/(\w+))?$/);
    if (!m) { error(res, 404, 'OBJECT_NOT_FOUND', `Unknown path ${path}`); return; }
    const type = m[1] as keyof typeof objects;
    const [a, b] = [m[2], m[3]];
    if (a === 'search' && method === 'POST') { send(res, 200, search(type, await readBody(req))); return; }
    if (a === 'batch' && method === 'POST') {
      const body = await readBody(req);
      const inputs = (body.inputs ?? []) as { id?: string; properties?: Props }[];
      if (inputs.length > 100) { error(res, 400, 'VALIDATION_ERROR', 'Batch size must be at most 100.'); return; }
      if (b === 'read') { send(res, 200, batch(inputs.flatMap(({ id }) => { const o = objects[type].get(String(id)); return o ? [pick(o, body.properties)] : []; }))); return; }
      for (const input of inputs) {
        const invalid = validate(type, input.properties ?? {});
        if (invalid) { error(res, 400, 'VALIDATION_ERROR', invalid); return; }
      }
      if (b === 'create') {
        if (type === 'contacts') {
          for (const input of inputs) {
            const email = input.properties?.email?.toLowerCase();
            const existing = [...objects.contacts.values()].find((o) => email && o.properties.email?.toLowerCase() === email);
            if (existing) { error(res, 409, 'CONFLICT', `Contact already exists. Existing ID: ${existing.id}`); return; }
          }
        }
        send(res, 201, batch(inputs.map((i) => create(type, i.properties ?? {}))));
        return;
      }
      if (b === 'update') {
        const missing = inputs.find((i) => !objects[type].has(String(i.id)));
        if (missing) { error(res, 404, 'OBJECT_NOT_FOUND', `Object ${String(missing.id)} not found`); return; }
        send(res, 200, batch(inputs.map((i) => update(type, String(i.id), i.properties ?? {}))));
        return;
      }
    }
    if (!a && method === 'POST') {
      const body = await readBody(req);
      const invalid = validate(type, body.properties ?? {});
      if (invalid) { error(res, 400, 'VALIDATION_ERROR', invalid); return; }
      send(res, 201, create(type, body.properties ?? {}));
      return;
    }
    if (a && !b) {
      const o = objects[type].get(a);
      if (!o) { error(res, 404, 'OBJECT_NOT_FOUND', 'resource not found'); return; }
      if (method === 'GET') { send(res, 200, o); return; }
      if (method === 'DELETE') { objects[type].delete(a); res.statusCode = 204; res.end(); return; }
      if (method === 'PATCH') {
        const body = await readBody(req);
        const invalid = validate(type, body.properties ?? {});
        if (invalid) { error(res, 400, 'VALIDATION_ERROR', invalid); return; }
        send(res, 200, update(type, a, body.properties ?? {}));
        return;
      }
    }
    error(res, 404, 'OBJECT_NOT_FOUND', `Unknown path ${path}`);
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    res.on('finish', () => requests.push({ method: req.method ?? 'GET', path: url.pathname, status: res.statusCode }));
    handle(req, res, url).catch((e: unknown) => { if (!res.headersSent) error(res, 500, 'INTERNAL', String(e)); });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    objects, associations, requests, gdprDeleted,
    rateLimitNext: (n) => { limited = n; },
    revokeToken: () => { token = null; },
    rep: {
      create, update,
      associate: (from, fromId, to, toId) => {
        associations.push({ from, fromId, to, toId }, { from: to, fromId: toId, to: from, toId: fromId });
        if (from === 'deals') update('deals', fromId, {});
      },
    },
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
