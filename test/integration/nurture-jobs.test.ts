import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createMailer, type Mailer } from '../../src/app/mailer.ts';
import { sweepNurtureEnrollments } from '../../src/app/nurture/nurture-enrollment.ts';
import { drainJobs } from '../../src/jobs/worker.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';
import { startMailCatcher } from '../helpers/mail-catcher.ts';

let t: TestApp;
let catcher: Awaited<ReturnType<typeof startMailCatcher>>;
let mailer: Mailer;
const json = (r: { body: string }) => JSON.parse(r.body);

beforeAll(async () => {
  t = await createTestApp();
  catcher = await startMailCatcher();
  mailer = createMailer(catcher.url, 'content@acme.test');
});
afterAll(async () => { mailer?.close(); await catcher?.close(); await t?.close(); });

it('the sweep enqueues one nurture-tick per enrollment (job_key nurture:<id>) and the worker task sends the email', async () => {
  await t.api('POST', '/api/v1/content', { title: 'Intro', url: 'https://acme.test/intro', buying_stage: 'awareness' });
  await t.api('POST', '/api/v1/nurture/tracks', { name: 'Jobs', steps: [{ type: 'send_email', subject: 'Hello {{asset_title}}', template: '{{asset_link}}' }, { type: 'wait', business_days: 5 }] });
  const contact = json(await t.api('POST', '/api/v1/contacts', { email: 'job@runner.test' }));
  const lead = json(await t.api('POST', '/api/v1/leads', { contact_id: contact.id }));
  expect(await sweepNurtureEnrollments(t.deps, t.clock.now())).toEqual({ enrolled: 1 });
  const [e] = json(await t.api('GET', `/api/v1/nurture/enrollments?lead_id=${lead.id}`)).data;
  const jobs = await sql<{ key: string; task_identifier: string; run_at: Date }>`SELECT key, task_identifier, run_at FROM graphile_worker.jobs`.execute(t.db);
  expect(jobs.rows).toEqual([{ key: `nurture:${e.id}`, task_identifier: 'nurture-tick', run_at: t.clock.now() }]);
  // The simulated clock is behind the database's, so every job is due; the task itself checks due-ness against the clock.
  await drainJobs(t.pool, { ...t.deps, mailer, publicUrl: 'http://localhost:3000' });
  expect(catcher.mails.map((m) => m.subject)).toEqual(['Hello Intro']);
  const after = json(await t.api('GET', `/api/v1/nurture/enrollments?lead_id=${lead.id}`)).data[0];
  // 5 business days (Mon–Fri 09–17 UTC) from Monday 09:00 end at Friday's close.
  expect(after).toMatchObject({ status: 'active', current_step: 2, next_run_at: '2026-03-06T17:00:00.000Z' });
  // Listed, not counted: a failure then says which job was left and why (its last error).
  const left = await sql<{ task_identifier: string }>`SELECT task_identifier, key, attempts, last_error, run_at FROM graphile_worker.jobs`.execute(t.db);
  expect(left.rows).toEqual([]);
});
