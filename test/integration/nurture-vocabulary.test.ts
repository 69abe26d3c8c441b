import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMailer, type Mailer } from '../../src/app/mailer.ts';
import { sweepNurtureEnrollments } from '../../src/app/nurture/nurture-enrollment.ts';
import { runDueNurture } from '../../src/app/nurture/run-nurture.ts';
import { canonicalView } from '../../src/core/activity-vocabulary.rules.ts';
import type { ActivityFact } from '../../src/core/activity.ts';
import { ActivityView, compileCriteria } from '../../src/core/definitions/rule-matching.ts';
import { activitiesOf, contactByEmail, json, segment } from '../helpers/ingest-helpers.ts';
import { startMailCatcher, type CaughtMail } from '../helpers/mail-catcher.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

/**
 * Nurture tracking is a door too: the open pixel and the tracked link of a real nurture email
 * (sent over SMTP, links read from the caught mail) must store email_open / email_click with the
 * same canonical properties and columns as the same act reported through /v1/track and
 * POST /api/v1/activities, so one definition rule (on content_id, utm_medium) matches every door.
 */
let t: TestApp;
let catcher: Awaited<ReturnType<typeof startMailCatcher>>;
let mailer: Mailer;
let assetId = '';
const PUBLIC = 'http://localhost:3000';
const ASSET_URL = 'https://acme.test/guides/closed-loop';
const NURTURED = 'nora@nurtured.test';

beforeAll(async () => {
  t = await createTestApp();
  catcher = await startMailCatcher();
  mailer = createMailer(catcher.url, 'Acme Content <content@acme.test>');
  const asset = await t.api('POST', '/api/v1/content', { title: 'Closed-loop guide', url: ASSET_URL, buying_stage: 'awareness', format: 'article' });
  expect(asset.statusCode, asset.body).toBe(201);
  assetId = json(asset).id;
  const track = await t.api('POST', '/api/v1/nurture/tracks', {
    name: 'Vocabulary', entry: { personas: ['vocab'] },
    steps: [{ type: 'send_email', subject: 'Read {{asset_title}}', template: 'Hi {{first_name}}, {{asset_link}}' }, { type: 'wait', business_days: 5 }],
  });
  expect(track.statusCode, track.body).toBe(201);
});
afterAll(async () => { mailer?.close(); await catcher?.close(); await t?.close(); });

const linkOf = (mail: CaughtMail, kind: 'r' | 'o') => {
  const m = new RegExp(`${PUBLIC}/${kind}/([A-Za-z0-9_.-]+)`).exec(mail.text + mail.html);
  if (!m) throw new Error(`no /${kind}/ link in ${mail.subject}`);
  return `/${kind}/${m[1]}`;
};

async function contactWith(email: string, extra: Record<string, unknown> = {}) {
  const r = await t.api('POST', '/api/v1/contacts', { email, first_name: 'Ada', ...extra });
  expect(r.statusCode, r.body).toBe(201);
  return json(r).id as string;
}

async function only(contactId: string, type: string) {
  const acts = (await activitiesOf(t, contactId)).filter((a: { type: string }) => a.type === type);
  expect(acts, `one ${type}`).toHaveLength(1);
  return acts[0];
}

/** What must agree between doors: the canonical properties and the columns attribution and rules read. */
const shapeOf = (a: any) => ({
  properties: canonicalView(a.properties),
  columns: { source: a.source, medium: a.medium, content_id: a.content_id, url: a.url },
});
const factOf = (a: any): ActivityFact => ({
  id: a.id, contactId: a.contact_id, type: a.type, occurredAt: new Date(a.occurred_at), source: a.source, medium: a.medium,
  campaign: a.utm_campaign, contentId: a.content_id, url: a.url, eventName: a.event_name, properties: a.properties,
});

describe('nurture tracking speaks the one activity vocabulary', () => {
  it('an email open and a click from a nurture email are the same canonical activities as through /v1/track and the REST API', async () => {
    // The nurture door: a real email, its pixel and its tracked link.
    const nurtured = await contactWith(NURTURED, { attributes: { persona: 'vocab' } });
    const lead = await t.api('POST', '/api/v1/leads', { contact_id: nurtured });
    expect(lead.statusCode, lead.body).toBe(201);
    const deps = { ...t.deps, mailer, publicUrl: PUBLIC };
    t.clock.advance(86_400_000);
    await sweepNurtureEnrollments(deps, t.clock.now(), { workspaceId: t.workspace.id });
    await runDueNurture(deps, t.clock.now(), { workspaceId: t.workspace.id });
    const [mail] = catcher.mails.filter((m) => m.to.includes(NURTURED));
    expect(mail, 'the nurture email').toBeDefined();
    expect((await t.app.inject({ method: 'GET', url: linkOf(mail!, 'o') })).statusCode).toBe(200);
    const click = await t.app.inject({ method: 'GET', url: linkOf(mail!, 'r') });
    expect(click.statusCode).toBe(302);
    expect(click.headers.location).toBe(ASSET_URL);

    // The same acts reported by an email tool through the Segment API (its own spelling: contentId, link URL).
    const identify = await segment(t, '/v1/identify', { userId: 'seg-nora', traits: { email: 'nora@segment.test' } });
    expect(identify.statusCode, identify.body).toBe(200);
    for (const [event, properties] of [
      ['Email Opened', { contentId: assetId, utm_source: 'leadloop', utm_medium: 'email' }],
      ['Email Clicked', { assetId, url: ASSET_URL, utm_source: 'leadloop', utm_medium: 'email' }],
    ] as const) {
      const r = await segment(t, '/v1/track', { userId: 'seg-nora', event, properties });
      expect(r.statusCode, r.body).toBe(200);
    }
    // ... and through POST /api/v1/activities with columns.
    const viaRest = await contactWith('nora@rest.test');
    for (const body of [
      { type: 'email_open', content_id: assetId, source: 'leadloop', medium: 'email' },
      { type: 'email_click', content_id: assetId, url: ASSET_URL, source: 'leadloop', medium: 'email' },
    ]) {
      const r = await t.api('POST', '/api/v1/activities', { contact_id: viaRest, occurred_at: t.clock.now().toISOString(), ...body }, t.keys.write);
      expect(r.statusCode, r.body).toBe(201);
    }

    const expected = {
      email_open: { properties: { content_id: assetId, utm_source: 'leadloop', utm_medium: 'email' }, columns: { source: 'leadloop', medium: 'email', content_id: assetId, url: null } },
      email_click: {
        properties: { content_id: assetId, url: ASSET_URL, path: '/guides/closed-loop', utm_source: 'leadloop', utm_medium: 'email' },
        columns: { source: 'leadloop', medium: 'email', content_id: assetId, url: ASSET_URL },
      },
    };
    const segmentContact = await contactByEmail(t, 'nora@segment.test');
    expect(segmentContact, 'the Segment contact').toBeDefined();
    // A rule written once, on the canonical keys, for a click on this asset from an email.
    const rule = compileCriteria({ type: 'email_click', properties: { content_id: assetId, utm_medium: 'email' } } as never);
    for (const [door, contactId] of [['nurture', nurtured], ['segment', segmentContact!.id], ['rest', viaRest]] as const) {
      for (const type of ['email_open', 'email_click'] as const) {
        const activity = await only(contactId, type);
        expect(shapeOf(activity), `${door}: ${type}`).toEqual(expected[type]);
      }
      expect(rule(new ActivityView().set(factOf(await only(contactId, 'email_click')), null)), `${door}: the rule matches`).toBe(true);
    }
  });
});
