import { fork, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { Agent, createServer as createHttpServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createApiKey } from '../src/app/auth.ts';
import { systemClock } from '../src/app/context.ts';
import { installDefaultDefinition } from '../src/app/definitions/install-default-definition.ts';
import { createUser, createWorkspace } from '../src/app/workspaces.ts';
import { percentile } from '../src/core/stats/descriptive.rules.ts';
import { migrateJobQueue } from '../src/jobs/worker.ts';
import { createDb, createPool, quoteIdent, startEmbeddedPostgres } from '../src/storage/db.ts';
import { migrateToLatest } from '../src/storage/migrate.ts';
import { composeApp } from '../src/app/compose.ts';

const env = (k: string, d: number) => Number(process.env[k] ?? d);
const LOAD = env('BENCH_LOAD_PER_S', 1000);
const ALERTS = env('BENCH_ALERTS', 200);
const ALERT_EVERY_MS = env('BENCH_ALERT_EVERY_MS', 50);
const log = (m: string) => console.error(`[bench alert] ${m}`);

function must<T>(r: { ok: true; value: T } | { ok: false; message: string }): T {
  if (!r.ok) throw new Error(r.message);
  return r.value;
}

async function freePort(): Promise<number> {
  const s = createHttpServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/**
 * `npm run bench -- alert` (issue 5, "Measure the latency promise"): a real Leadloop (`leadloop
 * start`: server and worker) in a child process on a fresh database, a workspace with the default
 * definition, round-robin routing and a JSON webhook pointing at a receiver in this process.
 * A forked client sends BENCH_LOAD_PER_S page views of anonymous visitors per second through
 * /v1/batch; meanwhile known, fitting contacts submit the demo-request form (a hand-raise) through
 * /v1/batch, which makes their lead MQL in the ingesting transaction. Measured: HTTP acknowledgement
 * of the form event → arrival of the alert's webhook request at the receiver.
 * Database: BENCH_DATABASE_URL (a fresh database is created there), else an embedded PostgreSQL in a
 * temporary folder. Worker concurrency: LEADLOOP_WORKER_CONCURRENCY as in production (default 4).
 */
export async function run(): Promise<void> {
  let serverUrl = process.env.BENCH_DATABASE_URL;
  let stopEmbedded = async () => {};
  let dataDir: string | null = null;
  if (!serverUrl) {
    dataDir = await mkdtemp(path.join(tmpdir(), 'leadloop-bench-'));
    const embedded = await startEmbeddedPostgres(dataDir, 57000 + (process.pid % 1000));
    serverUrl = embedded.url;
    stopEmbedded = embedded.stop;
  }
  const dbName = `leadloop_alert_bench_${process.pid}`;
  const admin = new pg.Client({ connectionString: withDatabase(serverUrl, 'postgres') });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(dbName)}`);
  await admin.query(`CREATE DATABASE ${quoteIdent(dbName)}`);
  const url = withDatabase(serverUrl, dbName);
  const pool = createPool(url, 4, () => {});
  const db = createDb(pool);
  composeApp();
  const deps = { db, clock: systemClock };
  let leadloop: ChildProcess | null = null;
  let loader: ChildProcess | null = null;
  const receiver = createHttpServer();
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  try {
    await migrateToLatest(db);
    await migrateJobQueue(pool);
    const ws = must(await createWorkspace(deps, { name: 'Alert bench' }));
    const marketing = must(await createUser(deps, ws.id, { email: 'mia@bench.test', role: 'marketing' }));
    const reps = [];
    for (const name of ['ana', 'ben', 'cara', 'dan']) reps.push(must(await createUser(deps, ws.id, { email: `${name}@bench.test`, role: 'sales', team: 'EMEA' })));
    must(await installDefaultDefinition(deps, ws.id, { marketingUserId: marketing.id, salesUserId: reps[0]!.id }));
    const key = must(await createApiKey(deps, ws.id, { name: 'bench', scopes: ['admin', 'ingest'] })).key;

    // The receiver: the alert's context names the contact, which the bench knows by email.
    const arrivals = new Map<string, number>();
    let received = 0;
    receiver.on('request', (req, res) => {
      let body = '';
      req.on('data', (c) => { body += c; });
      req.on('end', () => {
        const now = performance.now();
        received++;
        const email = (JSON.parse(body) as { context?: { contact?: { email?: string } } }).context?.contact?.email;
        if (email && !arrivals.has(email)) arrivals.set(email, now);
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;

    const port = await freePort();
    const repo = path.resolve(import.meta.dirname, '..');
    leadloop = spawn(process.execPath, [path.join(repo, 'bin/leadloop.js'), 'start'], {
      cwd: repo, stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, DATABASE_URL: url, PORT: String(port), HOST: '127.0.0.1', LEADLOOP_DEMO: '0', LOG_LEVEL: 'warn' },
    });
    await new Promise<void>((resolve, reject) => {
      let out = '';
      leadloop!.stdout!.on('data', (c: Buffer) => { out += c; if (out.includes('Ready in')) resolve(); });
      leadloop!.once('exit', (code) => reject(new Error(`leadloop start exited with ${code}: ${out}`)));
    });
    log(`leadloop start: pid ${leadloop.pid}, port ${port}, worker concurrency ${process.env.LEADLOOP_WORKER_CONCURRENCY ?? 'default'}`);

    const call = (method: string, p: string, body?: unknown) => new Promise<{ status: number; text: string }>((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const req = request({ host: '127.0.0.1', port, path: p, method, agent, headers: {
        authorization: `Bearer ${key}`, ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
      } }, (res) => {
        let text = '';
        res.on('data', (c) => { text += c; });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      });
      req.on('error', reject);
      req.end(payload);
    });
    const check = async (r: Promise<{ status: number; text: string }>) => {
      const res = await r;
      if (res.status >= 300) throw new Error(`HTTP ${res.status}: ${res.text}`);
      return JSON.parse(res.text) as { stored?: number; errors?: unknown[] };
    };
    await check(call('PUT', '/api/v1/routing', { rules: [{ kind: 'round_robin', team: 'EMEA' }, { kind: 'fallback_queue' }] }));
    await check(call('POST', '/api/v1/webhooks', { name: 'bench', kind: 'json', url: receiverUrl }));

    // Known contacts that fit (a VP title is grade C or better: the hand-raise's minimum).
    const run = randomUUID().slice(0, 8);
    const emails = Array.from({ length: ALERTS }, (_, i) => `buyer${i}-${run}@buyer${i}.example`);
    for (let i = 0; i < ALERTS; i += 100) {
      const batch = emails.slice(i, i + 100).map((email, j) => ({
        type: 'identify', messageId: `${run}-id-${i + j}`, userId: `${run}-user-${i + j}`, traits: { email, title: 'VP Marketing', firstName: 'Bench' },
      }));
      await check(call('POST', '/v1/batch', { batch }));
    }

    loader = fork(new URL('./alert-load.ts', import.meta.url), [], { execArgv: ['--import', 'tsx'] });
    const loadDone = new Promise<{ sent: number; seconds: number; servedSeconds: number; requests: number; errors: number; error?: string }>((resolve, reject) => {
      loader!.on('message', (m: { started?: boolean }) => { if (!m.started) resolve(m as never); });
      loader!.once('error', reject);
    });
    if (LOAD > 0) loader.send({ url: `http://127.0.0.1:${port}`, key, perSecond: LOAD, batchEveryMs: 20, run });
    await new Promise((r) => setTimeout(r, 2000)); // let the load reach its rate
    // BENCH_DEBUG=1: what the database's sessions wait on, every second (where the time goes).
    const sampler = process.env.BENCH_DEBUG ? setInterval(() => {
      void admin.query(`SELECT state, coalesce(wait_event_type || ':' || wait_event, 'cpu') AS wait, left(regexp_replace(query, '\\s+', ' ', 'g'), 90) AS q, count(*)::int AS n
        FROM pg_stat_activity WHERE datname = $1 AND state <> 'idle' AND pid <> pg_backend_pid() GROUP BY 1, 2, 3 ORDER BY n DESC LIMIT 6`, [dbName])
        .then((r) => log(`pg: ${r.rows.map((x) => `${x.n}× ${x.state}/${x.wait} ${x.q}`).join(' | ')}`), () => {});
    }, 1000) : null;

    const acks = new Map<string, number>();
    const ackMs: number[] = [];
    const triggers: Promise<void>[] = [];
    let triggerErrors = 0;
    for (let i = 0; i < ALERTS; i++) {
      const email = emails[i]!;
      triggers.push((async () => {
        const sentAt = performance.now();
        const r = await check(call('POST', '/v1/batch', { batch: [{
          type: 'track', messageId: `${run}-form-${i}`, userId: `${run}-user-${i}`, event: 'Form Submitted',
          properties: { formId: 'demo-request', url: 'https://acme.example/demo' }, timestamp: new Date().toISOString(),
        }] }));
        acks.set(email, performance.now());
        ackMs.push(performance.now() - sentAt);
        if (r.stored !== 1) triggerErrors++;
      })());
      await new Promise((r) => setTimeout(r, ALERT_EVERY_MS));
    }
    await Promise.all(triggers);
    const deadline = performance.now() + 15_000;
    while (arrivals.size < ALERTS && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    if (sampler) clearInterval(sampler);
    loader.send('stop');
    const load = LOAD > 0 ? await loadDone : { sent: 0, seconds: 1, servedSeconds: 1, requests: 0, errors: 0 };
    if (load.error) throw new Error(load.error);

    const latencies = emails.filter((e) => arrivals.has(e) && acks.has(e)).map((e) => Math.max(0, arrivals.get(e)! - acks.get(e)!));
    const r1 = (v: number | null) => (v === null ? null : Math.round(v * 10) / 10);
    // The rate reported is what the server answered (sent / time to the last answer), not what was
    // offered: on a saturated machine requests queue, and the offered rate would overstate the load.
    const rate = Math.round(load.sent / load.servedSeconds);
    log(`load: ${load.sent} page views offered in ${load.seconds.toFixed(1)} s (${Math.round(load.sent / load.seconds)}/s, ${load.requests} batches, ${load.errors} errors); ` +
      `all answered after ${load.servedSeconds.toFixed(1)} s (served ${rate}/s)`);
    log(`alerts: ${latencies.length}/${ALERTS} arrived (${received} webhook requests, ${triggerErrors} triggers not stored); ` +
      `p90 ${r1(percentile(latencies, 90))} ms, max ${r1(Math.max(...latencies))} ms; trigger request → ack p50 ${r1(percentile(ackMs, 50))} ms, p99 ${r1(percentile(ackMs, 99))} ms`);
    console.log(JSON.stringify({ bench: 'alert', load_events_per_s: rate, alerts: latencies.length, p50_ms: r1(percentile(latencies, 50)), p99_ms: r1(percentile(latencies, 99)) }));
  } finally {
    loader?.kill();
    if (leadloop && leadloop.exitCode === null) {
      const exited = new Promise((r) => leadloop!.once('exit', r));
      leadloop.kill('SIGTERM');
      await exited;
    }
    agent.destroy();
    receiver.close();
    await db.destroy();
    await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(dbName)} WITH (FORCE)`);
    await admin.end();
    await stopEmbedded();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  }
}
