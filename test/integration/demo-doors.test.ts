import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoWorkspace, type DemoResult } from '../../src/app/demo/seed-demo.ts';
import { installDefaultDefinition } from '../../src/app/definitions/install-default-definition.ts';
import { createMailer } from '../../src/app/mailer.ts';
import { runDueNurture } from '../../src/app/nurture/run-nurture.ts';
import { listPendingJobs } from '../../src/storage/job-queue.repo.ts';
import { startMailCatcher } from '../helpers/mail-catcher.ts';
import { createTestApp, must, type TestApp } from '../helpers/test-app.ts';

/**
 * The demo may only hold what the public doors produce. The doors' vocabulary is derived here by
 * sending one of each human act the demo simulates through the real HTTP doors (/v1/batch, the forms
 * endpoint, POST /api/v1/activities) into a plain workspace; every activity the demo stored must
 * have a type, property keys and a content link that those doors also produce for that type.
 */

const NOW = new Date('2026-11-20T12:00:00Z');
const SITE = 'https://www.example-saas.com';
let t: TestApp;
let demo: DemoResult;

type Shape = { type: string; keys: string[]; content: boolean };

async function shapesOf(workspaceId: string): Promise<Shape[]> {
  const rows = await t.db.selectFrom('activity').select(['type', 'properties', 'content_id']).where('workspace_id', '=', workspaceId).execute();
  return rows.map((r) => ({ type: r.type, keys: Object.keys((r.properties ?? {}) as Record<string, unknown>).sort(), content: r.content_id !== null }));
}

/** What a browser SDK, a CDP, a website form and a rep's tool send for the acts the demo simulates. */
async function sendOneOfEachAct(): Promise<void> {
  for (const [title, path, format] of [['Case study', '/resources/case-study-northwind', 'case_study'], ['Playbook', '/resources/ebook-lead-management-playbook', 'ebook'], ['Pricing', '/pricing', 'page']] as const) {
    const r = await t.api('POST', '/api/v1/content', { title, url: SITE + path, buying_stage: 'evaluation', format });
    expect(r.statusCode, r.body).toBe(201);
  }
  const campaign = { source: 'google', medium: 'cpc', name: 'brand-search' };
  const page = (path: string, extra: Record<string, unknown>) => ({ type: 'page', anonymousId: 'door-anon', properties: { path, url: SITE + path, ...extra }, context: { page: { url: SITE + path, path }, campaign } });
  const track = (event: string, properties: Record<string, unknown>) => ({ type: 'track', anonymousId: 'door-anon', event, properties, context: { campaign } });
  const batch = [
    page('/', {}), page('/', { referrer: 'https://www.google.com/' }),
    page('/pricing', { title: 'Pricing' }), page('/resources/case-study-northwind', { title: 'Case study', referrer: 'https://www.linkedin.com/' }),
    track('Content Downloaded', { url: `${SITE}/resources/case-study-northwind`, title: 'Case study' }),
    track('Email Opened', { email_subject: 'Monthly newsletter' }),
    track('Email Link Clicked', { email_subject: 'Monthly newsletter', url: `${SITE}/blog` }),
    track('Webinar Attended', { url: `${SITE}/webinars/pipeline-mastery`, webinar_title: 'Pipeline Mastery', minutes: 30 }),
    track('Event Attended', { event_name: 'RevOps Summit' }), track('Event Attended', { event_name: 'RevOps Summit', booth: 'B12' }),
    track('Event Attended', { event_name: 'RevOps Summit', url: `${SITE}/events/revops-summit` }),
    { type: 'identify', anonymousId: 'door-anon', traits: { email: 'door@acme-door.test', first_name: 'Dora', title: 'VP Marketing', seniority: 'vp', persona: 'marketing_leader' } },
    { type: 'group', anonymousId: 'door-anon', groupId: 'acme-door.test', traits: { name: 'Acme Door', domain: 'acme-door.test', industry: 'Software', employees: 300 } },
  ];
  const ingested = await t.api('POST', '/v1/batch', { batch }, t.keys.ingest);
  expect(ingested.statusCode, ingested.body).toBe(200);
  const form = async (formId: string, fields: Record<string, string>) => {
    const r = await t.api('POST', `/api/v1/forms/${formId}/submissions`, {
      email: 'door@acme-door.test', first_name: 'Dora', last_name: 'Door', title: 'VP Marketing', company: 'Acme Door', phone: '+1-555-100-2000',
      consent_email: 'yes', _anonymous_id: 'door-anon', _page_url: `${SITE}/demo`, utm_source: 'google', utm_medium: 'cpc', utm_campaign: 'brand-search', ...fields,
    }, t.keys.ingest);
    expect(r.statusCode, r.body).toBeLessThan(400);
  };
  await form('demo-request', {});
  await form('syndication-lead', { partner: 'techtarget' });
  const contact = (await t.db.selectFrom('contact').select('id').where('workspace_id', '=', t.workspace.id).where('email', '=', 'door@acme-door.test').executeTakeFirstOrThrow()).id;
  const rep = await t.newKey(['write', 'read'], t.users.sales.id);
  for (const type of ['sales_call', 'sales_email', 'meeting']) {
    const r = await t.api('POST', '/api/v1/activities', { contact_id: contact, type, occurred_at: new Date().toISOString(), event_name: 'first contact' }, rep);
    expect(r.statusCode, r.body).toBe(201);
  }
  await nurtureSend();
}

