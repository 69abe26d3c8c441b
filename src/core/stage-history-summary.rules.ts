import { waterfallRank, type Stage } from './lifecycle.ts';

/**
 * What lead_stage_summary holds of a lead's stage history (and the lead row's history_* copy of it,
 * migration 2026-12-08-20), computed as its triggers compute it: the furthest waterfall rank reached,
 * the transitions into mql, whether it ever went to disqualified / nurture, and the first time it
 * entered mql, sal, won and a stage beyond sal. Bulk writers that insert a new lead together with its
 * whole history write these values on the lead row, so the trigger finds nothing to change and the lead
 * is written once (a second write of each row cost an import ~40 % more database CPU). The trigger stays
 * the authority: a value computed here that differed would be corrected, only at that cost.
 */
export type StageHistorySummary = {
  reached: number; mqlEvents: number; disqualified: boolean; nurtured: boolean;
  mqlAt: Date | null; salAt: Date | null; wonAt: Date | null; afterSalAt: Date | null;
};

const beyondSal = new Set(['sql', 'opportunity', 'won']);

/** The summary of a lead without any transition: what the lead row holds by default. */
export const emptyStageHistory: StageHistorySummary = Object.freeze({
  reached: 0, mqlEvents: 0, disqualified: false, nurtured: false, mqlAt: null, salAt: null, wonAt: null, afterSalAt: null,
});

const earlier = (known: Date | null, at: Date): Date => (known === null || at.getTime() < known.getTime() ? at : known);

/** The summary of a whole history (its transitions in any order). */
export function summarizeStageHistory(steps: readonly { to: string; at: Date }[]): StageHistorySummary {
  const s: StageHistorySummary = { ...emptyStageHistory };
  for (const { to, at } of steps) {
    s.reached = Math.max(s.reached, waterfallRank[to as Stage] ?? 0);
    if (to === 'mql') { s.mqlEvents++; s.mqlAt = earlier(s.mqlAt, at); }
    if (to === 'sal') s.salAt = earlier(s.salAt, at);
    if (to === 'won') s.wonAt = earlier(s.wonAt, at);
    if (beyondSal.has(to)) s.afterSalAt = earlier(s.afterSalAt, at);
    if (to === 'disqualified') s.disqualified = true;
    if (to === 'nurture') s.nurtured = true;
  }
  return s;
}

/**
 * New leads with the summary of their transitions among `transitions` (a batch that holds each new
 * lead's whole history; transitions of other leads are ignored).
 */
export function withStageHistories<L extends { id: string }>(leads: readonly L[], transitions: readonly { leadId: string; to: string; at: Date }[]): (L & { history: StageHistorySummary })[] {
  const byLead = new Map<string, { to: string; at: Date }[]>(leads.map((l) => [l.id, []]));
  for (const t of transitions) byLead.get(t.leadId)?.push(t);
  return leads.map((l) => ({ ...l, history: summarizeStageHistory(byLead.get(l.id)!) }));
}
