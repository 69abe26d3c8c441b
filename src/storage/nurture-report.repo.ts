import { sql } from 'kysely';
import type { DbOrTrx } from './db.ts';

export type EnrollmentFact = {
  trackId: string; leadId: string; status: string; exitReason: string | null; enteredAt: Date; leadOpenedAt: Date; mqlAfterEntryAt: Date | null;
  origin: string | null;
};

/**
 * Every enrollment with its lead's opening time and its first MQL transition after entering the
 * track. At equal times the time-ordered ids decide (a recycle enrolls in the same instant as the
 * MQL it follows; that MQL does not count for the track).
 */
export async function listEnrollmentFacts(db: DbOrTrx, workspaceId: string): Promise<EnrollmentFact[]> {
  const rows = await db.selectFrom('nurture_enrollment as e')
    .innerJoin('lead as l', (j) => j.onRef('l.workspace_id', '=', 'e.workspace_id').onRef('l.id', '=', 'e.lead_id'))
    .select(['e.track_id', 'e.lead_id', 'e.status', 'e.exit_reason', 'e.entered_at', 'e.origin', 'l.opened_at'])
    .select(sql<Date | null>`(SELECT min(t.at) FROM stage_transition t WHERE t.workspace_id = e.workspace_id AND t.lead_id = e.lead_id AND t.to_stage = 'mql' AND (t.at > e.entered_at OR (t.at = e.entered_at AND t.id > e.id)))`.as('mql_at'))
    .where('e.workspace_id', '=', workspaceId).limit(200_000).execute();
  return rows.map((r) => ({ trackId: r.track_id, leadId: r.lead_id, status: r.status, exitReason: r.exit_reason, enteredAt: r.entered_at, leadOpenedAt: r.opened_at, mqlAfterEntryAt: r.mql_at, origin: r.origin }));
}

/** Leads never in a track that became MQL: when they opened and when they first became MQL (the comparison group). */
export async function listUnnurturedMqlTimes(db: DbOrTrx, workspaceId: string): Promise<{ openedAt: Date; mqlAt: Date }[]> {
  const rows = await db.selectFrom('lead as l')
    .select(['l.opened_at', sql<Date>`(SELECT min(t.at) FROM stage_transition t WHERE t.workspace_id = l.workspace_id AND t.lead_id = l.id AND t.to_stage = 'mql')`.as('mql_at')])
    .where('l.workspace_id', '=', workspaceId)
    .where((eb) => eb.not(eb.exists(eb.selectFrom('nurture_enrollment as e').select('e.id').whereRef('e.workspace_id', '=', 'l.workspace_id').whereRef('e.lead_id', '=', 'l.id'))))
    .where((eb) => eb.exists(eb.selectFrom('stage_transition as t').select('t.id').whereRef('t.workspace_id', '=', 'l.workspace_id').whereRef('t.lead_id', '=', 'l.id').where('t.to_stage', '=', 'mql')))
    .limit(200_000).execute();
  return rows.map((r) => ({ openedAt: r.opened_at, mqlAt: r.mql_at }));
}

export type StepCounts = { trackId: string; stepIndex: number; sent: number; skipped: number; failed: number; bounced: number; opened: number; clicked: number; unsubscribed: number };

export async function listStepCounts(db: DbOrTrx, workspaceId: string): Promise<StepCounts[]> {
  const rows = await db.selectFrom('nurture_send').select(['track_id', 'step_index'])
    .select(sql<number>`count(*) FILTER (WHERE status = 'sent')`.as('sent'))
    .select(sql<number>`count(*) FILTER (WHERE status = 'skipped')`.as('skipped'))
    .select(sql<number>`count(*) FILTER (WHERE status = 'failed')`.as('failed'))
    .select(sql<number>`count(*) FILTER (WHERE status = 'bounced')`.as('bounced'))
    .select(sql<number>`count(opened_at)`.as('opened'))
    .select(sql<number>`count(clicked_at)`.as('clicked'))
    .select(sql<number>`count(unsubscribed_at)`.as('unsubscribed'))
    .where('workspace_id', '=', workspaceId).groupBy(['track_id', 'step_index']).orderBy('track_id').orderBy('step_index').execute();
  return rows.map((r) => ({
    trackId: r.track_id, stepIndex: r.step_index, sent: Number(r.sent), skipped: Number(r.skipped), failed: Number(r.failed), bounced: Number(r.bounced),
    opened: Number(r.opened), clicked: Number(r.clicked), unsubscribed: Number(r.unsubscribed),
  }));
}
