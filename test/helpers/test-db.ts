import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { composeApp } from '../../src/app/compose.ts';
import { simulatedClock, type AppDeps, type Clock } from '../../src/app/context.ts';
import { parseAllowlist } from '../../src/core/webhooks/target.rules.ts';
import { createDb, createPool, quoteIdent, type Db } from '../../src/storage/db.ts';
import { withDatabase } from './global-setup.ts';

export type TestDatabase = { url: string; pool: pg.Pool; db: Db; deps: AppDeps; clock: ReturnType<typeof simulatedClock>; close: () => Promise<void> };

const loopbackAllowed = (() => {
  const r = parseAllowlist(['127.0.0.0/8', '::1']);
  if (!r.ok) throw new Error(r.message);
  return r.value;
})();

/** A fresh, migrated database for one test file, cloned from the run's template. */
export async function createTestDatabase(options: { clock?: Clock; start?: Date } = {}): Promise<TestDatabase> {
  const serverUrl = inject('pgServerUrl');
  const template = inject('templateDb');
  // Named after the run's template, so a run's teardown drops only its own clones (several runs may share one server).
  const name = `${template}_t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: withDatabase(serverUrl, 'postgres') });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${quoteIdent(name)} TEMPLATE ${quoteIdent(template)}`);
  const url = withDatabase(serverUrl, name);
  const pool = createPool(url, 10);
  const db = createDb(pool);
  composeApp(); // the subscribers every process registers at start (src/app/compose.ts)
  const clock = simulatedClock(options.start ?? new Date('2026-03-02T09:00:00Z'));
  return {
    // The suite's webhook receivers listen on loopback, which outgoing calls refuse unless the
    // operator's allowlist (LEADLOOP_OUTBOUND_ALLOW) names it: the test deps name it.
    url, pool, db, clock, deps: { db, clock: options.clock ?? clock, outbound: loopbackAllowed },
    close: async () => {
      await db.destroy();
      // Ended clients may still be closing their backends; a forced drop would kill them mid-goodbye.
      for (let i = 0; i < 50; i++) {
        const open = await admin.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1', [name]);
        if (open.rows[0].n === 0) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
      await admin.end();
    },
  };
}
