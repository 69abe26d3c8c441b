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
