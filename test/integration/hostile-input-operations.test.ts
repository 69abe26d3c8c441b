import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultDefinition } from '../../src/core/definitions/default-definition.ts';
import { changedCounts, snapshotRowCounts } from '../helpers/row-counts.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

/**
 * The hostile-input corpus, driven by the OpenAPI document: every write operation it lists
 * (POST/PUT/PATCH/DELETE) must have a case here — a JSON body with the slot the poison goes in, or
 * the named describe block of test/integration/hostile-input.test.ts that feeds it (ingestion,
 * CSV) — so a new route without a case fails `every write operation has a case`. Each body case
 * gets NUL, 5,000-deep nesting, a number overflowing to Infinity, a wrong type and a 600,000
 * character string; every operation with a path parameter gets a NUL id. The contract is the
 * corpus's: a 4xx in the one error shape naming where, and no table changes.
 */
let t: TestApp;
const ids: Record<string, string> = {};
const missing = randomUUID();

/** The body: `P` marks the poison; ':name' becomes a seeded id. */
/** `also`: other paths a refusal may name (definition documents name their own fields: `name`, not `body.document.name`). */
type BodyCase = { body: string; slot: string; key?: 'ingest'; also?: string[] };
/** Fed elsewhere: where (a describe block of hostile-input.test.ts). */
type Elsewhere = { elsewhere: string };

