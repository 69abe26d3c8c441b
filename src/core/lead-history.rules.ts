import { decideTransition, shortestStagePath, type ReasonCode, type Stage, transitionTable } from './lifecycle.ts';
import { fail, ok, type Result } from './result.ts';

export type HistoryStep = { from: Stage; to: Stage; reasonCode: string | null };

// Imported histories only know where a lead ended up; when a move needs a reason we record the
// most neutral one of the right outcome rather than inventing a specific cause.
const neutralReasons: Record<'nurture' | 'disqualified' | 'lost', string[]> = {
  nurture: ['not_ready'],
  disqualified: ['bad_fit'],
  lost: ['lost_no_decision'],
};

/**
 * The shortest walk through the lifecycle table from `from` to `to`, each step checked by
 * decideTransition, so an imported history obeys the same rules as a live one. Recycling moves
 * are never used to get somewhere (they would count as recycles that did not happen).
 * @example historyPath('inquiry', 'won', taxonomy) → inquiry→mql→sal→sql→opportunity→won
 */
export function historyPath(from: Stage, to: Stage, taxonomy: readonly ReasonCode[]): Result<HistoryStep[]> {
  const path = shortestStagePath(from, to, (rule) => !rule.recycle);
  if (!path) {
    return fail('TransitionNotAllowed', `A lead at ${from} cannot reach ${to} through the lifecycle.`, [{ path: 'stage', message: `unreachable from ${from}` }]);
  }
  const stages: Stage[] = [from, ...path];
  const steps: HistoryStep[] = [];
  for (let i = 1; i < stages.length; i++) {
    const step = { from: stages[i - 1]!, to: stages[i]! };
    const rule = transitionTable.find((r) => r.from === step.from && r.to === step.to)!;
    const reasonCode = rule.reason ? neutralReasonCode(rule.reason, taxonomy) : null;
    const decision = decideTransition({ ...step, reasonCode }, taxonomy);
    if (!decision.ok) return decision;
    steps.push({ ...step, reasonCode });
  }
  return ok(steps);
}

/**
 * The most neutral reason code of an outcome in the taxonomy (`not_ready`, `bad_fit`, `lost_no_decision`),
 * else the outcome's first code; null when the taxonomy has none. What an import records when the
 * export says where a lead ended, not why.
 */
export function neutralReasonCode(outcome: 'nurture' | 'disqualified' | 'lost', taxonomy: readonly ReasonCode[]): string | null {
  const fitting = taxonomy.filter((r) => r.outcome === outcome);
  return fitting.find((r) => neutralReasons[outcome].includes(r.code))?.code ?? fitting[0]?.code ?? null;
}
