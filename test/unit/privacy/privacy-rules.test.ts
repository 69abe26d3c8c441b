import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultRetention, readRetention, retentionCutoffs } from '../../../src/core/privacy/retention.rules.ts';
import { crc32, storedZip } from '../../../src/core/privacy/stored-zip.ts';
import { grantsConsent, identifiersOfMessage } from '../../../src/core/privacy/suppression.rules.ts';
import { isMessageType, messageSchemas, type SegmentMessage } from '../../../src/core/segment-message.schema.ts';

describe('retention rules', () => {
  it('reads stored settings over the defaults; malformed values fall back, null keeps forever', () => {
    expect(readRetention(undefined)).toEqual(defaultRetention);
    expect(readRetention({ dead_letter_days: 7, sync_log_days: null, webhook_log_days: 0, import_error_days: 'x' })).toEqual({ ...defaultRetention, dead_letter_days: 7, sync_log_days: null });
  });
  it('cut-offs are now minus the period', () => {
    const now = new Date('2026-06-01T00:00:00Z');
    const cut = retentionCutoffs({ ...defaultRetention, dead_letter_days: 30, sync_log_days: null }, now);
    expect(cut.dead_letter_days).toEqual(new Date('2026-05-02T00:00:00Z'));
    expect(cut.sync_log_days).toBeNull();
  });
});

describe('stored zip', () => {
  it('crc32 matches the standard check value', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });
  it('unzip reads back every file exactly', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'zip-'));
    const file = path.join(dir, 'bundle.zip');
    writeFileSync(file, storedZip({ 'contact.csv': 'id,email\n1,ä@x.example\n', 'activity.csv': 'id\n' }));
    expect(execFileSync('unzip', ['-p', file, 'contact.csv']).toString('utf8')).toBe('id,email\n1,ä@x.example\n');
    expect(execFileSync('unzip', ['-Z1', file]).toString('utf8').trim().split('\n')).toEqual(['contact.csv', 'activity.csv']);
  });
});

describe('suppression rules', () => {
  const msg = (m: { type: string } & Record<string, unknown>): SegmentMessage => {
    if (!isMessageType(m.type)) throw new Error(m.type);
    return messageSchemas[m.type].parse(m) as SegmentMessage;
  };
  it('a message carries its anonymous id, user id, email and (alias) previous id', () => {
    expect(identifiersOfMessage(msg({ type: 'alias', userId: 'u1', previousId: 'a0' }), null)).toEqual([
      { kind: 'user_id', value: 'u1' }, { kind: 'anonymous_id', value: 'a0' }, { kind: 'user_id', value: 'a0' },
    ]);
    expect(identifiersOfMessage(msg({ type: 'identify', anonymousId: 'a1', traits: { email: 'x@y.example' } }), 'x@y.example')).toEqual([
      { kind: 'anonymous_id', value: 'a1' }, { kind: 'email', value: 'x@y.example' },
    ]);
  });
  it('only an identify granting a purpose lifts a suppression', () => {
    const at = new Date('2026-01-01T00:00:00Z');
    expect(grantsConsent(msg({ type: 'identify', userId: 'u', traits: { consent: { email_marketing: true } } }), at)).toBe(true);
    expect(grantsConsent(msg({ type: 'identify', userId: 'u', traits: { consent: { email_marketing: false } } }), at)).toBe(false);
    expect(grantsConsent(msg({ type: 'track', userId: 'u', event: 'x' }), at)).toBe(false);
  });
});
