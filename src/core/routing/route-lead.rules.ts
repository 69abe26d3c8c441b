import type { AccountFact } from '../activity.ts';
import { pickRoundRobin, repName, unavailability, type RoundRobinState, type RoutingRep } from './round-robin.rules.ts';
import type { RoutingRule, TerritoryCondition } from './routing-rules.schema.ts';

export type RoutingLeadFacts = {
  /** The contact's country; the account's country wins when both are known. */
  country: string | null;
  region: string | null;
  productInterests: readonly string[];
};

export type RoutingAccountFacts = Pick<AccountFact, 'country' | 'region' | 'industry' | 'employeeCount'> & { ownerId: string | null };

export type RouteDecision = {
  /** null: the lead waits in `queue`. */
  ownerId: string | null;
  queue: string | null;
  /** The team whose round robin chose the owner, when one did. */
  team: string | null;
  /** Index of the deciding rule, -1 when no rule decided (only possible with an unvalidated rule list). */
  ruleIndex: number;
  ruleKind: RoutingRule['kind'] | 'none';
  /** Why the deciding rule chose this owner. */
  explanation: string;
  /** One line per rule considered, in order, including why earlier rules passed. */
  trace: string[];
  newRrState: RoundRobinState;
};

/**
 * Assigns a lead by the first rule that yields an available owner: account owner, territory (to
 * a team's round robin or a named rep), round robin in a team, fallback queue. Pure: the caller
 * persists `newRrState` with the assignment.
 * @example route(lead, account, reps, rrState, ruleSet.rules, now)
 *   → { ownerId: 'cara', ruleKind: 'territory', explanation: "territory 'DACH' → round-robin in team DACH: ...; chose Cara (weight 2)" }
 */
export function route(
  lead: RoutingLeadFacts,
  account: RoutingAccountFacts | null,
  reps: readonly RoutingRep[],
  rrState: RoundRobinState,
  rules: readonly RoutingRule[],
  now: Date,
): RouteDecision {
  const trace: string[] = [];
  const decide = (ruleIndex: number, rule: RoutingRule, explanation: string, fields: Partial<RouteDecision>): RouteDecision => {
    trace.push(`${ruleIndex + 1}. ${explanation}`);
    return { ownerId: null, queue: null, team: null, newRrState: rrState, ...fields, ruleIndex, ruleKind: rule.kind, explanation, trace };
  };

  for (const [index, rule] of rules.entries()) {
    const pass = (why: string) => trace.push(`${index + 1}. ${why}`);
    switch (rule.kind) {
      case 'account_owner': {
        const ownerId = account?.ownerId ?? null;
        if (!ownerId) {
          pass(account ? 'account owner: the account has no owner' : 'account owner: no account');
          break;
        }
        const rep = reps.find((r) => r.id === ownerId);
        const why = rep ? unavailability(rep, now, { respectCapacity: rule.respectCapacity }) : `${ownerId} is not an active rep`;
        if (why) {
          pass(`account owner: skipped ${why}`);
          break;
        }
        return decide(index, rule, `account owner: ${repName(rep as RoutingRep)} owns the account`, { ownerId });
      }
      case 'territory': {
        const mismatch = territoryMismatch(rule.when, lead, account);
        if (mismatch) {
          pass(`territory '${rule.name}': no match (${mismatch})`);
          break;
        }
        if ('rep' in rule.assign) {
          const repId = rule.assign.rep;
          const rep = reps.find((r) => r.id === repId);
          const why = rep ? unavailability(rep, now) : `${repId} is not an active rep`;
          if (why) {
            pass(`territory '${rule.name}': skipped ${why}`);
            break;
          }
          return decide(index, rule, `territory '${rule.name}': assigned to ${repName(rep as RoutingRep)}`, { ownerId: repId });
        }
        const pick = pickRoundRobin(rule.assign.team, reps, rrState, now);
        const text = `territory '${rule.name}' → ${pick.explanation}`;
        if (!pick.chosen) {
          pass(text);
          break;
        }
        return decide(index, rule, text, { ownerId: pick.chosen.id, team: rule.assign.team, newRrState: pick.state });
      }
      case 'round_robin': {
        const pick = pickRoundRobin(rule.team, reps, rrState, now);
        if (!pick.chosen) {
          pass(pick.explanation);
          break;
        }
        return decide(index, rule, pick.explanation, { ownerId: pick.chosen.id, team: rule.team, newRrState: pick.state });
      }
      case 'fallback_queue':
        return decide(index, rule, `fallback: no rule found an available owner; queued in '${rule.queue}'`, { queue: rule.queue });
    }
  }
  trace.push('no rule decided; the lead stays unassigned');
  return { ownerId: null, queue: null, team: null, ruleIndex: -1, ruleKind: 'none', explanation: 'no rule decided; the lead stays unassigned', trace, newRrState: rrState };
}

/** Why the lead is outside the territory, or null when every condition holds. */
export function territoryMismatch(when: TerritoryCondition, lead: RoutingLeadFacts, account: RoutingAccountFacts | null): string | null {
  const oneOf = (label: string, value: string | null | undefined, allowed: readonly string[] | undefined): string | null => {
    if (!allowed) return null;
    if (value && allowed.some((a) => a.toLowerCase() === value.toLowerCase())) return null;
    return `${label} ${value ?? 'unknown'} not in ${allowed.join(', ')}`;
  };
  const band = when.employeeCount;
  const employees = account?.employeeCount ?? null;
  const bandText = band ? `${band.min ?? 0}–${band.max ?? '∞'}` : '';
  const checks = [
    oneOf('country', account?.country ?? lead.country, when.countries),
    oneOf('region', account?.region ?? lead.region, when.regions),
    oneOf('industry', account?.industry, when.industries),
    band && (employees === null || employees < (band.min ?? 0) || employees > (band.max ?? Infinity))
      ? `employees ${employees ?? 'unknown'} not in ${bandText}` : null,
    when.productInterests && !lead.productInterests.some((p) => when.productInterests?.some((w) => w.toLowerCase() === p.toLowerCase()))
      ? `product interest ${lead.productInterests.join(', ') || 'none'} not in ${when.productInterests.join(', ')}` : null,
  ];
  const failed = checks.filter((c): c is string => c !== null);
  return failed.length ? failed.join('; ') : null;
}