const ingestion: Elsewhere = { elsewhere: "hostile-input.test.ts 'ingestion refuses the poisoned message alone, with a dead letter' (per message, dead-lettered)" };
const noBody = null;
const cases: Record<string, BodyCase | Elsewhere | typeof noBody> = {
  'POST /api/v1/auth/login': { body: '{"email":P,"password":"password123"}', slot: 'body.email' },
  'POST /api/v1/auth/logout': noBody,
  'POST /api/v1/me/workspace': { body: '{"workspace_id":P}', slot: 'body.workspace_id' },
  'POST /api/v1/me/password': { body: '{"current_password":P,"new_password":"a much longer passphrase 42"}', slot: 'body.current_password' },
  'POST /api/v1/auth/forgot-password': { body: '{"email":P}', slot: 'body.email' },
  'POST /api/v1/auth/reset-password': { body: '{"token":P,"password":"a much longer passphrase 42"}', slot: 'body.token' },
  'POST /api/v1/auth/invitation': { body: '{"token":P}', slot: 'body.token' },
  'POST /api/v1/auth/accept-invite': { body: '{"token":P,"password":"a much longer passphrase 42","name":"Ann"}', slot: 'body.token' },
  'POST /api/v1/users': { body: '{"email":"new@acme.test","role":"sales","name":P}', slot: 'body.name' },
  'POST /api/v1/users/invite': { body: '{"email":"invited@acme.test","role":"sales","name":P}', slot: 'body.name' },
  'POST /api/v1/users/{id}/invite': noBody,
  'PATCH /api/v1/users/{id}': { body: '{"name":P}', slot: 'body.name' },
  'POST /api/v1/api-keys': { body: '{"name":P,"scopes":["read"]}', slot: 'body.name' },
  'DELETE /api/v1/api-keys/{id}': noBody,
  'PUT /api/v1/reason-codes': { body: '{"codes":[{"code":P,"label":"x","outcome":"nurture"}]}', slot: 'body.codes' },
  'POST /api/v1/contacts': { body: '{"email":"hostile@example.com","first_name":P}', slot: 'body.first_name' },
  'PATCH /api/v1/contacts/{id}': { body: '{"title":P}', slot: 'body.title' },
  'POST /api/v1/accounts': { body: '{"name":P}', slot: 'body.name' },
  'POST /api/v1/leads': { body: '{"contact_id":":contact","owner_id":P}', slot: 'body.owner_id' },
  'POST /api/v1/leads/{id}/transitions': { body: '{"to":"mql","note":P}', slot: 'body.note' },
  'POST /api/v1/campaigns': { body: '{"name":P,"channel":"email"}', slot: 'body.name' },
  'PATCH /api/v1/campaigns/{id}': { body: '{"name":P}', slot: 'body.name' },
  'DELETE /api/v1/campaigns/{id}': noBody,
  'POST /api/v1/content': { body: '{"title":P}', slot: 'body.title' },
  'PATCH /api/v1/content/{id}': { body: '{"title":P}', slot: 'body.title' },
  'POST /api/v1/opportunities': { body: '{"name":P,"stage":"discovery"}', slot: 'body.name' },
  'PATCH /api/v1/opportunities/{id}': { body: '{"name":P}', slot: 'body.name' },
  'POST /api/v1/opportunities/{id}/leads': { body: '{"lead_id":":lead","note":P}', slot: 'body.note' },
  'POST /api/v1/opportunities/{id}/leads/{leadId}/unlink': { body: '{"note":P}', slot: 'body.note' },
  'POST /api/v1/definitions': { body: '{"document":{"name":P}}', slot: 'body.document', also: ['name'] },
  'POST /api/v1/definitions/validate': { body: '{"text":P,"format":"yaml"}', slot: 'body.text' },
  'PATCH /api/v1/definitions/{id}': { body: '{"document":{"fit":P}}', slot: 'body.document', also: ['fit'] },
  'POST /api/v1/definitions/{id}/propose': noBody,
  'POST /api/v1/definitions/{id}/withdraw': noBody,
  'POST /api/v1/definitions/{id}/retire': { body: '{"reason":P}', slot: 'body.reason' },
  'POST /api/v1/definitions/{id}/emergency-stop': { body: '{"reason":P}', slot: 'body.reason' },
  'PUT /api/v1/approvers': { body: '{"marketing":[P]}', slot: 'body.marketing' },
  'POST /api/v1/definitions/{id}/approvals': { body: '{"decision":"approve","comment":P}', slot: 'body.comment' },
  'POST /api/v1/definitions/{id}/activate': noBody,
  'POST /api/v1/definitions/{id}/backtest': { body: '{"from":P}', slot: 'body.from' },
  'POST /api/v1/activities': { body: '{"contact_id":":contact","type":"email_click","occurred_at":"2026-03-01T09:00:00Z","url":P}', slot: 'body.url' },
  'PUT /api/v1/costs': { body: '{"costs":[{"campaign_id":":campaign","period_start":"2026-03-01","amount":P}]}', slot: 'body.costs' },
  'PUT /api/v1/settings/attribution': { body: '{"marketing_channels":[P]}', slot: 'body.marketing_channels' },
  'POST /api/v1/models': { body: '{"target_stage":P}', slot: 'body.target_stage' },
  'POST /api/v1/models/{id}/predictions': noBody,
  'PUT /api/v1/settings/form-redirects': { body: '{"domains":[P]}', slot: 'body.domains' },
  'PATCH /api/v1/settings/consent': { body: '{"double_opt_in":P}', slot: 'body.double_opt_in' },
  'PUT /api/v1/routing': { body: '{"rules":[P]}', slot: 'body.rules' },
  'PUT /api/v1/users/{id}/rep-settings': { body: '{"weight":P}', slot: 'body.weight' },
  'PUT /api/v1/teams/{name}': { body: '{"manager_id":P}', slot: 'body.manager_id' },
  'POST /api/v1/leads/{id}/assign': { body: '{"owner_id":P}', slot: 'body.owner_id' },
  'POST /api/v1/leads/bulk': { body: '{"action":"transition","lead_ids":[":lead"],"to":"nurture","note":P}', slot: 'body.note' },
  'POST /api/v1/leads/{id}/touches': { body: '{"note":P}', slot: 'body.note' },
  'POST /api/v1/leads/{id}/notes': { body: '{"note":P}', slot: 'body.note' },
  'POST /api/v1/leads/{id}/reject': { body: '{"reason_code":P}', slot: 'body.reason_code' },
  'POST /api/v1/alerts/{id}/read': noBody,
  'POST /api/v1/webhooks': { body: '{"name":P,"url":"https://hooks.example/x","event_types":["lead.transitioned"]}', slot: 'body.name' },
  'PATCH /api/v1/webhooks/{id}': { body: '{"name":P}', slot: 'body.name' },
  'DELETE /api/v1/webhooks/{id}': noBody,
  'POST /api/v1/webhooks/{id}/rotate-secret': { body: '{"reason":P}', slot: 'body.reason' },
  'POST /api/v1/webhooks/deliveries/{id}/replay': noBody,
  'POST /api/v1/nurture/tracks': { body: '{"name":P}', slot: 'body.name' },
  'PATCH /api/v1/nurture/tracks/{id}': { body: '{"name":P}', slot: 'body.name' },
  'POST /api/v1/nurture/tracks/{id}/enrollments': { body: '{"lead_id":P}', slot: 'body.lead_id' },
  'POST /api/v1/nurture/tracks/{id}/segment-enrollments': { body: '{"segment":P}', slot: 'body.segment' },
  'POST /api/v1/nurture/enrollments/{id}/remove': noBody,
  'POST /api/v1/nurture/test-sends': { body: '{"to":"test@acme.test","subject":P,"template":"Hi"}', slot: 'body.subject' },
  'POST /api/v1/tasks': { body: '{"lead_id":":lead","title":P}', slot: 'body.title' },
  'PATCH /api/v1/tasks/{id}': { body: '{"title":P}', slot: 'body.title' },
  'POST /api/v1/campaigns/{id}/members': { body: '{"members":[P]}', slot: 'body.members' },
  'DELETE /api/v1/campaigns/{id}/members/{contactId}': noBody,
  'POST /api/v1/content/{id}/ratings': { body: '{"rating":5,"comment":P}', slot: 'body.comment' },
  'POST /api/v1/content-calendar': { body: '{"title":P,"planned_on":"2026-04-01"}', slot: 'body.title' },
  'PATCH /api/v1/content-calendar/{id}': { body: '{"title":P}', slot: 'body.title' },
  'DELETE /api/v1/content-calendar/{id}': noBody,
  'POST /api/v1/integrations/salesforce/connect': { body: '{"login_url":"https://login.salesforce.com","client_id":P,"username":"u@acme.test","private_key":"k"}', slot: 'body.client_id' },
  'POST /api/v1/integrations/salesforce/authorize': { body: '{"login_url":"https://login.salesforce.com","client_id":P,"client_secret":"s"}', slot: 'body.client_id' },
  'POST /api/v1/integrations/salesforce/callback': { body: '{"state":P,"code":"c"}', slot: 'body.state' },
  'POST /api/v1/integrations/hubspot/connect': { body: '{"access_token":P}', slot: 'body.access_token' },
  'PUT /api/v1/integrations/{provider}/mapping': { body: '{"mapping":P}', slot: 'body.mapping' },
  'POST /api/v1/integrations/{provider}/sync': { body: '{"dry_run":P}', slot: 'body.dry_run' },
  'POST /api/v1/privacy/erasures': { body: '{"email":P}', slot: 'body.email' },
  'PATCH /api/v1/privacy/retention': { body: '{"dead_letter_days":P}', slot: 'body.dead_letter_days' },
  'POST /api/v1/privacy/retention/run': noBody,
  'PUT /api/v1/accounts/{id}/owner': { body: '{"owner_id":P}', slot: 'body.owner_id' },
  'POST /api/v1/saved-views': { body: '{"entity":"people","name":P,"query":"q=a"}', slot: 'body.name' },
  'DELETE /api/v1/saved-views/{id}': noBody,
  // Other form answers are free-form (kept as the visitor typed them); the email identifies the person.
  'POST /api/v1/forms/{formId}/submissions': { body: '{"email":P,"company":"Acme"}', slot: 'body.email', key: 'ingest' },
  'POST /v1/content-ratings': { body: '{"asset_id":":content","rating":5,"comment":P}', slot: 'body.comment', key: 'ingest' },
  'POST /v1/batch': ingestion, 'POST /v1/identify': ingestion,
  'POST /v1/import': { elsewhere: "'the batch doors answer a poisoned message alone' below" }, 'POST /v1/webhook': { elsewhere: "'the batch doors answer a poisoned message alone' below" },
  'POST /v1/track': ingestion, 'POST /v1/page': ingestion, 'POST /v1/screen': ingestion, 'POST /v1/group': ingestion, 'POST /v1/alias': ingestion,
  'POST /api/v1/imports': { elsewhere: "hostile-input.test.ts 'CSV imports' (multipart files: NUL, bad UTF-8, out-of-range cells)" },
};

