import { describe, expect, it } from 'vitest';
import { isFreeMailDomain } from '../../src/app/free-mail.ts';
import { hubspotStage, hubspotStageDates } from '../../src/app/import/crm-stages.ts';
import { emailDomain, normalizeDomain, registrableDomain } from '../../src/core/identity.ts';

describe('registrable domains (public suffix list)', () => {
  it('keeps what one company owns', () => {
    expect(emailDomain('gus@uk.acmepsl.co.uk')).toBe('acmepsl.co.uk');
    expect(emailDomain('ann@mail.acme.com')).toBe('acme.com');
    expect(normalizeDomain('https://www.uk.acmepsl.co.uk/about')).toBe('acmepsl.co.uk');
    expect(registrableDomain('localhost')).toBe('localhost');
    expect(normalizeDomain('not a domain')).toBeNull();
  });
  it('free mail is checked on the registrable domain', () => {
    expect(isFreeMailDomain('gmail.com')).toBe(true);
    expect(isFreeMailDomain('mail.gmail.com')).toBe(true);
    expect(isFreeMailDomain('acmepsl.co.uk')).toBe(false);
  });
});

describe('HubSpot lifecycle stage + lead status', () => {
  it('maps labels and internal values; the lead status refines the stage', () => {
    expect(hubspotStage('Marketing Qualified Lead', undefined)).toEqual({ stage: 'mql' });
    expect(hubspotStage('marketingqualifiedlead', 'IN_PROGRESS')).toEqual({ stage: 'sal', via: 'mql' });
    expect(hubspotStage('Lead', 'OPEN_DEAL')).toEqual({ stage: 'opportunity', via: 'inquiry' });
    expect(hubspotStage('salesqualifiedlead', 'UNQUALIFIED')).toEqual({ stage: 'disqualified', via: 'sql' });
    expect(hubspotStage('Subscriber', 'BAD_TIMING')).toEqual({ stage: 'nurture', via: 'inquiry' });
    expect(hubspotStage('Customer', 'BAD_TIMING')).toEqual({ stage: 'won' });
    expect(hubspotStage('Opportunity', 'ATTEMPTED_TO_CONTACT')).toEqual({ stage: 'opportunity' });
    expect(hubspotStage('Evangelist', 'NEW')).toEqual({ stage: 'won' });
    expect(hubspotStage(undefined, 'CONNECTED')).toEqual({ stage: 'sal', via: 'inquiry' });
    expect(hubspotStage(undefined, undefined)).toBeNull();
    expect(hubspotStage('Prospect', undefined)).toMatchObject({ error: { field: 'lifecycle_stage' } });
    expect(hubspotStage('Lead', 'MAYBE')).toMatchObject({ error: { field: 'lead_status' } });
  });
  it('dates each stage by the earliest of its "Became a ... Date" columns', () => {
    const d = (s: string) => new Date(s);
    expect(hubspotStageDates({ became_lead_at: d('2026-01-05'), became_subscriber_at: d('2026-01-01'), became_customer_at: d('2026-03-01') }))
      .toEqual({ inquiry: d('2026-01-01'), won: d('2026-03-01') });
  });
});
