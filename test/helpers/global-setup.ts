import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { createDb, createPool, startEmbeddedPostgres, quoteIdent } from '../../src/storage/db.ts';
import { migrateToLatest } from '../../src/storage/migrate.ts';
import { freeServerPort } from './ports.ts';
import { migrateJobQueue } from '../../src/jobs/worker.ts';

declare module 'vitest' {
  export interface ProvidedContext { pgServerUrl: string; templateDb: string }
}

/**
 * One PostgreSQL per test run: the embedded one (a throwaway data folder), or the server at
 * TEST_DATABASE_URL. A migrated template database is cloned per test file (CREATE DATABASE ... TEMPLATE),
 * which costs ~100 ms instead of re-running migrations.
 */
// Several projects (integration, e2e) use this setup in the same vitest process: they share one
// PostgreSQL and template, started once and stopped when the last project is done.
const shared = globalThis as { leadloopTestPg?: Promise<{ serverUrl: string; templateDb: string; teardown: () => Promise<void> }>; leadloopTestPgUsers?: number };

export async function setup(project: TestProject) {
  shared.leadloopTestPg ??= startTestPostgres();
  shared.leadloopTestPgUsers = (shared.leadloopTestPgUsers ?? 0) + 1;
  const { serverUrl, templateDb, teardown } = await shared.leadloopTestPg;
  project.provide('pgServerUrl', serverUrl);
  project.provide('templateDb', templateDb);
  return async () => {
    shared.leadloopTestPgUsers = (shared.leadloopTestPgUsers ?? 1) - 1;
    if (shared.leadloopTestPgUsers === 0) await teardown();
  };
}

async function startTestPostgres() {
  let serverUrl: string;
  let stop = async () => {};
  let dataDir: string | null = null;
  if (process.env.TEST_DATABASE_URL) {
    serverUrl = process.env.TEST_DATABASE_URL;
  } else {
    dataDir = await mkdtemp(path.join(tmpdir(), 'leadloop-test-'));
    const port = await freeServerPort();
    const embedded = await startEmbeddedPostgres(dataDir, port);
    serverUrl = embedded.url;
    stop = embedded.stop;
  }
  const templateDb = `leadloop_template_${process.pid}`;
  const admin = new pg.Client({ connectionString: withDatabase(serverUrl, 'postgres') });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(templateDb)}`);
  await admin.query(`CREATE DATABASE ${quoteIdent(templateDb)}`);
  const pool = createPool(withDatabase(serverUrl, templateDb), 2);
  const db = createDb(pool);
  await migrateToLatest(db);
  await migrateJobQueue(pool);
  await db.destroy();

  const teardown = async () => {
    const leftovers = await admin.query(`SELECT datname FROM pg_database WHERE datname LIKE $2 OR datname = $1`, [templateDb, `${templateDb}_t_%`]);
    for (const row of leftovers.rows) await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(row.datname)} WITH (FORCE)`);
    await admin.end();
    await stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  };
  return { serverUrl, templateDb, teardown };
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = '/' + database;
  return u.toString();
}
