import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

// What an operator scrapes: /metrics of the server (through its HTTP door) and of a separate `work` process (its
// own port, started as an operator starts it), each parsed with a Prometheus text-format parser; a `metrics` key
// reads them and nothing else; the Grafana dashboard queries only names the processes publish.

type Family = ReturnType<typeof parsePrometheusTextFormat>[number];
let t: TestApp;
let metricsKey: string;
let worker: ChildProcess | null = null;

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as { port: number }).port;
  await new Promise((resolve) => s.close(resolve));
  return port;
}

const sampleValue = (families: Family[], name: string, labels: Record<string, string>) => {
  const family = families.find((f) => f.name === name);
  const sample = family?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
  return Number(sample?.value ?? 0);
};

async function serverMetrics(): Promise<Family[]> {
  const r = await t.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${metricsKey}` } });
  expect(r.statusCode, r.body).toBe(200);
  expect(r.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  return parsePrometheusTextFormat(r.body);
}

beforeAll(async () => {
  t = await createTestApp();
  metricsKey = await t.newKey(['metrics']);
});
afterAll(async () => {
  if (worker && worker.exitCode === null) {
    const exited = new Promise((resolve) => worker!.once('exit', resolve));
    worker.kill('SIGTERM');
    await exited;
  }
  await t?.close();
});

const serverNames = new Set<string>();
const workerNames = new Set<string>();

describe('the server /metrics', () => {
  it('is read with a metrics key, which reads nothing else; read keys cannot scrape', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/contacts', headers: { authorization: `Bearer ${metricsKey}` } })).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/leads', headers: { authorization: `Bearer ${metricsKey}` } })).statusCode).toBe(403);
    const read = await t.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${t.keys.read}` } });
    expect(read.statusCode).toBe(403);
    expect(read.json().error.message).toContain("'metrics'");
    expect((await t.app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(401);
  });

  it('counts ingest by door, refusals, deduplicated messages, scoring latency and MQLs', async () => {
    const batch = {
      batch: [
        { type: 'identify', messageId: 'm-1', userId: 'u-1', traits: { email: 'ops@initech.example' } },
        { type: 'track', messageId: 'm-2', userId: 'u-1', event: 'Pricing Viewed' },
        { type: 'track', messageId: 'm-2', userId: 'u-1', event: 'Pricing Viewed' },
      ],
    };
    const basic = `Basic ${Buffer.from(`${t.keys.ingest}:`).toString('base64')}`;
    const sent = await t.app.inject({ method: 'POST', url: '/v1/batch', headers: { authorization: basic }, payload: batch });
    expect(sent.statusCode, sent.body).toBe(200);
    const again = await t.app.inject({ method: 'POST', url: '/v1/batch', headers: { authorization: basic }, payload: batch });
    expect(again.statusCode).toBe(200);
    const refused = await t.app.inject({ method: 'POST', url: '/v1/batch', headers: { authorization: 'Basic bm9wZTo=' }, payload: batch });
    expect(refused.statusCode).toBe(401);
    // An MQL through the REST API (marketing marks it sales-ready).
    const contact = (await t.api('POST', '/api/v1/contacts', { email: 'mql@initech.example' })).json();
    const lead = (await t.api('POST', '/api/v1/leads', { contact_id: contact.id })).json();
    const marketingKey = await t.newKey(['write'], t.users.marketing.id);
    expect((await t.api('POST', `/api/v1/leads/${lead.id}/transitions`, { to: 'mql' }, marketingKey)).statusCode).toBe(201);

    const families = await serverMetrics();
    for (const f of families) serverNames.add(f.name);
    expect(sampleValue(families, 'leadloop_ingest_requests_total', { door: 'segment', outcome: 'accepted' })).toBe(2);
    expect(sampleValue(families, 'leadloop_ingest_refusals_total', { door: 'segment', status: '401' })).toBe(1);
    expect(sampleValue(families, 'leadloop_ingest_messages_total', { outcome: 'duplicate' })).toBeGreaterThanOrEqual(3);
    expect(sampleValue(families, 'leadloop_ingest_activities_stored_total', { door: 'segment' })).toBeGreaterThanOrEqual(1);
    expect(sampleValue(families, 'leadloop_mqls_opened_total', { actor: 'api_key' }) + sampleValue(families, 'leadloop_mqls_opened_total', { actor: 'user' })).toBeGreaterThanOrEqual(1);
    const scoring = families.find((f) => f.name === 'leadloop_scoring_duration_seconds');
    expect(scoring?.type).toBe('HISTOGRAM');
    // The +Inf bucket is the observation count (this parser keeps a labelled histogram's buckets only).
    expect(scoring?.metrics.some((m) => Number(m.buckets?.['+Inf']) >= 1)).toBe(true);
    // The job queue as the server sees it (the MQL queued hand-off jobs).
    expect(families.find((f) => f.name === 'leadloop_job_queue_depth')?.metrics.length).toBeGreaterThan(0);
    for (const name of ['leadloop_sla_breached_open', 'leadloop_sla_escalations_total', 'leadloop_crm_connectors_paused', 'leadloop_http_request_duration_seconds']) {
      expect(serverNames.has(name), name).toBe(true);
    }
  });
});

