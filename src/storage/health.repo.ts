import { sql } from 'kysely';
import type { Db } from './db.ts';
import { migrations } from './migrations/migrations.ts';

export type DatabaseHealth =
  | { ok: true; migrations: number }
  | { ok: false; reason: 'unreachable' | 'migrations_pending'; message: string; pending?: string[] };

/**
 * Can this process serve requests from the database? It answers `select 1` within `timeoutMs` and every
 * migration this code knows is applied (a database behind the code is not ready: queries would fail).
 */
export async function databaseHealth(db: Db, timeoutMs = 2000): Promise<DatabaseHealth> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    const applied = await Promise.race([
      (async () => {
        const table = await sql<{ t: string | null }>`select to_regclass('leadloop_migration')::text as t`.execute(db);
        if (!table.rows[0]?.t) return new Set<string>();
        const rows = await sql<{ name: string }>`select name from leadloop_migration`.execute(db);
        return new Set(rows.rows.map((r) => r.name));
      })(),
      timeout,
    ]);
    const pending = Object.keys(migrations).filter((name) => !applied.has(name));
    if (pending.length) return { ok: false, reason: 'migrations_pending', message: `${pending.length} migration(s) not applied; run 'leadloop migrate'.`, pending };
    return { ok: true, migrations: applied.size };
  } catch (e) {
    return { ok: false, reason: 'unreachable', message: `PostgreSQL does not answer: ${e instanceof Error ? e.message : String(e)}` };
  } finally {
    clearTimeout(timer);
  }
}
