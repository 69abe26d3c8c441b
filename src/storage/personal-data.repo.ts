import { sql, type RawBuilder } from 'kysely';
import { personalData, type EraseAction, type PersonalDataEntry } from '../core/privacy/personal-data.registry.ts';
import type { DbOrTrx, Trx } from './db.ts';
import './privacy-schema.ts';

/**
 * Erase, export and suppression SQL, all driven by the registry of personal data
 * (`src/core/privacy/personal-data.registry.ts`): a table the registry names is reached, exported and
 * erased here without being listed again. Table and column names come only from that constant.
 */

export type Person = {
  /** The contact asked for, after following merges to the contact that absorbed it. */
  rootId: string;
  status: string;
  erasedAt: Date | null;
  /** The root and every contact merged into it (earlier anonymous visits). */
  contactIds: string[];
  leadIds: string[];
  emails: string[];
  anonymousIds: string[];
  userIds: string[];
  externalIds: string[];
};

/** The person a contact id belongs to (null: no such contact in the workspace). */
export async function findPerson(db: DbOrTrx, workspaceId: string, contactId: string): Promise<Person | null> {
  const root = await sql<{ id: string; status: string; erased_at: Date | null }>`WITH RECURSIVE up AS (
      SELECT id, merged_into_id, status, erased_at, 0 AS depth FROM contact WHERE workspace_id = ${workspaceId} AND id = ${contactId}
      UNION ALL
      SELECT c.id, c.merged_into_id, c.status, c.erased_at, up.depth + 1 FROM contact c JOIN up ON c.workspace_id = ${workspaceId} AND c.id = up.merged_into_id
      WHERE up.depth < 50)
    SELECT id, status, erased_at FROM up ORDER BY depth DESC LIMIT 1`.execute(db);
  const r = root.rows[0];
  if (!r) return null;
  const rows = await sql<{ contact_ids: string[]; lead_ids: string[]; emails: string[]; anon: string[]; users: string[]; ext: string[] }>`WITH RECURSIVE down AS (
      SELECT id, email, 0 AS depth FROM contact WHERE workspace_id = ${workspaceId} AND id = ${r.id}
      UNION ALL
      SELECT c.id, c.email, down.depth + 1 FROM contact c JOIN down ON c.workspace_id = ${workspaceId} AND c.merged_into_id = down.id
      WHERE down.depth < 50)
    SELECT
      (SELECT array_agg(DISTINCT id) FROM down) AS contact_ids,
      (SELECT coalesce(array_agg(l.id), '{}') FROM lead l WHERE l.workspace_id = ${workspaceId} AND l.contact_id IN (SELECT id FROM down)) AS lead_ids,
      (SELECT coalesce(array_agg(DISTINCT e), '{}') FROM (
        SELECT lower(email) AS e FROM down WHERE email IS NOT NULL
        UNION SELECT lower(value) FROM contact_identity i WHERE i.workspace_id = ${workspaceId} AND i.kind = 'email' AND i.contact_id IN (SELECT id FROM down)) x) AS emails,
      (SELECT coalesce(array_agg(DISTINCT value), '{}') FROM contact_identity i WHERE i.workspace_id = ${workspaceId} AND i.kind = 'anonymous_id' AND i.contact_id IN (SELECT id FROM down)) AS anon,
      (SELECT coalesce(array_agg(DISTINCT value), '{}') FROM contact_identity i WHERE i.workspace_id = ${workspaceId} AND i.kind = 'user_id' AND i.contact_id IN (SELECT id FROM down)) AS users,
      (SELECT coalesce(array_agg(DISTINCT value), '{}') FROM contact_identity i WHERE i.workspace_id = ${workspaceId} AND i.kind = 'external_id' AND i.contact_id IN (SELECT id FROM down)) AS ext
  `.execute(db);
  const p = rows.rows[0]!;
  return {
    rootId: r.id, status: r.status, erasedAt: r.erased_at, contactIds: p.contact_ids, leadIds: p.lead_ids,
    emails: p.emails, anonymousIds: p.anon, userIds: p.users, externalIds: p.ext,
  };
}

