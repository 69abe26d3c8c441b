import { Analytics as SegmentAnalytics } from '@segment/analytics-node';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installDefaultDefinition } from '../../src/app/definitions/install-default-definition.ts';
import { canonicalView } from '../../src/core/activity-vocabulary.rules.ts';
import type { ActivityFact, ContentFact } from '../../src/core/activity.ts';
import { defaultDefinition } from '../../src/core/definitions/default-definition.ts';
import { ActivityView, compileCriteria } from '../../src/core/definitions/rule-matching.ts';
import { activitiesOf, contactByEmail, json } from '../helpers/ingest-helpers.ts';
import { csvImportRequest } from '../helpers/csv-upload.ts';
import { createTestApp, must, type TestApp } from '../helpers/test-app.ts';

/**
 * One human act, every door: the same demo-request form submission (and the same case-study
 * download) entered through /v1/track (the real Segment client), the forms endpoint,
 * POST /api/v1/activities and a CSV activity import must be stored as the same canonical activity,
 * and the starter definition's demo-request rule must read it, whichever door it came through.
 */
let t: TestApp;
let baseUrl: string;
let assetId: string;
const PAGE = 'https://www.fitco-saas.example/demo';
const ASSET_URL = 'https://www.fitco-saas.example/resources/acme-case-study.pdf';
const utm = { source: 'linkedin', medium: 'paid-social', name: 'q4-demo', term: 'lead scoring', content: 'carousel-b' };
const canonicalForm = {
  form_id: 'demo-request', url: PAGE, path: '/demo',
  utm_source: 'linkedin', utm_medium: 'paid-social', utm_campaign: 'q4-demo', utm_term: 'lead scoring', utm_content: 'carousel-b',
};
const canonicalDownload = { content_id: '', url: ASSET_URL, path: '/resources/acme-case-study.pdf' };

beforeAll(async () => {
  t = await createTestApp();
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  baseUrl = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  must(await installDefaultDefinition(t.deps, t.workspace.id, { marketingUserId: t.users.marketing.id, salesUserId: t.users.sales.id }));
  // A company the starter definition fits: SaaS, 500 people (VP there: fit 72, grade A).
  const account = await t.api('POST', '/api/v1/accounts', { name: 'Fitco', domain: 'fitco-saas.example', industry: 'Software', employee_count: 500, region: 'EMEA' });
  expect(account.statusCode, account.body).toBe(201);
  const asset = await t.api('POST', '/api/v1/content', { title: 'Acme case study', url: ASSET_URL, format: 'case_study', buying_stage: 'consideration' });
  expect(asset.statusCode, asset.body).toBe(201);
  assetId = json(asset).id;
  canonicalDownload.content_id = assetId;
}, 60_000);
afterAll(async () => { await t?.close(); });

const emailOf = (door: string, act: string) => `vp.${act}.${door}@fitco-saas.example`;

/** The real @segment/analytics-node client: identify (a VP) then the act. */
async function viaSegment(act: 'form' | 'download') {
  const errors: unknown[] = [];
  const analytics = new SegmentAnalytics({ writeKey: t.keys.ingest, host: baseUrl, path: '/v1/batch', flushInterval: 20, maxRetries: 0 });
  analytics.on('error', (e) => errors.push(e));
  const userId = `seg-${act}`;
  analytics.identify({ userId, traits: { email: emailOf('segment', act), title: 'VP Marketing' } });
  if (act === 'form') {
    analytics.track({ userId, event: 'Form Submitted', properties: { formId: 'demo-request' }, context: { page: { url: PAGE }, campaign: utm } as never });
  } else {
    analytics.track({ userId, event: 'Content Downloaded', properties: { contentId: assetId, url: ASSET_URL } });
  }
  await analytics.closeAndFlush({ timeout: 10_000 });
  expect(errors).toEqual([]);
}

/** The forms endpoint, as a plain HTML form posts it (urlencoded, key in the query). */
async function viaForm() {
  const r = await t.app.inject({
    method: 'POST', url: `/api/v1/forms/demo-request/submissions?key=${t.keys.ingest}`,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({
      email: emailOf('form', 'form'), title: 'VP Marketing', company: 'Fitco', _page_url: PAGE,
      utm_source: utm.source, utm_medium: utm.medium, utm_campaign: utm.name, utm_term: utm.term, utm_content: utm.content,
    }).toString(),
  });
  expect(r.statusCode, r.body).toBe(200);
}

/** POST /api/v1/activities for a contact made through the API, properties spelled the sender's way. */
async function viaRest(act: 'form' | 'download') {
  const contact = await t.api('POST', '/api/v1/contacts', { email: emailOf('rest', act), title: 'VP Marketing' }, t.keys.write);
  expect(contact.statusCode, contact.body).toBe(201);
  const body = act === 'form'
    ? { type: 'form_submit', url: PAGE, source: utm.source, medium: utm.medium, utm_campaign: utm.name, properties: { formID: 'demo-request', utmTerm: utm.term, utm_content: utm.content } }
    : { type: 'content_download', url: ASSET_URL, content_id: assetId };
  const r = await t.api('POST', '/api/v1/activities', { contact_id: json(contact).id, occurred_at: t.clock.now().toISOString(), ...body }, t.keys.write);
  expect(r.statusCode, r.body).toBe(201);
}

