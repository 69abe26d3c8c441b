import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mayContact } from '../../src/core/consent.rules.ts';
import { up } from '../../src/storage/migrations/2026-12-02-50-consent-shape.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

let t: TestApp;
beforeAll(async () => { t = await createTestApp(); });
afterAll(async () => { await t?.close(); });

/** The consent-shape migration over rows in the shapes the old doors wrote (run again on the migrated database). */
describe('migration 2026-12-02-50-consent-shape', () => {
  it('rewrites every old shape to per-purpose records that mayContact reads the way the old checks meant', async () => {
    const updated = new Date('2026-10-01T12:00:00Z');
    const rows = [
      { email: 'old-false@x.example', consent: { email: false }, unsubscribed_at: null },
      { email: 'old-form@x.example', consent: { email: { granted: false, at: '2026-09-01T10:00:00Z', source: 'form:contact' }, marketing: { granted: false, at: '2026-09-01T10:00:00Z', source: 'form:contact' }, sales: { granted: true, at: '2026-09-01T10:00:00Z', source: 'form:contact' } }, unsubscribed_at: null },
      { email: 'old-optin@x.example', consent: { email: true, email_consent_at: '2026-09-05T08:00:00Z', email_bounced_at: '2026-09-06T08:00:00Z' }, unsubscribed_at: null },
      { email: 'old-unsub@x.example', consent: {}, unsubscribed_at: new Date('2026-09-07T09:00:00Z') },
      { email: 'old-none@x.example', consent: {}, unsubscribed_at: null },
    ];
    // Many rows, so the keyset batches (1,000) turn over more than once.
    const filler = Array.from({ length: 2100 }, (_, i) => ({ email: `filler${i}@x.example`, consent: { analytics: { granted: i % 2 === 0 } }, unsubscribed_at: null }));
    const all = [...rows, ...filler];
    const ids = new Map<string, string>();
    for (let i = 0; i < all.length; i += 500) {
      const chunk = all.slice(i, i + 500).map((r) => ({
        workspace_id: t.workspace.id, id: crypto.randomUUID(), email: r.email, status: 'known', consent: JSON.stringify(r.consent),
        unsubscribed_at: r.unsubscribed_at, updated_at: updated, attributes: '{}',
      }));
      await t.db.insertInto('contact').values(chunk as any).execute();
      for (const c of chunk) ids.set(c.email, c.id);
    }
    await up(t.db);
    const consentOf = async (email: string) => (await t.db.selectFrom('contact').select('consent').where('workspace_id', '=', t.workspace.id).where('id', '=', ids.get(email)!).executeTakeFirstOrThrow()).consent as Record<string, any>;

    expect(await consentOf('old-false@x.example')).toEqual({ email_marketing: { status: 'refused', source: 'legacy', at: updated.toISOString(), basis: 'consent' } });
    const form = await consentOf('old-form@x.example');
    expect(form).toMatchObject({ email_marketing: { status: 'refused', source: 'form:contact' }, sales_email: { status: 'granted' }, sales_call: { status: 'granted' } });
    expect(form).not.toHaveProperty('email');
    expect(mayContact(form, 'email_marketing').allowed).toBe(false); // the shape the bug let through is now refused
    const optin = await consentOf('old-optin@x.example');
    expect(optin).toEqual({ email_marketing: { status: 'granted', source: 'legacy', at: '2026-09-05T08:00:00.000Z', basis: 'consent' }, email_bounced_at: '2026-09-06T08:00:00Z' });
    expect(mayContact(optin, 'email_marketing').reason).toBe('bounced');
    expect((await consentOf('old-unsub@x.example')).email_marketing).toMatchObject({ status: 'withdrawn', source: 'unsubscribe', at: '2026-09-07T09:00:00.000Z' });
    expect(await consentOf('old-none@x.example')).toEqual({});
    expect((await consentOf('filler2099@x.example')).tracking).toMatchObject({ status: 'refused' });
    expect((await consentOf('filler2098@x.example')).tracking).toMatchObject({ status: 'granted' });

    // Running it again changes nothing: the new shape maps to itself.
    const before = await consentOf('old-form@x.example');
    await up(t.db);
    expect(await consentOf('old-form@x.example')).toEqual(before);
  });
});
