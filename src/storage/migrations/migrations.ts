import type { Migration } from 'kysely';
import * as systemOfRecord from './2026-11-22-system-of-record.ts';
import * as nurture from './2026-11-22-15-nurture.ts';

/**
 * The static list of frozen migrations, bundled in code (never discovered on disk at run time).
 * Append only; names sort in application order.
 */
export const migrations: Record<string, Migration> = {
  '2026-11-22-system-of-record': systemOfRecord,
  // Keyed after the system of record: Kysely sorts keys and '2026-11-22-15…' would sort before '2026-11-22-system…'.
  '2026-11-23-15-nurture': nurture,
};
