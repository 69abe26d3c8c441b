import { sql, type Selectable } from 'kysely';
import type { DbOrTrx, Trx } from './db.ts';
import { newId } from './ids.ts';
import { toPage, type Page, type PageRequest } from './page.ts';
import type { ContactScoreTable } from './schema-definitions.ts';

/** Per-contact score state, its history and high-intent signals; plus the score snapshot on leads. */

export type ContactScoreRecord = {
  contactId: string; definitionId: string; fitPoints: number; fitGrade: string; fit: Record<string, unknown>;
  engagementState: Record<string, unknown>; engagementPoints: number; level: number; rating: string; cell: string;
  qualifies: boolean; explanation: string; updatedAt: Date;
};

const toScore = (r: Selectable<ContactScoreTable>): ContactScoreRecord => ({
  contactId: r.contact_id, definitionId: r.definition_id, fitPoints: r.fit_points, fitGrade: r.fit_grade, fit: r.fit,
  engagementState: r.engagement_state, engagementPoints: r.engagement_points, level: r.level, rating: r.rating, cell: r.cell,
  qualifies: r.qualifies, explanation: r.explanation, updatedAt: r.updated_at,
});

const EMPTY_STATE = JSON.stringify({ schemaVersion: 1, asOf: null, rules: {} });

/**
 * Locks the score rows of these contacts under a definition, creating empty ones first, so that
 * every scoring path (activity, attribute change, decay) is serialized per contact. Contacts are
 * locked in id order: two batches touching the same contacts cannot deadlock.
 */
export async function lockContactScores(trx: Trx, workspaceId: string, definitionId: string, contactIds: string[], at: Date): Promise<Map<string, ContactScoreRecord>> {
  const ids = [...new Set(contactIds)].sort();
  const out = new Map<string, ContactScoreRecord>();
  if (!ids.length) return out;
  // One round trip in the common case: the rows this statement creates are ours (returned by the
  // insert), the existing ones are locked by the select. A row another transaction committed after
  // this statement's snapshot is in neither: those few are locked by a second statement below.
  const first = await sql<Selectable<ContactScoreTable>>`WITH ins AS (
      INSERT INTO contact_score (workspace_id, contact_id, definition_id, engagement_state, updated_at)
      SELECT ${workspaceId}, id, ${definitionId}, ${EMPTY_STATE}::jsonb, ${at} FROM unnest(${ids}::uuid[]) AS t(id)
      ON CONFLICT (workspace_id, contact_id, definition_id) DO NOTHING
      RETURNING *),
    sel AS (SELECT s.* FROM contact_score s WHERE s.workspace_id = ${workspaceId} AND s.definition_id = ${definitionId}
      AND s.contact_id = ANY(${ids}::uuid[]) ORDER BY s.contact_id FOR UPDATE)
    SELECT * FROM ins UNION ALL SELECT * FROM sel`.execute(trx);
  for (const r of first.rows) out.set(r.contact_id, toScore(r));
  const missing = ids.filter((id) => !out.has(id));
  if (!missing.length) return out;
  const rows = await trx.selectFrom('contact_score').selectAll().where('workspace_id', '=', workspaceId).where('definition_id', '=', definitionId)
    .where('contact_id', 'in', missing).orderBy('contact_id').forUpdate().execute();
  for (const r of rows) out.set(r.contact_id, toScore(r));
  return out;
}

export async function getContactScore(db: DbOrTrx, workspaceId: string, contactId: string, definitionId: string): Promise<ContactScoreRecord | null> {
  const row = await db.selectFrom('contact_score').selectAll().where('workspace_id', '=', workspaceId).where('contact_id', '=', contactId)
    .where('definition_id', '=', definitionId).executeTakeFirst();
  return row ? toScore(row) : null;
}

export type ScoreWrite = Omit<ContactScoreRecord, 'definitionId'>;

/** Writes many score rows in one statement (rows must exist: lockContactScores created them); one JSON parameter, not 14 per row. */
export async function writeContactScores(trx: Trx, workspaceId: string, definitionId: string, rows: ScoreWrite[]): Promise<void> {
  if (!rows.length) return;
  const json = JSON.stringify(rows.map((r) => ({
    contact_id: r.contactId, fit_points: r.fitPoints, fit_grade: r.fitGrade, fit: r.fit, engagement_state: r.engagementState,
    engagement_points: r.engagementPoints, level: r.level, rating: r.rating, cell: r.cell, qualifies: r.qualifies, explanation: r.explanation,
    updated_at: r.updatedAt,
  })));
  await sql`INSERT INTO contact_score (workspace_id, contact_id, definition_id, fit_points, fit_grade, fit, engagement_state, engagement_points,
      level, rating, cell, qualifies, explanation, updated_at)
    SELECT ${workspaceId}, contact_id, ${definitionId}, fit_points, fit_grade, fit, engagement_state, engagement_points, level, rating, cell,
      qualifies, explanation, updated_at
    FROM jsonb_to_recordset(${json}::jsonb) AS t(contact_id uuid, fit_points integer, fit_grade text, fit jsonb, engagement_state jsonb,
      engagement_points integer, level smallint, rating text, cell text, qualifies boolean, explanation text, updated_at timestamptz)
    ON CONFLICT (workspace_id, contact_id, definition_id) DO UPDATE SET
      fit_points = excluded.fit_points, fit_grade = excluded.fit_grade, fit = excluded.fit, engagement_state = excluded.engagement_state,
      engagement_points = excluded.engagement_points, level = excluded.level, rating = excluded.rating, cell = excluded.cell,
      qualifies = excluded.qualifies, explanation = excluded.explanation, updated_at = excluded.updated_at`.execute(trx);
}

