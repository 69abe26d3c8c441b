import { leadDealMove } from '../../core/lead-deal.rules.ts';
import { neutralReasonCode } from '../../core/lead-history.rules.ts';
import type { ReasonCode, Stage } from '../../core/lifecycle.ts';
import type { Trx } from '../../storage/db.ts';
import { insertTransitionsBulk, type TransitionInsert } from '../../storage/import-bulk.repo.ts';
import { findPendingConversions, linkDealLeads, type DealLeadPair, type LinkedLead } from '../../storage/import-link.repo.ts';
import { setLeadStagesBulk, type LeadStageSet } from '../../storage/import-match.repo.ts';
import type { ImportContext } from './import-context.ts';
import { datedSteps, stageSet, toTransitions } from './lead-targets.ts';

/** import_external_ref entity of converted leads waiting for their opportunity ('<deal ext id>|<lead id>'). */
export const PENDING_CONVERSION_REF = 'converted_lead';

const outcomeRank = { open: 0, lost: 1, won: 2 } as const;

/**
 * The lost reason a CSV import gives the lead↔deal rule for leads linked to a lost deal. A deal
 * export says that a deal was lost, never why for each lead, and a lost move needs a reason: the
 * import passes the taxonomy's neutral `lost_no_decision` ("No decision"), or the workspace's first
 * lost reason where that code was removed. It is only an input: the rule itself is core's
 * `leadDealMove`, as for the API and the CRM sync.
 */
export function importedDealLostReason(taxonomy: readonly ReasonCode[]): string | null {
  return neutralReasonCode('lost', taxonomy);
}

/** `linked`: links written now (existing ones are kept, not counted); `moved`: leads whose stage the links changed. */
export type LinkOutcome = { linked: number; moved: number; unmoved: { leadId: string; reason: string }[] };

/**
 * Links leads to deals set-based (pairs by deal id or external id, lead or contact) plus the
 * converted leads waiting for `pendingFor` deals, then moves the linked leads by the lead↔deal rule
 * (core `leadDealMove`: the API's and the CRM sync's rule; a closed lead never moves, a lead already at
 * `opportunity` of an open deal stays, never a second deal) with dated histories: steps up to
 * `opportunity` at the deal's creation, won/lost at its close (never before the lead's current stage began).
 */
export async function linkLeadsToDeals(trx: Trx, ctx: ImportContext, input: { pairs?: DealLeadPair[]; byOpportunityExternalId?: { leadId: string; opportunityExternalId: string }[]; pendingFor?: string[] }): Promise<LinkOutcome> {
  const pending = await findPendingConversions(trx, ctx.workspaceId, PENDING_CONVERSION_REF, input.pendingFor ?? []);
  const pairs: DealLeadPair[] = [
    ...(input.pairs ?? []),
    ...[...(input.byOpportunityExternalId ?? []), ...pending].map((p) => ({ opportunityExternalId: p.opportunityExternalId, leadId: p.leadId })),
  ];
  const { leads: linked, newLinks } = await linkDealLeads(trx, ctx.workspaceId, pairs);
  // One move per lead: the most decided of its deals (won over lost over open).
  const byLead = new Map<string, LinkedLead>();
  for (const l of linked) {
    const before = byLead.get(l.leadId);
    if (!before || outcomeRank[l.status] > outcomeRank[before.status]) byLead.set(l.leadId, l);
  }
  const moves: LeadStageSet[] = [];
  const transitions: TransitionInsert[] = [];
  const out: LinkOutcome = { linked: newLinks, moved: 0, unmoved: [] };
  const options = { reasonCode: null, taxonomy: ctx.taxonomy };
  const lostOptions = { reasonCode: importedDealLostReason(ctx.taxonomy), taxonomy: ctx.taxonomy };
  for (const l of byLead.values()) {
    const move = leadDealMove(l.stage as Stage, l.status, l.status === 'lost' ? lostOptions : options);
    if (!move.ok) { out.unmoved.push({ leadId: l.leadId, reason: move.message }); continue; }
    if (!move.value) continue;
    const { to: target, steps } = move.value;
    const opened = l.createdAt > l.stageEnteredAt ? l.createdAt : l.stageEnteredAt;
    const dated = datedSteps(steps, opened, target === 'opportunity' ? {} : { [target]: l.closedAt ?? ctx.now });
    transitions.push(...toTransitions(l.leadId, dated, `imported from ${ctx.preset} CSV: linked to deal ${l.opportunityId} (${l.status})`));
    moves.push(stageSet(l.leadId, target, dated));
    out.moved++;
  }
  await setLeadStagesBulk(trx, ctx.workspaceId, moves);
  await insertTransitionsBulk(trx, ctx.workspaceId, transitions);
  return out;
}
