import { sql, type Selectable } from 'kysely';
import type { Stage } from '../core/lifecycle.ts';
import type { CadenceRules, EntryRules, ExitRules, TrackStep } from '../core/nurture/nurture-track.schema.ts';
import type { DbOrTrx, Trx } from './db.ts';
import { newId } from './ids.ts';
import type { NurtureEnrollmentTable, NurtureSendTable, NurtureTrackTable } from './schema-nurture.ts';
import { keyKeysetPage, keyKeysetQuery, keysetPage, keysetQuery, type KeyKeyset, type Keyset, type Page, type PageRequest } from './page.ts';

export type NurtureTrack = {
  id: string; name: string; priority: number; entry: EntryRules; steps: TrackStep[]; cadence: CadenceRules; exit: ExitRules;
  active: boolean; createdAt: Date; updatedAt: Date;
};
// Track documents are validated (zod, in the use case) before they are written, so they are trusted here.
const toTrack = (r: Selectable<NurtureTrackTable>): NurtureTrack => ({
  id: r.id, name: r.name, priority: r.priority, entry: r.entry as EntryRules, steps: r.steps as TrackStep[], cadence: r.cadence as CadenceRules,
  exit: r.exit as ExitRules, active: r.active, createdAt: r.created_at, updatedAt: r.updated_at,
});

export type TrackFields = { name: string; priority: number; entry: EntryRules; steps: TrackStep[]; cadence: CadenceRules; exit: ExitRules; active: boolean };

export async function insertTrack(db: DbOrTrx, workspaceId: string, t: TrackFields, at: Date): Promise<NurtureTrack> {
  const row = await db.insertInto('nurture_track').values({
    workspace_id: workspaceId, id: newId(at.getTime()), name: t.name, priority: t.priority, entry: JSON.stringify(t.entry),
    steps: JSON.stringify(t.steps), cadence: JSON.stringify(t.cadence), exit: JSON.stringify(t.exit), active: t.active, updated_at: at,
  }).returningAll().executeTakeFirstOrThrow();
  return toTrack(row);
}

export async function updateTrack(db: DbOrTrx, workspaceId: string, id: string, t: TrackFields, at: Date): Promise<NurtureTrack | null> {
  const row = await db.updateTable('nurture_track').set({
    name: t.name, priority: t.priority, entry: JSON.stringify(t.entry), steps: JSON.stringify(t.steps), cadence: JSON.stringify(t.cadence),
    exit: JSON.stringify(t.exit), active: t.active, updated_at: at,
  }).where('workspace_id', '=', workspaceId).where('id', '=', id).returningAll().executeTakeFirst();
  return row ? toTrack(row) : null;
}

export async function getTrack(db: DbOrTrx, workspaceId: string, id: string): Promise<NurtureTrack | null> {
  const row = await db.selectFrom('nurture_track').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
  return row ? toTrack(row) : null;
}

export async function listTracks(db: DbOrTrx, workspaceId: string, onlyActive = false): Promise<NurtureTrack[]> {
  let q = db.selectFrom('nurture_track').selectAll().where('workspace_id', '=', workspaceId);
  if (onlyActive) q = q.where('active', '=', true);
  return (await q.orderBy('priority', 'desc').orderBy('name').execute()).map(toTrack);
}

/**
 * Highest priority first, then by name, then id (names may repeat): one ascending row (-priority, name, id), so the
 * descending priority needs no second direction; cursor key1 [-priority, name, id].
 */
const trackKeyset: KeyKeyset = {
  keys: [{ expr: sql`(- ${sql.ref('priority')})`, type: 'integer' }, { expr: sql.ref('name'), type: 'text' }, { expr: sql.ref('id'), type: 'uuid' }],
  direction: 'asc',
};

export async function pageTracks(db: DbOrTrx, workspaceId: string, page: PageRequest): Promise<Page<NurtureTrack>> {
  const q = db.selectFrom('nurture_track').selectAll().where('workspace_id', '=', workspaceId);
  return keyKeysetPage(await keyKeysetQuery(q, trackKeyset, page).execute(), trackKeyset, page.limit, toTrack);
}

export type EnrollmentStatus = 'active' | 'paused' | 'exited' | 'finished';
export type NurtureEnrollment = {
  id: string; trackId: string; leadId: string; contactId: string; currentStep: number; status: EnrollmentStatus; nextRunAt: Date | null;
  enteredAt: Date; pausedAt: Date | null; exitedAt: Date | null; exitReason: string | null;
  /** Why it entered: live_inquiry, recycle, sweep, manual, consent (null: not recorded). */
  origin: string | null;
};
const toEnrollment = (r: Selectable<NurtureEnrollmentTable>): NurtureEnrollment => ({
  id: r.id, trackId: r.track_id, leadId: r.lead_id, contactId: r.contact_id, currentStep: r.current_step, status: r.status as EnrollmentStatus,
  nextRunAt: r.next_run_at, enteredAt: r.entered_at, pausedAt: r.paused_at, exitedAt: r.exited_at, exitReason: r.exit_reason,
  origin: r.origin,
});

