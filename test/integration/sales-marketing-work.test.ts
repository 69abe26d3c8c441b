import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMailer, type Mailer } from '../../src/app/mailer.ts';
import { runDueJobs } from '../../src/jobs/run-due-jobs.ts';
import { nurtureDepsOf, nurtureHandlers } from '../../src/jobs/nurture.task.ts';
import { createLead, createRep, expectStatus, json, moveLead, useRoundRobin } from '../helpers/handoff-fixtures.ts';
import { startMailCatcher } from '../helpers/mail-catcher.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

/**
 * Issue #17, items 2 and 3 through the REST doors: a rep's notes, touches and follow-up tasks; a
 * marketer's segment enrolment, removal and test send (over a real SMTP server process).
 */
let t: TestApp;
let catcher: Awaited<ReturnType<typeof startMailCatcher>>;
let mailer: Mailer;
let rep: { id: string };
let repKey: string;
let otherKey: string;

beforeAll(async () => {
  t = await createTestApp();
  catcher = await startMailCatcher();
  mailer = createMailer(catcher.url, 'nurture@acme.test');
  await useRoundRobin(t);
  rep = await createRep(t, 'rita');
  const other = await createRep(t, 'otto', { team: 'US' });
  repKey = await t.newKey(['read', 'write'], rep.id);
  otherKey = await t.newKey(['read', 'write'], other.id);
});
afterAll(async () => { mailer?.close(); await catcher?.close(); await t?.close(); });

const clocksOf = async (leadId: string) => (await expectStatus(t.api('GET', `/api/v1/leads/${leadId}/handoff`), 200)).clocks as { kind: string; stopped_at: string | null; stop_reason: string | null }[];

describe('sales work: notes, touches, tasks', () => {
  let lead: { id: string; contact_id: string };
  beforeAll(async () => {
    lead = await createLead(t);
    const moved = await moveLead(t, lead.id, { to: 'mql' });
    expect(moved.lead.owner_id).toBe(rep.id);
  });

  it('a note goes on the timeline but the first-touch clock keeps running; a logged call stops it', async () => {
    const note = await expectStatus(t.api('POST', `/api/v1/leads/${lead.id}/notes`, { note: 'Assistant says back on the 12th' }, repKey), 201);
    expect(note.activity_id).toBeTruthy();
    expect((await clocksOf(lead.id)).find((c) => c.kind === 'first_touch')?.stopped_at).toBeNull();
    const activities = await expectStatus(t.api('GET', `/api/v1/contacts/${lead.contact_id}/activities`), 200);
    expect(activities.data.some((a: { event_name: string | null; properties: { note?: string } }) => a.event_name === 'sales_note' && a.properties.note === 'Assistant says back on the 12th')).toBe(true);

    await expectStatus(t.api('POST', `/api/v1/leads/${lead.id}/touches`, { type: 'sales_call', note: 'Intro call' }, repKey), 201);
    const firstTouch = (await clocksOf(lead.id)).find((c) => c.kind === 'first_touch');
    expect(firstTouch?.stop_reason).toBe('touched');
  });

  it('refuses an empty note and a note by a rep of another team, writing nothing', async () => {
    const empty = await t.api('POST', `/api/v1/leads/${lead.id}/notes`, { note: '  ' }, repKey);
    expect(empty.statusCode).toBe(400);
    expect(JSON.stringify(json(empty).error.details)).toContain('note');
    const foreign = await t.api('POST', `/api/v1/leads/${lead.id}/notes`, { note: 'not my lead' }, otherKey);
    expect(foreign.statusCode).toBe(403);
    const activities = await expectStatus(t.api('GET', `/api/v1/contacts/${lead.contact_id}/activities`), 200);
    expect(activities.data.filter((a: { event_name: string | null }) => a.event_name === 'sales_note')).toHaveLength(1);
  });

  it('a follow-up task shows in the rep\'s open tasks by due time until it is done; only its owner or a manager changes it', async () => {
    const later = await expectStatus(t.api('POST', '/api/v1/tasks', { lead_id: lead.id, title: 'Send the pricing deck', due_at: '2031-03-07T10:00:00Z' }, repKey), 201);
    const sooner = await expectStatus(t.api('POST', '/api/v1/tasks', { lead_id: lead.id, title: 'Call back', due_at: '2031-03-05T09:00:00Z' }, repKey), 201);
    expect(sooner).toMatchObject({ owner_id: rep.id, contact_id: lead.contact_id, lead_id: lead.id, done_at: null });
    const mine = await expectStatus(t.api('GET', '/api/v1/tasks?owner=me', undefined, repKey), 200);
    expect(mine.data.map((x: { title: string }) => x.title)).toEqual(['Call back', 'Send the pricing deck']);

    expect((await t.api('PATCH', `/api/v1/tasks/${sooner.id}`, { done: true }, otherKey)).statusCode).toBe(403);
    const done = await expectStatus(t.api('PATCH', `/api/v1/tasks/${sooner.id}`, { done: true }, repKey), 200);
    expect(done.done_at).not.toBeNull();
    const open = await expectStatus(t.api('GET', '/api/v1/tasks?owner=me', undefined, repKey), 200);
    expect(open.data.map((x: { id: string }) => x.id)).toEqual([later.id]);
  });

  it('answers bad task input with 4xx saying where, and writes nothing', async () => {
    const before = (await expectStatus(t.api('GET', `/api/v1/tasks?lead_id=${lead.id}&status=all`), 200)).data.length;
    const noTarget = await t.api('POST', '/api/v1/tasks', { title: 'x', due_at: '2031-03-05T09:00:00Z' }, repKey);
    expect(noTarget.statusCode).toBe(400);
    expect(json(noTarget).error.details[0].path).toBe('body.lead_id');
    const badDate = await t.api('POST', '/api/v1/tasks', { lead_id: lead.id, title: 'x', due_at: 'tuesday' }, repKey);
    expect(badDate.statusCode).toBe(400);
    const unknownLead = await t.api('POST', '/api/v1/tasks', { lead_id: '0190a0a0-0000-7000-8000-000000000000', title: 'x', due_at: '2031-03-05T09:00:00Z' }, repKey);
    expect(unknownLead.statusCode).toBe(400);
    const forOther = await t.api('POST', '/api/v1/tasks', { lead_id: lead.id, title: 'x', due_at: '2031-03-05T09:00:00Z', owner_id: t.users.manager.id }, repKey);
    expect(forOther.statusCode).toBe(403);
    expect((await expectStatus(t.api('GET', `/api/v1/tasks?lead_id=${lead.id}&status=all`), 200)).data.length).toBe(before);
  });
});

