import { historyPath, type HistoryStep } from '../../core/lead-history.rules.ts';
import { closedStages, type Stage } from '../../core/lifecycle.ts';
import { withStageHistories } from '../../core/stage-history-summary.rules.ts';
import type { Trx } from '../../storage/db.ts';
import { insertExternalRefsBulk, insertLeadsBulk, insertTransitionsBulk, type LeadInsert, type TransitionInsert } from '../../storage/import-bulk.repo.ts';
import { findExternalRefs, findLeadStates, setLeadStagesBulk, type LeadStageSet } from '../../storage/import-match.repo.ts';
import { newId } from '../../storage/ids.ts';
import { rowError, writeInOrder, type ChunkOutcome, type ImportContext } from './import-context.ts';
import type { LeadScoreValues } from './score-imported.ts';

export const LEAD_REF = 'lead';

/** Where the file says a person's lead is, and when it got to each stage (when the export knows). */
export type LeadTarget = {
  row: number; raw: string[]; contactId: string; accountId: string | null; externalId: string | null; stage: Stage;
  createdAt: Date | null; source: string | null; stageDates: Partial<Record<Stage, Date>>; statusField: string;
  /** A stage a new lead's history passes through on the way (HubSpot: the lifecycle stage before the lead status). */
  via?: Stage;
};

export type LeadTargetOutcome = {
  leadIds: Map<number, string>; changedRows: Set<number>; opened: number; moved: number; unchanged: number;
  /** Contacts whose new open lead was inserted with its score snapshot. */
  snapshotted: Set<string>;
};

/**
 * Opens or moves each person's lead to the stage the file gives, with a history that obeys the
 * lifecycle table (historyPath). A lead is found by its external id (import_external_ref), else it
 * is the contact's open lead. Each step is dated by the export's own date for that stage when it
 * has one (HubSpot's "Became a ... Date"), else by the previous step's date (never earlier: a
 * history does not run backwards); a new lead starts at its created date, a moved one at now.
 */
export async function applyLeadTargets(
  trx: Trx, ctx: ImportContext, targets: LeadTarget[], outcome: ChunkOutcome,
  /** contacts files: the person's latest lead counts even when closed (a re-imported customer), and an unreachable stage is a warning. */
  mode: 'leads' | 'contacts' = 'leads',
  /** Score snapshots by contact, taken before the leads are written: a new open lead carries its own. */
  snapshots?: ReadonlyMap<string, LeadScoreValues>,
): Promise<LeadTargetOutcome> {
  const result: LeadTargetOutcome = { leadIds: new Map(), changedRows: new Set(), opened: 0, moved: 0, unchanged: 0, snapshotted: new Set() };
  if (targets.length === 0) return result;
  const refs = await findExternalRefs(trx, ctx.workspaceId, LEAD_REF, targets.flatMap((t) => (t.externalId ? [t.externalId] : [])));
  // A contact this transaction created has no lead yet: only the others are looked up (and locked).
  const known = targets.flatMap((t) => (outcome.newContactIds.has(t.contactId) ? [] : [t.contactId]));
  const states = await findLeadStates(trx, ctx.workspaceId, [...refs.values()], known, mode === 'contacts');
  const leads: LeadInsert[] = [];
  const moves: LeadStageSet[] = [];
  const transitions: TransitionInsert[] = [];
  const newRefs: { externalId: string; recordId: string }[] = [];
  const note = `imported from ${ctx.preset} CSV`;
  for (const t of targets) {
    const refLead = t.externalId ? refs.get(t.externalId) : undefined;
    const current = (refLead ? states.byId.get(refLead) : undefined) ?? states.openByContact.get(t.contactId)
      ?? (mode === 'contacts' ? states.latestByContact.get(t.contactId) : undefined);
    if (current) {
      result.leadIds.set(t.row, current.id);
      if (t.externalId && !refLead) newRefs.push({ externalId: t.externalId, recordId: current.id });
      if (current.stage === t.stage) { result.unchanged++; continue; }
      const path = historyPath(current.stage as Stage, t.stage, ctx.taxonomy);
      // Already past the file's stage (a deal moved it on since the export): nothing to do.
      if (!path.ok && historyPath(t.stage, current.stage as Stage, ctx.taxonomy).ok) { result.unchanged++; continue; }
      if (!path.ok) {
        // A contacts file keeps its row (the person is imported); only the lead stays where it is.
        if (mode === 'contacts') {
          outcome.errors.push({ ...rowError(ctx, t, t.statusField, `warning: lead ${current.id} is at ${current.stage} and stays there; ${path.message}`), warning: true });
        } else {
          outcome.skipped++;
          outcome.errors.push(rowError(ctx, t, t.statusField, `lead ${current.id} is at ${current.stage}; ${path.message}`));
        }
        continue;
      }
      const dated = datedSteps(path.value, earliest(pick(t.stageDates, path.value)) ?? ctx.now, t.stageDates);
      transitions.push(...toTransitions(current.id, dated, `${note}: status changed in the source`));
      moves.push(stageSet(current.id, t.stage, dated));
      result.changedRows.add(t.row);
      result.moved++;
      continue;
    }
    const path = walkViaOnce(t, ctx);
    if (!path.ok) {
      outcome.skipped++;
      outcome.errors.push(rowError(ctx, t, t.statusField, path.message));
      continue;
    }
    const openedAt = t.stageDates.inquiry ?? t.createdAt ?? earliest(t.stageDates) ?? ctx.now;
    const dated = datedSteps(path.value, openedAt, t.stageDates);
    const last = dated[dated.length - 1]?.at ?? openedAt;
    const id = newId(openedAt.getTime());
    const mqlAt = dated.find((s) => s.to === 'mql')?.at ?? null;
    const closed = closedStages.includes(t.stage);
    // Only open leads carry a snapshot (as writeLeadSnapshots gives open leads only).
    const snapshot = closed ? undefined : snapshots?.get(t.contactId);
    if (snapshot) result.snapshotted.add(t.contactId);
    leads.push({
      id, contactId: t.contactId, accountId: t.accountId, stage: t.stage, ownerId: null, openedAt, stageEnteredAt: last,
      closedAt: closed ? last : null, mqlAt, source: t.source, firstTouchAt: t.createdAt, score: snapshot && { ...snapshot, at: ctx.now },
    });
    const known = Object.keys(t.stageDates).length > 0;
    const stepNote = path.value.length === 0 ? note
      : known ? `${note}; steps dated by the export's stage dates (a step without one takes the previous step's date)`
      : `${note}; only the current status is known, so every stage is dated at the created date`;
    transitions.push(...toTransitions(id, [{ from: null, to: 'inquiry', reasonCode: null, at: openedAt }, ...dated], stepNote));
    if (t.externalId) newRefs.push({ externalId: t.externalId, recordId: id });
    result.leadIds.set(t.row, id);
    result.changedRows.add(t.row);
    result.opened++;
  }
  // Queued in this order: the next statement's rows are encoded while the server writes the previous ones.
  await writeInOrder([
    insertLeadsBulk(trx, ctx.workspaceId, withStageHistories(leads, transitions)), setLeadStagesBulk(trx, ctx.workspaceId, moves),
    insertTransitionsBulk(trx, ctx.workspaceId, transitions), insertExternalRefsBulk(trx, ctx.workspaceId, LEAD_REF, newRefs),
  ]);
  return result;
}

