import { spawn, type ChildProcess } from 'node:child_process';
import { createServer as createHttpServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServer as createNetServer } from 'node:net';
import path from 'node:path';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../src/app/auth.ts';
import { createWorkspace } from '../../src/app/workspaces.ts';
import { defaultDefinition } from '../../src/core/definitions/default-definition.ts';
import { crontab } from '../../src/jobs/tasks.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/test-db.ts';
import { startMailCatcher } from '../helpers/mail-catcher.ts';
import { must } from '../helpers/test-app.ts';

// Production runs `leadloop serve` and `leadloop work` as several processes on one PostgreSQL. Two of each here,
// real processes through the CLI, traffic sent to both servers: each message is stored once, each alert and each
// lifecycle event is delivered once (webhook and email), whichever worker takes it; an SLA breach both workers can see is escalated
// once; each cron tick runs once. Each worker answers /metrics on its own port, read as an operator reads it.
const bin = path.resolve('bin/leadloop.js');
let t: TestDatabase;
let receiver: Server;
let smtp: Awaited<ReturnType<typeof startMailCatcher>>;
let base: string;
const received: { path: string; headers: IncomingHttpHeaders; body: string }[] = [];
const processes: { name: string; child: ChildProcess; output: string[] }[] = [];
const servers: string[] = [];
const workerMetrics: string[] = [];
let workspaceId: string;
let adminKey: string;
let ingestKey: string;
let metricsKey: string;
/** The cron ticks the workers were down for (seeded below), by task: the backfill must run each once. */
const seededLastRun = new Map<string, Date>();

beforeAll(async () => {
  t = await createTestDatabase();
  const workspace = must(await createWorkspace(t.deps, { name: 'Two of each' }));
  workspaceId = workspace.id;
  adminKey = must(await createApiKey(t.deps, workspace.id, { name: 'ops', scopes: ['admin'] })).key;
  ingestKey = must(await createApiKey(t.deps, workspace.id, { name: 'site', scopes: ['ingest'] })).key;
  metricsKey = must(await createApiKey(t.deps, workspace.id, { name: 'prometheus', scopes: ['metrics'] })).key;
  await seedMissedCronTicks();
  receiver = createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  smtp = await startMailCatcher();

  const env = {
    ...process.env, DATABASE_URL: t.url, LEADLOOP_DEMO: '0', LOG_LEVEL: 'warn', HOST: '127.0.0.1',
    LEADLOOP_OUTBOUND_ALLOW: '127.0.0.1', LEADLOOP_RATE_LIMITS: 'ingest=100000', LEADLOOP_WORKER_CONCURRENCY: '4', SMTP_URL: smtp.url,
  };
  for (const name of ['serve-a', 'serve-b']) {
    const port = await freePort();
    start(name, ['serve'], { ...env, PORT: String(port) });
    servers.push(`http://127.0.0.1:${port}`);
  }
  for (const name of ['work-a', 'work-b']) {
    const port = await freePort();
    start(name, ['work'], { ...env, LEADLOOP_WORKER_METRICS_PORT: String(port) });
    workerMetrics.push(`http://127.0.0.1:${port}/metrics`);
  }
  for (const url of servers) await waitFor(async () => (await fetch(`${url}/health/ready`).catch(() => null))?.ok === true, 90_000, `${url} ready`);
  for (const p of processes.filter((x) => x.name.startsWith('work'))) await waitFor(async () => p.output.join('').includes('Worker metrics at'), 90_000, `${p.name} ready`);
}, 180_000);

afterAll(async () => {
  for (const p of processes) p.child.kill('SIGTERM');
  await Promise.all(processes.map((p) => new Promise((r) => (p.child.exitCode !== null ? r(null) : p.child.once('exit', r)))));
  receiver?.closeAllConnections();
  await new Promise((r) => receiver?.close(r));
  await smtp?.close();
  await t?.close();
}, 60_000);

