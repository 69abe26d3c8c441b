import { mkdtemp, rm } from 'node:fs/promises';
import { Agent, createServer as createHttpServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createApiKey, createAuthService } from '../src/app/auth.ts';
import { systemClock } from '../src/app/context.ts';
import { openLead } from '../src/app/leads.ts';
import { createUser, createWorkspace } from '../src/app/workspaces.ts';
import { percentile } from '../src/core/stats/descriptive.rules.ts';
import { migrateJobQueue, startWorker } from '../src/jobs/worker.ts';
import { createServer } from '../src/server/create-server.ts';
import { insertContact } from '../src/storage/contacts.repo.ts';
import { createDb, createPool, startEmbeddedPostgres } from '../src/storage/db.ts';
import { migrateToLatest } from '../src/storage/migrate.ts';

const env = (k: string, d: number) => Number(process.env[k] ?? d);
const LOAD = env('BENCH_LOAD_PER_S', 1000);
const ALERTS = env('BENCH_ALERTS', 300);
const ALERT_EVERY_MS = env('BENCH_ALERT_EVERY_MS', 20);
const CONCURRENCY = env('BENCH_WORKER_CONCURRENCY', 16);

function must<T>(r: { ok: true; value: T } | { ok: false; message: string }): T {
  if (!r.ok) throw new Error(r.message);
  return r.value;
}

/**
 * HTTP acknowledgement of an MQL transition → arrival of the owner's alert at a local webhook
 * receiver, under a background load of contact writes through the API. /v1/batch is not in this
 * branch, so the load is POST /api/v1/contacts and the trigger POST /api/v1/leads/{id}/transitions.
 */
export async function run(): Promise<void> {
  let dataDir: string | null = null;
  let url = process.env.BENCH_DATABASE_URL;
  let stopPg = async () => {};
  if (!url) {
    dataDir = await mkdtemp(path.join(tmpdir(), 'leadloop-bench-'));
    const pg = await startEmbeddedPostgres(dataDir, 57000 + (process.pid % 1000));
    url = pg.url;
    stopPg = pg.stop;
  }
  const serverPool = createPool(url, 20);
  const workerPool = createPool(url, CONCURRENCY + 4);
  const db = createDb(serverPool);
  await migrateToLatest(db);
  await migrateJobQueue(serverPool);
  const deps = { db, clock: systemClock };

  const arrivals = new Map<string, number>();
  const receiver = createHttpServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      const now = performance.now();
      const leadId = (JSON.parse(body) as { lead_id: string }).lead_id;
      if (!arrivals.has(leadId)) arrivals.set(leadId, now);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;

  const ws = must(await createWorkspace(deps, { name: `bench-${Date.now()}` }));
  for (const name of ['ana', 'ben', 'cara', 'dan']) must(await createUser(deps, ws.id, { email: `${name}@bench.test`, role: 'sales', team: 'EMEA' }));
  const key = must(await createApiKey(deps, ws.id, { name: 'bench', scopes: ['admin'] })).key;
  const auth = createAuthService(deps, { sessionTtlHours: 1 });
  const app = await createServer({ app: deps, auth, publicUrl: 'http://bench.local', logLevel: 'silent', sessionTtlHours: 1, secureCookies: false });
  await app.listen({ port: 0, host: '127.0.0.1' });
  // Bounded keep-alive pools: an unbounded client would open thousands of sockets and measure the kernel's backlog.
  const loadAgent = new Agent({ keepAlive: true, maxSockets: 64 });
  const triggerAgent = new Agent({ keepAlive: true, maxSockets: 16 });
  const port = (app.server.address() as AddressInfo).port;
  const call = (method: string, p: string, body?: unknown, agent = triggerAgent) => new Promise<{ status: number; text: string }>((resolve, reject) => {
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
    return JSON.parse(res.text) as unknown;
  };
  await check(call('PUT', '/api/v1/routing', { rules: [{ kind: 'round_robin', team: 'EMEA' }, { kind: 'fallback_queue' }] }));
  await check(call('POST', '/api/v1/webhooks', { name: 'bench', kind: 'json', url: receiverUrl }));

  const leads: string[] = [];
  for (let i = 0; i < ALERTS; i++) {
    const contact = await insertContact(db, ws.id, { email: `lead${i}@buyer${i}.example`, status: 'known' });
    leads.push(must(await openLead(deps, ws.id, { contactId: contact.id, actor: { type: 'system', id: null } })).id);
  }
  const worker = await startWorker(workerPool, { ...deps, mailer: null, publicUrl: 'http://bench.local' }, CONCURRENCY);

  // Background load: LOAD contact writes per second, in 10 ms ticks.
  let loadSent = 0;
  let loadErrors = 0;
  const loadStarted = performance.now();
  const inFlight = new Set<Promise<unknown>>();
  const tick = setInterval(() => {
    const due = Math.floor(((performance.now() - loadStarted) / 1000) * LOAD) - loadSent;
    for (let i = 0; i < due; i++) {
      loadSent += 1;
      const p = call('POST', '/api/v1/contacts', { email: `load${loadSent}-${Date.now()}@load.example` }, loadAgent)
        .then((r) => { if (r.status >= 300) loadErrors += 1; }).catch(() => { loadErrors += 1; })
        .finally(() => inFlight.delete(p));
      inFlight.add(p);
    }
  }, 10);
  await new Promise((r) => setTimeout(r, 1000)); // let the load reach its rate

  const acks = new Map<string, number>();
  const triggers: Promise<void>[] = [];
  for (const leadId of leads) {
    triggers.push((async () => {
      await check(call('POST', `/api/v1/leads/${leadId}/transitions`, { to: 'mql', note: 'bench' }));
      acks.set(leadId, performance.now());
    })());
    await new Promise((r) => setTimeout(r, ALERT_EVERY_MS));
  }
  await Promise.all(triggers);
  const deadline = performance.now() + 15_000;
  while (arrivals.size < leads.length && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  const elapsedS = (performance.now() - loadStarted) / 1000;
  clearInterval(tick);
  await Promise.allSettled([...inFlight]);

  const latencies = leads.filter((l) => arrivals.has(l) && acks.has(l)).map((l) => Math.max(0, arrivals.get(l)! - acks.get(l)!));
  const r1 = (v: number | null) => (v === null ? null : Math.round(v * 10) / 10);
  console.error(`load: ${loadSent} contact writes in ${elapsedS.toFixed(1)} s (${loadErrors} errors); alerts arrived ${latencies.length}/${leads.length}; worker concurrency ${CONCURRENCY}`);
  loadAgent.destroy();
  triggerAgent.destroy();
  await worker.stop();
  await app.close();
  receiver.close();
  await db.destroy();
  await workerPool.end();
  await stopPg();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
  console.log(JSON.stringify({ bench: 'alert', load_events_per_s: Math.round(loadSent / elapsedS), alerts: latencies.length, p50_ms: r1(percentile(latencies, 50)), p99_ms: r1(percentile(latencies, 99)) }));
}
