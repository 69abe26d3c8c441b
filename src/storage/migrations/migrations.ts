import type { Migration } from 'kysely';
import * as systemOfRecord from './2026-11-22-system-of-record.ts';
import * as imports from './2026-11-22-11-imports.ts';

/**
 * The static list of frozen migrations, bundled in code (never discovered on disk at run time).
 * Append only; names sort in application order.
 */
export const migrations: Record<string, Migration> = {
  '2026-11-22-system-of-record': systemOfRecord,
  '2026-11-22-11-imports': imports,
};