/** The contact holding `email` (as its address or as an email identity), or null. */
export async function findContactIdByEmail(db: DbOrTrx, workspaceId: string, email: string): Promise<string | null> {
  // Stored emails are normalized (lower case); both spellings are probed so the (workspace, email) index serves.
  const r = await sql<{ id: string }>`SELECT contact_id AS id FROM contact_identity WHERE workspace_id = ${workspaceId} AND kind = 'email' AND value = lower(${email})
    UNION ALL SELECT id FROM contact WHERE workspace_id = ${workspaceId} AND (email = lower(${email}) OR email = ${email})
    LIMIT 1`.execute(db);
  return r.rows[0]?.id ?? null;
}

const needlesOf = (p: Person): string[] =>
  [...p.emails, ...p.anonymousIds, ...p.userIds, ...p.externalIds.filter((x) => x.length >= 6), ...p.contactIds].map((x) => x.toLowerCase());

function whereOf(e: PersonalDataEntry, p: Person): RawBuilder<unknown> {
  const col = sql.ref(`t.${e.reach.column}`);
  const extra = 'where' in e.reach && e.reach.where ? sql` AND ${sql.ref(`t.${e.reach.where.column}`)} = ${e.reach.where.equals}` : sql``;
  if (e.reach.by === 'contact') return sql`${col} = ANY(${p.contactIds}::uuid[])${extra}`;
  if (e.reach.by === 'lead') return sql`${col} = ANY(${p.leadIds}::uuid[])${extra}`;
  return sql`${col} IS NOT NULL AND EXISTS (SELECT 1 FROM unnest(${needlesOf(p)}::text[]) AS n(v) WHERE strpos(lower(${col}::text), n.v) > 0)`;
}

function setOf(column: string, a: EraseAction): RawBuilder<unknown> {
  const ref = sql.ref(column);
  const qualified = sql.ref(`t.${column}`);
  switch (a.kind) {
    case 'null': return sql`${ref} = NULL`;
    case 'tombstone': return sql`${ref} = ${a.value}`;
    case 'empty': return sql`${ref} = '{}'::jsonb`;
    case 'keep_keys': return sql`${ref} = COALESCE((SELECT jsonb_object_agg(k, v) FROM jsonb_each(${qualified}) AS e(k, v) WHERE k = ANY(${[...a.keys]}::text[])), '{}'::jsonb)`;
    case 'strip_query': return sql`${ref} = NULLIF(split_part(split_part(${qualified}, '#', 1), '?', 1), '')`;
  }
}

/**
 * Erases every registry entry for the person in the caller's transaction; answers rows touched per
 * `table.reach` (the receipt: counts, never values). The contact rows become tombstones.
 */
export async function eraseRegistered(trx: Trx, workspaceId: string, p: Person, at: Date): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const e of personalData) {
    if (e.reach.by === 'lead' && p.leadIds.length === 0) continue;
    const key = `${e.table}.${e.reach.column}`;
    const table = sql`${sql.table(e.table)} AS t`;
    if (e.rows === 'delete') {
      const r = await sql`DELETE FROM ${table} WHERE t.workspace_id = ${workspaceId} AND ${whereOf(e, p)}`.execute(trx);
      counts[key] = Number(r.numAffectedRows ?? 0);
    } else if (e.columns.length) {
      const r = await sql`UPDATE ${table} SET ${sql.join(e.columns.map((c) => setOf(c.column, c.erase)))}
        WHERE t.workspace_id = ${workspaceId} AND ${whereOf(e, p)}`.execute(trx);
      counts[key] = Number(r.numAffectedRows ?? 0);
    }
  }
  await sql`UPDATE contact SET status = CASE WHEN id = ${p.rootId} THEN 'erased' ELSE status END, erased_at = ${at}, updated_at = ${at}
    WHERE workspace_id = ${workspaceId} AND id = ANY(${p.contactIds}::uuid[])`.execute(trx);
  return counts;
}