/** Nurture is a door too: a newsletter sign-up becomes an inquiry, joins a track and is sent its first email (real SMTP). */
async function nurtureSend(): Promise<void> {
  const track = await t.api('POST', '/api/v1/nurture/tracks', {
    name: 'Doors', entry: { stages: ['inquiry'] }, steps: [{ type: 'send_email', subject: 'Hello {{first_name}}', template: 'Read {{asset_link}} {{unsubscribe_link}}' }],
  });
  expect(track.statusCode, track.body).toBe(201);
  must(await installDefaultDefinition(t.deps, t.workspace.id, { marketingUserId: t.users.marketing.id, salesUserId: t.users.sales.id }));
  const signUp = await t.api('POST', '/api/v1/forms/newsletter/submissions', { email: 'nell@door-news.test', first_name: 'Nell', consent_email: 'yes' }, t.keys.ingest);
  expect(signUp.statusCode, signUp.body).toBeLessThan(400);
  const catcher = await startMailCatcher();
  const mailer = createMailer(catcher.url, 'content@acme.test');
  try {
    expect((await runDueNurture({ ...t.deps, mailer, publicUrl: 'http://leadloop.test' }, t.clock.now(), { workspaceId: t.workspace.id })).sent).toBe(1);
  } finally { mailer.close(); await catcher.close(); }
}

beforeAll(async () => {
  t = await createTestApp();
  await sendOneOfEachAct();
  demo = await seedDemoWorkspace(t.deps, { password: 'demo', contacts: 120, now: NOW, seed: 11 });
}, 240_000);

afterAll(async () => { await t?.close(); });

describe('the demo, made through the doors', () => {
  it('stores only activity shapes the public doors produce (type, property keys, content link)', async () => {
    const doors = await shapesOf(t.workspace.id);
    const doorKeys = new Set(doors.flatMap((s) => [`${s.type}`, ...s.keys.map((k) => `${s.type}.${k}`), `${s.type} content=${s.content}`]));
    const demoShapes = await shapesOf(demo.workspace.id);
    expect(demoShapes.length).toBeGreaterThan(500);
    const onlyInDemo = new Set<string>();
    for (const s of demoShapes) {
      for (const key of [`${s.type}`, ...s.keys.map((k) => `${s.type}.${k}`), `${s.type} content=${s.content}`]) if (!doorKeys.has(key)) onlyInDemo.add(key);
    }
    expect([...onlyInDemo].sort()).toEqual([]);
    // The act the starter definition keys on is stored as the forms door stores it.
    const forms = demoShapes.filter((s) => s.type === 'form_submit');
    expect(forms.length).toBeGreaterThan(0);
    for (const f of forms) expect(f.keys).not.toContain('formId');
  });

  it('comes out of the live machinery: rule-made MQLs under the definition, routed owners, SLA clocks, nurture tracks', async () => {
    const ws = demo.workspace.id;
    const mqls = await t.db.selectFrom('stage_transition').select(['actor_type', 'definition_id']).where('workspace_id', '=', ws).where('to_stage', '=', 'mql').execute();
    for (const m of mqls) expect([m.actor_type, m.definition_id !== null]).toEqual(['rule', true]);
    const tracks = await t.db.selectFrom('nurture_track').select('name').where('workspace_id', '=', ws).execute();
    expect(tracks.length).toBe(2);
    const generated = await t.db.selectFrom('activity').select((eb) => eb.fn.countAll<number>().as('n')).where('workspace_id', '=', ws)
      .where('idempotency_key', 'like', 'demo:%').executeTakeFirstOrThrow();
    expect(Number(generated.n)).toBe(0);
    // The simulated year's email and alert jobs are history: none is left for the real worker to send.
    const queued = (await listPendingJobs(t.db)).filter((j) => (j.payload as { workspaceId?: string }).workspaceId === ws);
    expect(queued.filter((j) => j.task === 'nurture-tick' || j.task === 'deliver-alert')).toEqual([]);
  });

  it('keeps nurturing on the live worker without ever emailing its fictional people, whatever SMTP is configured', async () => {
    const catcher = await startMailCatcher();
    const mailer = createMailer(catcher.url, 'content@acme.test');
    try {
      const later = new Date(NOW.getTime() + 30 * 86_400_000);
      const run = await runDueNurture({ ...t.deps, mailer, publicUrl: 'http://leadloop.test' }, later, { workspaceId: demo.workspace.id });
      expect(run.sent).toBeGreaterThan(0);
      expect(catcher.mails).toEqual([]);
    } finally { mailer.close(); await catcher.close(); }
  });
});
