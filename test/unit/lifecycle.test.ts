import { describe, expect, it } from 'vitest';
import { allowedTransitions, decideTransition, defaultReasonCodes, stages, transitionTable, type Stage } from '../../src/core/lifecycle.ts';

const taxonomy = defaultReasonCodes;
const reasonFor = (outcome: string | null) => (outcome ? taxonomy.find((r) => r.outcome === outcome)!.code : undefined);

describe('lifecycle table', () => {
  // Exhaustive: every (from, to) pair is either in the table and allowed, or refused with the allowed list.
  for (const from of stages) {
    for (const to of stages) {
      const rule = transitionTable.find((r) => r.from === from && r.to === to);
      it(`${from} → ${to} is ${rule ? 'allowed' : 'refused'}`, () => {
        const decision = decideTransition({ from, to, reasonCode: reasonFor(rule?.reason ?? null) }, taxonomy);
        if (rule) {
          expect(decision.ok).toBe(true);
        } else {
          expect(decision).toMatchObject({ ok: false, code: 'TransitionNotAllowed' });
          if (!decision.ok) {
            for (const allowed of allowedTransitions(from)) expect(decision.message).toContain(allowed.to);
          }
        }
      });
    }
  }

  it('closed stages allow nothing and point to a new buying cycle', () => {
    for (const stage of ['won', 'lost', 'disqualified'] as Stage[]) {
      expect(allowedTransitions(stage)).toEqual([]);
      const d = decideTransition({ from: stage, to: 'mql' }, taxonomy);
      expect(d.ok).toBe(false);
      if (!d.ok) expect(d.message).toContain('new lead');
    }
  });

  it('reject needs a reason code, and one of the right outcome', () => {
    expect(decideTransition({ from: 'mql', to: 'nurture' }, taxonomy)).toMatchObject({ ok: false, code: 'ReasonRequired' });
    expect(decideTransition({ from: 'mql', to: 'nurture', reasonCode: 'spam' }, taxonomy)).toMatchObject({ ok: false, code: 'UnknownReason' });
    expect(decideTransition({ from: 'mql', to: 'nurture', reasonCode: 'nope' }, taxonomy)).toMatchObject({ ok: false, code: 'UnknownReason' });
    const d = decideTransition({ from: 'mql', to: 'nurture', reasonCode: 'not_ready' }, taxonomy);
    expect(d).toMatchObject({ ok: true, value: { recycleIncrement: 1, closes: false } });
  });

  it('a recycled lead can re-qualify; moves back from sales count as recycles, marketing moves do not', () => {
    expect(decideTransition({ from: 'nurture', to: 'mql' }, taxonomy)).toMatchObject({ ok: true, value: { recycleIncrement: 0 } });
    expect(decideTransition({ from: 'inquiry', to: 'nurture' }, taxonomy)).toMatchObject({ ok: true, value: { recycleIncrement: 0 } });
    expect(decideTransition({ from: 'sal', to: 'nurture', reasonCode: 'no_budget' }, taxonomy)).toMatchObject({ ok: true, value: { recycleIncrement: 1 } });
  });

  it('winning closes the lead; losing needs a lost reason', () => {
    expect(decideTransition({ from: 'opportunity', to: 'won' }, taxonomy)).toMatchObject({ ok: true, value: { closes: true } });
    expect(decideTransition({ from: 'opportunity', to: 'lost' }, taxonomy)).toMatchObject({ ok: false, code: 'ReasonRequired' });
    expect(decideTransition({ from: 'opportunity', to: 'lost', reasonCode: 'lost_price' }, taxonomy)).toMatchObject({ ok: true });
  });
});
