import { sql, type RawBuilder, type SelectQueryBuilder } from 'kysely';
import { decodeKeyCursor, decodeSortCursor, encodeKeyCursor, encodeSortCursor, type KeyType } from '../core/lists.rules.ts';
/** Cursor pagination over time-ordered UUIDv7 ids: newest first, the cursor is the last id seen. */
export type Page<T> = {
  data: T[]; nextCursor: string | null;
  /** Change feeds only: more changes are visible now (the cursor is always given there, to poll again later). */
  hasMore?: boolean;
};
export type PageRequest = {
  limit: number; cursor?: string | null;
  /** Polling by change instead of newest-first (change-feed.ts): only on lists that support it. */
  changes?: import('./change-feed.ts').ChangeRequest | null;
};

export function toPage<R extends { id: string }, T>(rows: R[], limit: number, map: (row: R) => T): Page<T> {
  const hasMore = rows.length > limit;
  const kept = hasMore ? rows.slice(0, limit) : rows;
  return { data: kept.map(map), nextCursor: hasMore ? kept[kept.length - 1]!.id : null };
}

/**
 * Keyset pagination of any list (not OFFSET): rows in a stable order by a unique key, the cursor the position of
 * the last row sent. Two cursor shapes, one style for the whole API:
 * - ordered by a UUID key alone (UUIDv7 ids are time-ordered): the cursor is that id;
 * - ordered by another column, then the UUID key: `srt1.…` (core/lists.rules.ts), the pair [sort value, id];
 * - keyed by text or integer columns with no UUID id (a name, a version, (month, category)): `key1.…`, see KeyKeyset.
 * The contract checks a cursor's shape before it reaches here (pageParams in common.contract.ts); the sort column
 * must be NOT NULL (a row comparison with NULL would skip rows).
 */
export type Keyset<R> = {
  /** The unique key column (a uuid), qualified as the query needs it, e.g. `p.id`. */
  id: string;
  idOf: (row: R) => string;
  direction: 'asc' | 'desc';
  /** The sort column; its value travels in the cursor as PostgreSQL's text form (lossless: microseconds too). */
  sort?: { column: string; type: 'text' | 'date' | 'timestamptz' | 'integer' };
};

/** Adds the position, the order and `limit + 1` (to know whether a next page exists) to a select. */
export function keysetQuery<QB extends SelectQueryBuilder<any, any, any>, R>(qb: QB, keyset: Keyset<R>, req: PageRequest): QB {
  const dir = sql.raw(keyset.direction);
  const cmp = sql.raw(keyset.direction === 'desc' ? '<' : '>');
  const id = sql.ref(keyset.id);
  let q = qb as SelectQueryBuilder<any, any, any>;
  if (req.cursor) {
    if (keyset.sort) {
      const position = decodeSortCursor(req.cursor);
      if (!position) throw new Error('keysetQuery: a sorted list got a cursor that is not srt1 (the contract must refuse it)');
      q = q.where(sql<boolean>`(${sql.ref(keyset.sort.column)}, ${id}) ${cmp} (cast(${position.value} as ${sql.raw(keyset.sort.type)}), cast(${position.id} as uuid))`);
    } else {
      q = q.where(sql<boolean>`${id} ${cmp} cast(${req.cursor} as uuid)`);
    }
  }
  if (keyset.sort) q = q.select(sql<string>`cast(${sql.ref(keyset.sort.column)} as text)`.as('keyset_sort')).orderBy(sql`${sql.ref(keyset.sort.column)} ${dir}`);
  return q.orderBy(sql`${id} ${dir}`).limit(req.limit + 1) as QB;
}

/** The page of rows read with keysetQuery: at most `limit`, and the cursor of the last one when more exist. */
export function keysetPage<R, T>(rows: R[], keyset: Keyset<R>, limit: number, map: (row: R) => T): Page<T> {
  const more = rows.length > limit;
  const kept = more ? rows.slice(0, limit) : rows;
  const last = kept[kept.length - 1];
  const nextCursor = more && last
    ? (keyset.sort ? encodeSortCursor({ value: (last as unknown as { keyset_sort: string }).keyset_sort, id: keyset.idOf(last) }) : keyset.idOf(last))
    : null;
  return { data: kept.map(map), nextCursor };
}

/**
 * A list whose unique key is one to three NOT NULL text/integer/date columns (or expressions, e.g. `-priority` to
 * put a descending column in an ascending row), all compared in one direction as one row:
 * `(k1, k2) > (v1, v2)`, the order `k1, k2` (the primary key's btree serves it). The cursor is `key1.…`
 * [each value as PostgreSQL text]; the contract checked its arity (pageParams `keyed`).
 */
export type KeyKeyset = {
  keys: Array<{ expr: RawBuilder<unknown>; type: KeyType }>;
  direction: 'asc' | 'desc';
};

/** Adds the position, the order and `limit + 1` to a select; the key values come back as `keyset_k0`, `keyset_k1`, … */
export function keyKeysetQuery<QB extends SelectQueryBuilder<any, any, any>>(qb: QB, keyset: KeyKeyset, req: PageRequest): QB {
  const dir = sql.raw(keyset.direction);
  let q = qb as SelectQueryBuilder<any, any, any>;
  if (req.cursor) {
    const values = decodeKeyCursor(req.cursor, keyset.keys.map((k) => k.type));
    if (!values) throw new Error(`keyKeysetQuery: the cursor is not key1 of ${keyset.keys.length} values (the contract must refuse it)`);
    const cmp = sql.raw(keyset.direction === 'desc' ? '<' : '>');
    const left = sql.join(keyset.keys.map((k) => k.expr));
    const right = sql.join(keyset.keys.map((k, i) => sql`cast(${values[i]} as ${sql.raw(k.type)})`));
    q = q.where(sql<boolean>`(${left}) ${cmp} (${right})`);
  }
  keyset.keys.forEach((k, i) => {
    q = q.select(sql<string>`cast(${k.expr} as text)`.as(`keyset_k${i}`)).orderBy(sql`${k.expr} ${dir}`);
  });
  return q.limit(req.limit + 1) as QB;
}

/** The page of rows read with keyKeysetQuery: at most `limit`, and the key1 cursor of the last one when more exist. */
export function keyKeysetPage<R, T>(rows: R[], keyset: KeyKeyset, limit: number, map: (row: R) => T): Page<T> {
  const more = rows.length > limit;
  const kept = more ? rows.slice(0, limit) : rows;
  const last = kept[kept.length - 1] as Record<string, unknown> | undefined;
  const nextCursor = more && last ? encodeKeyCursor(keyset.keys.map((_, i) => String(last[`keyset_k${i}`]))) : null;
  return { data: kept.map(map), nextCursor };
}
