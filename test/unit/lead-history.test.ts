import { describe, expect, it } from 'vitest';
import { historyPath } from '../../src/core/lead-history.rules.ts';
import { defaultReasonCodes } from '../../src/core/lifecycle.ts';

describe('historyPath (imported lead histories obey the lifecycle table)', () => {
  it('walks inquiry to won through every sales stage', () => {
    const path = historyPath('inquiry', 'won', defaultReasonCodes);
    expect(path.ok && path.value.map((s) => s.to)).toEqual(['mql', 'sal', 'sql', 'opportunity', 'won']);
  });

  it('uses a neutral reason where one is required', () => {
    const path = historyPath('inquiry', 'lost', defaultReasonCodes);
    expect(path.ok && path.value.at(-1)).toEqual({ from: 'opportunity', to: 'lost', reasonCode: 'lost_no_decision' });
    const dq = historyPath('mql', 'disqualified', defaultReasonCodes);
    expect(dq.ok && dq.value).toEqual([{ from: 'mql', to: 'disqualified', reasonCode: 'bad_fit' }]);
  });

  it('is empty for the same stage and refuses to reopen a closed lead', () => {
    expect(historyPath('sql', 'sql', defaultReasonCodes)).toEqual({ ok: true, value: [] });
    const back = historyPath('won', 'mql', defaultReasonCodes);
    expect(back.ok).toBe(false);
    expect(!back.ok && back.code).toBe('TransitionNotAllowed');
  });

  it('fails when the taxonomy has no reason of the needed outcome', () => {
    const path = historyPath('inquiry', 'disqualified', defaultReasonCodes.filter((r) => r.outcome !== 'disqualified'));
    expect(path.ok).toBe(false);
  });
});
