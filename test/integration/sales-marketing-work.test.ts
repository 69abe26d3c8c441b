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

describe('campaigns: edit, costs per month, members, return, delete', () => {
  let campaignId: string;
  let contactId: string;
  beforeAll(async () => {
    const c = await expectStatus(t.api('POST', '/api/v1/campaigns', { name: 'Spring webinar', channel: 'webinar', utm_campaign: 'spring-webinar', costs: [{ period_start: '2031-01-01', amount: 1000, currency: 'USD' }] }), 201);
    campaignId = c.id;
    const lead = await createLead(t);
    contactId = lead.contact_id;
    await moveLead(t, lead.id, { to: 'mql' });
  });

  it('edits fields and costs (set one month, remove another) in one audited change', async () => {
    const changed = await expectStatus(t.api('PATCH', `/api/v1/campaigns/${campaignId}`, {
      name: 'Spring webinar 2031', costs: [{ period_start: '2031-02-01', amount: 500 }, { period_start: '2031-01-01', amount: null }],
    }), 200);
    expect(changed.name).toBe('Spring webinar 2031');
    expect(changed.costs).toEqual([{ period_start: '2031-02-01', amount: 500, currency: 'USD' }]);
    const audit = await expectStatus(t.api('GET', '/api/v1/audit-log?action=campaign.changed'), 200);
    expect(audit.data).toHaveLength(1);
    const bad = await t.api('PATCH', `/api/v1/campaigns/${campaignId}`, { starts_on: '2031-05-01', ends_on: '2031-04-01' });
    expect(bad.statusCode).toBe(400);
    expect(json(bad).error.details[0].path).toBe('body.ends_on');
    expect((await expectStatus(t.api('GET', `/api/v1/campaigns/${campaignId}`), 200)).starts_on).toBeNull();
  });

  it('members count their leads; the return divides by cost without ever dividing by zero', async () => {
    const empty = await expectStatus(t.api('GET', `/api/v1/campaigns/${campaignId}/performance`), 200);
    expect(empty).toMatchObject({ leads: 0, cost: 500, roi: -1, roas: 0, cost_per_lead: null });
    await expectStatus(t.api('POST', `/api/v1/campaigns/${campaignId}/members`, { members: [{ contact_id: contactId, status: 'attended' }] }), 200);
    const members = await expectStatus(t.api('GET', `/api/v1/campaigns/${campaignId}/members`), 200);
    expect(members.data).toMatchObject([{ contact_id: contactId, status: 'attended' }]);
    const p = await expectStatus(t.api('GET', `/api/v1/campaigns/${campaignId}/performance`), 200);
    expect(p).toMatchObject({ members: 1, leads: 1, mqls: 1, cost: 500, cost_per_lead: 500, cost_per_opportunity: null });

    const unknown = await t.api('POST', `/api/v1/campaigns/${campaignId}/members`, { members: [{ contact_id: contactId }, { contact_id: '0190a0a0-0000-7000-8000-000000000000' }] });
    expect(unknown.statusCode).toBe(400);
    expect(json(unknown).error.details[0].path).toBe('body.members[1].contact_id');
    await expectStatus(t.api('DELETE', `/api/v1/campaigns/${campaignId}/members/${contactId}`), 200);
    expect((await expectStatus(t.api('GET', `/api/v1/campaigns/${campaignId}/members`), 200)).data).toEqual([]);
  });

  it('a sales rep may not change a campaign; marketing deletes it with its costs', async () => {
    const repChange = await t.api('PATCH', `/api/v1/campaigns/${campaignId}`, { name: 'x' }, repKey);
    expect(repChange.statusCode).toBe(403);
    await expectStatus(t.api('DELETE', `/api/v1/campaigns/${campaignId}`), 200);
    expect((await t.api('GET', `/api/v1/campaigns/${campaignId}`)).statusCode).toBe(404);
  });
});

describe('rejections review: reasons and notes for marketing', () => {
  it('lists a rejection with its reason, the rep\'s note and its source, newest first', async () => {
    const lead = await createLead(t);
    await moveLead(t, lead.id, { to: 'mql' });
    await expectStatus(t.api('POST', `/api/v1/leads/${lead.id}/reject`, { reason_code: 'bad_fit', note: 'Student, not a buyer' }, repKey), 201);
    const notes = await expectStatus(t.api('GET', '/api/v1/rejections?with_note=true&from=2020-01-01T00:00:00Z&to=2040-01-01T00:00:00Z'), 200);
    expect(notes.data[0]).toMatchObject({ lead_id: lead.id, reason_code: 'bad_fit', note: 'Student, not a buyer', from_stage: 'mql', to_stage: 'disqualified', rep_name: 'rita' });
    const bad = await t.api('GET', '/api/v1/rejections?from=2031-01-02T00:00:00Z&to=2031-01-01T00:00:00Z');
    expect(bad.statusCode).toBe(400);
  });
});
