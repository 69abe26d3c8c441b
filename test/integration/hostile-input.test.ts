import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultDefinition } from '../../src/core/definitions/default-definition.ts';
import { changedCounts, snapshotRowCounts } from '../helpers/row-counts.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

/**
 * The hostile-input corpus: every public endpoint, fed what PostgreSQL cannot store (NUL, broken
 * Unicode), hostile depth and size, overflowing numbers, prototype keys, bad JSON/UTF-8 and wrong
 * types. Each answer is a 4xx in the one error shape that says what, where and how; no table changes,
 * except dead_letter for ingestion, which grows by exactly the refused messages.
 */
let t: TestApp;
const ids = { contact: '', account: '', lead: '', campaign: '', content: '', definition: '', opportunity: '', user: '' };
const missing = randomUUID();

const deep = (n: number, open: string, close: string, leaf = '1') => open.repeat(n) + leaf + close.repeat(n);
/** Values (raw JSON text) no endpoint may store. */
const poisonValues: [string, string][] = [
  ['NUL in a string', '"a\\u0000b"'],
  ['a lone NUL', '"\\u0000"'],
  ['a lone high surrogate', '"x\\ud800"'],
  ['a lone low surrogate', '"\\udc00y"'],
  ['5,000-deep objects', deep(5000, '{"a":', '}')],
  ['5,000-deep arrays', deep(5000, '[', ']')],
  ['a number overflowing to Infinity', '1e999'],
  ['NUL in a key', '{"a\\u0000b":1}'],
  ['a __proto__ key', '{"__proto__":{"polluted":true}}'],
  ['a constructor.prototype key', '{"constructor":{"prototype":{"polluted":true}}}'],
  ['a 1,000-character key', `{"${'k'.repeat(1000)}":1}`],
  ['a 600,000-character string', `"${'x'.repeat(600_000)}"`],
];

type Endpoint = { method: string; url: string; body: (p: string) => string; slot: string; key?: 'ingest' };
/** '/api/v1/leads/:lead/assign' → the seeded lead's id (':missing' is an id nothing has). */
const resolve = (url: string) => url.replace(/:(\w+)/g, (_, name: string) => (name === 'missing' ? missing : ids[name as keyof typeof ids] || `:${name}`));
/** A body template: `${'P'}` marks where the poison goes; ':contact' etc. become the seeded ids when sent. */
const json = (parts: TemplateStringsArray, ..._slots: string[]) => (p: string) => parts.map(resolve).join(p);

