import { fail, ok, type Result } from '../../core/result.ts';
import { failedAttempts, insertSyncLog, type CrmConnection, type NewSyncLogEntry } from '../../storage/crm.repo.ts';
import type { Trx } from '../../storage/db.ts';
import type { AppDeps } from '../context.ts';
import { inTransaction } from '../transaction.ts';

export type SyncCounts = { changed: number; unchanged: number; failed: number; skipped: number; would_change: number; ignored: number };

/**
 * One sync run's bookkeeping, shared by the connectors: the per-record log (direction, outcome,
 * error, attempt), counts, per-object cursors that never pass a failed record, and the record
 * transaction (a dry run does the same work and rolls it back, so it shows exactly what would change).
 */
export class SyncContext {
  readonly counts: SyncCounts = { changed: 0, unchanged: 0, failed: 0, skipped: 0, would_change: 0, ignored: 0 };
  readonly entries: NewSyncLogEntry[] = [];
  readonly cursors: Record<string, string>;
  private readonly seen = new Map<string, { max: string | null; failed: string | null }>();
  /** Set when the run stopped early on purpose (API budget reached). */
  stoppedEarly: string | null = null;

  constructor(
    readonly deps: AppDeps, readonly workspaceId: string, readonly connection: CrmConnection,
    readonly runId: string, readonly dryRun: boolean, readonly backfill: boolean,
    /** `push`: only send what changed in Leadloop (the job enqueued by a lead transition); `all`: push, then pull. */
    readonly scope: 'all' | 'push' = 'all',
  ) {
    this.cursors = { ...connection.cursors };
  }

  now(): Date { return this.deps.clock.now(); }

  /** Where an incremental pull of `object` starts (null: from the beginning). */
  since(object: string): string | null {
    return this.backfill ? null : this.connection.cursors[object] ?? null;
  }

  /** Records a pulled record's stamp: the cursor moves to the newest, but never past a failed one. */
  stamp(object: string, stamp: string, failed: boolean): void {
    const s = this.seen.get(object) ?? { max: null, failed: null };
    const t = Date.parse(stamp.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
    const later = (a: string | null) => a === null || t > Date.parse(a.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
    const earlier = (a: string | null) => a === null || t < Date.parse(a.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
    if (failed) { if (earlier(s.failed)) s.failed = stamp; } else if (later(s.max)) s.max = stamp;
    this.seen.set(object, s);
    const next = s.failed ?? s.max;
    if (next) this.cursors[object] = next;
  }

  async log(entry: Omit<NewSyncLogEntry, 'runId' | 'at' | 'attempt'>): Promise<void> {
    const attempt = entry.outcome === 'failed' ? await failedAttempts(this.deps.db, this.workspaceId, this.connection.id, entry.localId ? { localId: entry.localId } : { externalId: entry.externalId }) + 1 : 1;
    const full: NewSyncLogEntry = { ...entry, runId: this.runId, at: this.now(), attempt };
    this.counts[entry.outcome]++;
    this.entries.push(full);
    await insertSyncLog(this.deps.db, this.workspaceId, this.connection.id, full);
  }

  /**
   * Applies one record in its own transaction; a failure is logged and the run goes on. In a dry
   * run the transaction is rolled back after the work, and the log says `would_change`.
   */
  async record(key: { direction: 'push' | 'pull'; objectType: string; externalId: string | null; localId: string | null }, work: (trx: Trx) => Promise<Result<{ changed: boolean; actions: string[] }>>): Promise<boolean> {
    let described: { changed: boolean; actions: string[] } | null = null;
    let outcome: Result<unknown>;
    try {
      outcome = await inTransaction(this.deps, async (trx) => {
        const r = await work(trx);
        if (!r.ok) return r;
        described = r.value;
        return this.dryRun ? fail('Conflict', 'dry run: rolled back') : ok(null);
      });
    } catch (e) {
      outcome = fail('Conflict', e instanceof Error ? e.message : String(e));
    }
    const d = described as { changed: boolean; actions: string[] } | null;
    if (d && (outcome.ok || this.dryRun)) {
      await this.log({ ...key, action: d.actions.join('; ') || 'no change', outcome: !d.changed ? 'unchanged' : this.dryRun ? 'would_change' : 'changed', error: null });
      return true;
    }
    const error = outcome.ok ? 'unknown' : outcome.message;
    await this.log({ ...key, action: 'apply', outcome: 'failed', error });
    return false;
  }
}
