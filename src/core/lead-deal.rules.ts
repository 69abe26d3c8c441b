import { decideTransition, isClosed, shortestStagePath, type ReasonCode, type Stage } from './lifecycle.ts';
import { fail, ok, type Result } from './result.ts';

/**
 * THE lead↔deal rule (issue 13 item 4), pure: every door that links leads to deals — the REST API
 * (`src/app/lead-opportunity.ts`), CSV import (`src/app/import/lead-links.ts`) and the CRM sync
 * (`src/core/crm/crm-mapping.rules.ts`) — asks these functions where a lead goes and which steps it walks.
 */

/**
 * The stages a lead walks, one allowed transition at a time, to reach `to` from `from`: the
 * shortest way through the lifecycle table using only moves that need no reason, except the last
 * one (a lost deal's lead needs a lost reason). Never through a closed stage. Empty when the lead
 * is already there; null when the table has no such way (e.g. from a closed stage).
 * @example walkTo('sal', 'won') // ['sql', 'opportunity', 'won']
 */
export function walkTo(from: Stage, to: Stage): Stage[] | null {
  return shortestStagePath(from, to, (rule, last) => last || (rule.reason === null && !rule.recycle));
}

export type DealStatus = 'open' | 'won' | 'lost';

/**
 * Where a lead linked to a deal in `deal` status goes: to `opportunity` while the deal is open
 * (a lead already there stays: never a second deal), with the deal to `won`/`lost` once it is
 * decided. A closed lead (won, lost, disqualified) never moves. Null: the lead stays where it is.
 * @example leadStageForDeal('nurture', 'open') // 'opportunity'
 */
export function leadStageForDeal(stage: Stage, deal: DealStatus): Stage | null {
  if (isClosed(stage)) return null;
  const target: Stage = deal === 'open' ? 'opportunity' : deal;
  return target === stage ? null : target;
}

export type DealStep = { from: Stage; to: Stage; reasonCode: string | null };

/**
 * The move a lead linked to a deal makes: its target (`leadStageForDeal`) and every step on the way
 * (`walkTo`), the last one carrying `reasonCode`, the reason the deal's outcome gives (a lost deal's
 * lead needs a lost reason; no other step gets one). `ok(null)`: the lead stays. With `taxonomy`, each step is also decided against the
 * lifecycle table and the reason taxonomy (callers that write history directly, like the CSV import,
 * pass it; the API's transitions decide each step themselves), so a lost deal without a lost reason is
 * refused with `ReasonRequired`.
 * @example leadDealMove('sql', 'lost', { reasonCode: 'lost_price' })
 *   // ok({ to: 'lost', steps: [sql→opportunity, opportunity→lost (lost_price)] })
 */
export function leadDealMove(stage: Stage, deal: DealStatus, options: { reasonCode?: string | null; taxonomy?: readonly ReasonCode[] } = {}): Result<{ to: Stage; steps: DealStep[] } | null> {
  const to = leadStageForDeal(stage, deal);
  if (!to) return ok(null);
  const path = walkTo(stage, to);
  if (!path) return fail('TransitionNotAllowed', `A lead at ${stage} cannot reach ${to} through the lifecycle.`, [{ path: 'lead_id', message: `stage ${stage}` }]);
  const steps: DealStep[] = [];
  let from = stage;
  for (const next of path) {
    const step = { from, to: next, reasonCode: next === to ? options.reasonCode ?? null : null };
    if (options.taxonomy) {
      const decided = decideTransition(step, options.taxonomy);
      if (!decided.ok) return decided;
    }
    steps.push(step);
    from = next;
  }
  return ok({ to, steps });
}
