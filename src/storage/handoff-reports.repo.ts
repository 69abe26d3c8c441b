import { sql } from 'kysely';
import { slaClockSchema, type SlaClock } from '../core/sla/sla-clock.rules.ts';
import type { DbOrTrx } from './db.ts';
import './schema-handoff.ts';

export type Window = { from: Date; to: Date };

/** Clocks started in the window, with the lead they ran for. */
export async function clocksStartedIn(db: DbOrTrx, workspaceId: string, w: Window): Promise<{ leadId: string; clock: SlaClock }[]> {
  const rows = await db.selectFrom('sla_clock').select(['lead_id', 'clock']).where('workspace_id', '=', workspaceId)
    .where('started_at', '>=', w.from).where('started_at', '<', w.to).where('kind', 'in', ['accept', 'first_touch']).orderBy('started_at').execute();
  return rows.map((r) => ({ leadId: r.lead_id, clock: slaClockSchema.parse(r.clock) }));
}

export async function escalationsIn(db: DbOrTrx, workspaceId: string, w: Window): Promise<{ fromOwnerId: string | null }[]> {
  const rows = await db.selectFrom('sla_escalation').select('from_owner_id').where('workspace_id', '=', workspaceId)
    .where('at', '>=', w.from).where('at', '<', w.to).execute();
  return rows.map((r) => ({ fromOwnerId: r.from_owner_id }));
}

export async function reportReps(db: DbOrTrx, workspaceId: string): Promise<{ id: string; name: string; team: string | null }[]> {
  return db.selectFrom('app_user').select(['id', 'name', 'team']).where('workspace_id', '=', workspaceId).orderBy('name').execute();
}

/**
 * Routed MQLs in the window with the times of each hand-off step: the MQL transition, the routing
 * assignment in the same transaction, the first delivery of the owner's alert, and the owner's accept.
 */
export async function handoffTimings(db: DbOrTrx, workspaceId: string, w: Window) {
  const r = await sql<{ lead_id: string; owner_id: string; mql_at: Date; assigned_at: Date; delivered_at: Date | null; accepted_at: Date | null }>`
    SELECT a.lead_id, a.owner_id, t.at AS mql_at, a.at AS assigned_at,
      (SELECT min(al.delivered_at) FROM alert al WHERE al.workspace_id = a.workspace_id AND al.lead_id = a.lead_id AND al.user_id = a.owner_id
         AND al.kind = 'mql_assigned' AND al.created_at >= a.at) AS delivered_at,
      (SELECT min(c.stopped_at) FROM sla_clock c WHERE c.workspace_id = a.workspace_id AND c.lead_id = a.lead_id AND c.owner_id = a.owner_id
         AND c.kind = 'accept' AND c.stop_reason = 'accepted' AND c.started_at >= t.at) AS accepted_at
    FROM assignment a
    JOIN LATERAL (SELECT st.at FROM stage_transition st WHERE st.workspace_id = a.workspace_id AND st.lead_id = a.lead_id
      AND st.to_stage = 'mql' AND st.at <= a.at ORDER BY st.at DESC LIMIT 1) t ON true
    WHERE a.workspace_id = ${workspaceId} AND a.owner_id IS NOT NULL AND a.rule_kind NOT IN ('manual', 'escalation', 'recycle')
      AND a.at >= ${w.from} AND a.at < ${w.to}`.execute(db);
  return r.rows.map((x) => ({ leadId: x.lead_id, ownerId: x.owner_id, mqlAt: x.mql_at, assignedAt: x.assigned_at, alertDeliveredAt: x.delivered_at, acceptedAt: x.accepted_at }));
}

export type RejectionCount = { dimension: 'source' | 'campaign' | 'definition_version'; value: string | null; reasonCode: string; outcome: string | null; count: number };

/**
 * Rejections and hand-backs (sales stage → nurture or disqualified) by reason and source, campaign or
 * definition version. The version is the one that decided: recorded on the lead's latest `→ mql`
 * transition before the rejection (lead.definition_id is rewritten by every activation, so it would
 * file old rejections under the new version). An MQL made by hand has no version.
 */
export async function rejectionCounts(db: DbOrTrx, workspaceId: string, w: Window): Promise<RejectionCount[]> {
  const r = await sql<{ source: string | null; campaign: string | null; version: number | null; reason_code: string; outcome: string | null; n: number }>`
    SELECT l.source, l.campaign, d.version, st.reason_code, rc.outcome, count(*)::int AS n
    FROM stage_transition st
    JOIN lead l ON l.workspace_id = st.workspace_id AND l.id = st.lead_id
    LEFT JOIN LATERAL (SELECT m.definition_id FROM stage_transition m
      WHERE m.workspace_id = st.workspace_id AND m.lead_id = st.lead_id AND m.to_stage = 'mql' AND (m.at, m.id) < (st.at, st.id)
      ORDER BY m.at DESC, m.id DESC LIMIT 1) decided ON true
    LEFT JOIN lead_definition d ON d.workspace_id = st.workspace_id AND d.id = decided.definition_id
    LEFT JOIN reason_code rc ON rc.workspace_id = st.workspace_id AND rc.code = st.reason_code
    WHERE st.workspace_id = ${workspaceId} AND st.from_stage IN ('mql', 'sal', 'sql') AND st.to_stage IN ('nurture', 'disqualified')
      AND st.reason_code IS NOT NULL AND st.at >= ${w.from} AND st.at < ${w.to}
    GROUP BY 1, 2, 3, 4, 5`.execute(db);
  const out = new Map<string, RejectionCount>();
  const add = (dimension: RejectionCount['dimension'], value: string | null, row: typeof r.rows[number]) => {
    const key = `${dimension}|${value}|${row.reason_code}`;
    const existing = out.get(key);
    if (existing) existing.count += row.n;
    else out.set(key, { dimension, value, reasonCode: row.reason_code, outcome: row.outcome, count: row.n });
  };
  for (const row of r.rows) {
    add('source', row.source, row);
    add('campaign', row.campaign, row);
    add('definition_version', row.version === null ? null : String(row.version), row);
  }
  return [...out.values()].sort((a, b) => a.dimension.localeCompare(b.dimension) || b.count - a.count || a.reasonCode.localeCompare(b.reasonCode));
}

/** Every `→ mql` transition of these leads with the definition version recorded on it (null: made by hand), in time order. */
export async function mqlVersionsOfLeads(db: DbOrTrx, workspaceId: string, leadIds: readonly string[]): Promise<{ leadId: string; at: Date; version: number | null }[]> {
  if (!leadIds.length) return [];
  const r = await sql<{ lead_id: string; at: Date; version: number | null }>`
    SELECT st.lead_id, st.at, d.version FROM stage_transition st
    LEFT JOIN lead_definition d ON d.workspace_id = st.workspace_id AND d.id = st.definition_id
    WHERE st.workspace_id = ${workspaceId} AND st.lead_id = ANY(${[...new Set(leadIds)]}::uuid[]) AND st.to_stage = 'mql'
    ORDER BY st.at, st.id`.execute(db);
  return r.rows.map((x) => ({ leadId: x.lead_id, at: x.at, version: x.version }));
}
