import { Counter } from 'prom-client';
import { autovacuumIsOn, maintainTable, tablesDueForMaintenance, withMaintenanceLock, type TableDue } from '../storage/statistics.repo.ts';
import type { Db } from '../storage/db.ts';
import { businessRegistry } from './metrics.ts';

/**
 * Keeps planner statistics (and dead rows) in check when the PostgreSQL server runs with autovacuum off, which
 * PostgreSQL's documentation advises against but some managed and hand-made setups do (this project's CI
 * machine does). Without it, tables created empty are never analyzed and cached plans stay those of an empty
 * table: lookups that should take one index entry scan the whole workspace (see src/storage/statistics.repo.ts).
 * With autovacuum on, the keeper does nothing: PostgreSQL's own daemon is the better tool.
 * `serve`, `work` and the ingest benchmark run it; an advisory lock makes one process do each round.
 */

const maintained = new Counter({
  name: 'leadloop_db_tables_maintained_total',
  help: 'Tables Leadloop analyzed or vacuumed itself because the server runs with autovacuum off, by action',
  labelNames: ['action'], registers: [businessRegistry],
});

export type StatisticsKeeper = {
  /** One round now (tests, and the keeper's own timer). Returns what it did, or null if autovacuum is on or another process held the lock. */
  tick: () => Promise<TableDue[] | null>;
  stop: () => Promise<void>;
};

export type KeeperOptions = {
  intervalMs?: number;
  /** Called once when autovacuum is found off (the operator should turn it on). */
  warn?: (message: string) => void;
  /** Tests: act even with autovacuum on. */
  evenWithAutovacuum?: boolean;
};

export const AUTOVACUUM_OFF_WARNING = 'PostgreSQL runs with autovacuum off: Leadloop analyzes and vacuums its grown tables itself '
  + 'every 15 s, but the server\'s own autovacuum is cheaper and safer (it also prevents transaction ID wraparound). Turn it on: '
  + 'ALTER SYSTEM SET autovacuum = on; SELECT pg_reload_conf();';

export function startStatisticsKeeper(db: Db, options: KeeperOptions = {}): StatisticsKeeper {
  const intervalMs = options.intervalMs ?? 15_000;
  let warned = false;
  let running: Promise<TableDue[] | null> | null = null;
  let stopped = false;

  const round = async (): Promise<TableDue[] | null> => {
    if (!options.evenWithAutovacuum && (await autovacuumIsOn(db))) return null;
    if (!warned) {
      warned = true;
      if (!options.evenWithAutovacuum) options.warn?.(AUTOVACUUM_OFF_WARNING);
    }
    return withMaintenanceLock(db, async (conn) => {
      const due = await tablesDueForMaintenance(conn);
      for (const table of due) {
        await maintainTable(conn, table);
        maintained.inc({ action: table.action });
      }
      return due;
    });
  };
  // One round at a time; a failed round (the database restarting) is retried at the next tick.
  const tick = () => (running ??= round().finally(() => { running = null; }));
  const timer = setInterval(() => {
    if (!stopped) tick().catch(() => {});
  }, intervalMs);
  timer.unref();
  // The first round soon after start: a fresh database's first minutes are when plans are made.
  const first = setTimeout(() => { if (!stopped) tick().catch(() => {}); }, Math.min(intervalMs, 5_000));
  first.unref();
  return {
    tick,
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      clearTimeout(first);
      await running?.catch(() => {});
    },
  };
}
