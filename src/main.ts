import type pg from 'pg';
import { createAuthService } from './app/auth.ts';
import { createMailer } from './app/mailer.ts';
import { systemClock, type AppDeps, type Clock } from './app/context.ts';
import { parseConfig, publicUrl, type Config } from './config.ts';
import { migrateJobQueue, startWorker } from './jobs/worker.ts';
import { createStandardIngestPipeline } from './app/ingest-steps.ts';
import { createServer } from './server/create-server.ts';
import { createDb, createPool, startEmbeddedPostgres, type Db } from './storage/db.ts';
import { migrateToLatest } from './storage/migrate.ts';

/** The database a process works on: embedded (started or reused) or DATABASE_URL. */
export type Runtime = { config: Config; url: string; pool: pg.Pool; db: Db; deps: AppDeps; databaseLabel: string; close: () => Promise<void> };

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = parseConfig(env);
  if (!parsed.ok) {
    console.error(parsed.message);
    process.exit(2);
  }
  return parsed.config;
}

/** Opens the database, applying pending migrations (ours and the job queue's). */
export async function openRuntime(config: Config, options: { clock?: Clock; poolSize?: number } = {}): Promise<Runtime> {
  let url = config.DATABASE_URL;
  let stopEmbedded = async () => {};
  let databaseLabel = 'PostgreSQL at DATABASE_URL';
  if (!url) {
    const embedded = await startEmbeddedPostgres(config.LEADLOOP_DATA_DIR, config.LEADLOOP_EMBEDDED_PORT);
    url = embedded.url;
    stopEmbedded = embedded.stop;
    databaseLabel = `embedded PostgreSQL in ${config.LEADLOOP_DATA_DIR} (port ${config.LEADLOOP_EMBEDDED_PORT}${embedded.startedHere ? '' : ', shared with a running Leadloop'})`;
  }
  const pool = createPool(url, options.poolSize ?? 20);
  const db = createDb(pool);
  await migrateToLatest(db);
  await migrateJobQueue(pool);
  const deps: AppDeps = { db, clock: options.clock ?? systemClock };
  return {
    config, url, pool, db, deps, databaseLabel,
    close: async () => {
      await db.destroy();
      await stopEmbedded();
    },
  };
}

export type StartOptions = {
  serve: boolean; work: boolean;
  /** Runs before the worker and the server start (the demo): jobs it queues on a simulated clock are not picked up half-made. */
  prepare?: (runtime: Runtime) => Promise<void>;
  onReady?: (runtime: Runtime, url: string) => Promise<void> | void;
};

/** `leadloop start | serve | work`: one process by default, or separate roles in production. */
export async function start(config: Config, options: StartOptions): Promise<{ stop: () => Promise<void> }> {
  const runtime = await openRuntime(config);
  await options.prepare?.(runtime);
  const auth = createAuthService(runtime.deps, { sessionTtlHours: config.LEADLOOP_SESSION_TTL_HOURS });
  const url = publicUrl(config);
  // Post-persist ingestion steps (scoring, qualification, alerts) are added to this list.
  const ingest = createStandardIngestPipeline();
  const server = options.serve
    ? await createServer({ app: runtime.deps, auth, publicUrl: url, logLevel: config.LOG_LEVEL, sessionTtlHours: config.LEADLOOP_SESSION_TTL_HOURS, secureCookies: url.startsWith('https:'), ingest, trustedProxies: config.LEADLOOP_TRUSTED_PROXIES })
    : null;
  // Alerts need the mailer (null when SMTP_URL is unset: recorded as not configured) and links to the lead.
  const mailer = config.SMTP_URL ? createMailer(config.SMTP_URL, config.SMTP_FROM) : null;
  // The worker has its own connections: under an ingestion burst the HTTP requests queue for the
  // server's pool, and alert deliveries (job fetch, delivery queries, completion) must not wait
  // behind them. Its tasks use them too. Size: one per job, plus LISTEN and fetch/complete.
  const concurrency = config.LEADLOOP_WORKER_CONCURRENCY;
  const workerPool = options.work ? createPool(runtime.url, concurrency + 3) : null;
  const workerDb = workerPool ? createDb(workerPool) : null;
  const worker = workerPool && workerDb ? await startWorker(workerPool, { ...runtime.deps, db: workerDb, mailer, publicUrl: url }, concurrency) : null;
  if (server) await server.listen({ port: config.PORT, host: config.HOST });
  await options.onReady?.(runtime, url);
  let stopping: Promise<void> | null = null;
  const stop = () => {
    stopping ??= (async () => {
      await server?.close();
      await worker?.stop();
      await workerDb?.destroy();
      mailer?.close();
      await runtime.close();
    })();
    return stopping;
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => { void stop().then(() => process.exit(0)); });
  }
  return { stop };
}
