import type pg from 'pg';
import { createAuthService } from './app/auth.ts';
import { systemClock, type AppDeps, type Clock } from './app/context.ts';
import { parseConfig, publicUrl, type Config } from './config.ts';
import { migrateJobQueue, startWorker } from './jobs/worker.ts';
import { createServer } from './server/create-server.ts';
import { createMailer } from './app/mailer.ts';
import { createDb, createPool, startEmbeddedPostgres, type Db } from './storage/db.ts';
import { migrateToLatest } from './storage/migrate.ts';

/** The database a process works on: embedded (started or reused) or DATABASE_URL. */
export type Runtime = { config: Config; pool: pg.Pool; db: Db; deps: AppDeps; databaseLabel: string; close: () => Promise<void> };

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
    config, pool, db, deps, databaseLabel,
    close: async () => {
      await db.destroy();
      await stopEmbedded();
    },
  };
}

export type StartOptions = { serve: boolean; work: boolean; onReady?: (runtime: Runtime, url: string) => Promise<void> | void };

/** `leadloop start | serve | work`: one process by default, or separate roles in production. */
export async function start(config: Config, options: StartOptions): Promise<{ stop: () => Promise<void> }> {
  const runtime = await openRuntime(config);
  const auth = createAuthService(runtime.deps, { sessionTtlHours: config.LEADLOOP_SESSION_TTL_HOURS });
  const url = publicUrl(config);
  const server = options.serve
    ? await createServer({ app: runtime.deps, auth, publicUrl: url, logLevel: config.LOG_LEVEL, sessionTtlHours: config.LEADLOOP_SESSION_TTL_HOURS, secureCookies: url.startsWith('https:') })
    : null;
  const mailer = createMailer(config.SMTP_URL, config.SMTP_FROM);
  const worker = options.work ? await startWorker(runtime.pool, { ...runtime.deps, mailer, publicUrl: url }, config.LEADLOOP_WORKER_CONCURRENCY) : null;
  if (server) await server.listen({ port: config.PORT, host: config.HOST });
  await options.onReady?.(runtime, url);
  let stopping: Promise<void> | null = null;
  const stop = () => {
    stopping ??= (async () => {
      await server?.close();
      await worker?.stop();
      mailer.close();
      await runtime.close();
    })();
    return stopping;
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => { void stop().then(() => process.exit(0)); });
  }
  return { stop };
}
