import type pg from 'pg';
import { createAuthService } from './app/auth.ts';
import { composeApp } from './app/compose.ts';
import { createMailer } from './app/mailer.ts';
import { createOidcService, type OidcService } from './app/oidc.ts';
import { systemClock, type AppDeps, type Clock } from './app/context.ts';
import { outboundAllowlist, parseConfig, publicUrl, type Config } from './config.ts';
import { migrateJobQueue, startWorker } from './jobs/worker.ts';
import { observeJobs, startWorkerMetricsServer } from './jobs/worker-metrics.ts';
import type { Server as HttpServer } from 'node:http';
import { Registry } from 'prom-client';
import { createStandardIngestPipeline } from './app/ingest-steps.ts';
import { createServer } from './server/create-server.ts';
import { createServer as createNetServer } from 'node:net';
import { StartupError, createDb, createPool, handleSignalsOurselves, startEmbeddedPostgres, type Db } from './storage/db.ts';
import { lockDataFolder } from './storage/instance-lock.ts';
import { migrateToLatest } from './storage/migrate.ts';
import { startStatisticsKeeper, type StatisticsKeeper } from './app/statistics-keeper.ts';

/** The database a process works on: embedded (started or reused) or DATABASE_URL. */
export type Runtime = {
  config: Config; url: string; pool: pg.Pool; db: Db; deps: AppDeps; databaseLabel: string;
  /** What reports read through: the replica at REPORTS_DATABASE_URL, or the primary's deps. */
  reports: AppDeps;
  close: () => Promise<void>;
};

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
  try {
    await migrateToLatest(db);
    await migrateJobQueue(pool);
  } catch (e) {
    await db.destroy().catch(() => {});
    await stopEmbedded().catch(() => {});
    throw databaseStartupError(e, databaseLabel);
  }
  composeApp();
  const deps: AppDeps = { db, clock: options.clock ?? systemClock, outbound: outboundAllowlist(config) };
  // Reports are read-only: on a replica they never take the primary's CPU or buffer cache from ingestion.
  const reportsPool = config.REPORTS_DATABASE_URL ? createPool(config.REPORTS_DATABASE_URL, 5) : null;
  const reportsDb = reportsPool ? createDb(reportsPool) : null;
  return {
    config, url, pool, db, deps, databaseLabel,
    reports: reportsDb ? { ...deps, db: reportsDb } : deps,
    close: async () => {
      await reportsDb?.destroy();
      if (reportsPool && !reportsPool.ended) await reportsPool.end();
      await db.destroy();
      if (!pool.ended) await pool.end();
      await stopEmbedded();
    },
  };
}

/** Connection failures as one line that says what to check; other errors (a failing migration) pass through. */
function databaseStartupError(e: unknown, label: string): unknown {
  const code = (e as { code?: string } | null)?.code;
  const message = e instanceof Error ? e.message : String(e);
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'ETIMEDOUT' || code === 'EHOSTUNREACH') {
    return new StartupError(`Cannot connect to ${label} (${message}). Check that PostgreSQL is running and DATABASE_URL names its host and port.`);
  }
  if (code === '28P01' || code === '28000') return new StartupError(`${label} refused the login (${message}). Check the user and password in DATABASE_URL.`);
  if (code === '3D000') return new StartupError(`${label}: ${message}. Create the database, or fix its name in DATABASE_URL.`);
  return e;
}

export type StartOptions = {
  serve: boolean; work: boolean;
  /** Runs before the worker and the server start (the demo): jobs it queues on a simulated clock are not picked up half-made. */
  prepare?: (runtime: Runtime) => Promise<void>;
  onReady?: (runtime: Runtime, url: string) => Promise<void> | void;
};

/** Refuses early, in one line, when the HTTP port cannot be bound (before PostgreSQL starts). */
export async function checkPortFree(host: string, port: number): Promise<void> {
  if (port === 0) return;
  const probe = createNetServer();
  try {
    await new Promise<void>((resolve, reject) => {
      probe.once('error', reject);
      probe.listen({ port, host, exclusive: true }, () => resolve());
    });
  } catch (e) {
    throw portError(e, host, port);
  }
  await new Promise<void>((resolve) => probe.close(() => resolve()));
}