/** Score rows with engagement to decay, after `afterContactId` (the decay refresh pages through them), locked. */
export async function lockEngagedScoreBatch(trx: Trx, workspaceId: string, definitionId: string, afterContactId: string | null, limit: number): Promise<ContactScoreRecord[]> {
  let q = trx.selectFrom('contact_score').selectAll().where('workspace_id', '=', workspaceId).where('definition_id', '=', definitionId)
    .where(sql<boolean>`engagement_state->'rules' <> '{}'::jsonb`);
  if (afterContactId) q = q.where('contact_id', '>', afterContactId);
  const rows = await q.orderBy('contact_id').limit(limit).forUpdate().execute();
  return rows.map(toScore);
}

export type ScoreCause = 'activity' | 'attributes' | 'decay' | 'recompute' | 'merge';
export type ScoreEvent = {
  id: string; contactId: string; definitionId: string; at: Date; fit: number; engagement: number; rating: string; cell: string;
  cause: ScoreCause; activityId: string | null; delta: number; explanation: string;
};

export async function insertScoreEvents(trx: Trx, workspaceId: string, events: Omit<ScoreEvent, 'id'>[]): Promise<void> {
  if (!events.length) return;
  // Column arrays (unnest): 13 parameters whatever the batch size, not 13 per event.
  const col = <T>(f: (e: Omit<ScoreEvent, 'id'>) => T) => events.map(f);
  await sql`INSERT INTO score_event (workspace_id, id, contact_id, definition_id, at, fit, engagement, rating, cell, cause, activity_id, delta, explanation)
    SELECT ${workspaceId}, id, contact_id, definition_id, at, fit, engagement, rating, cell, cause, activity_id, delta, explanation
    FROM unnest(${col((e) => newId(e.at.getTime()))}::uuid[], ${col((e) => e.contactId)}::uuid[], ${col((e) => e.definitionId)}::uuid[],
      ${col((e) => e.at)}::timestamptz[], ${col((e) => e.fit)}::integer[], ${col((e) => e.engagement)}::integer[], ${col((e) => e.rating)}::text[],
      ${col((e) => e.cell)}::text[], ${col((e) => e.cause)}::text[], ${col((e) => e.activityId)}::uuid[], ${col((e) => e.delta)}::float8[],
      ${col((e) => e.explanation)}::text[])
      AS t(id, contact_id, definition_id, at, fit, engagement, rating, cell, cause, activity_id, delta, explanation)`.execute(trx);
}

/** Newest first, cursor on the (time-ordered) id. */
export async function listScoreEvents(db: DbOrTrx, workspaceId: string, contactId: string, page: PageRequest): Promise<Page<ScoreEvent>> {
  let q = db.selectFrom('score_event').selectAll().where('workspace_id', '=', workspaceId).where('contact_id', '=', contactId);
  if (page.cursor) q = q.where('id', '<', page.cursor);
  const rows = await q.orderBy('id', 'desc').limit(page.limit + 1).execute();
  return toPage(rows, page.limit, (r) => ({
    id: r.id, contactId: r.contact_id, definitionId: r.definition_id, at: r.at, fit: r.fit, engagement: r.engagement, rating: r.rating,
    cell: r.cell, cause: r.cause as ScoreCause, activityId: r.activity_id, delta: r.delta, explanation: r.explanation,
  }));
}

export type HighIntentSignal = {
  id: string; contactId: string; leadId: string | null; activityId: string; definitionId: string; via: 'content' | 'url'; detail: string; at: Date;
};