describe('the worker /metrics (a separate `work` process on its own port)', () => {
  it('publishes job metrics, the queue and the business metrics, with the same key rules', async () => {
    const port = await freePort();
    worker = spawn('node', ['bin/leadloop.js', 'work'], {
      env: { ...process.env, DATABASE_URL: t.url, LEADLOOP_DEMO: '0', LOG_LEVEL: 'warn', HOST: '127.0.0.1', LEADLOOP_WORKER_METRICS_PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    await new Promise<void>((resolve, reject) => {
      const onData = (chunk: Buffer) => { output += chunk.toString(); if (output.includes('Worker metrics at')) resolve(); };
      worker!.stdout!.on('data', onData);
      worker!.stderr!.on('data', (chunk: Buffer) => { output += chunk.toString(); });
      worker!.once('exit', (code) => reject(new Error(`worker exited (${code}): ${output}`)));
    });
    const url = `http://127.0.0.1:${port}/metrics`;
    expect((await fetch(url)).status).toBe(401);
    expect((await fetch(url, { headers: { authorization: `Bearer ${t.keys.read}` } })).status).toBe(403);
    // The worker runs the jobs the MQL queued: wait until it has finished at least one (each scrape is a fresh read).
    let families: Family[] = [];
    for (let i = 0; i < 100; i++) {
      const r = await fetch(url, { headers: { authorization: `Bearer ${metricsKey}` } });
      expect(r.status).toBe(200);
      families = parsePrometheusTextFormat(await r.text());
      const done = families.find((f) => f.name === 'leadloop_jobs_completed_total')?.metrics.reduce((n, m) => n + Number(m.value), 0) ?? 0;
      const failed = families.find((f) => f.name === 'leadloop_job_failures_total')?.metrics.length ?? 0;
      if (done + failed > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    for (const f of families) workerNames.add(f.name);
    for (const name of ['leadloop_jobs_completed_total', 'leadloop_job_failures_total', 'leadloop_job_duration_seconds', 'leadloop_job_wait_seconds',
      'leadloop_alert_delivery_seconds', 'leadloop_alert_delivery_failures_total', 'leadloop_webhook_delivery_failures_total', 'leadloop_crm_sync_failures_total',
      'leadloop_job_queue_depth', 'leadloop_job_queue_oldest_age_seconds', 'leadloop_sla_breached_open', 'leadloop_mqls_opened_total', 'leadloop_process_cpu_seconds_total']) {
      expect(workerNames.has(name), name).toBe(true);
    }
    const ran = families.filter((f) => ['leadloop_jobs_completed_total', 'leadloop_job_failures_total'].includes(f.name)).flatMap((f) => f.metrics);
    expect(ran.length, output).toBeGreaterThan(0);
  }, 120_000);
});

describe('the Grafana dashboard (docs/grafana/leadloop-dashboard.json)', () => {
  it('queries only metric names the server or the worker publishes, and covers what operators alert on', async () => {
    const dashboard = JSON.parse(await readFile('docs/grafana/leadloop-dashboard.json', 'utf8')) as { panels: { title: string; targets: { expr: string }[] }[] };
    const published = new Set([...serverNames, ...workerNames]);
    expect(published.size).toBeGreaterThan(20);
    const used = new Set<string>();
    for (const panel of dashboard.panels) for (const target of panel.targets) for (const m of target.expr.matchAll(/\bleadloop_[a-z0-9_]+/g)) used.add(m[0]);
    const missing = [...used].filter((name) => !published.has(name) && !published.has(name.replace(/_(bucket|sum|count)$/, '')));
    expect(missing).toEqual([]);
    for (const name of ['leadloop_ingest_activities_stored_total', 'leadloop_ingest_refusals_total', 'leadloop_ingest_messages_total', 'leadloop_scoring_duration_seconds_bucket',
      'leadloop_mqls_opened_total', 'leadloop_job_queue_depth', 'leadloop_job_queue_oldest_age_seconds', 'leadloop_job_failures_total', 'leadloop_alert_delivery_seconds_bucket',
      'leadloop_alert_delivery_failures_total', 'leadloop_sla_breached_open', 'leadloop_webhook_delivery_failures_total', 'leadloop_crm_sync_failures_total']) {
      expect(used.has(name), name).toBe(true);
    }
  });
});
