import { shortestStagePath, type Stage } from './lifecycle.ts';

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