/** Every write endpoint with a body, and where the poison goes in it. */
const endpoints: Endpoint[] = [
  { method: 'POST', url: '/api/v1/auth/login', body: json`{"email":${'P'},"password":"password123"}`, slot: 'body.email' },
  { method: 'POST', url: '/api/v1/auth/login', body: json`{"email":"admin@acme.test","password":${'P'}}`, slot: 'body.password' },
  { method: 'POST', url: '/api/v1/users', body: json`{"email":"new@acme.test","role":"sales","password":${'P'}}`, slot: 'body.password' },
  { method: 'PATCH', url: '/api/v1/users/:user', body: json`{"name":${'P'}}`, slot: 'body.name' },
  { method: 'POST', url: '/api/v1/api-keys', body: json`{"name":${'P'},"scopes":["read"]}`, slot: 'body.name' },
  { method: 'POST', url: '/api/v1/webhooks', body: json`{"url":${'P'},"events":["mql"]}`, slot: 'body.url' },
  { method: 'PATCH', url: '/api/v1/webhooks/:missing', body: json`{"url":${'P'}}`, slot: 'body.url' },
  { method: 'POST', url: '/api/v1/contacts', body: json`{"email":"hostile@example.com","first_name":${'P'}}`, slot: 'body.first_name' },
  { method: 'POST', url: '/api/v1/contacts', body: json`{"email":"hostile@example.com","attributes":{"plan":${'P'}}}`, slot: 'body.attributes.plan' },
  { method: 'POST', url: '/api/v1/contacts', body: json`{"email":"hostile@example.com","consent":{"email":${'P'}}}`, slot: 'body.consent.email' },
  { method: 'PATCH', url: '/api/v1/contacts/:contact', body: json`{"title":${'P'}}`, slot: 'body.title' },
  { method: 'POST', url: '/api/v1/accounts', body: json`{"name":${'P'}}`, slot: 'body.name' },
  { method: 'POST', url: '/api/v1/accounts', body: json`{"name":"Hostile Inc","attributes":{"tier":${'P'}}}`, slot: 'body.attributes.tier' },
  { method: 'POST', url: '/api/v1/leads', body: json`{"contact_id":":contact","owner_id":${'P'}}`, slot: 'body.owner_id' },
  { method: 'POST', url: '/api/v1/leads/:lead/transitions', body: json`{"to":"mql","note":${'P'}}`, slot: 'body.note' },
  { method: 'POST', url: '/api/v1/leads/:lead/assign', body: json`{"owner_id":${'P'}}`, slot: 'body.owner_id' },
  { method: 'POST', url: '/api/v1/leads/:lead/touches', body: json`{"note":${'P'}}`, slot: 'body.note' },
  { method: 'POST', url: '/api/v1/leads/:lead/reject', body: json`{"reason_code":${'P'}}`, slot: 'body.reason_code' },
  { method: 'POST', url: '/api/v1/activities', body: json`{"contact_id":":contact","type":"email_click","occurred_at":"2026-03-01T09:00:00Z","properties":{"x":${'P'}}}`, slot: 'body.properties.x' },
  { method: 'POST', url: '/api/v1/campaigns', body: json`{"name":${'P'},"channel":"email"}`, slot: 'body.name' },
  { method: 'POST', url: '/api/v1/content', body: json`{"title":${'P'}}`, slot: 'body.title' },
  { method: 'PATCH', url: '/api/v1/content/:content', body: json`{"title":${'P'}}`, slot: 'body.title' },
  { method: 'POST', url: '/api/v1/content/:content/ratings', body: json`{"rating":5,"comment":${'P'}}`, slot: 'body.comment' },
  { method: 'POST', url: '/api/v1/content/calendar', body: json`{"title":${'P'},"due_on":"2026-04-01"}`, slot: 'body.title' },
  { method: 'PATCH', url: '/api/v1/content/calendar/:missing', body: json`{"title":${'P'}}`, slot: 'body.title' },
  { method: 'POST', url: '/api/v1/opportunities', body: json`{"name":${'P'},"stage":"discovery"}`, slot: 'body.name' },
  { method: 'PATCH', url: '/api/v1/opportunities/:opportunity', body: json`{"name":${'P'}}`, slot: 'body.name' },
  { method: 'POST', url: '/api/v1/definitions', body: json`{"document":{"name":${'P'}}}`, slot: 'body.document.name' },
  { method: 'POST', url: '/api/v1/definitions/validate', body: json`{"text":${'P'},"format":"yaml"}`, slot: 'body.text' },
  { method: 'PATCH', url: '/api/v1/definitions/:definition', body: json`{"document":{"fit":${'P'}}}`, slot: 'body.document.fit' },
  { method: 'POST', url: '/api/v1/definitions/:definition/approvals', body: json`{"decision":"approve","comment":${'P'}}`, slot: 'body.comment' },
  { method: 'POST', url: '/api/v1/definitions/:definition/backtest', body: json`{"from":${'P'}}`, slot: 'body.from' },
  { method: 'PUT', url: '/api/v1/routing', body: json`{"rules":[${'P'}]}`, slot: 'body.rules[0]' },
  { method: 'PUT', url: '/api/v1/users/:user/rep-settings', body: json`{"weight":1,"team":${'P'}}`, slot: 'body.team' },
  { method: 'PUT', url: '/api/v1/teams/east', body: json`{"members":[${'P'}]}`, slot: 'body.members[0]' },
  { method: 'PUT', url: '/api/v1/reason-codes', body: json`{"codes":[{"code":${'P'},"label":"x"}]}`, slot: 'body.codes[0].code' },
  { method: 'POST', url: '/api/v1/nurture/tracks', body: json`{"name":${'P'}}`, slot: 'body.name' },
  { method: 'PATCH', url: '/api/v1/nurture/tracks/:missing', body: json`{"name":${'P'}}`, slot: 'body.name' },
  { method: 'POST', url: '/api/v1/nurture/tracks/:missing/enrollments', body: json`{"lead_id":${'P'}}`, slot: 'body.lead_id' },
  { method: 'PUT', url: '/api/v1/costs', body: json`{"costs":[{"campaign_id":":campaign","period_start":"2026-03-01","amount":${'P'}}]}`, slot: 'body.costs[0].amount' },
  { method: 'PUT', url: '/api/v1/settings/attribution', body: json`{"marketing_channels":[${'P'}]}`, slot: 'body.marketing_channels[0]' },
  { method: 'POST', url: '/api/v1/forms/demo-request/submissions', body: json`{"email":"form@example.com","company":${'P'}}`, slot: 'body.company', key: 'ingest' },
  { method: 'POST', url: '/v1/content-ratings', body: json`{"asset_id":":content","rating":5,"comment":${'P'}}`, slot: 'body.comment', key: 'ingest' },
];

type Answer = { status: number; body: { error?: { code: string; message: string; details: { path: string; message: string }[] } } };

