import { z } from 'zod';
import { decodeKeyCursor, decodeSortCursor, type KeyType } from '../../core/lists.rules.ts';
import { COLUMN_RANGES } from '../../core/storable.rules.ts';

export const errorSchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.array(z.object({ path: z.string(), message: z.string() })),
  }),
}).meta({ id: 'Error' });

export const idParams = z.strictObject({ id: z.uuid({ message: 'must be a UUID' }) });

export const pageQuery = {
  limit: z.coerce.number().int().min(1).max(500).default(50).describe('Page size (1–500).'),
  cursor: z.uuid({ message: 'must be the next_cursor of a previous page' }).optional().describe('next_cursor from the previous page.'),
};

const CURSOR_FIX = 'must be the next_cursor of a previous page of this list, unchanged (leave cursor out to start from the first page)';

/**
 * `limit` and `cursor` of a list that pages by keyset (storage/page.ts keysetQuery). `sorted`: the list is ordered by
 * a column before its id, so its cursor is `srt1.…`; `keyed: [types]`: by text/integer/date columns without an id, so its
 * cursor is `key1.…` of one value per column, each checked against its type (core/lists.rules.ts); otherwise an id. Lists that answered everything before they
 * had a cursor default to 500 rows, so callers that never paged still get what they got unless the list is longer.
 */
export function pageParams(options: { sorted?: boolean; keyed?: readonly KeyType[]; defaultLimit?: number; maxLimit?: number } = {}) {
  const limit = options.defaultLimit ?? 500;
  const max = options.maxLimit ?? 500;
  return {
    limit: z.coerce.number().int().min(1, `must be 1 to ${max}`).max(max, `must be 1 to ${max} (follow next_cursor for more)`).default(limit)
      .describe(`Page size (1–${max}, default ${limit}).`),
    cursor: (options.keyed
      ? z.string().max(1300).refine((v) => decodeKeyCursor(v, options.keyed!) !== null, { message: CURSOR_FIX })
      : options.sorted
      ? z.string().max(420).refine((v) => decodeSortCursor(v) !== null, { message: CURSOR_FIX })
      : z.uuid({ message: CURSOR_FIX })
    ).optional().describe('next_cursor from the previous page; leave out for the first page.'),
  };
}

export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({ data: z.array(item), next_cursor: z.string().nullable() });
}

export const iso = (d: Date | null) => (d ? d.toISOString() : null);
export const isoDate = z.iso.date({ message: 'must be a date like 2026-01-31' });
export const isoDateTime = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time like 2026-01-31T09:00:00Z' });
export const attributesSchema = z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]))
  .describe('Custom attributes (flat key → string | number | boolean | null).');

/** Standard error responses every authenticated route can answer. */
export const errorResponses = { 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema, 409: errorSchema, 422: errorSchema };

/** A count stored in an `integer` column: 0 … 2,147,483,647. */
export const countNumber = () => z.number().int('must be a whole number')
  .min(0, 'must be 0 or more').max(COLUMN_RANGES.int4.max, `must be at most ${COLUMN_RANGES.int4.max.toLocaleString('en-US')} (an integer column)`);
/** An amount stored as numeric(18,2): 0 … 999,999,999,999,999. */
export const moneyAmount = () => z.number().min(0, 'must be 0 or more')
  .max(COLUMN_RANGES.money.max, `must be at most ${COLUMN_RANGES.money.max.toLocaleString('en-US')} (amounts are stored with 16 digits before the point)`);

const utf8Bytes = (s: string) => new TextEncoder().encode(s).length;
/** A URL stored in a uniquely indexed column: a btree entry holds at most ~2,700 bytes, so 2,000 UTF-8 bytes. */
export const indexedUrl = () => z.url().max(2000).refine((v) => utf8Bytes(v) <= 2000, {
  message: 'must be at most 2,000 bytes in UTF-8 (percent-encode or shorten it)',
});
