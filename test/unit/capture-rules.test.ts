import { describe, expect, it } from 'vitest';
import { contentUrlKey, mapActivity } from '../../src/core/event-mapping.rules.ts';
import { resolveIdentities, type IdentityRequest } from '../../src/core/identity-resolution.rules.ts';
import { parseMessage } from '../../src/core/segment-message.schema.ts';
import { correctedTimestamp, deriveTouch } from '../../src/core/touch.rules.ts';

const req = (r: Partial<IdentityRequest>): IdentityRequest => ({ anonymousId: null, userId: null, email: null, cause: 'identify', messageId: null, ...r });
const ids = () => { let n = 0; return () => `new-${++n}`; };

describe('identity resolution', () => {
  it('folds an in-batch anonymous newcomer into the known contact without a merge record', () => {
    const snapshot = { bindings: new Map([['email:a@x.com', 'A']]), contacts: new Map([['A', { id: 'A', email: 'a@x.com' }]]) };
    const plan = resolveIdentities(snapshot, [req({ anonymousId: 'v', cause: 'page' }), req({ anonymousId: 'v', email: 'a@x.com' })], ids());
    expect(plan.contactOf).toEqual(['A', 'A']);
    expect(plan.newContacts).toEqual([]);
    expect(plan.merges).toEqual([]);
    expect(plan.bindings).toEqual([{ kind: 'anonymous_id', value: 'v', contactId: 'A' }]);
  });

  it('merges an existing anonymous contact into the known one (loser never has an email)', () => {
    const snapshot = { bindings: new Map([['anonymous_id:v', 'N'], ['email:a@x.com', 'A']]), contacts: new Map([['N', { id: 'N', email: null }], ['A', { id: 'A', email: 'a@x.com' }]]) };
    const plan = resolveIdentities(snapshot, [req({ anonymousId: 'v', email: 'a@x.com', messageId: 'm' })], ids());
    expect(plan.merges).toEqual([{ winnerId: 'A', loserId: 'N', cause: 'identify', messageId: 'm', via: 'anonymous_id v' }]);
  });

  it('records conflicts instead of merging two known emails', () => {
    const snapshot = {
      bindings: new Map([['user_id:u', 'A'], ['email:a@x.com', 'A'], ['email:b@x.com', 'B'], ['anonymous_id:vb', 'B']]),
      contacts: new Map([['A', { id: 'A', email: 'a@x.com' }], ['B', { id: 'B', email: 'b@x.com' }]]),
    };
    const plan = resolveIdentities(snapshot, [req({ userId: 'u', email: 'b@x.com' }), req({ userId: 'u', anonymousId: 'vb' })], ids());
    expect(plan.merges).toEqual([]);
    expect(plan.conflicts.map((c) => [c.kind, c.contactId, c.otherContactId])).toEqual([['email', 'A', 'B'], ['anonymous_id', 'A', 'B']]);
    expect(plan.contactOf).toEqual(['A', 'A']);
  });

  it('creates one contact per new visitor and gives it the email', () => {
    const plan = resolveIdentities({ bindings: new Map(), contacts: new Map() }, [req({ anonymousId: 'v' }), req({ anonymousId: 'v', email: 'c@x.com' })], ids());
    expect(plan.newContacts).toEqual([{ id: 'new-1', email: 'c@x.com' }]);
    expect(plan.contactOf).toEqual(['new-1', 'new-1']);
  });
});

describe('touches, clock skew, mapping, validation', () => {
  it('derives touches from UTM first, then the referrer; same-site and direct are not touches', () => {
    expect(deriveTouch({ campaign: { source: 'Google', medium: 'CPC', name: 'Brand' } })).toEqual({ source: 'google', medium: 'cpc', campaign: 'Brand' });
    expect(deriveTouch({ referrer: 'https://www.google.co.uk/search?q=x', url: 'https://a.com/' })).toEqual({ source: 'google', medium: 'organic', campaign: null });
    expect(deriveTouch({ referrer: 'https://t.co/abc', url: 'https://a.com/' })).toEqual({ source: 'twitter', medium: 'social', campaign: null });
    expect(deriveTouch({ referrer: 'https://blog.partner.io/post', url: 'https://a.com/' })).toEqual({ source: 'blog.partner.io', medium: 'referral', campaign: null });
    expect(deriveTouch({ referrer: 'https://a.com/x', url: 'https://www.a.com/y' })).toBeNull();
    expect(deriveTouch({ url: 'https://a.com/' })).toBeNull();
  });

  it('corrects clock skew like Segment', () => {
    const received = new Date('2026-01-01T12:00:00Z');
    expect(correctedTimestamp(received, new Date('2026-01-01T13:59:50Z'), new Date('2026-01-01T14:00:00Z')).toISOString()).toBe('2026-01-01T11:59:50.000Z');
    expect(correctedTimestamp(received, undefined, undefined)).toBe(received);
  });

  it('matches content by normalized URL', () => {
    expect(contentUrlKey('HTTPS://www.Acme.com/Guide/?utm=1#top')).toBe('acme.com/guide');
    const byUrl = (k: string) => (k === 'acme.com/guide' ? 'C1' : undefined);
    expect(mapActivity({ type: 'page', url: 'https://acme.com/guide/', properties: {} }, byUrl, () => false)).toEqual({ type: 'content_view', contentId: 'C1' });
    expect(mapActivity({ type: 'track', event: 'content_downloaded', url: null, properties: { url: 'http://acme.com/guide' } }, byUrl, () => false)).toEqual({ type: 'content_download', contentId: 'C1' });
    expect(mapActivity({ type: 'track', event: 'Signed Up', url: null, properties: {} }, byUrl, () => false).type).toBe('custom');
  });

  it('validates messages with precise paths', () => {
    expect(parseMessage({ type: 'track', userId: 42, event: 'x' })).toMatchObject({ ok: true, message: { userId: '42' } });
    expect(parseMessage({ type: 'alias', userId: 'u' })).toMatchObject({ ok: false, details: [{ path: 'previousId' }] });
    expect(parseMessage([], 'track')).toMatchObject({ ok: false, reason: 'InvalidMessage' });
    expect(parseMessage({ type: 'page', anonymousId: 'a', timestamp: 1700000000 })).toMatchObject({ ok: false, details: [{ path: 'timestamp' }] });
  });
});
