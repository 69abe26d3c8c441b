/**
 * The list screens' shared vocabulary (people, leads, accounts, opportunities): which sorts exist,
 * the keyset cursor of a sorted page, and CSV cells that a spreadsheet will not execute.
 * Pure: the server validates with it, the web app builds URLs and exports with it.
 */

export const listEntities = ['people', 'leads', 'accounts', 'opportunities'] as const;
export type ListEntity = (typeof listEntities)[number];
export const isListEntity = (v: string): v is ListEntity => (listEntities as readonly string[]).includes(v);

/** Sort keys per list, first one the default. Each has an index ending in id (migration 2026-12-04-30-lists). */
export const listSorts = {
  people: { newest: 'Newest first', updated: 'Recently changed', last_touch: 'Latest touch', name: 'Name (A–Z)' },
  leads: { newest: 'Newest first', opened: 'Opened (latest first)', updated: 'Recently changed', score: 'Engagement score (highest first)' },
  accounts: { name: 'Name (A–Z)', newest: 'Newest first', updated: 'Recently changed' },
  opportunities: { newest: 'Newest first', amount: 'Amount (largest first)', close_date: 'Close date (soonest first)', updated: 'Recently changed' },
} as const satisfies Record<ListEntity, Record<string, string>>;
export type ListSort<E extends ListEntity> = keyof (typeof listSorts)[E] & string;

export const isListSort = (entity: ListEntity, sort: string): boolean => Object.hasOwn(listSorts[entity], sort);
export const defaultSort = (entity: ListEntity): string => Object.keys(listSorts[entity])[0]!;

/** Consent filter values: `<purpose>:<granted|refused|none>` ("refused" covers withdrawn). */
export const consentFilterPattern = /^(email_marketing|sales_email|sales_call|tracking):(granted|refused|none)$/;

/**
 * Position after the last row of a sorted page: `srt1.<base64url JSON [sort value, id]>`.
 * The sort value is text (a timestamp in ISO form, a number, a name); the server casts it back.
 */
export type SortPosition = { value: string; id: string };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const toBase64Url = (s: string) => btoa(String.fromCharCode(...new TextEncoder().encode(s))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const fromBase64Url = (s: string) => new TextDecoder().decode(Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0)));

export function encodeSortCursor(p: SortPosition): string {
  return `srt1.${toBase64Url(JSON.stringify([p.value, p.id]))}`;
}

export function decodeSortCursor(cursor: string): SortPosition | null {
  if (!cursor.startsWith('srt1.') || cursor.length > 400) return null;
  try {
    const parsed: unknown = JSON.parse(fromBase64Url(cursor.slice(5)));
    if (!Array.isArray(parsed) || parsed.length !== 2) return null;
    const [value, id] = parsed as unknown[];
    if (typeof value !== 'string' || value.length > 300 || typeof id !== 'string' || !UUID.test(id)) return null;
    return { value, id };
  } catch {
    return null;
  }
}

/**
 * Position after the last row of a list keyed by text or integer columns, with no UUID id to end on (a team's name,
 * a version number, (month, category)): `key1.<base64url JSON [value, …]>`, one PostgreSQL text value per key column,
 * in the list's order (1 to 3 columns; each value at most 300 characters). The server casts each back to its column's
 * type. `decodeKeyCursor(c, ['date', 'text'])` refuses a cursor of another list's arity, or a value its column's type
 * could not take (so a forged cursor is a 400, never a failed cast): integers of at most 9 digits, real calendar
 * dates, UUIDs, text without NUL.
 * Example: encodeKeyCursor(['2026-01-01', 'sales']) → `key1.WyIyMDI2LTAxLTAxIiwic2FsZXMiXQ`.
 */
export function encodeKeyCursor(values: readonly string[]): string {
  return `key1.${toBase64Url(JSON.stringify(values))}`;
}

export type KeyType = 'text' | 'integer' | 'date' | 'uuid';
const keyValueFits: Record<KeyType, (v: string) => boolean> = {
  text: (v) => !v.includes('\u0000'),
  integer: (v) => /^-?\d{1,9}$/.test(v),
  date: (v) => /^\d{4}-\d{2}-\d{2}$/.test(v) && new Date(`${v}T00:00:00Z`).toISOString().slice(0, 10) === v,
  uuid: (v) => UUID.test(v),
};

export function decodeKeyCursor(cursor: string, types: readonly KeyType[]): string[] | null {
  if (!cursor.startsWith('key1.') || cursor.length > 1300) return null;
  try {
    const parsed: unknown = JSON.parse(fromBase64Url(cursor.slice(5)));
    if (!Array.isArray(parsed) || parsed.length !== types.length) return null;
    if (!parsed.every((v, i) => typeof v === 'string' && v.length <= 300 && keyValueFits[types[i]!](v))) return null;
    return parsed as string[];
  } catch {
    return null;
  }
}

/**
 * A page of a short list held in memory (a fixed catalogue, a session's workspaces), in the order of `keyOf` (unique
 * text) under `compare` (a total order: by code unit unless given), with the same key1 cursor as the stored lists.
 */
export const byCodeUnit = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
/** Human order (localeCompare), ties between distinct strings broken by code unit: still a total order. */
export const byLocale = (a: string, b: string): number => a.localeCompare(b) || byCodeUnit(a, b);

export function pageInMemory<T>(items: readonly T[], keyOf: (item: T) => string, limit: number, cursor?: string | null,
  compare: (a: string, b: string) => number = byCodeUnit): { data: T[]; nextCursor: string | null } {
  const after = cursor ? decodeKeyCursor(cursor, ['text'])?.[0] ?? null : null;
  const sorted = [...items].sort((a, b) => compare(keyOf(a), keyOf(b)));
  const rest = after === null ? sorted : sorted.filter((i) => compare(keyOf(i), after) > 0);
  const data = rest.slice(0, limit);
  return { data, nextCursor: rest.length > limit ? encodeKeyCursor([keyOf(data[data.length - 1]!)]) : null };
}

/**
 * One CSV cell. Text that a spreadsheet would read as a formula (=, +, -, @, tab, carriage return
 * first) gets a leading apostrophe: lead-supplied names like `=HYPERLINK(...)` stay text.
 * Example: csvCell('=1+1') → `"'=1+1"`.
 */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text = value instanceof Date ? value.toISOString() : String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n']/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A CSV document (RFC 4180, CRLF) of a header row and data rows. */
export function toCsv(header: readonly string[], rows: readonly (readonly unknown[])[]): string {
  return [header, ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}
