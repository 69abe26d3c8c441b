import { describe, expect, it } from 'vitest';
import { ratingChanges, summarizeScores, type ScorePoint } from '../../../web/src/features/leads/score-summary.ts';
import { formatWithin } from '../../../web/src/ui/format.ts';

const point = (at: string, fit: number, engagement: number, cell: string): ScorePoint => ({
  id: at, at, definition_id: 'd1', fit, engagement, rating: 'warm', cell, cause: 'activity', delta: 0, explanation: '',
});

describe('score history summary', () => {
  it('says how fit and engagement moved, over how long, and when the lead became MQL', () => {
    const points = [point('2026-10-25T09:00:00Z', 72, 12, 'A4'), point('2026-10-30T09:00:00Z', 72, 30, 'A3'), point('2026-11-03T10:00:00Z', 72, 52, 'A2')];
    expect(summarizeScores(points, [{ at: '2026-11-03T10:00:00Z', label: 'MQL' }]))
      .toBe('Engagement rose from 12 to 52 over 9 days; fit stayed at 72; rating A4 → A2; MQL on 3 Nov.');
    expect(ratingChanges(points)).toEqual([0, 1, 2]);
  });

  it('handles no and one score change', () => {
    expect(summarizeScores([])).toBe('No score changes recorded yet.');
    expect(summarizeScores([point('2026-11-03T10:00:00Z', 40, 10, 'B3')])).toBe('Scored once on 3 Nov: fit 40, engagement 10, rating B3.');
  });

  it('a fall within a day', () => {
    expect(summarizeScores([point('2026-11-03T10:00:00Z', 40, 30, 'B2'), point('2026-11-03T12:00:00Z', 35, 20, 'B2')]))
      .toBe('Engagement fell from 30 to 20 within a day; fit fell from 40 to 35; rating B2.');
  });
});

describe('SLA policy durations in words', () => {
  it('folds minutes into hours and keeps days and weeks', () => {
    expect(['240m', '4h', '1d4h30m', '14d', '2w', '45m'].map(formatWithin)).toEqual(['4 h', '4 h', '1 d 4 h 30 min', '14 d', '2 w', '45 min']);
  });
});
