import { CompiledQuery, sql } from 'kysely';
import type { DbOrTrx } from './db.ts';
import type { Database } from './schema.ts';
import { BinaryCopyWriter, encodeField, type BinaryType } from './copy-binary.ts';
import './schema-handoff.ts';

/**
 * Bulk inserts for generated data (tests that need many rows fast): one
 * `INSERT ... SELECT FROM unnest($1::uuid[], $2::text[], ...)` per batch sends each column as a
 * single array parameter, so a batch of thousands of rows costs one round trip and one plan,
 * and the statement text stays the same whatever the batch size.
 * Callers mint the ids (UUIDv7 from the event time) and guarantee the foreign keys.
 */

const BATCH_ROWS = 8000;

export type PgType = BinaryType;
/** A column read from the rows, or (`sameAs`) a copy of another column of the statement. */
export type Column<R> = readonly [name: string, pgType: PgType, get: (row: R) => unknown] | readonly [name: string, sameAs: { sameAs: string }];

/** An instant as a Date or as epoch milliseconds (cheaper when generating millions of rows). */
export type Instant = Date | number;

// Elements that must be double-quoted in an array literal: empty, NULL, or containing syntax characters.
const NEEDS_QUOTES = /[{}",\\\s]/;
const encodedTexts = new Map<string, string>();
function textElement(value: string): string {
  const cached = encodedTexts.get(value);
  if (cached !== undefined) return cached;
  const encoded = value === '' || (value.length === 4 && value.toLowerCase() === 'null') || NEEDS_QUOTES.test(value)
    ? `"${value.replace(/[\\"]/g, (c) => '\\' + c)}"`
    : value;
  // Short values repeat (types, sources, URLs): remember a bounded number of them.
  if (value.length <= 80) {
    if (encodedTexts.size >= 20_000) encodedTexts.clear();
    encodedTexts.set(value, encoded);
  }
  return encoded;
}

/**
 * Encodes one column as a PostgreSQL array literal ourselves: uuids and numbers need no quoting,
 * instants travel as epoch milliseconds (converted by PostgreSQL), and most texts need no
 * escaping, which is several times cheaper than the driver's generic per-element escaping when
 * a seed writes tens of millions of values.
 */
function arrayLiteral<R>(rows: readonly R[], type: PgType, get: (row: R) => unknown): string {
  const parts = new Array<string>(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const v = get(rows[i]!);
    if (v === null || v === undefined) parts[i] = 'NULL';
    else if (type === 'text' || type === 'jsonb') parts[i] = textElement(typeof v === 'string' ? v : JSON.stringify(v));
    else if (type === 'timestamptz') parts[i] = String(v instanceof Date ? v.getTime() : v);
    else if (type === 'date') parts[i] = v instanceof Date ? v.toISOString().slice(0, 10) : String(v);
    else if (type === 'bool') parts[i] = v ? 't' : 'f';
    else parts[i] = typeof v === 'string' ? v : String(v);
  }
  return `{${parts.join(',')}}`;
}

/**
 * One `INSERT ... SELECT FROM unnest(arrays)` per batch of rows (see above); `ignore` adds ON
 * CONFLICT DO NOTHING. Answers the rows inserted. The imports use it too: measured against a JSON
 * array expanded by jsonb_populate_recordset, it costs PostgreSQL ~25% less per row and this
 * process less than JSON.stringify with its dates.
 */
export async function insertUnnest<R>(
  db: DbOrTrx, table: keyof Database, workspaceId: string, columns: readonly Column<R>[], rows: readonly R[], conflict: 'error' | 'ignore' = 'error',
): Promise<number> {
  if (rows.length === 0) return 0;
  const names = sql.join([sql.ref('workspace_id'), ...columns.map(([name]) => sql.ref(name))]);
  const sourced = columns.filter((c): c is readonly [string, PgType, (row: R) => unknown] => c.length === 3);
  const alias = (name: string) => sql.ref(`u.${name}`);
  const asValue = (name: string, type: PgType) => (type === 'timestamptz' ? sql`to_timestamp(${alias(name)} / 1000.0)` : alias(name));
  const typeOf = new Map(sourced.map(([name, type]) => [name, type]));
  const selected = sql.join(columns.map((c) => (c.length === 3 ? asValue(c[0], c[1]) : asValue(c[1].sameAs, typeOf.get(c[1].sameAs)!))));
  const aliases = sql.join(sourced.map(([name]) => sql.ref(name)));
  const onConflict = conflict === 'ignore' ? sql` ON CONFLICT DO NOTHING` : sql``;
  let inserted = 0;
  for (let start = 0; start < rows.length; start += BATCH_ROWS) {
    const batch = start === 0 && rows.length <= BATCH_ROWS ? rows : rows.slice(start, start + BATCH_ROWS);
    const arrays = sourced.map(([, type, get]) => sql`${arrayLiteral(batch, type, get)}::${sql.raw(type === 'timestamptz' ? 'float8' : type)}[]`);
    const result = await sql`INSERT INTO ${sql.table(table)} (${names}) SELECT ${workspaceId}::uuid, ${selected} FROM unnest(${sql.join(arrays)}) AS u(${aliases})${onConflict}`.execute(db);
    inserted += Number(result.numAffectedRows ?? 0);
  }
  return inserted;
}

/** What a driver connection offers a custom submittable (the subset of pg's Connection used here). */
type CopyConnection = { query(text: string): void; sendCopyFromChunk(chunk: Buffer): void; endCopyFrom(): void; sendCopyFail(message: string): void };

/**
 * `COPY table (columns) FROM STDIN (FORMAT binary)` of rows, in the caller's transaction, as one
 * protocol exchange: the cheapest way into a table for both sides (no array literals or text to
 * build and for PostgreSQL to parse, no INSERT ... SELECT plan; triggers and constraints run as for
 * an INSERT). For the hot tables of a contacts import. No ON CONFLICT: only for rows that cannot
 * conflict (new ids); a conflict fails the statement like a plain INSERT. Same column spec as
 * `insertUnnest`, but each column's type must be the table column's own (binary values are not cast).
 *
 * Kysely has no COPY: the statement goes to pg as a custom submittable (pg queues it like any query
 * on the transaction's connection) that Kysely awaits as a thenable answering the row count.
 */
export async function copyRows<R>(db: DbOrTrx, table: keyof Database, workspaceId: string, columns: readonly Column<R>[], rows: readonly R[]): Promise<number> {
  if (rows.length === 0) return 0;
  const names = ['workspace_id', ...columns.map(([name]) => name)].map((n) => `"${n}"`).join(', ');
  const sourced = columns.map((c) => (c.length === 3 ? c : null));
  // A column that repeats another one copies that one's bytes (it must come after it).
  const sameAs = columns.map((c) => (c.length === 3 ? -1 : columns.findIndex((o) => o[0] === c[1].sameAs)));
  sameAs.forEach((source, i) => { if (source >= i) throw new Error(`copyRows: column ${columns[i]![0]} repeats a later column`); });
  // A jsonb value shared by many rows (people rated alike share their fit) is serialized once per statement.
  const json = new Map<object, string>();
  const jsonText = (v: unknown) => {
    if (typeof v !== 'object' || v === null) return v;
    let text = json.get(v);
    if (text === undefined) { text = JSON.stringify(v); json.set(v, text); }
    return text;
  };
  const out = new BinaryCopyWriter(rows.length * (40 + columns.length * 12));
  const workspace = encodeField('uuid', workspaceId);
  const starts: number[] = new Array(columns.length + 1);
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r]!;
    out.row(columns.length + 1);
    out.encoded(workspace);
    for (let i = 0; i < columns.length; i++) {
      starts[i] = out.mark();
      const source = sameAs[i]!;
      if (source >= 0) { out.repeat(starts[source]!, starts[source + 1]!); starts[i + 1] = out.mark(); continue; }
      const [, type, get] = sourced[i]!;
      const v = get(row);
      if (v === null || v === undefined) out.null();
      else out.value(type, type === 'jsonb' ? jsonText(v) : v);
      starts[i + 1] = out.mark();
    }
  }
  return copyFromStdin(db, `COPY "${table}" (${names}) FROM STDIN (FORMAT binary)`, out.finish());
}