/** Path parameter values per operation: a seeded record where one helps the body reach validation, else an id nothing has. */
const paramValue = (name: string, path: string): string => {
  if (name === 'provider') return 'hubspot';
  if (name === 'formId') return 'demo-request';
  if (name === 'name') return 'east';
  if (path.startsWith('/api/v1/users/')) return ids.user!;
  if (path.startsWith('/api/v1/contacts/')) return ids.contact!;
  if (path.startsWith('/api/v1/leads/')) return ids.lead!;
  if (path.startsWith('/api/v1/campaigns/')) return ids.campaign!;
  if (path.startsWith('/api/v1/content/{id}')) return ids.content!;
  if (path.startsWith('/api/v1/opportunities/')) return name === 'leadId' ? ids.lead! : ids.opportunity!;
  if (path.startsWith('/api/v1/definitions/')) return ids.definition!;
  if (path.startsWith('/api/v1/accounts/')) return ids.account!;
  return missing;
};
const urlOf = (path: string) => path.replace(/\{(\w+)\}/g, (_, name: string) => paramValue(name, path));
const withIds = (body: string) => body.replace(/":(\w+)"/g, (m, name: string) => (ids[name] ? `"${ids[name]}"` : m));

const deep = (n: number) => '{"a":'.repeat(n) + '1' + '}'.repeat(n);
const poisons: [string, string][] = [
  ['NUL in a string', '"a\\u0000b"'],
  ['5,000-deep objects', deep(5000)],
  ['a number overflowing to Infinity', '1e999'],
  ['a wrong type (an array where a value is expected)', '[true]'],
  ['a 600,000-character string', `"${'x'.repeat(600_000)}"`],
];

