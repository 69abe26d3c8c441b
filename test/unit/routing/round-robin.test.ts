import { describe, expect, it } from 'vitest';
import {
  emptyRoundRobinState, pickRoundRobin, roundRobinStateSchema, type RoundRobinState, type RoutingRep,
} from '../../../src/core/routing/round-robin.rules.ts';

const now = new Date('2026-11-23T09:00:00Z');
const rep = (id: string, fields: Partial<RoutingRep> = {}): RoutingRep => ({
  id, name: id[0]!.toUpperCase() + id.slice(1), team: 'EMEA', weight: 1, capacity: null, openLeads: 0, outOfOfficeUntil: null, disabled: false, ...fields,
});

/** Runs n picks, counting each new lead against the chosen rep's open leads. */
function run(reps: RoutingRep[], n: number, state: RoundRobinState = emptyRoundRobinState) {
  const live = reps.map((r) => ({ ...r }));
  const sequence: (string | null)[] = [];
  for (let i = 0; i < n; i++) {
    const pick = pickRoundRobin('EMEA', live, state, now);
    state = pick.state;
    sequence.push(pick.chosen?.id ?? null);
    if (pick.chosen) live.find((r) => r.id === pick.chosen!.id)!.openLeads++;
  }
  return { sequence, state, live };
}
const count = (sequence: (string | null)[]) => sequence.reduce<Record<string, number>>((acc, id) => ({ ...acc, [String(id)]: (acc[String(id)] ?? 0) + 1 }), {});

describe('smooth weighted round-robin', () => {
  it('interleaves like nginx: weights 5/1/1 → a a b a c a a', () => {
    const { sequence } = run([rep('a', { weight: 5 }), rep('b'), rep('c')], 7);
    expect(sequence).toEqual(['a', 'a', 'b', 'a', 'c', 'a', 'a']);
  });

  it('matches the weights exactly over many assignments, and in every full cycle', () => {
    const { sequence } = run([rep('ana', { weight: 1 }), rep('ben', { weight: 2 }), rep('cara', { weight: 3 })], 600);
    expect(count(sequence)).toEqual({ ana: 100, ben: 200, cara: 300 });
    for (let i = 0; i < 600; i += 6) expect(count(sequence.slice(i, i + 6))).toEqual({ ana: 1, ben: 2, cara: 3 });
  });

  it('is deterministic whatever order the reps arrive in, and survives a JSON round trip of its state', () => {
    const reps = [rep('ana', { weight: 2 }), rep('ben', { weight: 3 }), rep('cara')];
    const straight = run(reps, 30).sequence;
    expect(run([...reps].reverse(), 30).sequence).toEqual(straight);
    let state = emptyRoundRobinState;
    const resumed: (string | null)[] = [];
    for (let i = 0; i < 30; i++) {
      const pick = pickRoundRobin('EMEA', reps, roundRobinStateSchema.parse(JSON.parse(JSON.stringify(state))), now);
      state = pick.state;
      resumed.push(pick.chosen!.id);
    }
    expect(resumed).toEqual(straight);
  });

  it('skips out-of-office, at-capacity, disabled and zero-weight reps and explains it', () => {
    const reps = [
      rep('ana', { outOfOfficeUntil: new Date('2026-11-30T00:00:00Z') }),
      rep('ben', { capacity: 25, openLeads: 25 }),
      rep('cara', { weight: 2 }),
      rep('dan', { disabled: true }),
      rep('eve', { weight: 0 }),
      rep('finn', { team: 'NA' }),
    ];
    const pick = pickRoundRobin('EMEA', reps, emptyRoundRobinState, now);
    expect(pick.chosen?.id).toBe('cara');
    expect(pick.explanation).toBe(
      'round-robin in team EMEA: skipped Ana (out of office until 2026-11-30), Ben at capacity 25/25, Dan (disabled), Eve (weight 0); chose Cara (weight 2)',
    );
    expect(pick.skipped.map((s) => s.repId)).toEqual(['ana', 'ben', 'dan', 'eve']);
  });

  it('a rep is back the moment the out-of-office period ends', () => {
    const pick = pickRoundRobin('EMEA', [rep('ana', { outOfOfficeUntil: new Date('2026-11-23T12:30:00Z') })], emptyRoundRobinState, new Date('2026-11-23T12:30:00Z'));
    expect(pick.chosen?.id).toBe('ana');
    const before = pickRoundRobin('EMEA', [rep('ana', { outOfOfficeUntil: new Date('2026-11-23T12:30:00Z') })], emptyRoundRobinState, now);
    expect(before.explanation).toBe('round-robin in team EMEA: no rep available (skipped Ana (out of office until 2026-11-23 12:30 UTC))');
  });

  it('fills reps up to capacity, then has no one left', () => {
    const { sequence, live } = run([rep('ana', { capacity: 2 }), rep('ben', { capacity: 3, weight: 3 })], 7);
    expect(count(sequence)).toEqual({ ana: 2, ben: 3, null: 2 });
    expect(live.map((r) => r.openLeads)).toEqual([2, 3]);
  });

  it('a rep who sat out keeps their credit and the others share fairly meanwhile', () => {
    const reps = [rep('ana'), rep('ben'), rep('cara')];
    let { state } = run(reps, 3);
    const away = reps.map((r) => (r.id === 'ana' ? { ...r, outOfOfficeUntil: new Date('2026-12-01T00:00:00Z') } : r));
    const meanwhile = run(away, 10, state);
    expect(count(meanwhile.sequence)).toEqual({ ben: 5, cara: 5 });
    state = meanwhile.state;
    expect(count(run(reps, 30, state).sequence)).toEqual({ ana: 10, ben: 10, cara: 10 });
  });

  it('leaves the state alone when nobody is available and drops departed reps from it', () => {
    const state: RoundRobinState = { teams: { EMEA: { ana: 1, gone: -1 }, NA: { finn: 0 } } };
    const none = pickRoundRobin('EMEA', [rep('ana', { disabled: true })], state, now);
    expect(none.chosen).toBeNull();
    expect(none.state).toBe(state);
    const pick = pickRoundRobin('EMEA', [rep('ana'), rep('ben')], state, now);
    expect(pick.state.teams).toEqual({ EMEA: { ana: 0, ben: 1 }, NA: { finn: 0 } });
    expect(pickRoundRobin('APAC', [rep('ana')], state, now).explanation).toBe('round-robin in team APAC: no reps in the team');
  });

  it('can exclude the current owner with a stated reason', () => {
    const pick = pickRoundRobin('EMEA', [rep('ana'), rep('ben')], emptyRoundRobinState, now, { exclude: ['ana'], excludeReason: 'current owner' });
    expect(pick.chosen?.id).toBe('ben');
    expect(pick.explanation).toBe('round-robin in team EMEA: skipped Ana (current owner); chose Ben (weight 1)');
  });
});
