import { sql } from 'kysely';
import { slaClockSchema, type SlaClock } from '../core/sla/sla-clock.rules.ts';
import type { DbOrTrx, Trx } from './db.ts';
import { newId } from './ids.ts';
import './schema-handoff.ts';

/** A persisted clock: the core's SlaClock JSON plus the row id, and the lead it runs for. */
export type StoredClock = { id: string; leadId: string; clock: SlaClock };

const toStored = (r: { id: string; lead_id: string; clock: Record<string, unknown> }): StoredClock => ({
  id: r.id, leadId: r.lead_id, clock: slaClockSchema.parse(r.clock),
});

export async function listRunningClocks(db: DbOrTrx, workspaceId: string, leadId: string): Promise<StoredClock[]> {
  const rows = await db.selectFrom('sla_clock').select(['id', 'lead_id', 'clock']).where('workspace_id', '=', workspaceId)
    .where('lead_id', '=', leadId).where('stopped_at', 'is', null).orderBy('started_at').orderBy('id').execute();
  return rows.map(toStored);
}

export async function listClocksForLead(db: DbOrTrx, workspaceId: string, leadId: string): Promise<StoredClock[]> {
  const rows = await db.selectFrom('sla_clock').select(['id', 'lead_id', 'clock']).where('workspace_id', '=', workspaceId)
    .where('lead_id', '=', leadId).orderBy('started_at').orderBy('id').execute();
  return rows.map(toStored);
}

/**
 * The open (not stopped) clocks of a page of leads, in one query (lead_id = ANY(...)), never one per
 * lead. Keyed by lead id; leads without an open clock are absent.
 */
export async function listOpenClocksForLeads(db: DbOrTrx, workspaceId: string, leadIds: readonly string[]): Promise<Map<string, StoredClock[]>> {
  const out = new Map<string, StoredClock[]>();
  if (!leadIds.length) return out;
  const rows = await db.selectFrom('sla_clock').select(['id', 'lead_id', 'clock']).where('workspace_id', '=', workspaceId)
    .where(sql<boolean>`lead_id = ANY(${[...new Set(leadIds)]}::uuid[])`).where('stopped_at', 'is', null)
    .orderBy('lead_id').orderBy('due_at').orderBy('id').execute();
  for (const row of rows) {
    const stored = toStored(row);
    const list = out.get(stored.leadId);
    if (list) list.push(stored);
    else out.set(stored.leadId, [stored]);
  }
  return out;
}

function columns(clock: SlaClock, state: string) {
  return {
    kind: clock.kind, owner_id: clock.ownerId, clock: JSON.stringify(clock), state, started_at: clock.startedAt, due_at: clock.dueAt,
    stopped_at: clock.stoppedAt, stop_reason: clock.stopReason,
  };
}

export async function insertClock(trx: Trx, workspaceId: string, leadId: string, clock: SlaClock, state: string): Promise<StoredClock> {
  const id = newId(clock.startedAt.getTime());
  await trx.insertInto('sla_clock').values({ workspace_id: workspaceId, id, lead_id: leadId, ...columns(clock, state) }).execute();
  return { id, leadId, clock };
}

export async function updateClock(trx: Trx, workspaceId: string, id: string, clock: SlaClock, state: string): Promise<void> {
  const { kind: _kind, ...rest } = columns(clock, state);
  await trx.updateTable('sla_clock').set(rest).where('workspace_id', '=', workspaceId).where('id', '=', id).execute();
}

export type NewEscalation = {
  leadId: string; clockId: string; kind: string; stepIndex: number; action: string; recipientId: string | null;
  fromOwnerId: string | null; toOwnerId: string | null; queue: string | null; reason: string; at: Date;
};

export async function insertEscalation(trx: Trx, workspaceId: string, e: NewEscalation): Promise<void> {
  await trx.insertInto('sla_escalation').values({
    workspace_id: workspaceId, id: newId(e.at.getTime()), lead_id: e.leadId, clock_id: e.clockId, kind: e.kind, step_index: e.stepIndex,
    action: e.action, recipient_id: e.recipientId, from_owner_id: e.fromOwnerId, to_owner_id: e.toOwnerId, queue: e.queue, reason: e.reason, at: e.at,
  }).execute();
}

export async function listEscalations(db: DbOrTrx, workspaceId: string, leadId: string): Promise<(NewEscalation & { id: string })[]> {
  const rows = await db.selectFrom('sla_escalation').selectAll().where('workspace_id', '=', workspaceId).where('lead_id', '=', leadId)
    .orderBy('at').orderBy('id').execute();
  return rows.map((r) => ({
    id: r.id, leadId: r.lead_id, clockId: r.clock_id, kind: r.kind, stepIndex: r.step_index, action: r.action, recipientId: r.recipient_id,
    fromOwnerId: r.from_owner_id, toOwnerId: r.to_owner_id, queue: r.queue, reason: r.reason, at: r.at,
  }));
}

/** Leads (across workspaces: this is the worker's sweep) with a running clock past due or with a step due. */
export async function listLeadsWithOverdueClocks(db: DbOrTrx, now: Date, limit: number): Promise<{ workspaceId: string; leadId: string }[]> {
  const rows = await db.selectFrom('sla_clock').select(['workspace_id', 'lead_id']).distinct()
    .where('stopped_at', 'is', null).where('due_at', '<=', now).limit(limit).execute();
  return rows.map((r) => ({ workspaceId: r.workspace_id, leadId: r.lead_id }));
}