function start(name: string, args: string[], env: NodeJS.ProcessEnv): void {
  const child = spawn(process.execPath, [bin, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  child.stdout!.on('data', (d: Buffer) => output.push(d.toString()));
  child.stderr!.on('data', (d: Buffer) => output.push(d.toString()));
  processes.push({ name, child, output });
}

const call = (server: string, method: string, url: string, body?: unknown) => as(adminKey, server, method, url, body);
const as = async (key: string, server: string, method: string, url: string, body?: unknown) => {
  const r = await fetch(`${server}${url}`, {
    method, headers: { authorization: `Bearer ${key}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  if (r.status >= 300) throw new Error(`${method} ${url} on ${server}: HTTP ${r.status} ${text}`);
  return text ? JSON.parse(text) : null;
};

describe('two servers and two workers on one database', () => {
  it('a batch sent to both servers at once (a retry landing on the other instance) is stored once', async () => {
    const batch = Array.from({ length: 100 }, (_, i) => [
      { type: 'identify', userId: `u${i}`, messageId: `multi-id-${i}`, timestamp: new Date().toISOString(), traits: { email: `person${i}@twoofeach.example`, first_name: `P${i}` } },
      { type: 'track', userId: `u${i}`, messageId: `multi-tr-${i}`, timestamp: new Date().toISOString(), event: 'Pricing Viewed', properties: { plan: 'team' } },
    ]).flat();
    const send = (server: string) => fetch(`${server}/v1/batch`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`${ingestKey}:`).toString('base64')}` },
      body: JSON.stringify({ batch }),
    });
    const answers = await Promise.all([send(servers[0]!), send(servers[1]!), send(servers[1]!), send(servers[0]!)]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
    const activities = await t.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM activity WHERE event_name = 'Pricing Viewed'`);
    expect(activities.rows[0]!.n).toBe(100);
    const contacts = await call(servers[1]!, 'GET', '/api/v1/contacts?limit=200');
    expect(contacts.data).toHaveLength(100);
  });

  it('each alert and each lifecycle event is delivered once, whichever worker takes it', async () => {
    const rep = await call(servers[0]!, 'POST', '/api/v1/users', { email: 'rep@twoofeach.example', name: 'Rep', role: 'sales', team: 'EMEA' });
    await call(servers[1]!, 'PUT', '/api/v1/routing', { rules: [{ kind: 'round_robin', team: 'EMEA' }, { kind: 'fallback_queue', queue: 'unassigned' }] });
    await call(servers[0]!, 'POST', '/api/v1/webhooks', { name: 'alerts', kind: 'json', url: `${base}/alerts` });
    const hook = await call(servers[1]!, 'POST', '/api/v1/webhooks', { name: 'lifecycle', kind: 'json', url: `${base}/lifecycle`, event_types: ['lead.stage_changed'] });
    expect(hook.event_types).toEqual(['lead.stage_changed']);
    const contacts = (await call(servers[0]!, 'GET', '/api/v1/contacts?limit=20')).data.slice(0, 12) as { id: string }[];
    // Leads opened on one server and moved to MQL on the other, all at once.
    await Promise.all(contacts.map(async (c, i) => {
      const lead = await call(servers[i % 2]!, 'POST', '/api/v1/leads', { contact_id: c.id });
      await call(servers[(i + 1) % 2]!, 'POST', `/api/v1/leads/${lead.id}/transitions`, { to: 'mql' });
    }));
    const alerts = () => received.filter((r) => r.path === '/alerts');
    const lifecycle = () => received.filter((r) => r.path === '/lifecycle');
    await waitFor(async () => alerts().length >= 12 && lifecycle().length >= 12, 60_000, 'deliveries');
    // Anything delivered twice would arrive within the workers' poll interval (1 s) of the first: wait past it.
    await new Promise((r) => setTimeout(r, 3000));
    const lifecycleIds = lifecycle().map((r) => r.headers['webhook-id']);
    expect(new Set(lifecycleIds).size).toBe(lifecycleIds.length);
    expect(lifecycle().map((r) => JSON.parse(r.body).data.to).sort()).toEqual(Array(12).fill('mql'));
    const alertLeads = alerts().map((r) => JSON.stringify(JSON.parse(r.body)));
    expect(new Set(alertLeads).size).toBe(alertLeads.length);
    expect(alerts()).toHaveLength(12);
    // The same alerts by email through the real SMTP server, once each.
    const mails = () => smtp.mails.filter((m) => m.to.includes('rep@twoofeach.example'));
    await waitFor(async () => mails().length >= 12, 60_000, 'alert mails');
    await new Promise((r) => setTimeout(r, 2000));
    expect(mails()).toHaveLength(12);
    expect(new Set(mails().map((m) => m.subject)).size).toBe(12);
    const owners = await t.pool.query<{ owner_id: string }>('SELECT DISTINCT owner_id FROM lead');
    expect(owners.rows).toEqual([{ owner_id: rep.id }]);
    // Both workers were alive throughout.
    for (const p of processes.filter((x) => x.name.startsWith('work'))) expect(p.child.exitCode, p.output.join('')).toBeNull();
  });

  it('an SLA breach is escalated once though both workers run its timer, and both workers\' /metrics say so', async () => {
    // A one-minute accept SLA on a round-the-clock calendar, agreed by marketing and sales through the API: the
    // clocks breach in real time while both workers run (the workers' clock is the wall clock).
    const marketing = await call(servers[0]!, 'POST', '/api/v1/users', { email: 'marketing@twoofeach.example', name: 'Marketing', role: 'marketing' });
    const manager = await call(servers[1]!, 'POST', '/api/v1/users', { email: 'manager@twoofeach.example', name: 'Manager', role: 'sales_manager', team: 'EMEA' });
    await call(servers[0]!, 'PUT', '/api/v1/teams/EMEA', { manager_id: manager.id, calendar: null });
    const keyOf = async (user: { id: string }) => (await call(servers[1]!, 'POST', '/api/v1/api-keys', { name: `key ${user.id}`, scopes: ['write'], user_id: user.id })).key as string;
    const [marketingKey, managerKey] = [await keyOf(marketing), await keyOf(manager)];
    const sla = {
      acceptWithinBusinessHours: 1 / 60, firstTouchWithinBusinessHours: 100, opportunityDecisionWithinDays: 30,
      businessHours: { timezone: 'UTC', days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], start: '00:00', end: '23:59' }, holidays: [],
      escalation: [{ on: 'accept', afterBusinessHours: 0, action: 'notify', to: 'owner_manager' }],
    };
    const draft = await as(marketingKey, servers[0]!, 'POST', '/api/v1/definitions', { document: { ...structuredClone(defaultDefinition), name: 'One-minute SLA', sla } });
    await as(marketingKey, servers[1]!, 'POST', `/api/v1/definitions/${draft.id}/backtest`, {});
    await as(marketingKey, servers[0]!, 'POST', `/api/v1/definitions/${draft.id}/propose`);
    await as(marketingKey, servers[0]!, 'POST', `/api/v1/definitions/${draft.id}/approvals`, { decision: 'approve' });
    await as(managerKey, servers[1]!, 'POST', `/api/v1/definitions/${draft.id}/approvals`, { decision: 'approve' });
    await as(marketingKey, servers[0]!, 'POST', `/api/v1/definitions/${draft.id}/activate`);
    expect((await call(servers[1]!, 'GET', '/api/v1/sla-policy?team=EMEA')).policy.accept.within).toBe('1m');

    const contacts = (await call(servers[0]!, 'GET', '/api/v1/contacts?limit=40')).data.slice(20, 28) as { id: string }[];
    const leads = await Promise.all(contacts.map(async (c, i) => {
      const lead = await call(servers[i % 2]!, 'POST', '/api/v1/leads', { contact_id: c.id });
      await call(servers[(i + 1) % 2]!, 'POST', `/api/v1/leads/${lead.id}/transitions`, { to: 'mql' });
      return lead.id as string;
    }));
    // Besides each lead's own timer, three more sla-check jobs per lead due at the same instant (what a sweep
    // re-arming a timer that is running, or a restored queue, leaves behind), added through graphile-worker's SQL
    // door: both workers run the same lead's check at once, and only one of them may escalate.
    for (const leadId of leads) {
      const accept = (await call(servers[0]!, 'GET', `/api/v1/leads/${leadId}/handoff`)).clocks.find((c: { kind: string }) => c.kind === 'accept');
      expect(accept.escalation).toHaveLength(1);
      for (let i = 0; i < 3; i++) {
        await t.pool.query(`SELECT graphile_worker.add_job('sla-check', $1::json, run_at := $2::timestamptz, max_attempts := 10)`,
          [JSON.stringify({ workspaceId, leadId }), accept.due_at]);
      }
    }
    const breachAlerts = () => received.filter((r) => r.path === '/alerts').map((r) => JSON.parse(r.body)).filter((a) => a.kind === 'sla_breach');
    await waitFor(async () => breachAlerts().length >= leads.length, 180_000, 'breach alerts');
    // Every timer is due by now: wait until no sla-check job is left, then past the poll interval for stragglers.
    await waitFor(async () => (await t.pool.query(`SELECT 1 FROM graphile_worker.jobs WHERE task_identifier = 'sla-check' AND run_at <= now()`)).rowCount === 0, 60_000, 'sla-check jobs');
    await new Promise((r) => setTimeout(r, 3000));

    for (const leadId of leads) {
      const trail = await call(servers[1]!, 'GET', `/api/v1/leads/${leadId}/handoff`);
      expect(trail.escalations, leadId).toHaveLength(1);
      expect(trail.escalations[0]).toMatchObject({ action: 'notify_manager', recipient_id: manager.id });
      const accept = trail.clocks.find((c: { kind: string }) => c.kind === 'accept');
      expect(accept.escalation[0].fired_at).not.toBeNull();
    }
    expect(breachAlerts().map((a) => a.lead_id).sort()).toEqual([...leads].sort());
    expect(new Set(breachAlerts().map((a) => a.user_id))).toEqual(new Set([manager.id]));
    // And by email, through the real SMTP server: one mail per breach to the manager.
    const breachMails = () => smtp.mails.filter((m) => m.subject.includes('SLA breached'));
    await waitFor(async () => breachMails().length >= leads.length, 60_000, 'breach mails');
    await new Promise((r) => setTimeout(r, 2000));
    expect(breachMails().map((m) => m.to)).toEqual(Array(leads.length).fill(['manager@twoofeach.example']));
    expect(new Set(breachMails().map((m) => m.subject)).size).toBe(leads.length);
    const rows = await t.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM sla_escalation');
    expect(rows.rows[0]!.n).toBe(leads.length);
    // What an operator alerts on, from each worker's own port: the same breaches and escalations on both, and the
    // checks that ran, counted by whichever worker ran them: the three extra jobs of each lead always run; its own
    // timer runs too unless a check that escalated first removed it (nothing left to wake up for).
    const scrapes = await Promise.all(workerMetrics.map(scrape));
    for (const families of scrapes) {
      expect(sample(families, 'leadloop_sla_escalations_total')).toBe(leads.length);
      expect(sample(families, 'leadloop_sla_breached_open')).toBe(leads.length);
    }
    const checks = scrapes.reduce((n, families) => n + sample(families, 'leadloop_jobs_completed_total', { task: 'sla-check' }), 0);
    expect(checks).toBeGreaterThanOrEqual(3 * leads.length);
    expect(checks).toBeLessThanOrEqual(4 * leads.length);
    expect(scrapes.map((families) => sample(families, 'leadloop_job_failures_total', { task: 'sla-check' }))).toEqual([0, 0]);
    // Business counters are counted by the process that published the event, once: summed over the four
    // processes (as the dashboard sums them) they equal the history.
    const everyone = [...scrapes, ...(await Promise.all(servers.map((s) => scrape(`${s}/metrics`))))];
    const mqls = await t.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM stage_transition WHERE to_stage = 'mql'`);
    expect(mqls.rows[0]!.n).toBe(12 + leads.length);
    expect(everyone.reduce((n, families) => n + sample(families, 'leadloop_mqls_opened_total'), 0)).toBe(mqls.rows[0]!.n);
  }, 300_000);

  it('each cron tick runs once: the ticks missed while no worker ran are backfilled by one worker, not both', async () => {
    const schedules = new Map(crontab.split('\n').map((line) => [line.split(' ')[5]!, line.split(' ').slice(0, 5).join(' ')]));
    const runs = async () => {
      const scrapes = await Promise.all(workerMetrics.map(scrape));
      return new Map([...seededLastRun.keys()].map((task) => [task, scrapes.reduce((n, families) =>
        n + sample(families, 'leadloop_jobs_completed_total', { task }) + sample(families, 'leadloop_job_failures_total', { task }), 0)]));
    };
    const due = (until: Date) => new Map([...seededLastRun].map(([task, last]) => [task, ticksBetween(schedules.get(task)!, last, until)]));
    let seen = new Map<string, number>();
    await waitFor(async () => {
      seen = await runs();
      return [...due(new Date())].every(([task, n]) => (seen.get(task) ?? 0) >= n);
    }, 60_000, 'cron runs');
    const before = due(new Date());
    for (const n of before.values()) expect(n).toBeGreaterThanOrEqual(1);
    // A second run of a tick would follow within the workers' poll interval: look again past it.
    await new Promise((r) => setTimeout(r, 3000));
    const after = await runs();
    const dueNow = due(new Date());
    for (const [task, n] of after) {
      expect(n, task).toBeGreaterThanOrEqual(before.get(task)!);
      expect(n, task).toBeLessThanOrEqual(dueNow.get(task)!);
    }
  }, 90_000);
});