function portError(e: unknown, host: string, port: number): Error {
  const code = (e as { code?: string } | null)?.code;
  if (code === 'EADDRINUSE') return new StartupError(`Port ${port} on ${host} is already in use (another Leadloop or another program). Set PORT to a free port (e.g. PORT=${port + 1}), or stop the program using it.`, 4);
  if (code === 'EACCES') return new StartupError(`Port ${port} on ${host} needs administrator rights. Set PORT to 1024 or above (e.g. PORT=3000).`, 4);
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') return new StartupError(`HOST ${host} is not an address of this machine. Set HOST to 127.0.0.1 (this machine only) or 0.0.0.0 (all interfaces).`, 4);
  return e instanceof Error ? e : new Error(String(e));
}

/** `leadloop start | serve | work`: one process by default, or separate roles in production. */
export async function start(config: Config, options: StartOptions): Promise<{ stop: () => Promise<void> }> {
  const url = publicUrl(config);
  // Cheap checks first, in one line each: the port before PostgreSQL starts.
  if (options.serve) await checkPortFree(config.HOST, config.PORT);
  let runtime: Runtime | null = null;
  let server: Awaited<ReturnType<typeof createServer>> | null = null;
  let worker: Awaited<ReturnType<typeof startWorker>> | null = null;
  let workerPool: pg.Pool | null = null;
  let workerDb: Db | null = null;
  let mailer: ReturnType<typeof createMailer> | null = null;
  let jobMetrics: Registry | undefined;
  let metricsServer: HttpServer | null = null;
  let keeper: StatisticsKeeper | null = null;
  let releaseLock = async () => {};
  let stopping: Promise<void> | null = null;
  // In order: stop taking requests, finish jobs, close pools, then PostgreSQL (nothing is cut off mid-query).
  const stop = () => {
    stopping ??= (async () => {
      await server?.close();
      if (metricsServer) await new Promise((resolve) => metricsServer!.close(resolve));
      await worker?.stop();
      await keeper?.stop();
      await workerDb?.destroy();
      // Kysely ends a pool only if it queried through it; graphile-worker used this one directly.
      if (workerPool && !workerPool.ended) await workerPool.end();
      mailer?.close();
      await runtime?.close();
      await releaseLock();
    })();
    return stopping;
  };
  // Ctrl+C (also while the demo loads) and SIGTERM stop quietly: one line, exit code 0.
  const onSignal = () => {
    if (stopping) return;
    console.log('\nStopping Leadloop…');
    void stop().then(() => process.exit(0), (e: unknown) => {
      console.error(`Error while stopping: ${e instanceof Error ? e.message : String(e)}`);
      process.exit(1);
    });
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);
  try {
    runtime = await openRuntime(config);
    // Planner statistics when the server's autovacuum is off (src/app/statistics-keeper.ts); a no-op otherwise.
    keeper = startStatisticsKeeper(runtime.db, { warn: (m) => console.warn(m) });
    // Only we stop the embedded PostgreSQL, after our connections are closed.
    await handleSignalsOurselves();
    // One server per data folder (a second `start` would share the database and fight over the demo and the jobs).
    if (options.serve && !config.DATABASE_URL) releaseLock = await lockDataFolder(config.LEADLOOP_DATA_DIR, url);
    await options.prepare?.(runtime);
    // Alerts, reset links and invitations need the mailer (null when SMTP_URL is unset: recorded as not configured).
    mailer = config.SMTP_URL ? createMailer(config.SMTP_URL, config.SMTP_FROM) : null;
    const auth = createAuthService(runtime.deps, {
      sessionTtlHours: config.LEADLOOP_SESSION_TTL_HOURS, mailer: mailer ?? undefined, publicUrl: url,
      onBackgroundError: (message) => console.error(`[auth] ${message}`),
    });
    const oidc = oidcFromConfig(config, url);
    // Post-persist ingestion steps (scoring, qualification, alerts) are added to this list.
    const ingest = createStandardIngestPipeline();
    // Job metrics (src/jobs/worker-metrics.ts): on the server's /metrics in one process, else on the worker's port.
    jobMetrics = options.work ? new Registry() : undefined;
    server = options.serve
      ? await createServer({
        jobMetrics,
        app: runtime.deps, auth, publicUrl: url, logLevel: config.LOG_LEVEL, sessionTtlHours: config.LEADLOOP_SESSION_TTL_HOURS, secureCookies: url.startsWith('https:'), ingest,
        reports: runtime.reports, trustedProxies: config.LEADLOOP_TRUSTED_PROXIES, rateLimits: config.LEADLOOP_RATE_LIMITS, crmSecretKey: config.LEADLOOP_SECRET_KEY, oidc,
      })
      : null;
    // The worker has its own connections: under an ingestion burst the HTTP requests queue for the
    // server's pool, and alert deliveries (job fetch, delivery queries, completion) must not wait
    // behind them. Its tasks use them too. Size: one per job, plus LISTEN and fetch/complete.
    const concurrency = config.LEADLOOP_WORKER_CONCURRENCY;
    workerPool = options.work ? createPool(runtime.url, concurrency + 3) : null;
    workerDb = workerPool ? createDb(workerPool) : null;
    worker = workerPool && workerDb ? await startWorker(workerPool, { ...runtime.deps, db: workerDb, mailer, publicUrl: url, crmSecretKey: config.LEADLOOP_SECRET_KEY }, concurrency) : null;
    if (worker && jobMetrics) observeJobs(worker, jobMetrics);
    // A worker without an HTTP server answers /metrics on its own port.
    if (worker && workerDb && jobMetrics && !server && config.LEADLOOP_WORKER_METRICS_PORT) {
      metricsServer = await startWorkerMetricsServer({ host: config.HOST, port: config.LEADLOOP_WORKER_METRICS_PORT, deps: { ...runtime.deps, db: workerDb }, auth, jobs: jobMetrics })
        .catch((e: unknown) => {
          // Metrics are not worth refusing to run jobs for (e.g. a second worker on this machine): say so and go on.
          console.error(`Worker metrics are off: port ${config.LEADLOOP_WORKER_METRICS_PORT} on ${config.HOST}: ${e instanceof Error ? e.message : String(e)}. Set LEADLOOP_WORKER_METRICS_PORT to a free port.`);
          return null;
        });
      if (metricsServer) console.log(`Worker metrics at http://${config.HOST}:${config.LEADLOOP_WORKER_METRICS_PORT}/metrics (key with the metrics scope).`);
    }
    if (server) {
      try {
        await server.listen({ port: config.PORT, host: config.HOST });
      } catch (e) {
        throw portError(e, config.HOST, config.PORT);
      }
    }
    await options.onReady?.(runtime, url);
  } catch (e) {
    // Nothing half-started stays behind (PostgreSQL, pools, the lock): the process can exit at once.
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.off(signal, onSignal);
    await stop().catch(() => {});
    throw e;
  }
  return { stop };
}

/** Single sign-on when LEADLOOP_OIDC_ISSUER and the client credentials are set. */
export function oidcFromConfig(config: Config, url: string): OidcService | undefined {
  if (!config.LEADLOOP_OIDC_ISSUER) return undefined;
  if (!config.LEADLOOP_OIDC_CLIENT_ID || !config.LEADLOOP_OIDC_CLIENT_SECRET) {
    console.error('LEADLOOP_OIDC_ISSUER is set but LEADLOOP_OIDC_CLIENT_ID or LEADLOOP_OIDC_CLIENT_SECRET is not: single sign-on stays off until both are set.');
    return undefined;
  }
  return createOidcService({
    issuer: config.LEADLOOP_OIDC_ISSUER, clientId: config.LEADLOOP_OIDC_CLIENT_ID, clientSecret: config.LEADLOOP_OIDC_CLIENT_SECRET,
    name: config.LEADLOOP_OIDC_NAME, redirectUri: `${url}/api/v1/auth/oidc/callback`,
  });
}