describe('marketing work: enrol a segment, remove a person, test send', () => {
  let trackId: string;
  beforeAll(async () => {
    for (let i = 0; i < 3; i++) await createLead(t, { consent: { email_marketing: 'granted' } });
    const track = await expectStatus(t.api('POST', '/api/v1/nurture/tracks', {
      name: 'Segment test', entry: { stages: ['inquiry'] },
      steps: [{ type: 'send_email', subject: '{{asset_title}}', template: 'Hi {{first_name}}, {{asset_link}}' }, { type: 'wait', business_days: 3 }],
    }), 201);
    trackId = track.id;
  });

  it('a dry run counts and writes nothing; the real run enrols the same people and is audit-logged', async () => {
    const dry = await expectStatus(t.api('POST', `/api/v1/nurture/tracks/${trackId}/segment-enrollments`, { dry_run: true }), 200);
    expect(dry.dry_run).toBe(true);
    expect(dry.enrolled).toBeGreaterThanOrEqual(3);
    expect((await expectStatus(t.api('GET', `/api/v1/nurture/enrollments?track_id=${trackId}`), 200)).data).toHaveLength(0);

    const real = await expectStatus(t.api('POST', `/api/v1/nurture/tracks/${trackId}/segment-enrollments`, { segment: { stages: ['inquiry'] } }), 200);
    expect(real.enrolled).toBe(dry.enrolled);
    const list = await expectStatus(t.api('GET', `/api/v1/nurture/enrollments?track_id=${trackId}&include=person`), 200);
    expect(list.data).toHaveLength(real.enrolled);
    expect(list.data[0].person.name).toMatch(/^Jane Doe/);
    const audit = await expectStatus(t.api('GET', '/api/v1/audit-log?action=nurture_track.segment_enrolled'), 200);
    expect(audit.data.length).toBe(1);

    // Everyone who fits is in a track now: a second run finds nobody.
    expect((await expectStatus(t.api('POST', `/api/v1/nurture/tracks/${trackId}/segment-enrollments`, {}), 200)).enrolled).toBe(0);
  });

  it('removes a person from the track (exit reason removed) once; a second removal is a conflict', async () => {
    const list = await expectStatus(t.api('GET', `/api/v1/nurture/enrollments?track_id=${trackId}`), 200);
    const removed = await expectStatus(t.api('POST', `/api/v1/nurture/enrollments/${list.data[0].id}/remove`), 200);
    expect(removed).toMatchObject({ status: 'exited', exit_reason: 'removed' });
    expect((await t.api('POST', `/api/v1/nurture/enrollments/${list.data[0].id}/remove`)).statusCode).toBe(409);
  });

  it('refuses a segment with an unknown rating, saying where', async () => {
    const r = await t.api('POST', `/api/v1/nurture/tracks/${trackId}/segment-enrollments`, { segment: { ratings: ['lukewarm'] } });
    expect(r.statusCode).toBe(400);
    expect(JSON.stringify(json(r).error.details)).toContain('segment.ratings');
  });

  it('a test send goes through the worker\'s mailer over SMTP, marked [Test], with the template filled in', async () => {
    const queued = await expectStatus(t.api('POST', '/api/v1/nurture/test-sends', { to: 'mia@acme.test', subject: 'Hello {{first_name}}', template: 'Read {{asset_title}}: {{asset_link}}' }), 202);
    expect(queued.subject).toBe('[Test] Hello there');
    const jobDeps = { ...t.deps, mailer, publicUrl: 'http://leadloop.test' };
    await runDueJobs(jobDeps, new Date(Date.now() + 60_000), { tasks: ['nurture-test-send'], handlers: nurtureHandlers(nurtureDepsOf(jobDeps)) });
    await expect.poll(() => catcher.mails.length).toBe(1);
    expect(catcher.mails[0]!.to).toEqual(['mia@acme.test']);
    expect(catcher.mails[0]!.subject).toBe('[Test] Hello there');
    expect(catcher.mails[0]!.text).toContain('Read A sample guide: https://example.com/sample-guide');
  });

  it('refuses a test send without a recipient from an API key', async () => {
    const r = await t.api('POST', '/api/v1/nurture/test-sends', { subject: 's', template: 't' });
    expect(r.statusCode).toBe(400);
    expect(json(r).error.details[0].path).toBe('body.to');
  });
});