/**
 * As if every worker had been down since just before each backfilled task's last tick: graphile-worker's record of
 * the last tick it scheduled (`_private_known_crontabs`), written before the workers start, so each of them
 * finds the same missed tick on start-up and tries to schedule it. A tick nearly as old as the task's `fill`
 * could fall out of the window by the time the workers start (tens of seconds on a loaded machine): that task is
 * left out of this run (at most one of the four at any time of day, their ticks are far apart).
 */
async function seedMissedCronTicks(): Promise<void> {
  const now = new Date();
  const fillOf = (line: string) => {
    const [, n, unit] = /[?&]fill=(\d+)([dh])/.exec(line) ?? [];
    if (!n) throw new Error(`unexpected fill in ${line}`);
    return Number(n) * (unit === 'd' ? 86_400_000 : 3_600_000);
  };
  const lines = crontab.split('\n').filter((l) => /[?&]fill=/.test(l));
  expect(lines.map((l) => l.split(' ')[5]).sort()).toEqual(['privacy-retention', 'purge-sessions', 'refresh-decay', 'refresh-predictions']);
  for (const line of lines) {
    const parts = line.split(' ');
    const task = parts[5]!;
    const last = lastTick(parts.slice(0, 5).join(' '), now);
    if (now.getTime() - last.getTime() > fillOf(line) - 5 * 60_000) continue;
    const before = new Date(last.getTime() - 60_000);
    seededLastRun.set(task, before);
    await t.pool.query(`INSERT INTO graphile_worker._private_known_crontabs (identifier, known_since, last_execution) VALUES ($1, $2, $2)`, [task, before]);
  }
  expect(seededLastRun.size).toBeGreaterThanOrEqual(3);
}

