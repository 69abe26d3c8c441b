import { createServer, type Server } from 'node:http';
import type { Runner } from 'graphile-worker';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { AuthService } from '../app/auth.ts';
import type { AppDeps } from '../app/context.ts';
import { registerDatabaseGauges, scrape } from '../app/metrics.ts';

// Job metrics from graphile-worker's runner events: every task's completions, failures, run time and wait, plus
// the names an operator alerts on for the deliveries that leave the building (alerts, webhooks, CRM sync).
// Operational time (performance.now, Date.now on the job's timestamps), never the business clock.

type JobEvent = { job: { id: string; task_identifier: string; run_at: Date; created_at: Date; attempts: number; max_attempts: number } };

const alertTasks = new Set(['deliver-alert']);
const webhookTasks = new Set(['deliver-webhook-event']);
const crmTasks = new Set(['crm-push', 'crm-sync']);

/** The job metrics of one runner in their own registry (merged into the server's /metrics when both run in one process). */
export function observeJobs(runner: Pick<Runner, 'events'>, registry = new Registry()): Registry {
  const r = [registry];
  const completed = new Counter({ name: 'leadloop_jobs_completed_total', help: 'Jobs that ran successfully, by task', labelNames: ['task'], registers: r });
  const failures = new Counter({
    name: 'leadloop_job_failures_total', help: 'Job attempts that failed, by task; final="true" when it was the last attempt (the job is kept as failed)',
    labelNames: ['task', 'final'], registers: r,
  });
  const duration = new Histogram({
    name: 'leadloop_job_duration_seconds', help: 'Job run time, by task', labelNames: ['task'],
    buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60], registers: r,
  });
  const wait = new Histogram({
    name: 'leadloop_job_wait_seconds', help: 'From when a job was due to when a worker started it, by task', labelNames: ['task'],
    buckets: [0.01, 0.05, 0.1, 0.5, 1, 2, 5, 10, 30, 60, 300, 900], registers: r,
  });
  const alertLatency = new Histogram({
    name: 'leadloop_alert_delivery_seconds', help: 'From an alert being queued to its successful delivery on one channel (email, Slack, webhook)',
    buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 900], registers: r,
  });
  const alertFailures = new Counter({ name: 'leadloop_alert_delivery_failures_total', help: 'Failed alert delivery attempts (retried with backoff until out of attempts)', registers: r });
  const webhookFailures = new Counter({ name: 'leadloop_webhook_delivery_failures_total', help: 'Failed lifecycle webhook delivery attempts (retried with backoff)', registers: r });
  const crmFailures = new Counter({ name: 'leadloop_crm_sync_failures_total', help: 'Failed CRM push or sync runs, by task', labelNames: ['task'], registers: r });

  const started = new Map<string, number>();
  runner.events.on('job:start', ({ job }: JobEvent) => {
    started.set(job.id, performance.now());
    wait.observe({ task: job.task_identifier }, Math.max(0, (Date.now() - new Date(job.run_at).getTime()) / 1000));
  });
  const finish = (job: JobEvent['job']) => {
    const at = started.get(job.id);
    started.delete(job.id);
    if (at !== undefined) duration.observe({ task: job.task_identifier }, (performance.now() - at) / 1000);
  };
  runner.events.on('job:success', ({ job }: JobEvent) => {
    finish(job);
    completed.inc({ task: job.task_identifier });
    if (alertTasks.has(job.task_identifier)) alertLatency.observe(Math.max(0, (Date.now() - new Date(job.created_at).getTime()) / 1000));
  });
  runner.events.on('job:error', ({ job }: JobEvent) => {
    finish(job);
    const task = job.task_identifier;
    // `attempts` already counts this one when the event fires.
    failures.inc({ task, final: String(job.attempts >= job.max_attempts) });
    if (alertTasks.has(task)) alertFailures.inc();
    if (webhookTasks.has(task)) webhookFailures.inc();
    if (crmTasks.has(task)) crmFailures.inc({ task });
  });
  return registry;
}

/**
 * The `work` process's own metrics endpoint (it has no HTTP server): GET /metrics on its port, for a key with
 * the `metrics` scope (or an admin key), with the same database gauges and business metrics as the server's.
 */
export async function startWorkerMetricsServer(options: {
  host: string; port: number; deps: AppDeps; auth: AuthService; jobs: Registry;
}): Promise<Server> {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'leadloop_' });
  registerDatabaseGauges(registry, options.deps);
  const all = Registry.merge([registry, options.jobs]);
  const server = createServer((request, response) => {
    void (async () => {
      const url = new URL(request.url ?? '/', 'http://worker');
      if (request.method !== 'GET' || url.pathname !== '/metrics') return send(response, 404, 'Not found: the worker answers GET /metrics only.\n');
      const token = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
      const principal = token ? await options.auth.authenticateKey(token) : null;
      if (!principal) return send(response, 401, 'Send a key with the metrics scope: Authorization: Bearer <key>.\n');
      if (!principal.permissions.has('metrics')) return send(response, 403, "This key lacks the 'metrics' scope.\n");
      const { contentType, body } = await scrape(all);
      response.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' }).end(body);
    })().catch((e: unknown) => send(response, 500, `Metrics failed: ${e instanceof Error ? e.message : String(e)}\n`));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: options.host, port: options.port }, () => resolve());
  });
  return server;
}

function send(response: import('node:http').ServerResponse, status: number, text: string): void {
  if (response.headersSent) return void response.end();
  response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(text);
}
