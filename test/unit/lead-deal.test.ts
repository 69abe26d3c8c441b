import { describe, expect, it } from 'vitest';
import { walkTo } from '../../src/core/lead-deal.rules.ts';

describe('walking a lead to its deal', () => {
  it('walks every intermediate stage the lifecycle requires', () => {
    expect(walkTo('inquiry', 'opportunity')).toEqual(['mql', 'sal', 'sql', 'opportunity']);
    expect(walkTo('nurture', 'opportunity')).toEqual(['mql', 'sal', 'sql', 'opportunity']);
    expect(walkTo('sal', 'won')).toEqual(['sql', 'opportunity', 'won']);
    expect(walkTo('mql', 'lost')).toEqual(['sal', 'sql', 'opportunity', 'lost']);
  });

  it('stays put when already there, and finds no way out of a closed stage', () => {
    expect(walkTo('opportunity', 'opportunity')).toEqual([]);
    expect(walkTo('won', 'opportunity')).toBeNull();
    expect(walkTo('disqualified', 'won')).toBeNull();
  });
});
