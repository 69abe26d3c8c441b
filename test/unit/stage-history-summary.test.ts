import { describe, expect, it } from 'vitest';
import { emptyStageHistory, summarizeStageHistory } from '../../src/core/stage-history-summary.rules.ts';

const at = (day: number) => new Date(Date.UTC(2026, 0, day));

describe('summarizeStageHistory', () => {
  it('is the empty summary for no transitions', () => {
    expect(summarizeStageHistory([])).toEqual(emptyStageHistory);
  });

  it('takes the furthest rank, the first time of each stage and counts the MQLs, whatever the order', () => {
    const steps = [
      { to: 'sal', at: at(5) }, { to: 'inquiry', at: at(1) }, { to: 'mql', at: at(3) }, { to: 'nurture', at: at(6) },
      { to: 'mql', at: at(9) }, { to: 'sql', at: at(12) }, { to: 'opportunity', at: at(11) }, { to: 'lost', at: at(20) },
    ];
    expect(summarizeStageHistory(steps)).toEqual({
      reached: 5, mqlEvents: 2, disqualified: false, nurtured: true, mqlAt: at(3), salAt: at(5), wonAt: null, afterSalAt: at(11),
    });
  });

  it('ranks won highest and detours at 0', () => {
    expect(summarizeStageHistory([{ to: 'disqualified', at: at(2) }])).toMatchObject({ reached: 0, disqualified: true });
    expect(summarizeStageHistory([{ to: 'won', at: at(4) }, { to: 'sql', at: at(8) }])).toMatchObject({ reached: 6, wonAt: at(4), afterSalAt: at(4) });
  });
});
