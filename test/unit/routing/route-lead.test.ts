import { describe, expect, it } from 'vitest';
import { route, type RoutingAccountFacts, type RoutingLeadFacts } from '../../../src/core/routing/route-lead.rules.ts';
import { emptyRoundRobinState, type RoutingRep } from '../../../src/core/routing/round-robin.rules.ts';
import { routingRuleSetSchema } from '../../../src/core/routing/routing-rules.schema.ts';

const now = new Date('2026-11-23T09:00:00Z');
const rep = (id: string, team: string, fields: Partial<RoutingRep> = {}): RoutingRep => ({
  id, name: id[0]!.toUpperCase() + id.slice(1), team, weight: 1, capacity: 25, openLeads: 0, outOfOfficeUntil: null, disabled: false, ...fields,
});
const reps = [rep('ana', 'DACH'), rep('ben', 'DACH', { weight: 2 }), rep('cara', 'EMEA'), rep('dora', 'ENT'), rep('ed', 'NA')];

const ruleSet = routingRuleSetSchema.parse({
  version: 1,
  rules: [
    { kind: 'account_owner' },
    { kind: 'territory', name: 'Enterprise', when: { employeeCount: { min: 1000 }, productInterests: ['platform'] }, assign: { rep: 'dora' } },
    { kind: 'territory', name: 'DACH', when: { countries: ['DE', 'AT', 'CH'] }, assign: { team: 'DACH' } },
    { kind: 'territory', name: 'North America', when: { regions: ['NA'], industries: ['Software', 'Finance'] }, assign: { team: 'NA' } },
    { kind: 'round_robin', team: 'EMEA' },
    { kind: 'fallback_queue', queue: 'inbound' },
  ],
});
const lead = (fields: Partial<RoutingLeadFacts> = {}): RoutingLeadFacts => ({ country: null, region: null, productInterests: [], ...fields });
const account = (fields: Partial<RoutingAccountFacts> = {}): RoutingAccountFacts => ({
  ownerId: null, country: null, region: null, industry: null, employeeCount: null, ...fields,
});

