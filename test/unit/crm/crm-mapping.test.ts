import { describe, expect, it } from 'vitest';
import {
  defaultHubspotMapping, defaultSalesforceMapping, hubspotContactProperties, hubspotDealOutcome, hubspotLeadMove, leadMoveForStatus, leadScore,
  salesforceLeadFields, salesforceMappingSchema, salesforceOpportunityOutcome, salesforceRating, salesforceStageUpdate, type LeadFacts,
} from '../../../src/core/crm/crm-mapping.rules.ts';
import { matches, parseSoql, SoqlError } from '../../conformance/soql.ts';

const lead: LeadFacts = {
  leadId: 'l-1', stage: 'mql', source: 'linkedin', rating: 'A2', fitScore: 40, engagementScore: 35.4, email: 'nora@orbit.example',
  firstName: 'Nora', lastName: null, title: 'VP', phone: null, accountName: null, why: 'Rating A2 reached (demo request)',
};

describe('Salesforce mapping', () => {
  const m = defaultSalesforceMapping();
  it('an MQL becomes a Lead: required fields filled the way web-to-lead does, Leadloop fields on the mapped custom fields', () => {
    expect(salesforceLeadFields(m, lead, '005X')).toMatchObject({
      FirstName: 'Nora', LastName: 'nora', Company: '[not provided]', Email: 'nora@orbit.example', LeadSource: 'linkedin', Rating: 'Hot',
      Status: 'Open - Not Contacted', OwnerId: '005X', Leadloop_Id__c: 'l-1', Leadloop_Score__c: 75, Leadloop_Rating__c: 'A2',
      Leadloop_Why__c: 'Rating A2 reached (demo request)', Leadloop_Stage__c: 'mql',
    });
    const custom = salesforceMappingSchema.parse({ lead_fields: { score: 'Score__c', why: null } });
    const fields = salesforceLeadFields(custom, lead, null);
    expect(fields.Score__c).toBe(75);
    expect(fields).not.toHaveProperty('Leadloop_Why__c');
    expect(fields).not.toHaveProperty('OwnerId');
  });

  it('ratings map to the standard picklist; the score adds fit and engagement', () => {
    expect(['A1', 'B3', 'C1', 'D4', null].map(salesforceRating)).toEqual(['Hot', 'Warm', 'Cold', 'Cold', null]);
    expect(leadScore({ fitScore: null, engagementScore: null })).toBeNull();
  });

  it('a Lead Status moves the lead along the lifecycle, never a closed one, never back to what Leadloop pushed', () => {
    expect(leadMoveForStatus(m, 'mql', 'Working - Contacted')).toEqual({ kind: 'move', path: ['sal'], reasonCode: null });
    expect(leadMoveForStatus(m, 'inquiry', 'Working - Contacted')).toEqual({ kind: 'move', path: ['mql', 'sal'], reasonCode: null });
    expect(leadMoveForStatus(m, 'sal', 'Closed - Not Converted')).toEqual({ kind: 'move', path: ['nurture'], reasonCode: 'not_ready' });
    expect(leadMoveForStatus(m, 'mql', 'Open - Not Contacted').kind).toBe('none');
    expect(leadMoveForStatus(m, 'sql', 'Working - Contacted')).toEqual({ kind: 'none', why: 'already there' });
    expect(leadMoveForStatus(m, 'won', 'Unqualified')).toEqual({ kind: 'none', why: 'lead is won' });
    expect(leadMoveForStatus(m, 'mql', 'Something new')).toEqual({ kind: 'none', why: 'status "Something new" is not mapped' });
    const leadloopOwns = salesforceMappingSchema.parse({ ownership: { lead_status: 'leadloop' } });
    expect(leadMoveForStatus(leadloopOwns, 'mql', 'Working - Contacted').kind).toBe('none');
    expect(salesforceStageUpdate(salesforceMappingSchema.parse({ ownership: { lead_status: 'crm' } }), { ...lead, stage: 'sal' })).not.toHaveProperty('Status');
    expect(salesforceStageUpdate(m, { ...lead, stage: 'sal' })).toMatchObject({ Status: 'Working - Contacted', Leadloop_Stage__c: 'sal' });
  });

  it('opportunity outcome: the mapping first, then the org\'s IsWon/IsClosed', () => {
    expect(salesforceOpportunityOutcome(m, { StageName: 'Closed Won', IsClosed: true, IsWon: true })).toBe('won');
    expect(salesforceOpportunityOutcome(m, { StageName: 'Closed Lost', IsClosed: true, IsWon: false })).toBe('lost');
    expect(salesforceOpportunityOutcome(m, { StageName: 'Prospecting', IsClosed: false, IsWon: false })).toBe('open');
    const mapped = salesforceMappingSchema.parse({ opportunity_stages: { 'Signed - Awaiting PO': 'won' } });
    expect(salesforceOpportunityOutcome(mapped, { StageName: 'Signed - Awaiting PO', IsClosed: false, IsWon: false })).toBe('won');
  });

  it('a mapping that names a stage Leadloop does not have, or a bad field name, does not parse', () => {
    expect(salesforceMappingSchema.safeParse({ pull_status: { X: { stage: 'nowhere' } } }).success).toBe(false);
    expect(salesforceMappingSchema.safeParse({ lead_fields: { score: 'Score__c; DROP' } }).success).toBe(false);
    expect(salesforceMappingSchema.safeParse({ unknown_key: 1 }).success).toBe(false);
  });
});

