import { transitionTable, type Stage } from './lifecycle.ts';

/**
 * The stages a lead walks, one allowed transition at a time, to reach `to` from `from`: the
 * shortest way through the lifecycle table using only moves that need no reason, except the last
 * one (a lost deal's lead needs a lost reason). Never through a closed stage. Empty when the lead
 * is already there; null when the table has no such way (e.g. from a closed stage).
 * @example walkTo('sal', 'won') // ['sql', 'opportunity', 'won']
 */
export function walkTo(from: Stage, to: Stage): Stage[] | null {
  if (from === to) return [];
  const previous = new Map<Stage, Stage>([[from, from]]);
  const queue: Stage[] = [from];
  while (queue.length > 0) {
    const at = queue.shift()!;
    for (const rule of transitionTable) {
      if (rule.from !== at || previous.has(rule.to)) continue;
      if (rule.to !== to && (rule.reason !== null || rule.recycle)) continue;
      previous.set(rule.to, at);
      if (rule.to === to) return pathBack(previous, from, to);
      queue.push(rule.to);
    }
  }
  return null;
}

function pathBack(previous: Map<Stage, Stage>, from: Stage, to: Stage): Stage[] {
  const path: Stage[] = [];
  for (let s = to; s !== from; s = previous.get(s)!) path.unshift(s);
  return path;
}
