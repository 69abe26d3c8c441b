import { describe, expect, it } from 'vitest';
import { calendarIcs, csvField, foldLine, icsText } from '../../../src/core/content/calendar-export.rules.ts';
import { auditContent, gapMap, type AssetFacts } from '../../../src/core/content/content-coverage.rules.ts';
import { cleanComment, normalizeRating } from '../../../src/core/content/content-rating.rules.ts';
import { assetConsumptionStats } from '../../../src/core/content/content-stats.rules.ts';
import { nurtureReport } from '../../../src/core/nurture/nurture-report.rules.ts';

const fact = (id: string, over: Partial<AssetFacts> = {}): AssetFacts => ({
  id, title: id, stage: 'awareness', personas: [], topics: [], publishedOn: null, expiresOn: null, createdAt: new Date('2026-01-01'),
  ratingCount: 0, ratingAverage: null, consumers: 0, lastConsumedAt: null, ...over,
});

describe('ratings', () => {
  it('normalizes thumbs to the ends of the 1–5 scale and refuses ambiguity', () => {
    expect(normalizeRating({ thumbs: 'up' })).toEqual({ ok: true, value: { rating: 5, scale: 'thumbs' } });
    expect(normalizeRating({ thumbs: 'down' })).toEqual({ ok: true, value: { rating: 1, scale: 'thumbs' } });
    expect(normalizeRating({ rating: 4 })).toEqual({ ok: true, value: { rating: 4, scale: 'stars' } });
    expect(normalizeRating({}).ok).toBe(false);
    expect(normalizeRating({ rating: 2.5 }).ok).toBe(false);
  });

  it('cleans comments to plain text', () => {
    expect(cleanComment('  ok\u0007\u200b\r\n\r\n\r\n\r\nbye  ')).toBe('ok\n\nbye');
    expect(cleanComment('\u0000 ')).toBeNull();
    expect(cleanComment('x'.repeat(3000))).toHaveLength(2000);
  });
});

describe('coverage, audit and influence', () => {
  it('grades cells missing, weak or ok', () => {
    const assets = [
      fact('a', { personas: ['cfo'], consumers: 3 }), fact('b', { personas: ['cfo'], consumers: 1, ratingCount: 2, ratingAverage: 4 }),
      fact('c', { stage: 'interest', personas: ['cfo'], ratingCount: 4, ratingAverage: 2, consumers: 5 }), fact('d', { stage: 'interest', personas: ['cfo'], consumers: 1 }),
      fact('e', { stage: 'interest', expiresOn: '2026-01-01' }),
    ];
    const cells = gapMap(assets, ['awareness', 'interest', 'evaluation'], 'persona', ['cto'], '2026-03-01', { weakRating: 3, minAssets: 2 });
    const at = (stage: string, key: string) => cells.find((c) => c.stage === stage && c.key === key);
    expect(at('awareness', 'cfo')).toMatchObject({ assets: 2, averageRating: 4, consumers: 4, status: 'ok' });
    expect(at('interest', 'cfo')).toMatchObject({ averageRating: 2, status: 'weak' });
    expect(at('evaluation', 'cfo')!.status).toBe('missing');
    expect(at('awareness', 'cto')!.status).toBe('missing');
    expect(cells.some((c) => c.key === '(general)')).toBe(false); // the only general asset expired
  });

  it('audits low-rated, unused, outdated and stage gaps', () => {
    const now = new Date('2026-06-01T00:00:00Z');
    const a = auditContent([
      fact('low', { ratingCount: 3, ratingAverage: 2, lastConsumedAt: new Date('2026-05-20') }),
      fact('one-bad-rating', { ratingCount: 1, ratingAverage: 1, lastConsumedAt: new Date('2026-05-20') }),
      fact('stale', { publishedOn: '2023-01-01', lastConsumedAt: new Date('2026-01-01') }),
      fact('new', { publishedOn: '2026-05-15' }),
      fact('gone', { stage: 'interest', expiresOn: '2026-05-01', lastConsumedAt: new Date('2026-05-30') }),
    ], ['awareness', 'interest'], { now, today: '2026-06-01', lowRating: 2.5, minRatings: 2, unusedDays: 90, maxAgeDays: 730 });
    expect(a.lowRated.map((x) => x.id)).toEqual(['low']);
    expect(a.unused.map((x) => x.id)).toEqual(['stale']);
    expect(a.outdated).toEqual([{ id: 'gone', title: 'gone', reason: 'expired' }, { id: 'stale', title: 'stale', reason: 'old' }]);
    expect(a.stageGaps).toEqual([{ stage: 'interest', assets: 0 }]);
  });

  it('influence counts consumers who progressed within the window after their first consumption', () => {
    const d = (s: string) => new Date(s);
    const s = assetConsumptionStats([
      { contactId: 'a', at: d('2026-03-01'), lifecycleStage: 'inquiry', persona: 'cfo' }, { contactId: 'a', at: d('2026-03-05'), lifecycleStage: 'inquiry', persona: 'cfo' },
      { contactId: 'b', at: d('2026-03-01'), lifecycleStage: 'nurture', persona: null }, { contactId: 'c', at: d('2026-03-01'), lifecycleStage: null, persona: null },
    ], [{ contactId: 'a', at: d('2026-03-10'), toStage: 'mql' }, { contactId: 'b', at: d('2026-05-01'), toStage: 'mql' }, { contactId: 'c', at: d('2026-02-01'), toStage: 'mql' }], 30);
    expect(s).toEqual({ consumptions: 4, consumers: 3, byLifecycleStage: { inquiry: 2, nurture: 1, unknown: 1 }, byPersona: { cfo: 2, unknown: 2 }, influence: { windowDays: 30, progressed: 1, share: 0.333 } });
  });
});

