import type { ReasonCode } from '../../core/lifecycle.ts';
import type { Contact } from '../../storage/contacts.repo.ts';
import type { ImportRowError } from '../../storage/import-runs.repo.ts';
import type { ImportEntity, ImportPlan, PresetName } from './import-presets.ts';
import type { RowOf } from './import-rows.schema.ts';
import type { ImportScoring } from './score-imported.ts';

/** A validated row: typed values, custom attributes from unmapped columns, and the raw cells for error reports. */
export type ImportRow<E extends ImportEntity> = { row: number; values: RowOf<E>; attributes: Record<string, string>; raw: string[] };

export type ImportContext = {
  workspaceId: string; preset: PresetName; plan: ImportPlan; taxonomy: readonly ReasonCode[]; now: Date;
  /** Score the imported people (null: not this import). An importer may do it itself, between its writes (see ChunkOutcome.scoring). */
  score: { qualify: boolean } | null;
  /**
   * The chunk checks its references itself, set-based, instead of per-row foreign-key triggers
   * (`checkReferencesByChunk`): every row it writes references a row it inserted or one it locked
   * through `lockReferencedRows`. Only the contacts entity, and only where the database allows it.
   */
  chunkChecks?: boolean;
};

export type ChunkOutcome = {
  inserted: number; updated: number; unchanged: number; skipped: number; errors: ImportRowError[];
  /** Records created on the side (accounts for contacts, contacts for opportunities...). */
  related: Record<string, number>;
  /** The people the chunk imported or changed: scored once the chunk is written. */
  contactIds: string[];
  /**
   * Of those, the contacts this chunk created: invisible to every other transaction until the chunk
   * commits, so they have no score row and no activities yet (scoring skips looking and locking).
   */
  newContactIds: Set<string>;
  /** Those contacts as the chunk wrote them (scoring reads them from here instead of back from the table). */
  newContacts?: Map<string, Contact>;
  /** Set when the importer scored its people itself; otherwise the chunk's contactIds are scored after it. */
  scoring?: ImportScoring;
};

export const emptyOutcome = (): ChunkOutcome => ({ inserted: 0, updated: 0, unchanged: 0, skipped: 0, errors: [], related: {}, contactIds: [], newContactIds: new Set() });

export function addRelated(outcome: ChunkOutcome, what: string, n: number): void {
  if (n > 0) outcome.related[what] = (outcome.related[what] ?? 0) + n;
}

/** An error naming the file's column (not our field name) and the cell as written. */
export function rowError(ctx: ImportContext, r: { row: number; raw: string[] }, field: string | null, reason: string): ImportRowError {
  const index = field === null ? undefined : ctx.plan.fields.get(field);
  const column = index === undefined ? field : ctx.plan.columns[index]!.header;
  return { row: r.row, column, value: index === undefined ? null : r.raw[index] ?? null, reason };
}

/**
 * Keeps the last row of each key within a chunk (a set-based upsert cannot touch one record twice
 * in one statement); earlier rows sharing any key are reported and skipped.
 */
export function lastRowPerKey<T extends { row: number; raw: string[] }>(ctx: ImportContext, rows: T[], keysOf: (r: T) => string[], field: string, outcome: ChunkOutcome): T[] {
  const owner = new Map<string, number>();
  const dropped = new Set<number>();
  rows.forEach((r, i) => {
    for (const key of keysOf(r)) {
      const before = owner.get(key);
      if (before !== undefined && before !== i && !dropped.has(before)) {
        dropped.add(before);
        outcome.skipped++;
        outcome.errors.push(rowError(ctx, rows[before]!, field, `duplicate of row ${r.row} (same ${key.split(':')[0]}); the later row was imported`));
      }
      owner.set(key, i);
    }
  });
  return rows.filter((_, i) => !dropped.has(i));
}

/**
 * Writes queued together on the chunk's transaction: each statement's rows are encoded as it is
 * called, while the server still runs the previous one (the connection runs them one after the
 * other, in call order). Waits for every one of them to settle before it rethrows the first
 * failure: a statement queued behind a failed one then fails inside the aborted transaction,
 * instead of running after the rollback, outside it. (A write that takes several statements, such as
 * an insertUnnest past its batch size, queues its later ones behind the writes called after it: only
 * independent writes go together.)
 */
export async function writeInOrder<T extends readonly unknown[]>(statements: readonly [...T]): Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
  const settled = await Promise.allSettled(statements);
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<unknown>).value) as { -readonly [K in keyof T]: Awaited<T[K]> };
}
