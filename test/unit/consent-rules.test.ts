import { describe, expect, it } from 'vitest';
import {
  consentChanges, consentFromImportColumns, consentFromSegmentContext, consentPolicyOf, mayContact, readConsent, recordConsent, type ConsentChange,
} from '../../src/core/consent.rules.ts';
import { contactPatchFromTraits } from '../../src/core/traits.rules.ts';
import { mapLegacyConsent } from '../../src/storage/migrations/2026-12-02-50-consent-shape.ts';

const at = (h: number) => new Date(Date.UTC(2026, 2, 2, h)).toISOString();
const change = (purpose: ConsentChange['purpose'], status: ConsentChange['status'], h: number, source = 'test'): ConsentChange =>
  ({ purpose, status, at: at(h), source, basis: 'consent' });

describe('recordConsent: newest wins per purpose', () => {
  it('a newer grant undoes an older refusal, an older grant never undoes a newer refusal', () => {
    const refusedAt10 = recordConsent({}, [change('email_marketing', 'refused', 10)]);
    expect(recordConsent(refusedAt10, [change('email_marketing', 'granted', 9)]).email_marketing).toMatchObject({ status: 'refused' });
    expect(recordConsent(refusedAt10, [change('email_marketing', 'granted', 11)]).email_marketing).toMatchObject({ status: 'granted', at: at(11) });
  });

  it('at the same instant a refusal or withdrawal wins, whichever order they arrive in', () => {
    const a = recordConsent({}, [change('tracking', 'granted', 10), change('tracking', 'withdrawn', 10)]);
    const b = recordConsent({}, [change('tracking', 'withdrawn', 10), change('tracking', 'granted', 10)]);
    expect(a.tracking!.status).toBe('withdrawn');
    expect(b.tracking!.status).toBe('withdrawn');
  });

  it('purposes are independent, and keys it does not know (the bounce mark) are kept', () => {
    const doc = recordConsent({ email_bounced_at: at(1), sales_call: change('sales_call', 'refused', 1) }, [change('email_marketing', 'granted', 2)]);
    expect(doc).toMatchObject({ email_bounced_at: at(1), sales_call: { status: 'refused' }, email_marketing: { status: 'granted' } });
  });
});

describe('mayContact: the one read', () => {
  it('refusal and withdrawal say no; a grant says yes; no record follows the policy (default: allowed)', () => {
    expect(mayContact({}, 'email_marketing')).toEqual({ allowed: true, reason: 'no_choice_recorded', record: null });
    expect(mayContact({}, 'email_marketing', { optInRequired: { email_marketing: true } })).toMatchObject({ allowed: false, reason: 'opt_in_required' });
    expect(mayContact({}, 'tracking', { optInRequired: { email_marketing: true } }).allowed).toBe(true);
    const doc = recordConsent({}, [change('email_marketing', 'refused', 1), change('sales_email', 'withdrawn', 1), change('tracking', 'granted', 1)]);
    expect(mayContact(doc, 'email_marketing')).toMatchObject({ allowed: false, reason: 'refused' });
    expect(mayContact(doc, 'sales_email')).toMatchObject({ allowed: false, reason: 'withdrawn' });
    expect(mayContact(doc, 'sales_call').allowed).toBe(true);
    expect(mayContact(doc, 'tracking', { optInRequired: { tracking: true } })).toMatchObject({ allowed: true, reason: 'granted' });
  });

  it('a hard bounce stops email purposes, not calls or tracking', () => {
    const doc = { email_bounced_at: at(3), email_marketing: change('email_marketing', 'granted', 1) };
    expect(mayContact(doc, 'email_marketing').reason).toBe('bounced');
    expect(mayContact(doc, 'sales_email').reason).toBe('bounced');
    expect(mayContact(doc, 'sales_call').allowed).toBe(true);
  });

  it('old shapes are not read (the migration maps them): only the core shape counts', () => {
    expect(readConsent({ email: false, marketing: { granted: false } })).toEqual({});
  });

  it('the workspace policy comes from settings.consent.opt_in_required', () => {
    expect(consentPolicyOf({ consent: { opt_in_required: { email_marketing: true, bogus: true } } })).toEqual({ optInRequired: { email_marketing: true } });
    expect(consentPolicyOf({})).toEqual({ optInRequired: {} });
  });
});