/** Runs one `COPY … FROM STDIN` statement with this payload on the caller's connection; answers the row count. */
export async function copyFromStdin(db: DbOrTrx, text: string, payload: Buffer): Promise<number> {
  let count = 0;
  let failure: Error | null = null;
  let settle: { resolve: (v: unknown) => void; reject: (e: Error) => void } | null = null;
  const done = new Promise((resolve, reject) => { settle = { resolve, reject }; });
  const submittable = {
    text, // read by nothing but tracing (the bench's --profile)
    submit: (connection: CopyConnection) => connection.query(text),
    handleCopyInResponse: (connection: CopyConnection) => {
      connection.sendCopyFromChunk(payload);
      connection.endCopyFrom();
    },
    handleCommandComplete: (msg: { text?: string }) => { count = Number(/\d+$/.exec(msg.text ?? '')?.[0] ?? 0); },
    // Rejected at once: a lost connection reports its error here and sends no ReadyForQuery (pg queues
    // the caller's ROLLBACK behind this statement, so nothing is sent before the server is ready).
    handleError: (e: Error) => { if (!failure) { failure = e; settle!.reject(e); } },
    handleReadyForQuery: () => { if (!failure) settle!.resolve({ command: 'COPY', rowCount: count, rows: [] }); },
    handleRowDescription: () => {}, handleDataRow: () => {}, handleEmptyQuery: () => {}, handlePortalSuspended: () => {}, handleCopyData: () => {},
    then: (onFulfilled: (v: unknown) => unknown, onRejected: (e: unknown) => unknown) => done.then(onFulfilled, onRejected),
  };
  // Kysely hands `sql` to pg's client.query, which runs an object with `submit` as a submittable.
  await db.executeQuery({ ...CompiledQuery.raw(''), sql: submittable as unknown as string });
  return count;
}