type Answer = { status: number; body: { error?: { code: string; message: string; details: { path: string; message: string }[] } } };
async function send(method: string, url: string, payload: string | undefined, key: string): Promise<Answer> {
  const res = await t.app.inject({
    method: method as 'POST', url: key === t.keys.ingest ? `${url}?key=${key}` : url, ...(payload === undefined ? {} : { payload }),
    headers: { authorization: `Bearer ${key}`, ...(payload === undefined ? {} : { 'content-type': 'application/json' }) },
  });
  let body: Answer['body'] = {};
  try { body = res.json(); } catch { body = {}; }
  return { status: res.statusCode, body };
}

async function expectRefusedWithoutWrites(act: () => Promise<Answer>, slots: string[]) {
  const before = await snapshotRowCounts(t.pool);
  const answer = await act();
  expect(answer.status, JSON.stringify(answer.body).slice(0, 300)).toBeGreaterThanOrEqual(400);
  expect(answer.status, JSON.stringify(answer.body).slice(0, 300)).toBeLessThan(500);
  const error = answer.body.error!;
  expect(error?.message?.length ?? 0, JSON.stringify(answer.body).slice(0, 300)).toBeGreaterThan(10);
  expect(error.details.length, JSON.stringify(answer).slice(0, 300)).toBeGreaterThan(0);
  // Where: the poisoned field, or the whole body when the JSON parser refused the text.
  expect(error.details.some((d) => d.path === 'body' || slots.some((s) => d.path.startsWith(s))), JSON.stringify(error.details).slice(0, 300)).toBe(true);
  expect(changedCounts(before, await snapshotRowCounts(t.pool))).toEqual({});
}

let writeOps: string[] = [];
beforeAll(async () => {
  t = await createTestApp();
  const doc = (await t.app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json() as { paths: Record<string, Record<string, unknown>> };
  writeOps = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops)
    .filter((m) => ['post', 'put', 'patch', 'delete'].includes(m)).map((m) => `${m.toUpperCase()} ${path}`));
  const created = async (url: string, body: unknown) => {
    const res = await t.api('POST', url, body);
    expect(res.statusCode, res.body).toBeLessThan(300);
    return res.json().id as string;
  };
  ids.user = t.users.sales.id;
  ids.contact = await created('/api/v1/contacts', { email: 'target@example.com' });
  ids.account = await created('/api/v1/accounts', { name: 'Target Corp', domain: 'target.example' });
  ids.lead = await created('/api/v1/leads', { contact_id: ids.contact });
  ids.campaign = await created('/api/v1/campaigns', { name: 'Spring', channel: 'email' });
  ids.content = await created('/api/v1/content', { title: 'Guide', url: 'https://acme.test/guide' });
  ids.opportunity = await created('/api/v1/opportunities', { name: 'Deal', stage: 'discovery' });
  ids.definition = await created('/api/v1/definitions', { document: defaultDefinition });
});
afterAll(async () => { await t?.close(); });