describe('calendar exports', () => {
  it('escapes CSV fields and defuses formulas', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('=1+1')).toBe("'=1+1");
    expect(csvField(null)).toBe('');
  });

  it('escapes iCalendar TEXT and folds at 75 octets without splitting characters', () => {
    expect(icsText('a\\b;c,d\ne')).toBe('a\\\\b\\;c\\,d\\ne');
    const line = `SUMMARY:${'é'.repeat(80)}`;
    const folded = foldLine(line);
    for (const part of folded.split('\r\n')) expect(new TextEncoder().encode(part).length).toBeLessThanOrEqual(75);
    expect(folded.replace(/\r\n /g, '')).toBe(line);
    expect(foldLine('short')).toBe('short');
  });

  it('writes one all-day VEVENT per entry', () => {
    const ics = calendarIcs([{ id: 'p1', title: 'T', plannedOn: '2026-12-31', ownerId: null, ownerEmail: null, targetStage: null, targetPersona: null, targetTopic: null, status: 'planned', notes: null }],
      { now: new Date('2026-03-02T09:00:00Z'), calendarName: 'Cal', uidDomain: 'example.com' });
    expect(ics).toContain('\r\nUID:p1@example.com\r\nDTSTAMP:20260302T090000Z\r\nDTSTART;VALUE=DATE:20261231\r\nDTEND;VALUE=DATE:20270101\r\nSUMMARY:T\r\n');
  });
});

describe('nurture report', () => {
  it('counts per track and compares time to sales-ready', () => {
    const d = (s: string) => new Date(s);
    const r = nurtureReport([{ id: 't', name: 'T' }], [
      { trackId: 't', leadId: 'l1', status: 'exited', exitReason: 'became_mql', leadOpenedAt: d('2026-03-01'), mqlAfterEntryAt: d('2026-03-11') },
      { trackId: 't', leadId: 'l2', status: 'exited', exitReason: 'unsubscribed', leadOpenedAt: d('2026-03-01'), mqlAfterEntryAt: null },
      { trackId: 't', leadId: 'l3', status: 'active', exitReason: null, leadOpenedAt: d('2026-03-01'), mqlAfterEntryAt: null },
    ], [{ trackId: 't', stepIndex: 0, sent: 4, skipped: 0, failed: 0, bounced: 0, opened: 2, clicked: 1, unsubscribed: 1 }], [{ openedAt: d('2026-03-01'), mqlAt: d('2026-03-21') }]);
    expect(r.tracks[0]).toMatchObject({ entered: 3, active: 1, exitedByReason: { became_mql: 1, unsubscribed: 1 }, mql: 1, mqlConversion: 0.333, medianDaysToSalesReady: 10 });
    expect(r.tracks[0]!.steps[0]).toMatchObject({ openRate: 0.5, clickRate: 0.25 });
    expect(r.timeToSalesReady).toEqual({ nurturedMedianDays: 10, nurturedLeads: 1, notNurturedMedianDays: 20, notNurturedLeads: 1 });
  });
});
