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