describe('the corpus follows the OpenAPI document', () => {
  it('every write operation has a case (a body with a poison slot, no body, or where it is fed)', () => {
    expect(writeOps.length).toBeGreaterThan(80);
    expect(writeOps.filter((op) => !(op in cases))).toEqual([]);
    // And no case for an operation that is gone.
    expect(Object.keys(cases).filter((op) => !writeOps.includes(op))).toEqual([]);
  });
});

describe('every write operation with a JSON body refuses hostile values in one field, clearly, writing nothing', () => {
  for (const [op, c] of Object.entries(cases)) {
    if (!c || 'elsewhere' in c) continue;
    const [method, path] = op.split(' ') as [string, string];
    for (const [what, poison] of poisons) {
      it(`${op} (${c.slot}): ${what}`, async () => {
        await expectRefusedWithoutWrites(() => send(method, urlOf(path), withIds(c.body).replace('P', poison), c.key === 'ingest' ? t.keys.ingest : t.keys.admin), [c.slot, ...(c.also ?? [])]);
      });
    }
  }
});

describe('every write operation with a path parameter refuses a NUL id, writing nothing', () => {
  for (const [op, c] of Object.entries(cases)) {
    const [method, path] = op.split(' ') as [string, string];
    if (!path.includes('{') || (c && 'elsewhere' in c)) continue;
    it(`${op}: NUL in the path`, async () => {
      const url = path.replace(/\{(\w+)\}/, 'a%00b').replace(/\{(\w+)\}/g, (_, name: string) => paramValue(name, path));
      const body = c ? withIds(c.body).replace('P', '"x"') : undefined;
      await expectRefusedWithoutWrites(() => send(method, url, body, c?.key === 'ingest' ? t.keys.ingest : t.keys.admin), ['params', 'url']);
    });
  }
});

/** /v1/import (historical batches) and /v1/webhook (CDP forwarding, one message or a bare array): a poisoned message is answered alone. */
describe('the batch doors answer a poisoned message alone, dead-lettered, the good one stored', () => {
  for (const url of ['/v1/import', '/v1/webhook']) {
    // Properties are free-form JSON (an array is a fine value there); a 600,000-character message is refused whole (see hostile-input.test.ts).
    for (const [what, poison] of poisons.filter(([w]) => !w.startsWith('a 600,000') && !w.startsWith('a wrong type'))) {
      it(`POST ${url}: ${what}`, async () => {
        const before = await snapshotRowCounts(t.pool);
        const good = { type: 'track', messageId: `good-${url}-${what.length}`, anonymousId: `anon-${url}-${what.length}`, event: 'Viewed', timestamp: '2026-03-01T09:00:00Z', properties: {} };
        const messages = `[{"type":"track","messageId":"bad-${what.length}","anonymousId":"anon-bad","event":"E","timestamp":"2026-03-01T09:00:00Z","properties":{"v":${poison}}},${JSON.stringify(good)}]`;
        const payload = url === '/v1/import' ? `{"batch":${messages}}` : messages;
        const res = await t.app.inject({ method: 'POST', url, payload, headers: { authorization: `Basic ${Buffer.from(`${t.keys.ingest}:`).toString('base64')}`, 'content-type': 'application/json' } });
        expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
        const errors = res.json().errors as { index: number; message: string; details: { path: string }[] }[];
        expect(errors.map((e) => e.index)).toEqual([0]);
        expect(errors[0]!.details.some((d) => d.path.startsWith('properties.v')), JSON.stringify(errors[0]).slice(0, 300)).toBe(true);
        const changed = changedCounts(before, await snapshotRowCounts(t.pool));
        expect(changed['public.dead_letter']).toEqual([before['public.dead_letter'], before['public.dead_letter']! + 1]);
        expect(changed['public.activity']?.[1], 'the good message is stored').toBe((before['public.activity'] ?? 0) + 1);
      });
    }
  }
});