async function send(method: string, url: string, payload: string | Buffer, options: { contentType?: string; key?: string } = {}): Promise<Answer> {
  const res = await t.app.inject({
    method: method as 'POST', url, payload,
    headers: { authorization: `Bearer ${options.key ?? t.keys.admin}`, 'content-type': options.contentType ?? 'application/json' },
  });
  let body: Answer['body'] = {};
  try { body = res.json(); } catch { body = {}; }
  return { status: res.statusCode, body };
}

/** The refusal contract: a 4xx, the one error shape, a message and at least one detail with its path. */
function expectClearRefusal(answer: Answer, slot?: string) {
  expect(answer.status, JSON.stringify(answer.body).slice(0, 300)).toBeGreaterThanOrEqual(400);
  expect(answer.status).toBeLessThan(500);
  const error = answer.body.error!;
  expect(error.message.length).toBeGreaterThan(10);
  // Refused before any recursion overflowed: V8 may abort the process, not throw, when it compiles a
  // regular expression at the edge of an exhausted stack (the CI crash "RegExpCompiler Allocation failed").
  expect(JSON.stringify(answer.body)).not.toMatch(/call stack/i);
  expect(error.details.length).toBeGreaterThan(0);
  for (const d of error.details) {
    expect(d.path.length).toBeGreaterThan(0);
    expect(d.message.length).toBeGreaterThan(0);
  }
  // Where: the poisoned field (or the body, when the JSON parser refused the whole text).
  if (slot) expect(error.details.some((d) => d.path.startsWith(slot) || d.path === 'body'), JSON.stringify(error.details).slice(0, 300)).toBe(true);
}

async function expectRefusedWithoutWrites(act: () => Promise<Answer>, slot?: string, deadLetters = 0) {
  const before = await snapshotRowCounts(t.pool);
  const answer = await act();
  expectClearRefusal(answer, slot);
  const after = await snapshotRowCounts(t.pool);
  const expected = deadLetters ? { 'public.dead_letter': [before['public.dead_letter']!, before['public.dead_letter']! + deadLetters] } : {};
  expect(changedCounts(before, after)).toEqual(expected);
  return answer;
}

