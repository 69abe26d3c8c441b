import { historyPath } from '../../core/lead-history.rules.ts';
import { closedStages, type Stage } from '../../core/lifecycle.ts';
import type { Trx } from '../../storage/db.ts';
import { insertTransitionsBulk, type TransitionInsert } from '../../storage/import-bulk.repo.ts';
import { findPendingConversions, linkDealLeads, type DealLeadPair, type LinkedLead } from '../../storage/import-link.repo.ts';
import { setLeadStagesBulk, type LeadStageSet } from '../../storage/import-match.repo.ts';
import type { ImportContext } from './import-context.ts';
import { datedSteps, stageSet, toTransitions } from './lead-targets.ts';

/** import_external_ref entity of converted leads waiting for their opportunity ('<deal ext id>|<lead id>'). */
export const PENDING_CONVERSION_REF = 'converted_lead';

const waterfall: ReadonlySet<string> = new Set(['inquiry', 'mql', 'sal', 'sql', 'nurture']);
const outcomeRank = { open: 0, lost: 1, won: 2 } as const;

/**
 * Where a linked lead goes — the lead↔deal rule (issue 13 item 4, `src/app/lead-opportunity.ts`
 * for the API) applied to imported data: linking moves a lead that has not reached a deal to
 * `opportunity`; a won or lost deal moves its linked leads to `won` or `lost` (lost with the
 * taxonomy's neutral lost reason, as every lost move needs one). A closed lead never moves, and a
 * lead already at `opportunity` of an open deal stays. Never opens a deal.
 */
export function linkedLeadTarget(stage: string, deal: 'open' | 'won' | 'lost'): Stage | null {
  if (closedStages.includes(stage as Stage)) return null;
  if (deal === 'open') return waterfall.has(stage) ? 'opportunity' : null;
  return deal;
}

/** `linked`: links written now (existing ones are kept, not counted); `moved`: leads whose stage the links changed. */
export type LinkOutcome = { linked: number; moved: number; unmoved: { leadId: string; reason: string }[] };

/**
 * Links leads to deals set-based (pairs by deal id or external id, lead or contact) plus the
 * converted leads waiting for `pendingFor` deals, then moves the linked leads by the rule above with
 * dated histories: steps up to `opportunity` at the deal's creation, won/lost at its close (never
 * before the lead's current stage began).
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
  for (const l of byLead.values()) {
    const target = linkedLeadTarget(l.stage, l.status);
    if (!target || target === l.stage) continue;
    const path = historyPath(l.stage as Stage, target, ctx.taxonomy);
    if (!path.ok) { out.unmoved.push({ leadId: l.leadId, reason: path.message }); continue; }
    const opened = l.createdAt > l.stageEnteredAt ? l.createdAt : l.stageEnteredAt;
    const dated = datedSteps(path.value, opened, target === 'opportunity' ? {} : { [target]: l.closedAt ?? ctx.now });
    transitions.push(...toTransitions(l.leadId, dated, `imported from ${ctx.preset} CSV: linked to deal ${l.opportunityId} (${l.status})`));
    moves.push(stageSet(l.leadId, target, dated));
    out.moved++;
  }
  await setLeadStagesBulk(trx, ctx.workspaceId, moves);
  await insertTransitionsBulk(trx, ctx.workspaceId, transitions);
  return out;
}