/**
 * Inserts an active enrollment, or answers null when the contact already has a live one (the
 * partial unique index decides, so concurrent enrollers cannot both win and the caller's
 * transaction is not aborted).
 */
export async function insertEnrollment(trx: Trx, workspaceId: string, e: { trackId: string; leadId: string; contactId: string; at: Date; nextRunAt: Date; origin?: string | null }): Promise<NurtureEnrollment | null> {
  const row = await trx.insertInto('nurture_enrollment').values({
    workspace_id: workspaceId, id: newId(e.at.getTime()), track_id: e.trackId, lead_id: e.leadId, contact_id: e.contactId,
    current_step: 0, status: 'active', next_run_at: e.nextRunAt, entered_at: e.at, paused_at: null, exited_at: null, exit_reason: null,
    origin: e.origin ?? null,
  }).onConflict((oc) => oc.columns(['workspace_id', 'contact_id']).where('status', 'in', ['active', 'paused']).doNothing())
    .returningAll().executeTakeFirst();
  return row ? toEnrollment(row) : null;
}

export async function lockEnrollment(trx: Trx, workspaceId: string, id: string): Promise<NurtureEnrollment | null> {
  const row = await trx.selectFrom('nurture_enrollment').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).forUpdate().executeTakeFirst();
  return row ? toEnrollment(row) : null;
}

/** The contact's live (active or paused) enrollment, locked for the rest of the transaction. */
export async function lockLiveEnrollmentForContact(trx: Trx, workspaceId: string, contactId: string): Promise<NurtureEnrollment | null> {
  const row = await trx.selectFrom('nurture_enrollment').selectAll().where('workspace_id', '=', workspaceId).where('contact_id', '=', contactId)
    .where('status', 'in', ['active', 'paused']).forUpdate().executeTakeFirst();
  return row ? toEnrollment(row) : null;
}

export type EnrollmentPatch = Partial<Pick<NurtureEnrollment, 'currentStep' | 'status' | 'nextRunAt' | 'pausedAt' | 'exitedAt' | 'exitReason'>>;

export async function updateEnrollment(trx: Trx, workspaceId: string, id: string, p: EnrollmentPatch): Promise<NurtureEnrollment> {
  const set: Partial<Record<keyof NurtureEnrollmentTable, unknown>> = {};
  if (p.currentStep !== undefined) set.current_step = p.currentStep;
  if (p.status !== undefined) set.status = p.status;
  if (p.nextRunAt !== undefined) set.next_run_at = p.nextRunAt;
  if (p.pausedAt !== undefined) set.paused_at = p.pausedAt;
  if (p.exitedAt !== undefined) set.exited_at = p.exitedAt;
  if (p.exitReason !== undefined) set.exit_reason = p.exitReason;
  const row = await trx.updateTable('nurture_enrollment').set(set as any).where('workspace_id', '=', workspaceId).where('id', '=', id)
    .returningAll().executeTakeFirstOrThrow();
  return toEnrollment(row);
}

export async function getEnrollment(db: DbOrTrx, workspaceId: string, id: string): Promise<NurtureEnrollment | null> {
  const row = await db.selectFrom('nurture_enrollment').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
  return row ? toEnrollment(row) : null;
}

const enrollmentKeyset: Keyset<Selectable<NurtureEnrollmentTable>> = { id: 'id', idOf: (r) => r.id, direction: 'asc' };

/** A page of enrollments, oldest first (UUIDv7 ids). */
export async function listEnrollments(db: DbOrTrx, workspaceId: string, filter: { leadId?: string; contactId?: string; trackId?: string }, page: PageRequest): Promise<Page<NurtureEnrollment>> {
  let q = db.selectFrom('nurture_enrollment').selectAll().where('workspace_id', '=', workspaceId);
  if (filter.leadId) q = q.where('lead_id', '=', filter.leadId);
  if (filter.contactId) q = q.where('contact_id', '=', filter.contactId);
  if (filter.trackId) q = q.where('track_id', '=', filter.trackId);
  return keysetPage(await keysetQuery(q, enrollmentKeyset, page).execute(), enrollmentKeyset, page.limit, toEnrollment);
}

/** Active enrollments due at `now`, oldest first, across workspaces (the safety-net sweep and tests). */
export async function listDueEnrollments(db: DbOrTrx, now: Date, limit: number, workspaceId?: string): Promise<{ workspaceId: string; id: string }[]> {
  let q = db.selectFrom('nurture_enrollment').select(['workspace_id', 'id']).where('status', '=', 'active').where('next_run_at', '<=', now);
  if (workspaceId) q = q.where('workspace_id', '=', workspaceId);
  const rows = await q.orderBy('next_run_at').limit(limit).execute();
  return rows.map((r) => ({ workspaceId: r.workspace_id, id: r.id }));
}

