import { z } from 'zod';

/** A sales rep as routing sees them. `capacity` null means no cap on open leads. */
export type RoutingRep = {
  id: string;
  name?: string;
  team: string;
  weight: number;
  capacity: number | null;
  openLeads: number;
  outOfOfficeUntil: Date | null;
  disabled: boolean;
};

/**
 * Smooth weighted round-robin credits per team and rep. Plain JSON, so the app can persist it
 * next to the rule set and update it in the same transaction as the assignment.
 */
export const roundRobinStateSchema = z.object({
  teams: z.record(z.string(), z.record(z.string(), z.number())),
});
export type RoundRobinState = z.infer<typeof roundRobinStateSchema>;

export const emptyRoundRobinState: RoundRobinState = { teams: {} };

export function repName(rep: RoutingRep): string {
  return rep.name ?? rep.id;
}

/** Why a rep cannot take a lead at `now`, or null when they can. */
export function unavailability(rep: RoutingRep, now: Date, options: { respectCapacity?: boolean } = {}): string | null {
  if (rep.disabled) return `${repName(rep)} (disabled)`;
  if (rep.outOfOfficeUntil && rep.outOfOfficeUntil.getTime() > now.getTime()) {
    return `${repName(rep)} (out of office until ${formatUntil(rep.outOfOfficeUntil)})`;
  }
  if ((options.respectCapacity ?? true) && rep.capacity !== null && rep.openLeads >= rep.capacity) {
    return `${repName(rep)} at capacity ${rep.openLeads}/${rep.capacity}`;
  }
  return null;
}

function formatUntil(at: Date): string {
  const iso = at.toISOString();
  return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : `${iso.slice(0, 16).replace('T', ' ')} UTC`;
}

export type RoundRobinPick = {
  chosen: RoutingRep | null;
  skipped: { repId: string; reason: string }[];
  state: RoundRobinState;
  explanation: string;
};

/**
 * Picks the next rep of `team` by smooth weighted round-robin (nginx): every available rep gains
 * its weight in credit, the richest wins (ties: lowest id) and pays back the round's total weight.
 * Over any run of sum(weights) picks with the same available reps, each rep gets exactly its
 * weight, interleaved rather than in bursts. Unavailable reps (disabled, out of office, at
 * capacity, weight 0, excluded) sit the round out and keep their credit.
 * @example pickRoundRobin('EMEA', reps, state, now).explanation
 *   → 'round-robin in team EMEA: skipped Ana (out of office until 2026-11-30), Ben at capacity 25/25; chose Cara (weight 2)'
 */
export function pickRoundRobin(
  team: string,
  reps: readonly RoutingRep[],
  state: RoundRobinState,
  now: Date,
  options: { exclude?: readonly string[]; excludeReason?: string } = {},
): RoundRobinPick {
  const members = reps.filter((r) => r.team === team).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const skipped: RoundRobinPick['skipped'] = [];
  const available: RoutingRep[] = [];
  for (const rep of members) {
    const reason = options.exclude?.includes(rep.id)
      ? `${repName(rep)} (${options.excludeReason ?? 'excluded'})`
      : rep.weight <= 0 ? `${repName(rep)} (weight 0)` : unavailability(rep, now);
    if (reason) skipped.push({ repId: rep.id, reason });
    else available.push(rep);
  }
  const head = `round-robin in team ${team}: `;
  const skippedText = skipped.map((s) => s.reason).join(', ');
  if (available.length === 0) {
    const why = members.length === 0 ? 'no reps in the team' : `no rep available (skipped ${skippedText})`;
    return { chosen: null, skipped, state, explanation: head + why };
  }

  const previous = state.teams[team] ?? {};
  // Keep credits only for current members, so departed reps do not linger in the state.
  const credits: Record<string, number> = {};
  for (const rep of members) credits[rep.id] = previous[rep.id] ?? 0;
  let total = 0;
  let best: RoutingRep | undefined;
  for (const rep of available) {
    credits[rep.id] = (credits[rep.id] ?? 0) + rep.weight;
    total += rep.weight;
    if (!best || (credits[rep.id] ?? 0) > (credits[best.id] ?? 0)) best = rep;
  }
  const chosen = best as RoutingRep;
  credits[chosen.id] = (credits[chosen.id] ?? 0) - total;
  const explanation = `${head}${skipped.length ? `skipped ${skippedText}; ` : ''}chose ${repName(chosen)} (weight ${chosen.weight})`;
  return { chosen, skipped, state: { teams: { ...state.teams, [team]: credits } }, explanation };
}