export type BulkAccount = {
  id: string; name: string; domain: string | null; industry: string | null; employeeCount: number | null; country: string | null;
  region: string | null; annualRevenue: number | null; createdAt: Instant;
};

export type BulkTouch = { at: Instant | null; source: string | null; medium: string | null; campaign: string | null };
export type BulkContact = {
  id: string; email: string | null; firstName: string | null; lastName: string | null; title: string | null; seniority: string | null;
  department: string | null; phone: string | null; country: string | null; accountId: string | null; status: 'anonymous' | 'known';
  firstTouch: BulkTouch; latestTouch: BulkTouch; createdAt: Instant; updatedAt: Instant;
};

export function bulkInsertContacts(db: DbOrTrx, workspaceId: string, rows: readonly BulkContact[]): Promise<number> {
  return insertUnnest(db, 'contact', workspaceId, [
    ['id', 'uuid', (r) => r.id], ['email', 'text', (r) => r.email], ['first_name', 'text', (r) => r.firstName],
    ['last_name', 'text', (r) => r.lastName], ['title', 'text', (r) => r.title], ['seniority', 'text', (r) => r.seniority],
    ['department', 'text', (r) => r.department], ['phone', 'text', (r) => r.phone], ['country', 'text', (r) => r.country],
    ['account_id', 'uuid', (r) => r.accountId], ['status', 'text', (r) => r.status],
    ['first_touch_at', 'timestamptz', (r) => r.firstTouch.at], ['first_source', 'text', (r) => r.firstTouch.source],
    ['first_medium', 'text', (r) => r.firstTouch.medium], ['first_campaign', 'text', (r) => r.firstTouch.campaign],
    ['latest_touch_at', 'timestamptz', (r) => r.latestTouch.at], ['latest_source', 'text', (r) => r.latestTouch.source],
    ['latest_medium', 'text', (r) => r.latestTouch.medium], ['latest_campaign', 'text', (r) => r.latestTouch.campaign],
    ['created_at', 'timestamptz', (r) => r.createdAt], ['updated_at', 'timestamptz', (r) => r.updatedAt],
  ], rows);
}

export type BulkLead = {
  id: string; contactId: string; accountId: string | null; stage: string; ownerId: string | null; openedAt: Instant;
  stageEnteredAt: Instant; closedAt: Instant | null; mqlAt: Instant | null; recycleCount: number; lastReasonCode: string | null;
  recheckAt: Instant | null; source: string | null; campaign: string | null; firstTouchAt: Instant | null; latestSource: string | null;
  latestCampaign: string | null; fitScore: number | null; engagementScore: number | null; rating: string | null;
  definitionId: string | null; updatedAt: Instant;
};