export type NurtureCandidate = {
  leadId: string; contactId: string; stage: Stage; rating: string | null; recycleCount: number; lastReasonCode: string | null; recheckAt: Date | null;
  source: string | null; email: string | null; consent: Record<string, unknown>; unsubscribedAt: Date | null; persona: string | null; priorTrackIds: string[];
};

/** Open leads in the given stages whose contact has no live enrollment: who the enroll sweep considers. */
export async function listNurtureCandidates(db: DbOrTrx, workspaceId: string, stages: readonly Stage[], limit: number, afterLeadId?: string): Promise<NurtureCandidate[]> {
  if (stages.length === 0) return [];
  const rows = await db.selectFrom('lead as l').innerJoin('contact as c', (j) => j.onRef('c.workspace_id', '=', 'l.workspace_id').onRef('c.id', '=', 'l.contact_id'))
    .select(['l.id as lead_id', 'l.contact_id', 'l.stage', 'l.rating', 'l.recycle_count', 'l.last_reason_code', 'l.recheck_at', 'l.source', 'c.email', 'c.consent', 'c.unsubscribed_at', 'c.attributes'])
    .select(() => sql<string[]>`coalesce((SELECT array_agg(DISTINCT e.track_id) FROM nurture_enrollment e WHERE e.workspace_id = l.workspace_id AND e.lead_id = l.id), '{}')`.as('prior'))
    .where('l.workspace_id', '=', workspaceId).where('l.stage', 'in', [...stages])
    .where((eb) => eb.not(eb.exists(eb.selectFrom('nurture_enrollment as e').select('e.id')
      .whereRef('e.workspace_id', '=', 'l.workspace_id').whereRef('e.contact_id', '=', 'l.contact_id').where('e.status', 'in', ['active', 'paused']))))
    .$if(afterLeadId !== undefined, (q) => q.where('l.id', '>', afterLeadId!))
    .orderBy('l.id').limit(limit).execute();
  return rows.map((r) => ({
    leadId: r.lead_id, contactId: r.contact_id, stage: r.stage as Stage, rating: r.rating, recycleCount: r.recycle_count, lastReasonCode: r.last_reason_code,
    recheckAt: r.recheck_at, source: r.source, email: r.email, consent: r.consent, unsubscribedAt: r.unsubscribed_at,
    persona: typeof r.attributes.persona === 'string' ? r.attributes.persona : null, priorTrackIds: r.prior,
  }));
}

/** The tracks a lead has been through (any status): a lead does not go through a track twice in one buying cycle. */
export async function priorTrackIdsOfLead(db: DbOrTrx, workspaceId: string, leadId: string): Promise<Set<string>> {
  const rows = await db.selectFrom('nurture_enrollment').select('track_id').distinct()
    .where('workspace_id', '=', workspaceId).where('lead_id', '=', leadId).execute();
  return new Set(rows.map((r) => r.track_id));
}

export type SendStatus = 'sent' | 'skipped' | 'failed' | 'bounced';
export type NurtureSend = {
  id: string; enrollmentId: string; trackId: string; contactId: string; stepIndex: number; assetId: string | null; status: SendStatus;
  reason: string | null; messageId: string | null; at: Date; openedAt: Date | null; clickedAt: Date | null; unsubscribedAt: Date | null;
};
const toSend = (r: Selectable<NurtureSendTable>): NurtureSend => ({
  id: r.id, enrollmentId: r.enrollment_id, trackId: r.track_id, contactId: r.contact_id, stepIndex: r.step_index, assetId: r.asset_id,
  status: r.status as SendStatus, reason: r.reason, messageId: r.message_id, at: r.at, openedAt: r.opened_at, clickedAt: r.clicked_at,
  unsubscribedAt: r.unsubscribed_at,
});

export type NewSend = Omit<NurtureSend, 'openedAt' | 'clickedAt' | 'unsubscribedAt' | 'id'> & { id?: string };

export async function insertSend(trx: Trx, workspaceId: string, s: NewSend): Promise<NurtureSend> {
  const row = await trx.insertInto('nurture_send').values({
    workspace_id: workspaceId, id: s.id ?? newId(s.at.getTime()), enrollment_id: s.enrollmentId, track_id: s.trackId, contact_id: s.contactId,
    step_index: s.stepIndex, asset_id: s.assetId, status: s.status, reason: s.reason, message_id: s.messageId, at: s.at,
    opened_at: null, clicked_at: null, unsubscribed_at: null,
  }).returningAll().executeTakeFirstOrThrow();
  return toSend(row);
}

