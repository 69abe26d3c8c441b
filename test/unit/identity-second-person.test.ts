import { describe, expect, it } from 'vitest';
import { resolveIdentities, type IdentityRequest } from '../../src/core/identity-resolution.rules.ts';

const req = (r: Partial<IdentityRequest>): IdentityRequest => ({ anonymousId: null, userId: null, email: null, cause: 'identify', messageId: null, ...r });
const ids = () => { let n = 0; return () => `new-${++n}`; };

describe('a second known person on one device', () => {
  const snapshot = () => ({ bindings: new Map([['anonymous_id:v', 'A'], ['email:a@x.com', 'A']]), contacts: new Map([['A', { id: 'A', email: 'a@x.com' }]]) });

  it('creates the second person with their email, records a conflict with both ids and moves the device to them', () => {
    const plan = resolveIdentities(snapshot(), [req({ anonymousId: 'v', email: 'b@y.com', messageId: 'm2' }), req({ anonymousId: 'v', cause: 'page' })], ids());
    expect(plan.newContacts).toEqual([{ id: 'new-1', email: 'b@y.com' }]);
    expect(plan.contactOf).toEqual(['new-1', 'new-1']);
    expect(plan.merges).toEqual([]);
    expect(plan.conflicts).toMatchObject([{ contactId: 'new-1', otherContactId: 'A', kind: 'anonymous_id', value: 'v', messageId: 'm2' }]);
    expect(plan.rebindings).toEqual([{ kind: 'anonymous_id', value: 'v', contactId: 'new-1', fromContactId: 'A' }]);
    expect(plan.bindings).toEqual([{ kind: 'email', value: 'b@y.com', contactId: 'new-1' }]);
  });

  it('links the second person when their email is already known, without a merge', () => {
    const s = snapshot();
    s.bindings.set('email:b@y.com', 'B');
    s.contacts.set('B', { id: 'B', email: 'b@y.com' });
    const plan = resolveIdentities(s, [req({ anonymousId: 'v', email: 'b@y.com' })], ids());
    expect(plan.newContacts).toEqual([]);
    expect(plan.contactOf).toEqual(['B']);
    expect(plan.conflicts.map((c) => [c.contactId, c.otherContactId])).toEqual([['B', 'A']]);
    expect(plan.rebindings).toEqual([{ kind: 'anonymous_id', value: 'v', contactId: 'B', fromContactId: 'A' }]);
  });

  it('within one batch: a@x then b@y on a new device gives two contacts, the device ending with b', () => {
    const plan = resolveIdentities({ bindings: new Map(), contacts: new Map() }, [
      req({ anonymousId: 'w', email: 'a@x.com' }), req({ anonymousId: 'w', email: 'b@y.com' }), req({ anonymousId: 'w', cause: 'track' }),
    ], ids());
    expect(plan.newContacts).toEqual([{ id: 'new-1', email: 'a@x.com' }, { id: 'new-2', email: 'b@y.com' }]);
    expect(plan.contactOf).toEqual(['new-1', 'new-2', 'new-2']);
    expect(plan.conflicts.map((c) => [c.contactId, c.otherContactId])).toEqual([['new-2', 'new-1']]);
    expect(plan.bindings).toContainEqual({ kind: 'anonymous_id', value: 'w', contactId: 'new-2' });
    expect(plan.rebindings).toEqual([]);
  });

  it('the same person identifying again on their device changes nothing', () => {
    const plan = resolveIdentities(snapshot(), [req({ anonymousId: 'v', email: 'a@x.com' })], ids());
    expect(plan).toMatchObject({ contactOf: ['A'], newContacts: [], conflicts: [], rebindings: [], merges: [] });
  });
});

describe('a bare userId on a known device', () => {
  it('records the conflict but leaves the device with its known owner (the userId may be the same person)', () => {
    const snapshot = { bindings: new Map([['anonymous_id:v', 'A'], ['user_id:u', 'U']]), contacts: new Map([['A', { id: 'A', email: 'a@x.com' }], ['U', { id: 'U', email: null }]]) };
    const plan = resolveIdentities(snapshot, [req({ anonymousId: 'v', userId: 'u', cause: 'track' })], ids());
    expect(plan.contactOf).toEqual(['U']);
    expect(plan.conflicts.map((c) => [c.contactId, c.otherContactId])).toEqual([['U', 'A']]);
    expect(plan.rebindings).toEqual([]);
  });
});