describe('what doors receive', () => {
  const meta = { at: at(5), source: 'api' };

  it('reads booleans, yes/no/on words, status words, records and the old {granted}; aliases name purposes', () => {
    const { changes, problems } = consentChanges({ email: 'no', marketing: false, sales: 'on', tracking: { granted: true, at: at(2) }, sales_call: { status: 'withdrawn', source: 'crm' } }, meta);
    expect(problems).toEqual([]);
    const doc = recordConsent({}, changes);
    expect(doc).toMatchObject({
      email_marketing: { status: 'refused', source: 'api', at: at(5) }, sales_email: { status: 'granted' },
      sales_call: { status: 'withdrawn', source: 'crm' }, tracking: { status: 'granted', at: at(2) },
    });
  });

  it('a stated time later than the door\'s own is clamped to it (a future grant would outrank every later refusal)', () => {
    const { changes } = consentChanges({ email_marketing: { status: 'granted', at: '2099-01-01T00:00:00Z' } }, meta);
    expect(changes[0]!.at).toBe(at(5));
    const refusedAt6 = recordConsent(recordConsent({}, changes), [change('email_marketing', 'refused', 6)]);
    expect(mayContact(refusedAt6, 'email_marketing').allowed).toBe(false);
  });

  it('says where a value cannot be read', () => {
    expect(consentChanges({ email: 'maybe', horoscope: true, email_consent_at: at(1) }, meta).problems).toEqual([
      { path: 'consent.email', message: expect.stringContaining('yes/no') },
      { path: 'consent.horoscope', message: expect.stringContaining('unknown purpose') },
    ]);
    expect(consentChanges('yes', meta).problems).toHaveLength(1);
  });

  it('identify: traits.consent, unsubscribed: true and Segment categoryPreferences, dated at the message', () => {
    const patch = contactPatchFromTraits({ email: 'a@b.io', unsubscribed: true, consent: { sales: false } }, {
      at: at(7), source: 'segment:identify', context: { consent: { categoryPreferences: { Analytics: false, Advertising: true, Functional: true } } },
    });
    expect(recordConsent({}, patch.consent!)).toMatchObject({
      tracking: { status: 'refused', at: at(7) }, email_marketing: { status: 'withdrawn', source: 'segment:identify' },
      sales_email: { status: 'refused' }, sales_call: { status: 'refused' },
    });
    expect(patch.attributes).not.toHaveProperty('unsubscribed');
    expect(consentFromSegmentContext({}, meta)).toEqual([]);
  });

  it('CSV: HubSpot and Salesforce opt-outs and consent_<purpose> columns become consent, not attributes; false flags say nothing', () => {
    const hub = consentFromImportColumns({ unsubscribed_from_all_email: 'true', marketing_contact_status: 'Non-marketing contact', industry_note: 'x' }, { at: at(8), source: 'csv:hubspot' });
    expect(hub.rest).toEqual({ industry_note: 'x' });
    expect(recordConsent({}, hub.changes)).toMatchObject({ email_marketing: { status: 'refused', source: 'csv:hubspot' }, sales_email: { status: 'refused' } });
    const sf = consentFromImportColumns({ hasoptedoutofemail: 'false', donotcall: '1' }, { at: at(8), source: 'csv:salesforce' });
    expect(recordConsent({}, sf.changes)).toEqual({ sales_call: expect.objectContaining({ status: 'refused' }) });
    // A file's grant is dated at the row's creation: it never overrides a choice recorded since.
    const generic = consentFromImportColumns({ consent_email: 'yes' }, { at: at(8), source: 'csv:generic', grantAt: at(1) });
    const refusedAt5 = recordConsent({}, [change('email_marketing', 'refused', 5)]);
    expect(recordConsent(refusedAt5, generic.changes).email_marketing!.status).toBe('refused');
    expect(recordConsent({}, generic.changes).email_marketing).toMatchObject({ status: 'granted', at: at(1) });
  });
});

describe('the migration from old shapes', () => {
  const updated = new Date(at(12));

  it('maps email:false, {granted}, aliases and email_consent_at; the stricter wins when two keys name one purpose', () => {
    expect(mapLegacyConsent({ email: false, marketing: { granted: true, at: at(3), source: 'form:x' }, analytics: { granted: true }, email_bounced_at: at(4), custom: 1 }, null, updated)).toEqual({
      email_marketing: { status: 'refused', source: 'legacy', at: at(12), basis: 'consent' },
      tracking: { status: 'granted', source: 'legacy', at: at(12), basis: 'consent' },
      email_bounced_at: at(4), custom: 1,
    });
    expect(mapLegacyConsent({ email: true, email_consent_at: at(2) }, null, updated)).toEqual({ email_marketing: { status: 'granted', source: 'legacy', at: at(2), basis: 'consent' } });
    expect(mapLegacyConsent({ sales: { granted: false, at: at(1), source: 'form:y' } }, null, updated)).toMatchObject({ sales_email: { status: 'refused', source: 'form:y' }, sales_call: { status: 'refused' } });
  });

  it('an unsubscribe is a withdrawal that a stored grant cannot outrank; the result reads as the core shape', () => {
    const mapped = mapLegacyConsent({ email: true, email_consent_at: at(9) }, new Date(at(6)), updated);
    expect(mapped.email_marketing).toMatchObject({ status: 'withdrawn', source: 'unsubscribe', at: at(9) });
    expect(mayContact(mapped, 'email_marketing')).toMatchObject({ allowed: false, reason: 'withdrawn' });
    expect(mapLegacyConsent({ email: { status: 'refused', source: 's', at: at(1), basis: 'consent' } }, null, updated).email_marketing).toMatchObject({ status: 'refused', source: 's' });
  });
});