export async function insertHighIntentSignals(trx: Trx, workspaceId: string, signals: Omit<HighIntentSignal, 'id'>[]): Promise<HighIntentSignal[]> {
  if (!signals.length) return [];
  // Column arrays (unnest): 8 parameters whatever the batch size, not 9 per signal.
  const out = signals.map((s) => ({ ...s, id: newId(s.at.getTime()) }));
  const col = <T>(f: (s: HighIntentSignal) => T) => out.map(f);
  await sql`INSERT INTO high_intent_signal (workspace_id, id, contact_id, lead_id, activity_id, definition_id, via, detail, at)
    SELECT ${workspaceId}, id, contact_id, lead_id, activity_id, definition_id, via, detail, at
    FROM unnest(${col((s) => s.id)}::uuid[], ${col((s) => s.contactId)}::uuid[], ${col((s) => s.leadId)}::uuid[], ${col((s) => s.activityId)}::uuid[],
      ${col((s) => s.definitionId)}::uuid[], ${col((s) => s.via)}::text[], ${col((s) => s.detail)}::text[], ${col((s) => s.at)}::timestamptz[])
      AS t(id, contact_id, lead_id, activity_id, definition_id, via, detail, at)`.execute(trx);
  return out;
}

export async function listHighIntentSignals(db: DbOrTrx, workspaceId: string, filter: { contactId?: string }, page: PageRequest): Promise<Page<HighIntentSignal>> {
  let q = db.selectFrom('high_intent_signal').selectAll().where('workspace_id', '=', workspaceId);
  if (filter.contactId) q = q.where('contact_id', '=', filter.contactId);
  if (page.cursor) q = q.where('id', '<', page.cursor);
  const rows = await q.orderBy('id', 'desc').limit(page.limit + 1).execute();
  return toPage(rows, page.limit, (r) => ({ id: r.id, contactId: r.contact_id, leadId: r.lead_id, activityId: r.activity_id, definitionId: r.definition_id, via: r.via as 'content' | 'url', detail: r.detail, at: r.at }));
}

export type LeadScoreSnapshot = { leadId: string; fitScore: number; engagementScore: number; rating: string; definitionId: string };

/** Updates the score snapshot of several leads in one statement. */
export async function writeLeadSnapshots(trx: Trx, workspaceId: string, snapshots: LeadScoreSnapshot[], at: Date): Promise<void> {
  if (!snapshots.length) return;
  const values = sql.join(snapshots.map((s) => sql`(${s.leadId}::uuid, ${s.fitScore}::numeric, ${s.engagementScore}::numeric, ${s.rating}::text, ${s.definitionId}::uuid)`));
  await sql`UPDATE lead SET fit_score = v.fit, engagement_score = v.eng, rating = v.rating, definition_id = v.def, updated_at = ${at}
    FROM (VALUES ${values}) AS v(id, fit, eng, rating, def)
    WHERE lead.workspace_id = ${workspaceId} AND lead.id = v.id`.execute(trx);
}

/** Open leads (not won, lost or disqualified) of these contacts, by contact. */
export async function openLeadsByContact(db: DbOrTrx, workspaceId: string, contactIds: string[]): Promise<Map<string, { id: string; stage: string }>> {
  const out = new Map<string, { id: string; stage: string }>();
  if (!contactIds.length) return out;
  const rows = await db.selectFrom('lead').select(['id', 'contact_id', 'stage']).where('workspace_id', '=', workspaceId)
    .where('contact_id', 'in', [...new Set(contactIds)]).where('stage', 'not in', ['won', 'lost', 'disqualified']).execute();
  for (const r of rows) out.set(r.contact_id, { id: r.id, stage: r.stage });
  return out;
}

/** Contacts of the workspace that ever had a lead (a closed one included). */
export async function contactsWithLeads(db: DbOrTrx, workspaceId: string, contactIds: string[]): Promise<Set<string>> {
  if (!contactIds.length) return new Set();
  const rows = await db.selectFrom('lead').select('contact_id').distinct().where('workspace_id', '=', workspaceId)
    .where('contact_id', 'in', [...new Set(contactIds)]).execute();
  return new Set(rows.map((r) => r.contact_id));
}

/** Open leads by contact and the contacts that ever had a lead, in one query (scoring reads both). */
export async function leadsOfContacts(db: DbOrTrx, workspaceId: string, contactIds: string[]): Promise<{ open: Map<string, { id: string; stage: string }>; hadLeads: Set<string> }> {
  const open = new Map<string, { id: string; stage: string }>();
  const hadLeads = new Set<string>();
  if (!contactIds.length) return { open, hadLeads };
  const rows = await db.selectFrom('lead').select(['id', 'contact_id', 'stage']).where('workspace_id', '=', workspaceId)
    .where('contact_id', 'in', [...new Set(contactIds)]).execute();
  for (const r of rows) {
    hadLeads.add(r.contact_id);
    if (!closedStages.has(r.stage)) open.set(r.contact_id, { id: r.id, stage: r.stage });
  }
  return { open, hadLeads };
}
const closedStages = new Set(['won', 'lost', 'disqualified']);
