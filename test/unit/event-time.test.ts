import { describe, expect, it } from 'vitest';
import { eventTime } from '../../src/core/touch.rules.ts';

const d = (iso: string) => new Date(iso);
const received = d('2026-03-02T09:00:00Z');

describe('eventTime: skew correction once, only with sentAt', () => {
  it('corrects a direct SDK call against our reception time (own sentAt first, then the batch\'s)', () => {
    // Device 1 h fast, sent 5 s after the event.
    const m = { timestamp: d('2026-03-02T09:59:55Z'), sentAt: d('2026-03-02T10:00:00Z') };
    expect(eventTime(received, m).toISOString()).toBe('2026-03-02T08:59:55.000Z');
    expect(eventTime(received, { timestamp: m.timestamp }, m.sentAt).toISOString()).toBe('2026-03-02T08:59:55.000Z');
    expect(eventTime(received, m, d('2026-03-02T12:00:00Z')).toISOString()).toBe('2026-03-02T08:59:55.000Z');
    // RudderStack browser SDKs send originalTimestamp instead of timestamp.
    expect(eventTime(received, { originalTimestamp: m.timestamp, sentAt: m.sentAt }).toISOString()).toBe('2026-03-02T08:59:55.000Z');
  });

  it('keeps a CDP\'s already corrected timestamp, however late it is forwarded', () => {
    const forwarded = { timestamp: d('2026-01-31T09:00:00Z'), originalTimestamp: d('2026-01-31T09:02:00Z'), sentAt: d('2026-01-31T09:02:01Z'), receivedAt: d('2026-01-31T09:00:01Z') };
    expect(eventTime(received, forwarded).toISOString()).toBe('2026-01-31T09:00:00.000Z');
    expect(eventTime(received, { timestamp: forwarded.timestamp, receivedAt: forwarded.receivedAt, sentAt: forwarded.sentAt }).toISOString()).toBe('2026-01-31T09:00:00.000Z');
    expect(eventTime(received, { timestamp: forwarded.timestamp, originalTimestamp: forwarded.originalTimestamp, sentAt: forwarded.sentAt }).toISOString()).toBe('2026-01-31T09:00:00.000Z');
  });

  it('corrects a forwarded device time against the CDP\'s receivedAt, not ours', () => {
    const m = { originalTimestamp: d('2026-01-31T10:00:00Z'), sentAt: d('2026-01-31T10:00:03Z'), receivedAt: d('2026-01-31T09:59:58Z') };
    expect(eventTime(received, m).toISOString()).toBe('2026-01-31T09:59:55.000Z');
    expect(eventTime(received, { receivedAt: m.receivedAt })).toBe(m.receivedAt);
  });

  it('without sentAt the timestamp is taken as sent; without any time, the reception time', () => {
    expect(eventTime(received, { timestamp: d('2025-11-04T15:00:00Z') }).toISOString()).toBe('2025-11-04T15:00:00.000Z');
    expect(eventTime(received, {})).toBe(received);
  });
});