// historyPath is pure and a file has a handful of (via, stage) pairs: walked once per pair and taxonomy
// (its steps are read, never changed, by datedSteps and toTransitions).
const walks = new WeakMap<readonly unknown[], Map<string, ReturnType<typeof walkVia>>>();
function walkViaOnce(t: LeadTarget, ctx: ImportContext) {
  let known = walks.get(ctx.taxonomy);
  if (!known) { known = new Map(); walks.set(ctx.taxonomy, known); }
  const key = `${t.via ?? ''}>${t.stage}`;
  let path = known.get(key);
  if (!path) { path = walkVia(t, ctx); known.set(key, path); }
  return path;
}

function walkVia(t: LeadTarget, ctx: ImportContext) {
  if (!t.via || t.via === 'inquiry' || t.via === t.stage) return historyPath('inquiry', t.stage, ctx.taxonomy);
  const first = historyPath('inquiry', t.via, ctx.taxonomy);
  const second = historyPath(t.via, t.stage, ctx.taxonomy);
  if (!first.ok) return first;
  return second.ok ? { ok: true as const, value: [...first.value, ...second.value] } : second;
}

type DatedStep = { from: Stage | null; to: Stage; reasonCode: string | null; at: Date };

function earliest(dates: Partial<Record<Stage, Date>>): Date | null {
  const all = Object.values(dates);
  return all.length ? new Date(Math.min(...all.map((d) => d.getTime()))) : null;
}

const pick = (dates: Partial<Record<Stage, Date>>, steps: HistoryStep[]) => Object.fromEntries(steps.flatMap((s) => (dates[s.to] ? [[s.to, dates[s.to]!]] : [])));

/**
 * Dates a walk from `start`: each step takes its stage's date from the export when it has one
 * later than the previous step, else the previous step's date (a history never runs backwards).
 */
export function datedSteps(steps: HistoryStep[], start: Date, dates: Partial<Record<Stage, Date>>): DatedStep[] {
  let at = start;
  return steps.map((s) => {
    const own = dates[s.to];
    if (own && own > at) at = own;
    return { ...s, at };
  });
}

export function toTransitions(leadId: string, steps: DatedStep[], note: string): TransitionInsert[] {
  return steps.map((s) => ({ id: newId(s.at.getTime()), leadId, from: s.from, to: s.to, at: s.at, actorType: 'system', actorId: null, reasonCode: s.reasonCode, note, isRecycle: false }));
}

export function stageSet(id: string, stage: Stage, steps: DatedStep[]): LeadStageSet {
  const at = steps[steps.length - 1]!.at;
  return {
    id, stage, at, closes: closedStages.includes(stage), mqlAt: steps.find((s) => s.to === 'mql')?.at ?? null, recycles: 0,
    reasonCode: [...steps].reverse().find((s) => s.reasonCode)?.reasonCode ?? null,
  };
}