describe('HubSpot mapping', () => {
  const m = defaultHubspotMapping();
  it('contact properties are strings, with the lifecycle stage of the lead\'s stage', () => {
    expect(hubspotContactProperties(m, lead)).toEqual({
      email: 'nora@orbit.example', firstname: 'Nora', jobtitle: 'VP', leadloop_id: 'l-1', leadloop_score: '75', leadloop_rating: 'A2',
      leadloop_why: 'Rating A2 reached (demo request)', leadloop_stage: 'mql', lifecyclestage: 'marketingqualifiedlead',
    });
    expect(hubspotContactProperties(m, { ...lead, stage: 'nurture' })).not.toHaveProperty('lifecyclestage');
  });
  it('deal outcome: mapping, then pipeline metadata (closed with probability 1 = won)', () => {
    expect(hubspotDealOutcome(m, 'contractsigned', { isClosed: true, probability: 1 })).toBe('won');
    expect(hubspotDealOutcome(m, 'x', { isClosed: true, probability: 0 })).toBe('lost');
    expect(hubspotDealOutcome(m, 'x', { isClosed: false, probability: 0.4 })).toBe('open');
    expect(hubspotDealOutcome({ ...m, deal_stages: { x: 'won' } }, 'x', { isClosed: false, probability: 0.4 })).toBe('won');
  });
});

describe('the simulation\'s SOQL subset', () => {
  it('parses what the connector sends and filters like Salesforce (case-insensitive strings, dateTime literals)', () => {
    const q = parseSoql("SELECT Id, Email FROM Lead WHERE IsConverted = false AND Email IN ('A@x.example', 'b@x.example') ORDER BY SystemModstamp LIMIT 5");
    expect(q).toMatchObject({ fields: ['Id', 'Email'], object: 'Lead', limit: 5, orderBy: { field: 'SystemModstamp', desc: false } });
    expect(matches(q, { Id: '1', Email: 'a@x.example', IsConverted: false })).toBe(true);
    expect(matches(q, { Id: '1', Email: 'a@x.example', IsConverted: true })).toBe(false);
    const since = parseSoql('SELECT Id FROM Lead WHERE SystemModstamp >= 2026-03-02T10:00:00.000Z');
    expect(matches(since, { Id: '1', SystemModstamp: '2026-03-02T10:00:00.000+0000' })).toBe(true);
    expect(matches(since, { Id: '1', SystemModstamp: '2026-03-02T09:59:59.999+0000' })).toBe(false);
    expect(parseSoql("SELECT Id FROM Lead WHERE Email = 'o\\'brien@x.example'").where[0]![0]!.value).toBe("o'brien@x.example");
    expect(() => parseSoql('SELECT FROM Lead')).toThrow(SoqlError);
  });
});

describe('hubspotLeadMove: only a HubSpot user\'s change moves a lead', () => {
  const m = defaultHubspotMapping();
  const seen = (lifecyclestage: string | null, hs_lead_status: string | null = null) => ({ lifecyclestage, hs_lead_status });
  it('remembers on first sight, and ignores values that merely stayed or that Leadloop wrote', () => {
    expect(hubspotLeadMove(m, 'mql', seen('salesqualifiedlead', 'UNQUALIFIED'), null)).toMatchObject({ kind: 'none', why: expect.stringContaining('first seen') });
    expect(hubspotLeadMove(m, 'mql', seen('marketingqualifiedlead', 'BAD_TIMING'), seen('marketingqualifiedlead', 'BAD_TIMING')).kind).toBe('none');
    // Leadloop pushed "salesqualifiedlead" for its own sql lead: not news.
    expect(hubspotLeadMove(m, 'sql', seen('salesqualifiedlead'), seen('marketingqualifiedlead')).kind).toBe('none');
  });
  it('a changed lifecycle stage or lead status walks the lead, the lead status first, with its reason', () => {
    expect(hubspotLeadMove(m, 'mql', seen('salesqualifiedlead'), seen('marketingqualifiedlead'))).toEqual({ kind: 'move', path: ['sal'], reasonCode: null });
    expect(hubspotLeadMove(m, 'sal', seen('salesqualifiedlead', 'BAD_TIMING'), seen('marketingqualifiedlead', 'IN_PROGRESS'))).toEqual({ kind: 'move', path: ['nurture'], reasonCode: 'not_ready' });
    expect(hubspotLeadMove(m, 'mql', seen('marketingqualifiedlead', 'UNQUALIFIED'), seen('marketingqualifiedlead'))).toEqual({ kind: 'move', path: ['disqualified'], reasonCode: 'bad_fit' });
  });
  it('closed leads, unmapped values, impossible moves and Leadloop-owned stages move nothing', () => {
    expect(hubspotLeadMove(m, 'won', seen('other', 'UNQUALIFIED'), seen('customer'))).toMatchObject({ kind: 'none', why: 'lead is won' });
    expect(hubspotLeadMove(m, 'mql', seen('evangelist'), seen('marketingqualifiedlead'))).toMatchObject({ kind: 'none' });
    expect(hubspotLeadMove(m, 'sql', seen('salesqualifiedlead', 'IN_PROGRESS'), seen('salesqualifiedlead'))).toMatchObject({ kind: 'none' });
    const owned = { ...m, ownership: { lead_stage: 'leadloop' as const } };
    expect(hubspotLeadMove(owned, 'mql', seen('marketingqualifiedlead', 'UNQUALIFIED'), seen('marketingqualifiedlead'))).toMatchObject({ kind: 'none' });
  });
});