/** Every row the registry finds for the person, per table (rows as stored, JSON). */
export async function exportRegistered(db: DbOrTrx, workspaceId: string, p: Person): Promise<Record<string, Record<string, unknown>[]>> {
  const out: Record<string, Record<string, unknown>[]> = {};
  const seen = new Map<string, Set<string>>();
  for (const e of personalData) {
    if (e.reach.by === 'lead' && p.leadIds.length === 0) continue;
    const r = await sql<{ row: Record<string, unknown> }>`SELECT to_jsonb(t) AS row FROM ${sql.table(e.table)} AS t
      WHERE t.workspace_id = ${workspaceId} AND ${whereOf(e, p)}`.execute(db);
    const rows = (out[e.table] ??= []);
    const keys = seen.get(e.table) ?? new Set<string>();
    seen.set(e.table, keys);
    for (const { row } of r.rows) {
      const k = JSON.stringify(row);
      if (!keys.has(k)) { keys.add(k); rows.push(row); }
    }
  }
  // The deals the person is a role on (the role rows are in the registry; the deal is what they mean).
  const deals = await sql<{ row: Record<string, unknown> }>`SELECT to_jsonb(o) AS row FROM opportunity o
    WHERE o.workspace_id = ${workspaceId} AND o.id IN (SELECT opportunity_id FROM opportunity_contact_role r WHERE r.workspace_id = ${workspaceId} AND r.contact_id = ANY(${p.contactIds}::uuid[]))`.execute(db);
  out.opportunity = deals.rows.map((d) => d.row);
  return out;
}

// ---- Suppression: salted SHA-256 of the identifiers, never the values. ----

export type Identifier = { kind: 'email' | 'anonymous_id' | 'user_id'; value: string };

const normalized = (i: Identifier) => (i.kind === 'email' ? i.value.trim().toLowerCase() : i.value);
const hashOf = (kind: RawBuilder<unknown>, value: RawBuilder<unknown>) =>
  sql`encode(sha256(convert_to(s.salt || '|' || ${kind} || '|' || ${value}, 'UTF8')), 'hex')`;

/** Records suppression entries for the identifiers (creating the workspace's salt on first use). */
export async function suppressIdentifiers(trx: Trx, workspaceId: string, ids: readonly Identifier[], at: Date): Promise<number> {
  if (ids.length === 0) return 0;
  await sql`INSERT INTO privacy_salt (workspace_id) VALUES (${workspaceId}) ON CONFLICT DO NOTHING`.execute(trx);
  const r = await sql`INSERT INTO privacy_suppression (workspace_id, kind, hash, created_at)
    SELECT ${workspaceId}, x.kind, ${hashOf(sql`x.kind`, sql`x.value`)}, ${at}
    FROM unnest(${ids.map((i) => i.kind)}::text[], ${ids.map(normalized)}::text[]) AS x(kind, value)
    JOIN privacy_salt s ON s.workspace_id = ${workspaceId}
    ON CONFLICT DO NOTHING`.execute(trx);
  return Number(r.numAffectedRows ?? 0);
}

/** Which of the identifiers are suppressed, as `kind:value` (one query for a whole batch or chunk). */
export async function suppressedAmong(db: DbOrTrx, workspaceId: string, ids: readonly Identifier[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const r = await sql<{ kind: string; value: string }>`SELECT x.kind, x.value
    FROM unnest(${ids.map((i) => i.kind)}::text[], ${ids.map(normalized)}::text[]) AS x(kind, value)
    JOIN privacy_salt s ON s.workspace_id = ${workspaceId}
    JOIN privacy_suppression p ON p.workspace_id = ${workspaceId} AND p.kind = x.kind AND p.hash = ${hashOf(sql`x.kind`, sql`x.value`)}`.execute(db);
  return new Set(r.rows.map((x) => `${x.kind}:${x.value}`));
}

/** Lifts suppression for the identifiers (the person gave consent again). */
export async function liftSuppression(trx: Trx, workspaceId: string, ids: readonly Identifier[]): Promise<number> {
  if (ids.length === 0) return 0;
  const r = await sql`DELETE FROM privacy_suppression p USING privacy_salt s,
      unnest(${ids.map((i) => i.kind)}::text[], ${ids.map(normalized)}::text[]) AS x(kind, value)
    WHERE s.workspace_id = ${workspaceId} AND p.workspace_id = ${workspaceId} AND p.kind = x.kind AND p.hash = ${hashOf(sql`x.kind`, sql`x.value`)}`.execute(trx);
  return Number(r.numAffectedRows ?? 0);
}

export const identifierKey = (i: Identifier): string => `${i.kind}:${normalized(i)}`;