beforeAll(async () => {
  t = await createTestApp();
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
afterAll(async () => { await t.close(); });

describe('every JSON endpoint refuses what cannot be stored, clearly, and writes nothing', () => {
  for (const e of endpoints) {
    for (const [what, poison] of poisonValues) {
      it(`${e.method} ${e.url} (${e.slot}): ${what}`, async () => {
        await expectRefusedWithoutWrites(() => send(e.method, resolve(e.url), e.body(poison), { key: e.key ? t.keys.ingest : undefined }), e.slot);
      });
    }
  }
});

/** Ingestion (/v1/*): the poisoned message is refused with a 400 naming its field, and dead-lettered. */
const ingestSlots: [string, (p: string) => string, string][] = [
  ['track', (p) => `{"anonymousId":"anon-h","event":"Viewed","properties":{"plan":${p}}}`, 'body.properties.plan'],
  ['page', (p) => `{"anonymousId":"anon-h","name":"Home","properties":{"title":${p}}}`, 'body.properties.title'],
  ['screen', (p) => `{"anonymousId":"anon-h","name":"Home","properties":{"x":${p}}}`, 'body.properties.x'],
  ['identify', (p) => `{"userId":"u-h","traits":{"company":${p}}}`, 'body.traits.company'],
  ['group', (p) => `{"userId":"u-h","groupId":"g-h","traits":{"name":${p}}}`, 'body.traits.name'],
  ['alias', (p) => `{"userId":"u-h","previousId":"anon-h","context":{"extra":${p}}}`, 'body.context.extra'],
];
// The 600,000-character string is refused before parsing (larger than a message may be): covered below.
const messagePoisons = poisonValues.filter(([what]) => !what.startsWith('a 600,000'));

describe('ingestion refuses the poisoned message alone, with a dead letter', () => {
  for (const [type, body, slot] of ingestSlots) {
    for (const [what, poison] of messagePoisons) {
      it(`POST /v1/${type} (${slot}): ${what}`, async () => {
        const answer = await expectRefusedWithoutWrites(() => send('POST', `/v1/${type}`, body(poison), { key: t.keys.ingest }), slot, 1);
        expect(answer.body.error!.code).toBe('ValidationFailed');
      });
    }
  }

  for (const [what, poison] of messagePoisons) {
    it(`POST /v1/batch with one message holding ${what}: answered per message, dead-lettered, nothing else written`, async () => {
      const before = await snapshotRowCounts(t.pool);
      const res = await send('POST', '/v1/batch', `{"batch":[{"type":"track","messageId":"poison-${what.length}","anonymousId":"anon-b","event":"E","properties":{"v":${poison}}}]}`, { key: t.keys.ingest });
      expect(res.status).toBe(200);
      const errors = (res.body as unknown as { errors: { index: number; reason: string; message: string; details: { path: string }[] }[] }).errors;
      expect(errors).toHaveLength(1);
      expect(errors[0]!.index).toBe(0);
      expect(errors[0]!.message.length).toBeGreaterThan(20);
      expect(errors[0]!.details.some((d) => d.path.startsWith('properties.v'))).toBe(true);
      const after = await snapshotRowCounts(t.pool);
      expect(changedCounts(before, after)).toEqual({ 'public.dead_letter': [before['public.dead_letter']!, before['public.dead_letter']! + 1] });
    });
  }

  it('a message larger than 32 KB is refused before parsing, nothing written', async () => {
    await expectRefusedWithoutWrites(() => send('POST', '/v1/track', `{"anonymousId":"a","event":"E","properties":{"x":"${'x'.repeat(600_000)}"}}`, { key: t.keys.ingest }), 'body');
  });
});

// 1,900 varied CJK characters: 5,700 bytes that do not compress, over a btree index entry's 2,704-byte limit.
const wide = Array.from({ length: 1900 }, (_, i) => String.fromCharCode(0x4e00 + ((i * 7919) % 20000))).join('');

/** Numbers are range-checked against their columns (integer, numeric(18,2), smallint...). */
const ranges: [string, string, string, string][] = [
  ['POST', '/api/v1/accounts', '{"name":"Big","employee_count":2147483648}', 'body.employee_count'],
  ['POST', '/api/v1/accounts', '{"name":"Big","employee_count":99999999999999999999}', 'body.employee_count'],
  ['POST', '/api/v1/accounts', '{"name":"Big","employee_count":-1}', 'body.employee_count'],
  ['POST', '/api/v1/accounts', '{"name":"Big","employee_count":1.5}', 'body.employee_count'],
  ['POST', '/api/v1/accounts', '{"name":"Big","employee_count":"seventy"}', 'body.employee_count'],
  ['POST', '/api/v1/accounts', '{"name":"Big","employee_count":"NaN"}', 'body.employee_count'],
  ['POST', '/api/v1/accounts', '{"name":"Big","annual_revenue":1e16}', 'body.annual_revenue'],
  ['POST', '/api/v1/accounts', '{"name":"Big","annual_revenue":1e308}', 'body.annual_revenue'],
  ['POST', '/api/v1/accounts', '{"name":"Big","annual_revenue":-5}', 'body.annual_revenue'],
  ['POST', '/api/v1/accounts', '{"name":"Big","annual_revenue":"Infinity"}', 'body.annual_revenue'],
  ['POST', '/api/v1/opportunities', '{"name":"Big","stage":"discovery","amount":1e20}', 'body.amount'],
  ['POST', '/api/v1/opportunities', '{"name":"Big","stage":"discovery","amount":-0.01}', 'body.amount'],
  ['PATCH', '/api/v1/opportunities/:opportunity', '{"amount":12345678901234567890}', 'body.amount'],
  ['POST', '/api/v1/campaigns', '{"name":"Big","channel":"email","budget":1e17}', 'body.budget'],
  ['POST', '/api/v1/campaigns', '{"name":"Big","channel":"email","costs":[{"period_start":"2026-03-01","amount":1e30}]}', 'body.costs[0].amount'],
  ['POST', '/api/v1/nurture/tracks', '{"name":"T","priority":1e10}', 'body.priority'],
  ['PUT', '/api/v1/users/:user/rep-settings', '{"weight":4294967296}', 'body.weight'],
  ['PUT', '/api/v1/users/:user/rep-settings', '{"capacity":-1}', 'body.capacity'],
  ['POST', '/api/v1/content/:content/ratings', '{"rating":40000}', 'body.rating'],
  ['PUT', '/api/v1/settings/attribution', '{"lookback_days":1e12}', 'body.lookback_days'],
  ['PUT', '/api/v1/settings/attribution', '{"target":"NaN"}', 'body.target'],
  ['POST', '/api/v1/contacts', '{"email":"n@example.com","attributes":{"n":1e999}}', 'body.attributes.n'],
  ['POST', '/api/v1/content', `{"title":"Wide","url":"https://acme.test/${wide}"}`, 'body.url'],
  ['PATCH', '/api/v1/content/:content', `{"url":"https://acme.test/${wide}"}`, 'body.url'],
  ['PATCH', '/api/v1/content/:content', `{"urls":["https://acme.test/${wide}"]}`, 'body.urls[0]'],
  ['POST', '/api/v1/contacts', '{"email":42}', 'body.email'],
  ['POST', '/api/v1/contacts', '{"email":["a@example.com"]}', 'body.email'],
  ['POST', '/api/v1/contacts', '{"email":{"$ne":null}}', 'body.email'],
  ['POST', '/api/v1/leads/:lead/transitions', '{"to":"mql","recheck_at":"2026-99-99"}', 'body'],
  ['POST', '/api/v1/auth/login', '{"email":5,"password":[]}', 'body'],
  ['POST', '/api/v1/auth/login', '{"email":"admin@acme.test"}', 'body.password'],
  ['POST', '/api/v1/auth/login', '{"email":"admin@acme.test","password":"password123","workspace_id":"\' OR 1=1 --"}', 'body.workspace_id'],
];

describe('numbers out of their column range and wrong types are refused with the field named', () => {
  for (const [method, url, body, slot] of ranges) {
    it(`${method} ${url} ${body.slice(0, 80)}`, async () => {
      await expectRefusedWithoutWrites(() => send(method, resolve(url), body), slot);
    });
  }
});

/** Bodies that are not JSON, not UTF-8, empty, too large or of another type. */
const rawBodies: [string, string | Buffer, string][] = [
  ['truncated JSON', '{"name":', 'application/json'],
  ['JSON with a trailing comma', '{"name":"x",}', 'application/json'],
  ['invalid UTF-8 bytes', Buffer.from([0x7b, 0x22, 0x6e, 0x61, 0x6d, 0x65, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xc3, 0x22, 0x7d]), 'application/json'],
  ['an overlong UTF-8 NUL (C0 80)', Buffer.from([0x7b, 0x22, 0x6e, 0x61, 0x6d, 0x65, 0x22, 0x3a, 0x22, 0xc0, 0x80, 0x22, 0x7d]), 'application/json'],
  ['an empty body', '', 'application/json'],
  ['a JSON array', '[1,2,3]', 'application/json'],
  ['a JSON string', '"just a string"', 'application/json'],
  ['JSON null', 'null', 'application/json'],
  ['XML', '<contact><name>x</name></contact>', 'application/xml'],
  ['a form body where JSON is expected', 'name=x&__proto__=y', 'application/x-www-form-urlencoded'],
  ['no content type', '{"name":"x"}', ''],
  ['a 2 MB body', `{"name":"${'x'.repeat(2 * 1024 * 1024)}"}`, 'application/json'],
];
const rawTargets: [string, string][] = [
  ['POST', '/api/v1/contacts'], ['POST', '/api/v1/accounts'], ['POST', '/api/v1/auth/login'], ['POST', '/api/v1/leads/:lead/transitions'],
  ['POST', '/api/v1/activities'], ['POST', '/api/v1/definitions'], ['PUT', '/api/v1/routing'], ['POST', '/api/v1/opportunities'],
];

describe('bodies that are not JSON objects are refused in the one error shape', () => {
  for (const [method, url] of rawTargets) {
    for (const [what, payload, type] of rawBodies) {
      it(`${method} ${url}: ${what}`, async () => {
        await expectRefusedWithoutWrites(() => send(method, resolve(url), payload, { contentType: type }), 'body');
      });
    }
  }
  // A bare JSON array is a batch on /v1/batch (Segment's Webhooks (Actions) batch mode): each element is judged alone.
  for (const [what, payload] of rawBodies.filter(([w]) => w !== 'XML' && w !== 'an overlong UTF-8 NUL (C0 80)' && w !== 'invalid UTF-8 bytes' && w !== 'a JSON array')) {
    it(`POST /v1/batch: ${what}`, async () => {
      await expectRefusedWithoutWrites(() => send('POST', '/v1/batch', payload, { key: t.keys.ingest }), 'body');
    });
  }
});

/** Query strings and path parameters: searched, filtered and looked up, never stored, never a 5xx. */
const long = 'a'.repeat(5000);
const queries: [string, string][] = [
  ['/api/v1/contacts?q=%00', 'querystring.q'], ['/api/v1/contacts?q=a%00b', 'querystring.q'], 
  [`/api/v1/contacts?q=${long}`, 'querystring.q'], ['/api/v1/contacts?email=%00', 'querystring.email'], ['/api/v1/contacts?account_id=%00', 'querystring.account_id'],
  ['/api/v1/contacts?limit=99999999999999999999', 'querystring.limit'], ['/api/v1/contacts?limit=-1', 'querystring.limit'], ['/api/v1/contacts?limit=NaN', 'querystring.limit'],
  ['/api/v1/contacts?cursor=%00', 'querystring.cursor'], ['/api/v1/contacts?cursor=1%27%20OR%201%3D1', 'querystring.cursor'],
  ['/api/v1/accounts?domain=%00', 'querystring.domain'], ['/api/v1/leads?stage=%00', 'querystring.stage'], ['/api/v1/leads?owner_id=%00', 'querystring.owner_id'],
  ['/api/v1/campaigns?q=%00', 'querystring'], ['/api/v1/content?q=%00', 'querystring'], ['/api/v1/opportunities?q=%00', 'querystring'],
  ['/api/v1/ingest/errors?reason=%00', 'querystring.reason'], ['/api/v1/reports/funnel?from=%00', 'querystring.from'], ['/api/v1/reports/funnel?from=2026-13-45', 'querystring'],
  ['/api/v1/alerts?unread=%00', 'querystring'], ['/api/v1/high-intent-signals?since=%00', 'querystring'], ['/api/v1/nurture/enrollments?status=%00', 'querystring'],
  ['/api/v1/content/calendar?from=%00', 'querystring'], ['/api/v1/content/gap-map?weak_rating=1e999', 'querystring'], ['/api/v1/reports/content-audit?min_ratings=99999999999', 'querystring'],
  ['/api/v1/contacts/%00', 'params.id'], [`/api/v1/contacts/${long}`, 'url'], ['/api/v1/contacts/%ED%A0%80', 'url'],
  ['/api/v1/leads/%00/score', 'params.id'], ['/api/v1/accounts/%00', 'params.id'], ['/api/v1/reports/%00', 'params.name'],
  ['/api/v1/definitions/%00/diff', 'params.id'], [`/api/v1/imports/${long}`, 'url'], ['/api/v1/content/%00/stats', 'params.id'],
];

describe('query strings and path parameters', () => {
  for (const [url, slot] of queries) {
    it(`GET ${url.slice(0, 100)}`, async () => {
      await expectRefusedWithoutWrites(() => t.api('GET', url).then((r) => ({ status: r.statusCode, body: r.json() })), slot);
    });
  }
  for (const [method, url] of [
    ['POST', '/api/v1/alerts/%00/read'], ['POST', '/api/v1/webhooks/deliveries/%00/replay'], ['DELETE', '/api/v1/api-keys/%00'],
    ['POST', '/api/v1/definitions/%00/propose'], ['POST', '/api/v1/definitions/%00/activate'], ['DELETE', '/api/v1/content/calendar/%00'],
    ['GET', '/api/v1/leads/%00/handoff'], ['GET', '/api/v1/contacts/%00/activities'], ['GET', '/r/%00'], ['POST', '/u/%00'], ['GET', '/preferences/a%00b'],
  ] as const) {
    it(`${method} ${url}`, async () => {
      await expectRefusedWithoutWrites(() => t.api(method, url).then((r) => ({ status: r.statusCode, body: r.json() })), 'params');
    });
  }
  it('a query string with percent-encoded bytes that are not UTF-8 is searched as text, harmlessly', async () => {
    const before = await snapshotRowCounts(t.pool);
    const res = await t.api('GET', '/api/v1/contacts?q=%ED%A0%80');
    expect(res.statusCode).toBe(200);
    expect(res.json().data).toEqual([]);
    expect(changedCounts(before, await snapshotRowCounts(t.pool))).toEqual({});
  });
  it('PUT /api/v1/teams/<NUL> and a form id with NUL or 5,000 characters', async () => {
    await expectRefusedWithoutWrites(() => send('PUT', '/api/v1/teams/a%00b', '{"members":[]}'), 'params.name');
    await expectRefusedWithoutWrites(() => send('POST', '/api/v1/forms/a%00b/submissions', '{"email":"f@example.com"}', { key: t.keys.ingest }), 'params.formId');
    await expectRefusedWithoutWrites(() => send('POST', `/api/v1/forms/${long}/submissions`, '{"email":"f@example.com"}', { key: t.keys.ingest }), 'url');
  });
});

const billionLaughs = [
  'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  ...'bcdefghi'.split('').map((c, i) => `${c}: &${c} [${Array(9).fill(`*${'abcdefghi'[i]}`).join(',')}]`),
  'name: *i',
].join('\n');
const yamlCases: [string, string, string][] = [
  ['YAML billion laughs', billionLaughs, 'yaml'],
  ['YAML with a NUL escape', 'schemaVersion: 1\nname: "bad\\0name"\n', 'yaml'],
  ['YAML nested 5,000 deep (flow style)', `name: ${'['.repeat(5000)}${']'.repeat(5000)}`, 'yaml'],
  ['YAML nested 5,000 deep (block style, compact sequences)', `name:\n${'- '.repeat(5000)}1`, 'yaml'],
  ['YAML larger than 256 KB', `name: x\n${'# padding\n'.repeat(30_000)}`, 'yaml'],
  ['YAML with an unpaired surrogate escape', 'name: "\\uD800"\n', 'yaml'],
  ['YAML with a __proto__ key', '__proto__:\n  polluted: true\nname: x\n', 'yaml'],
  ['YAML that is not YAML', 'name: [unclosed\n  - : :', 'yaml'],
  ['JSON text nested 5,000 deep', `{"name":${'['.repeat(5000)}${']'.repeat(5000)}}`, 'json'],
  ['JSON text with a NUL escape', '{"name":"a\\u0000b"}', 'json'],
];

describe('definition documents (YAML/JSON text) are bounded', () => {
  for (const [what, text, format] of yamlCases) {
    for (const url of ['/api/v1/definitions', '/api/v1/definitions/validate', '/api/v1/definitions/:definition']) {
      it(`${url === '/api/v1/definitions/:definition' ? 'PATCH' : 'POST'} ${url}: ${what}`, async () => {
        const method = url.endsWith(':definition') ? 'PATCH' : 'POST';
        const answer = await expectRefusedWithoutWrites(() => send(method, resolve(url), JSON.stringify({ text, format })));
        expect(answer.status).toBe(400);
      });
    }
  }
  it('a YAML document using a few anchors (shared rule fragments) is still read', async () => {
    const res = await send('POST', '/api/v1/definitions/validate', JSON.stringify({ text: 'x-shared: &s 5\nname: *s\n', format: 'yaml' }));
    expect(res.status).toBe(400); // the document is incomplete, but it was read: the answer names its fields
    expect(JSON.stringify(res.body.error!.details)).not.toMatch(/alias/i);
  });
});

/** The forms endpoint as plain HTML forms post it (urlencoded) and as the snippet sends it (text/plain JSON). */
describe('form submissions', () => {
  const urlencoded: [string, string, string][] = [
    ['NUL in a field value', 'email=f%40example.com&company=Ac%00me', 'body.company'],
    ['NUL in a field name', 'email=f%40example.com&comp%00any=Acme', 'body'],
    ['a __proto__ field', 'email=f%40example.com&__proto__=x', 'body'],
    ['a 70 KB field (over the form limit)', `email=f%40example.com&company=${'x'.repeat(70_000)}`, 'body'],
    ['an email that is an array of emails', 'email=a%40example.com&email=b%40example.com&email=%00', 'body.email'],
  ];
  for (const [what, body, slot] of urlencoded) {
    it(`urlencoded: ${what}`, async () => {
      await expectRefusedWithoutWrites(() => send('POST', '/api/v1/forms/demo-request/submissions', body, { key: t.keys.ingest, contentType: 'application/x-www-form-urlencoded' }), slot);
    });
  }
  for (const [what, poison] of poisonValues.filter(([w]) => !w.startsWith('a 600,000'))) {
    it(`text/plain JSON (sendBeacon): ${what}`, async () => {
      await expectRefusedWithoutWrites(() => send('POST', '/api/v1/forms/demo-request/submissions', `{"email":"f@example.com","company":${poison}}`, { key: t.keys.ingest, contentType: 'text/plain' }), 'body');
    });
  }
  it('header injection in _redirect never reaches a header: the submission is stored, the redirect is percent-encoded', async () => {
    const res = await t.app.inject({
      method: 'POST', url: `/api/v1/forms/demo-request/submissions?key=${t.keys.ingest}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded', referer: 'https://ok.example/contact' },
      payload: 'email=redirect%40example.com&_redirect=https%3A%2F%2Fok.example%2Fthanks%0D%0ASet-Cookie%3A%20owned%3D1',
    });
    expect(res.statusCode).toBe(303);
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(String(res.headers.location)).not.toMatch(/[\r\n]/);
    expect(String(res.headers.location)).toMatch(/^https:\/\/ok\.example\//);
  });
  it('a long field cut at its limit in the middle of an emoji is still stored (never half a surrogate pair)', async () => {
    const company = `${'x'.repeat(299)}🚀 and more`;
    const res = await send('POST', '/api/v1/forms/demo-request/submissions', JSON.stringify({ email: 'emoji@example.com', company, note: `${'y'.repeat(1999)}🚀` }), { key: t.keys.ingest });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  });
  it('a javascript: or protocol-relative _redirect is refused (400 naming _redirect), never followed', async () => {
    for (const target of ['javascript%3Aalert(1)', '%2F%2Fevil.example%2F']) {
      const res = await t.app.inject({
        method: 'POST', url: `/api/v1/forms/demo-request/submissions?key=${t.keys.ingest}`,
        headers: { 'content-type': 'application/x-www-form-urlencoded', referer: 'https://ok.example/contact' }, payload: `email=r2%40example.com&_redirect=${target}`,
      });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.details[0].path).toBe('body._redirect');
      expect(res.headers.location).toBeUndefined();
    }
  });
});

/** CSV uploads: what the file holds is checked per row; what cannot be stored is reported, never a 5xx. */
function multipart(fields: Record<string, string>, content: Buffer | string) {
  const boundary = '----hostile-boundary';
  const parts = Object.entries(fields).map(([k, v]) => Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="h.csv"\r\nContent-Type: text/csv\r\n\r\n`), Buffer.from(content), Buffer.from(`\r\n--${boundary}--\r\n`));
  return { payload: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

describe('CSV imports', () => {
  const files: [string, Buffer | string][] = [
    ['a NUL in a cell', 'email,first_name\nnul@example.com,Ja\u0000ne\n'],
    ['a NUL in the header', 'em\u0000ail,first_name\nnul2@example.com,Jane\n'],
    ['bytes that are not UTF-8', Buffer.concat([Buffer.from('email,first_name\nbad@example.com,'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('\n')])],
    ['an unbalanced quote', 'email,first_name\n"q@example.com,Jane\n'],
    ['no header row at all', ''],
  ];
  for (const [what, content] of files) {
    it(`${what}: no 5xx, nothing stored for that row`, async () => {
      const before = await snapshotRowCounts(t.pool);
      const body = multipart({ entity: 'contacts' }, content);
      const res = await t.app.inject({ method: 'POST', url: '/api/v1/imports', headers: { authorization: `Bearer ${t.keys.write}`, 'content-type': body.contentType }, payload: body.payload });
      expect(res.statusCode, res.body.slice(0, 300)).toBeLessThan(500);
      const changed = changedCounts(before, await snapshotRowCounts(t.pool));
      // The run, its error rows and its audit entries are the import's own report; no contact (or anything else) was written.
      const { 'public.import_run': _run, 'public.import_run_error': _errors, 'public.audit_log': _audit, ...rest } = changed;
      expect(rest).toEqual({});
      if (res.statusCode >= 400) expectClearRefusal({ status: res.statusCode, body: res.json() });
      else expect(res.json().error_count).toBeGreaterThan(0);
    });
  }
  // The row schema bounds every numeric cell to its column (integer, numeric(18,2)): the bad cell is refused by its own row.
  it('an employee count beyond the integer column: the cell is dropped with a warning, the good rows and the row kept', async () => {
    const csv = 'name,domain,employee_count\nHuge Co,huge.example,3000000000\nFine Co,fine.example,120\n';
    const body = multipart({ entity: 'accounts' }, csv);
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/imports', headers: { authorization: `Bearer ${t.keys.write}`, 'content-type': body.contentType }, payload: body.payload });
    expect(res.statusCode, res.body.slice(0, 300)).toBe(201);
    expect(res.json().errors).toEqual([{ row: 2, column: 'employee_count', value: '3000000000', reason: expect.stringMatching(/^warning: out of range: at most 2147483647 fits this column; the cell was dropped/) }]);
    const stored = await t.pool.query<{ name: string; employee_count: number | null }>(`SELECT name, employee_count FROM account WHERE domain IN ('huge.example', 'fine.example') ORDER BY name`);
    expect(stored.rows).toEqual([{ name: 'Fine Co', employee_count: 120 }, { name: 'Huge Co', employee_count: null }]);
  });
  it('strict: an out-of-range cell refuses its row alone, no 5xx', async () => {
    const before = await snapshotRowCounts(t.pool);
    const csv = 'name,domain,employee_count,annual_revenue\nHuger Co,huger.example,99999999999,1\nRich Co,rich.example,5,1e17\nStrict Co,strict.example,7,1000\n';
    const body = multipart({ entity: 'accounts', strict: 'true' }, csv);
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/imports', headers: { authorization: `Bearer ${t.keys.write}`, 'content-type': body.contentType }, payload: body.payload });
    expect(res.statusCode, res.body.slice(0, 300)).toBe(201);
    expect(res.json().errors).toEqual([
      { row: 2, column: 'employee_count', value: '99999999999', reason: 'out of range: at most 2147483647 fits this column' },
      { row: 3, column: 'annual_revenue', value: '1e17', reason: 'out of range: at most 9999999999999999.99 fits this column' },
    ]);
    const { 'public.import_run': _run, 'public.import_run_error': _errors, 'public.audit_log': _audit, ...rest } = changedCounts(before, await snapshotRowCounts(t.pool));
    const accounts = before['public.account'] ?? 0;
    expect(rest).toEqual({ 'public.account': [accounts, accounts + 1] });
  });
  it('formula cells are data: stored as the literal text, answered as JSON strings', async () => {
    const body = multipart({ entity: 'contacts' }, 'email,first_name,last_name\nformula@example.com,"=HYPERLINK(""http://evil.example"")",+cmd|calc!A0\n');
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/imports', headers: { authorization: `Bearer ${t.keys.write}`, 'content-type': body.contentType }, payload: body.payload });
    expect(res.statusCode, res.body).toBe(201);
    const found = (await t.api('GET', '/api/v1/contacts?email=formula%40example.com')).json().data;
    expect(found).toMatchObject([{ first_name: '=HYPERLINK("http://evil.example")', last_name: '+cmd|calc!A0' }]);
  });
});