export async function getSend(db: DbOrTrx, workspaceId: string, id: string): Promise<NurtureSend | null> {
  const row = await db.selectFrom('nurture_send').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
  return row ? toSend(row) : null;
}

/** Records the first open / click / unsubscribe of a send (later ones keep the first time). */
export async function markSend(db: DbOrTrx, workspaceId: string, id: string, what: 'opened_at' | 'clicked_at' | 'unsubscribed_at', at: Date): Promise<void> {
  await db.updateTable('nurture_send').set({ [what]: sql`coalesce(${sql.ref(what)}, ${at})` } as any)
    .where('workspace_id', '=', workspaceId).where('id', '=', id).execute();
}

/** The latest send attempt of an enrollment that actually went out (what branches look at). */
export async function lastSentOfEnrollment(db: DbOrTrx, workspaceId: string, enrollmentId: string): Promise<NurtureSend | null> {
  const row = await db.selectFrom('nurture_send').selectAll().where('workspace_id', '=', workspaceId).where('enrollment_id', '=', enrollmentId)
    .where('status', '=', 'sent').orderBy('at', 'desc').orderBy('id', 'desc').executeTakeFirst();
  return row ? toSend(row) : null;
}

export async function sendsToContactSince(db: DbOrTrx, workspaceId: string, contactId: string, since: Date): Promise<NurtureSend[]> {
  const rows = await db.selectFrom('nurture_send').selectAll().where('workspace_id', '=', workspaceId).where('contact_id', '=', contactId)
    .where('at', '>=', since).orderBy('at').execute();
  return rows.map(toSend);
}

export async function countFailedAttempts(db: DbOrTrx, workspaceId: string, enrollmentId: string, stepIndex: number, since: Date): Promise<number> {
  const row = await db.selectFrom('nurture_send').select((eb) => eb.fn.countAll<number>().as('n')).where('workspace_id', '=', workspaceId)
    .where('enrollment_id', '=', enrollmentId).where('step_index', '=', stepIndex).where('status', '=', 'failed').where('at', '>=', since).executeTakeFirstOrThrow();
  return Number(row.n);
}

/** What a contact consumed: content views, downloads and email clicks with a known asset, with its stage. */
export async function consumedContent(db: DbOrTrx, workspaceId: string, contactId: string): Promise<{ assetId: string; stage: string | null; format: string; at: Date }[]> {
  const rows = await db.selectFrom('activity as a').innerJoin('content_asset as c', (j) => j.onRef('c.workspace_id', '=', 'a.workspace_id').onRef('c.id', '=', 'a.content_id'))
    .select(['a.content_id', 'c.buying_stage', 'c.format', 'a.occurred_at']).where('a.workspace_id', '=', workspaceId).where('a.contact_id', '=', contactId)
    .where('a.type', 'in', ['content_view', 'content_download', 'email_click']).orderBy('a.occurred_at', 'desc').limit(500).execute();
  return rows.map((r) => ({ assetId: r.content_id!, stage: r.buying_stage, format: r.format, at: r.occurred_at }));
}

/** Sets (or clears, with null) a contact's unsubscribe time. */
export async function setContactUnsubscribed(db: DbOrTrx, workspaceId: string, contactId: string, unsubscribedAt: Date | null, now: Date): Promise<void> {
  await db.updateTable('contact').set({ unsubscribed_at: unsubscribedAt, updated_at: now })
    .where('workspace_id', '=', workspaceId).where('id', '=', contactId).execute();
}

/** Stores `value` under settings[key] unless a value is already there; answers the value that won. */
export async function ensureWorkspaceSetting(db: DbOrTrx, workspaceId: string, key: string, value: unknown): Promise<unknown> {
  await db.updateTable('workspace').set({ settings: sql`settings || jsonb_build_object(${key}::text, ${JSON.stringify(value)}::jsonb)` as any })
    .where('id', '=', workspaceId).where(sql<boolean>`NOT (settings ? ${key})`).execute();
  const row = await db.selectFrom('workspace').select('settings').where('id', '=', workspaceId).executeTakeFirst();
  return row?.settings[key];
}

/** Enrollments of these contacts a merge ended at `at` (status exited, reason merged): their pending ticks are to be dropped. */
export async function listEnrollmentsExitedByMerge(trx: Trx, workspaceId: string, contactIds: readonly string[], at: Date): Promise<string[]> {
  if (!contactIds.length) return [];
  const rows = await trx.selectFrom('nurture_enrollment').select('id')
    .where('workspace_id', '=', workspaceId).where('contact_id', '=', sql<string>`ANY(${[...contactIds]}::uuid[])`)
    .where('status', '=', 'exited').where('exit_reason', '=', 'merged').where('exited_at', '=', at).execute();
  return rows.map((r) => r.id);
}
