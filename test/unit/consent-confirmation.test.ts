import { describe, expect, it } from 'vitest';
import {
  applyDoubleOptIn, confirmationExpiry, doubleOptInOf, maskEmail, preferenceChanges, preferenceViews, renderConfirmationEmail, unsubscribeAllChanges,
} from '../../src/core/consent-confirmation.rules.ts';
import { consentChanges, mayContact, recordConsent, type ConsentChange } from '../../src/core/consent.rules.ts';

const T = '2026-05-01T10:00:00.000Z';
const grant = (source: string, at = T): ConsentChange => ({ purpose: 'email_marketing', status: 'granted', source, at, basis: 'consent' });

describe('double opt-in rules', () => {
  it('reads the setting with defaults (off, 7 days) and ignores malformed values', () => {
    expect(doubleOptInOf({})).toEqual({ enabled: false, confirmWithinDays: 7 });
    expect(doubleOptInOf({ consent: { double_opt_in: true, confirm_within_days: 3 } })).toEqual({ enabled: true, confirmWithinDays: 3 });
    expect(doubleOptInOf({ consent: { double_opt_in: 'yes', confirm_within_days: 90 } })).toEqual({ enabled: false, confirmWithinDays: 7 });
  });

  it('turns a door grant of email marketing into pending; other purposes, refusals and confirmed channels pass', () => {
    const on = { enabled: true };
    expect(applyDoubleOptIn({}, [grant('form:ebook')], on)[0]!.status).toBe('pending');
    expect(applyDoubleOptIn({}, [grant('csv:hubspot'), grant('api'), grant('segment:identify')], on).map((c) => c.status)).toEqual(['pending', 'pending', 'pending']);
    expect(applyDoubleOptIn({}, [grant('preference_centre'), grant('confirmed:form:ebook')], on).map((c) => c.status)).toEqual(['granted', 'granted']);
    expect(applyDoubleOptIn({}, [{ ...grant('form:x'), purpose: 'tracking' }, { ...grant('form:x'), status: 'refused' }], on).map((c) => c.status)).toEqual(['granted', 'refused']);
    expect(applyDoubleOptIn({}, [grant('form:ebook')], { enabled: false })[0]!.status).toBe('granted');
    // Already granted (confirmed, or before double opt-in): re-stated, never downgraded.
    const stored = recordConsent({}, [grant('confirmed:form:a', '2026-04-01T00:00:00.000Z')]);
    expect(applyDoubleOptIn(stored, [grant('form:b')], on)[0]!.status).toBe('granted');
  });

  it('pending is never sent to, and no door can state it', () => {
    const pending = recordConsent({}, [{ ...grant('form:a'), status: 'pending' }]);
    expect(mayContact(pending, 'email_marketing')).toMatchObject({ allowed: false, reason: 'pending' });
    expect(consentChanges({ email_marketing: { status: 'pending' } }, { at: T, source: 'api' }).problems).toHaveLength(1);
    // A later refusal answers a pending request; a later confirmation grants.
    expect(mayContact(recordConsent(pending, [{ ...grant('form:b', '2026-05-02T00:00:00.000Z'), status: 'refused' }]), 'email_marketing').reason).toBe('refused');
    expect(mayContact(recordConsent(pending, [grant('confirmed:form:a', '2026-05-02T00:00:00.000Z')]), 'email_marketing').allowed).toBe(true);
  });

  it('expires after the window', () => {
    expect(confirmationExpiry(new Date(T), { confirmWithinDays: 7 }).toISOString()).toBe('2026-05-08T10:00:00.000Z');
  });

  it('escapes the lead-supplied name in the confirmation email and keeps it to one line', () => {
    const mail = renderConfirmationEmail({ firstName: '<img src=x onerror=alert(1)>\r\nBcc: x@evil.test', confirmLink: 'https://l/c/1?a=1&b=2', preferencesLink: 'https://l/p/1', expiresAt: new Date(T) });
    expect(mail.html).not.toContain('<img');
    expect(mail.html).toContain('&lt;img src=x onerror=alert(1)&gt; Bcc: x@evil.test');
    expect(mail.html).toContain('href="https://l/c/1?a=1&amp;b=2"');
    expect(mail.text.split('\n')[0]).toBe('Hi <img src=x onerror=alert(1)> Bcc: x@evil.test,');
  });
});

describe('preference centre rules', () => {
  it('shows each purpose group with its state', () => {
    const stored = recordConsent({}, [
      { ...grant('form:a'), status: 'pending' },
      { purpose: 'sales_email', status: 'granted', source: 'api', at: T, basis: 'consent' },
      { purpose: 'sales_call', status: 'refused', source: 'api', at: T, basis: 'consent' },
    ]);
    expect(preferenceViews(stored).map((v) => [v.group, v.state])).toEqual([['email_marketing', 'pending'], ['sales_contact', 'not_allowed'], ['tracking', 'no_choice']]);
  });

  it('a choice changes every purpose of its group; unsubscribe from all leaves tracking alone', () => {
    const at = new Date(T);
    expect(preferenceChanges('sales_contact', 'withdrawn', at).map((c) => [c.purpose, c.status, c.source, c.basis])).toEqual([
      ['sales_email', 'withdrawn', 'preference_centre', 'consent'], ['sales_call', 'withdrawn', 'preference_centre', 'consent']]);
    expect(unsubscribeAllChanges(at).map((c) => c.purpose)).toEqual(['email_marketing', 'sales_email']);
  });

  it('masks the address', () => {
    expect(maskEmail('rita.jones@refuses.test')).toBe('r•••@r•••.test');
    expect(maskEmail(null)).toBe('your address');
  });
});

describe('a confirmed grant and the public-key rule', () => {
  it('keeps its door\'s channel: the same door may change it later, another public door may not', async () => {
    const { consentChangesFor } = await import('../../src/core/ingest-trust.rules.ts');
    const stored = recordConsent({}, [grant('confirmed:form:ebook')]);
    const refusal = { ...grant('form:webinar', '2026-05-02T00:00:00.000Z'), status: 'refused' as const };
    expect(consentChangesFor('public', 'form', stored, [refusal]).kept).toHaveLength(1);
    expect(consentChangesFor('public', 'segment', stored, [{ ...refusal, source: 'segment:identify' }]).kept).toHaveLength(0);
  });
});
