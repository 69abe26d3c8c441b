import { describe, expect, it } from 'vitest';
import { importedDealLostReason } from '../../src/app/import/lead-links.ts';
import { leadDealMove, leadStageForDeal, walkTo } from '../../src/core/lead-deal.rules.ts';
import { defaultReasonCodes } from '../../src/core/lifecycle.ts';

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

describe('the lead↔deal rule (API, CSV import and CRM sync ask it)', () => {
  it('moves a lead before a deal to opportunity, closes it with its deal, never moves a closed lead', () => {
    expect(leadStageForDeal('inquiry', 'open')).toBe('opportunity');
    expect(leadStageForDeal('nurture', 'open')).toBe('opportunity');
    expect(leadStageForDeal('opportunity', 'open')).toBeNull();
    expect(leadStageForDeal('sql', 'won')).toBe('won');
    expect(leadStageForDeal('opportunity', 'lost')).toBe('lost');
    expect(leadStageForDeal('disqualified', 'won')).toBeNull();
    expect(leadStageForDeal('won', 'lost')).toBeNull();
  });

  it('gives every step, the reason only on the last one; with the taxonomy, a lost deal needs a lost reason', () => {
    expect(leadDealMove('sal', 'open')).toEqual({ ok: true, value: { to: 'opportunity', steps: [
      { from: 'sal', to: 'sql', reasonCode: null }, { from: 'sql', to: 'opportunity', reasonCode: null },
    ] } });
    expect(leadDealMove('sql', 'lost', { reasonCode: 'lost_no_decision', taxonomy: defaultReasonCodes })).toEqual({ ok: true, value: { to: 'lost', steps: [
      { from: 'sql', to: 'opportunity', reasonCode: null }, { from: 'opportunity', to: 'lost', reasonCode: 'lost_no_decision' },
    ] } });
    expect(leadDealMove('opportunity', 'open')).toEqual({ ok: true, value: null });
    expect(leadDealMove('lost', 'won')).toEqual({ ok: true, value: null });
    const noReason = leadDealMove('opportunity', 'lost', { taxonomy: defaultReasonCodes });
    expect(noReason).toMatchObject({ ok: false, code: 'ReasonRequired' });
    expect(leadDealMove('opportunity', 'lost', { reasonCode: 'bad_fit', taxonomy: defaultReasonCodes })).toMatchObject({ ok: false, code: 'UnknownReason' });
  });

  it('the CSV import passes an explicit neutral lost reason, not a rule of its own', () => {
    expect(importedDealLostReason(defaultReasonCodes)).toBe('lost_no_decision');
    expect(importedDealLostReason([{ code: 'gone', label: 'Gone', outcome: 'lost' }])).toBe('gone');
    expect(importedDealLostReason([])).toBeNull();
  });
});