/** Does a UTC minute match 'M H * * *' or 'M * * * *' (the shapes of the backfilled lines)? */
function matches(schedule: string, at: Date): boolean {
  const [minute, hour, ...rest] = schedule.split(' ');
  if (rest.some((f) => f !== '*')) throw new Error(`unexpected schedule ${schedule}`);
  return at.getUTCMinutes() === Number(minute) && (hour === '*' || at.getUTCHours() === Number(hour));
}

function lastTick(schedule: string, before: Date): Date {
  for (let m = Math.floor(before.getTime() / 60_000); ; m--) if (matches(schedule, new Date(m * 60_000))) return new Date(m * 60_000);
}

/** The schedule's minutes in (from, to]. */
function ticksBetween(schedule: string, from: Date, to: Date): number {
  let n = 0;
  for (let m = Math.floor(from.getTime() / 60_000) + 1; m * 60_000 <= to.getTime(); m++) if (matches(schedule, new Date(m * 60_000))) n += 1;
  return n;
}

type Family = ReturnType<typeof parsePrometheusTextFormat>[number];

async function scrape(url: string): Promise<Family[]> {
  const r = await fetch(url, { headers: { authorization: `Bearer ${metricsKey}` } });
  const body = await r.text();
  if (r.status !== 200) throw new Error(`${url}: HTTP ${r.status} ${body}`);
  return parsePrometheusTextFormat(body);
}

const sample = (families: Family[], name: string, labels: Record<string, string> = {}) => {
  const family = families.find((f) => f.name === name);
  return (family?.metrics ?? []).filter((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v)).reduce((n, m) => n + Number(m.value), 0);
};

async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  const logs = processes.map((p) => `--- ${p.name} (exit ${p.child.exitCode})\n${p.output.join('').slice(-2000)}`).join('\n');
  throw new Error(`timed out waiting for ${what}; received ${received.length}\n${logs}`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createNetServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const address = s.address() as AddressInfo;
      s.close(() => resolve(address.port));
    });
  });
}