export function bulkInsertLeads(db: DbOrTrx, workspaceId: string, rows: readonly BulkLead[]): Promise<number> {
  return insertUnnest(db, 'lead', workspaceId, [
    ['id', 'uuid', (r) => r.id], ['contact_id', 'uuid', (r) => r.contactId], ['account_id', 'uuid', (r) => r.accountId],
    ['stage', 'text', (r) => r.stage], ['owner_id', 'uuid', (r) => r.ownerId], ['opened_at', 'timestamptz', (r) => r.openedAt],
    ['stage_entered_at', 'timestamptz', (r) => r.stageEnteredAt], ['closed_at', 'timestamptz', (r) => r.closedAt],
    ['mql_at', 'timestamptz', (r) => r.mqlAt], ['recycle_count', 'int4', (r) => r.recycleCount],
    ['last_reason_code', 'text', (r) => r.lastReasonCode], ['recheck_at', 'timestamptz', (r) => r.recheckAt],
    ['source', 'text', (r) => r.source], ['campaign', 'text', (r) => r.campaign], ['first_touch_at', 'timestamptz', (r) => r.firstTouchAt],
    ['latest_source', 'text', (r) => r.latestSource], ['latest_campaign', 'text', (r) => r.latestCampaign],
    ['fit_score', 'numeric', (r) => r.fitScore], ['engagement_score', 'numeric', (r) => r.engagementScore], ['rating', 'text', (r) => r.rating],
    ['definition_id', 'uuid', (r) => r.definitionId], ['created_at', 'timestamptz', (r) => r.openedAt],
    ['updated_at', 'timestamptz', (r) => r.updatedAt],
  ], rows);
}

export type BulkTransition = {
  id: string; leadId: string; from: string | null; to: string; at: Instant; actorType: 'user' | 'rule' | 'system' | 'api_key';
  actorId: string | null; reasonCode: string | null; note: string | null; definitionId: string | null; isRecycle: boolean;
};

export function bulkInsertTransitions(db: DbOrTrx, workspaceId: string, rows: readonly BulkTransition[]): Promise<number> {
  return insertUnnest(db, 'stage_transition', workspaceId, [
    ['id', 'uuid', (r) => r.id], ['lead_id', 'uuid', (r) => r.leadId], ['from_stage', 'text', (r) => r.from], ['to_stage', 'text', (r) => r.to],
    ['at', 'timestamptz', (r) => r.at], ['actor_type', 'text', (r) => r.actorType], ['actor_id', 'uuid', (r) => r.actorId],
    ['reason_code', 'text', (r) => r.reasonCode], ['note', 'text', (r) => r.note], ['definition_id', 'uuid', (r) => r.definitionId],
    ['is_recycle', 'bool', (r) => r.isRecycle],
  ], rows);
}

/** Rows per table for one workspace: what a seeding run reports back. */
export async function countWorkspaceRows(db: DbOrTrx, workspaceId: string, tables: readonly (keyof Database)[]): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of tables) {
    const result = await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.table(table)} WHERE workspace_id = ${workspaceId}`.execute(db);
    counts[table] = result.rows[0]?.n ?? 0;
  }
  return counts;
}

/**
 * Refreshes planner statistics after a bulk load. Without them PostgreSQL plans the first reports
 * (and foreign-key checks) as if the tables were empty: on 8,000 imported leads a funnel took ~20 s
 * instead of well under one. Autovacuum would get there, but only after the user's first clicks.
 */
export async function analyzeAfterBulkLoad(db: DbOrTrx, tables: readonly (keyof Database)[] = bulkLoadedTables): Promise<void> {
  for (const table of tables) await sql`ANALYZE ${sql.table(table)}`.execute(db);
}

const bulkLoadedTables: readonly (keyof Database)[] = [
  'account', 'contact', 'contact_identity', 'activity', 'lead', 'stage_transition', 'opportunity', 'opportunity_contact_role', 'opportunity_lead', 'opportunity_stage_change',
];