describe('route', () => {
  it('keeps the account with its owner, even at capacity', () => {
    const d = route(lead(), account({ ownerId: 'cara' }), [...reps.slice(0, 2), rep('cara', 'EMEA', { openLeads: 25 })], emptyRoundRobinState, ruleSet.rules, now);
    expect(d).toMatchObject({ ownerId: 'cara', ruleIndex: 0, ruleKind: 'account_owner', explanation: 'account owner: Cara owns the account' });
    expect(d.newRrState).toBe(emptyRoundRobinState);
  });

  it('passes an out-of-office account owner and says so in the trace', () => {
    const away = reps.map((r) => (r.id === 'cara' ? { ...r, outOfOfficeUntil: new Date('2026-11-30T00:00:00Z') } : r));
    const d = route(lead(), account({ ownerId: 'cara', country: 'de' }), away, emptyRoundRobinState, ruleSet.rules, now);
    expect(d).toMatchObject({ ownerId: 'ben', ruleIndex: 2, ruleKind: 'territory', team: 'DACH' });
    expect(d.explanation).toBe("territory 'DACH' → round-robin in team DACH: chose Ben (weight 2)");
    expect(d.trace).toEqual([
      '1. account owner: skipped Cara (out of office until 2026-11-30)',
      "2. territory 'Enterprise': no match (employees unknown not in 1000–∞; product interest none not in platform)",
      "3. territory 'DACH' → round-robin in team DACH: chose Ben (weight 2)",
    ]);
    expect(d.newRrState.teams.DACH).toEqual({ ana: 1, ben: -1 });
  });

  it('sends a big platform account to the named enterprise rep', () => {
    const d = route(lead({ productInterests: ['Platform', 'api'] }), account({ employeeCount: 5000, country: 'DE' }), reps, emptyRoundRobinState, ruleSet.rules, now);
    expect(d).toMatchObject({ ownerId: 'dora', ruleKind: 'territory', explanation: "territory 'Enterprise': assigned to Dora" });
  });

  it('uses the contact country when there is no account, and matches region and industry together', () => {
    expect(route(lead({ country: 'AT' }), null, reps, emptyRoundRobinState, ruleSet.rules, now).team).toBe('DACH');
    const na = route(lead(), account({ region: 'NA', industry: 'software' }), reps, emptyRoundRobinState, ruleSet.rules, now);
    expect(na).toMatchObject({ ownerId: 'ed', ruleIndex: 3 });
    const wrongIndustry = route(lead(), account({ region: 'NA', industry: 'Retail' }), reps, emptyRoundRobinState, ruleSet.rules, now);
    expect(wrongIndustry).toMatchObject({ ownerId: 'cara', ruleKind: 'round_robin', explanation: 'round-robin in team EMEA: chose Cara (weight 1)' });
    expect(wrongIndustry.trace[3]).toBe("4. territory 'North America': no match (industry Retail not in Software, Finance)");
  });

  it('falls back to the queue when every rep is unavailable', () => {
    const nobody = reps.map((r) => ({ ...r, disabled: r.team !== 'DACH', openLeads: r.team === 'DACH' ? 25 : 0 }));
    const d = route(lead({ country: 'DE' }), account({ ownerId: 'dora' }), nobody, emptyRoundRobinState, ruleSet.rules, now);
    expect(d).toMatchObject({ ownerId: null, queue: 'inbound', ruleIndex: 5, ruleKind: 'fallback_queue', newRrState: emptyRoundRobinState });
    expect(d.trace[0]).toBe('1. account owner: skipped Dora (disabled)');
    expect(d.trace).toContain("3. territory 'DACH' → round-robin in team DACH: no rep available (skipped Ana at capacity 25/25, Ben at capacity 25/25)");
    expect(d.trace.at(-1)).toBe("6. fallback: no rule found an available owner; queued in 'inbound'");
  });

  it('spreads DACH leads by weight over many assignments', () => {
    let state = emptyRoundRobinState;
    const owners: string[] = [];
    for (let i = 0; i < 300; i++) {
      const d = route(lead({ country: 'CH' }), null, reps, state, ruleSet.rules, now);
      state = d.newRrState;
      owners.push(d.ownerId!);
    }
    expect(owners.filter((o) => o === 'ana').length).toBe(100);
    expect(owners.filter((o) => o === 'ben').length).toBe(200);
  });
});

describe('routingRuleSetSchema', () => {
  it('demands a final fallback queue, conditions on territories and a target', () => {
    const fallback = { kind: 'fallback_queue' };
    expect(routingRuleSetSchema.parse({ version: 1, rules: [fallback] }).rules).toEqual([{ kind: 'fallback_queue', queue: 'unassigned' }]);
    expect(routingRuleSetSchema.safeParse({ version: 1, rules: [{ kind: 'round_robin', team: 'EMEA' }] }).success).toBe(false);
    expect(routingRuleSetSchema.safeParse({ version: 1, rules: [fallback, { kind: 'round_robin', team: 'EMEA' }, fallback] }).success).toBe(false);
    expect(routingRuleSetSchema.safeParse({ version: 1, rules: [{ kind: 'territory', name: 'x', when: {}, assign: { team: 'A' } }, fallback] }).success).toBe(false);
    expect(routingRuleSetSchema.safeParse({ version: 1, rules: [{ kind: 'territory', name: 'x', when: { countries: ['DE'] }, assign: {} }, fallback] }).success).toBe(false);
    expect(routingRuleSetSchema.safeParse({ version: 1, rules: [{ kind: 'territory', name: 'x', when: { employeeCount: { min: 10, max: 5 } }, assign: { team: 'A' } }, fallback] }).success).toBe(false);
  });
});