/** A CSV activity export (Marketo/HubSpot-like headers: 'Form ID', 'Asset ID', utm_* columns). */
async function viaCsv() {
  const at = t.clock.now().toISOString();
  const csv = [
    'Email,Type,Date,URL,Form ID,Asset ID,Source,Medium,Campaign,utm_term,utm_content',
    `${emailOf('csv', 'form')},Form Submission,${at},${PAGE},demo-request,,${utm.source},${utm.medium},${utm.name},${utm.term},${utm.content}`,
    `${emailOf('csv', 'download')},content_download,${at},${ASSET_URL},,${assetId},,,,,`,
  ].join('\n') + '\n';
  const upload = csvImportRequest('activities', 'activities.csv', csv);
  const r = await t.app.inject({ ...upload, headers: { ...upload.headers, authorization: `Bearer ${t.keys.write}` } });
  expect(r.statusCode, r.body).toBe(201);
  expect(json(r)).toMatchObject({ inserted: 2, error_count: 0 });
}

async function onlyActivity(email: string, type: string) {
  const contact = (await contactByEmail(t, email))!;
  expect(contact, email).toBeDefined();
  const acts = (await activitiesOf(t, contact.id)).filter((a) => a.type === type);
  expect(acts, `${email}: one ${type}`).toHaveLength(1);
  return { contact, activity: acts[0] };
}

/** The activity as the definition's rules see it (from the API's answer). */
const factOf = (a: any): ActivityFact => ({
  id: a.id, contactId: a.contact_id, type: a.type, occurredAt: new Date(a.occurred_at), source: a.source, medium: a.medium,
  campaign: a.utm_campaign, contentId: a.content_id, url: a.url, eventName: a.event_name, properties: a.properties,
});
const demoRule = defaultDefinition.engagement.rules.find((r) => r.id === 'demo-request')!;
const demoHandRaise = defaultDefinition.mql.handRaises.find((r) => r.id === 'demo-request')!;
const caseStudyRule = defaultDefinition.engagement.rules.find((r) => r.id === 'case-study-download')!;

describe('one activity vocabulary for every door', () => {
  it('the demo-request form is the same canonical activity from every door, and the starter definition makes the VP an MQL', async () => {
    await viaSegment('form');
    await viaForm();
    await viaRest('form');
    await viaCsv();

    for (const door of ['segment', 'form', 'rest', 'csv']) {
      const { contact, activity } = await onlyActivity(emailOf(door, 'form'), 'form_submit');
      expect(canonicalView(activity.properties), door).toEqual(canonicalForm);
      // Columns agree with the properties: attribution reads them.
      expect({ source: activity.source, medium: activity.medium, campaign: activity.utm_campaign, url: activity.url }, door)
        .toEqual({ source: 'linkedin', medium: 'paid-social', campaign: 'q4-demo', url: PAGE });
      const view = new ActivityView().set(factOf(activity), null);
      expect(compileCriteria(demoRule)(view), `${door}: demo-request rule`).toBe(true);
      expect(compileCriteria(demoHandRaise)(view), `${door}: demo-request hand-raise`).toBe(true);
      expect(contact.account_id, `${door}: matched to Fitco`).not.toBeNull();
      // Live doors score in the storing transaction (CSV imports are history, scored by the import's own pass).
      if (door === 'csv') continue;
      const lead = json(await t.api('GET', `/api/v1/leads?contact_id=${contact.id}`, undefined, t.keys.read)).data[0];
      expect(lead?.stage, `${door}: MQL`).toBe('mql');
      const score = json(await t.api('GET', `/api/v1/leads/${lead.id}/score`, undefined, t.keys.read));
      expect(score.fit.grade).toBe('A');
      expect(score.engagement.contributions.find((c: { rule_id: string }) => c.rule_id === 'demo-request')).toMatchObject({ points: 40, hits: 1 });
      const history = json(await t.api('GET', `/api/v1/leads/${lead.id}/transitions`, undefined, t.keys.read)).data;
      expect(history.find((h: { to: string }) => h.to === 'mql').note, door).toMatch(/hand-raise: demo request/);
    }
  });

  it('a case-study download is the same canonical activity (linked to the asset) from every door that takes one', async () => {
    await viaSegment('download');
    await viaRest('download');
    const content: ContentFact = { id: assetId, url: ASSET_URL, urls: [], buyingStage: 'consideration', topics: [], personas: [], format: 'case_study' };
    for (const door of ['segment', 'rest', 'csv']) {
      const { activity } = await onlyActivity(emailOf(door, 'download'), 'content_download');
      expect(canonicalView(activity.properties), door).toEqual(canonicalDownload);
      expect(activity.content_id, door).toBe(assetId);
      expect(compileCriteria(caseStudyRule)(new ActivityView().set(factOf(activity), content)), `${door}: case study rule`).toBe(true);
    }
  });
});
