import { Readable } from 'node:stream';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installDefaultDefinition } from '../../src/app/definitions/install-default-definition.ts';
import type { DomainEvent } from '../../src/app/events/domain-events.ts';
import { observeEvents } from '../../src/app/events/dispatcher.ts';
import { importCsv, type CsvImportOptions } from '../../src/app/import/csv-import.ts';
import { createTestApp, must, type TestApp } from '../helpers/test-app.ts';

/**
 * Imports meet scoring through a domain event, not a call into scoring: each scored chunk publishes
 * ContactsImported (its people, those the rating qualifies, whether the import hands them to sales)
 * in its transaction, and with `qualify` scoring's subscriber runs live qualification, whose MQL
 * transitions (LeadTransitioned, nested) are what the import summary counts.
 */
let t: TestApp;

const contacts = [
  'Record ID,First Name,Last Name,Email,Job Title,Company Name,Website URL,Industry,Number of Employees,Lifecycle Stage,Lead Status,Create Date,Original Source',
  '207,Quinn,Quill,quinn@qualsoft.example,VP Sales,QualSoft,qualsoft.example,Software,450,Lead,OPEN,2026-02-01 09:00,PAID_SEARCH',
  '208,Ray,Rest,ray@restco.example,Student,RestCo,restco.example,Retail,12,Subscriber,,2026-02-02 09:00,ORGANIC_SEARCH',
].join('\r\n') + '\r\n';
const activities = `email,type,occurred_at,url,source,medium,campaign
quinn@qualsoft.example,page_view,2026-02-26 10:00,/pricing,google,cpc,
quinn@qualsoft.example,page_view,2026-02-27 10:00,/pricing/enterprise,,,
quinn@qualsoft.example,page_view,2026-02-28 10:00,/pricing,,,
quinn@qualsoft.example,webinar_attended,2026-02-28 16:00,,linkedin,social,feb-webinar
`;

async function importObserved(content: string, options: CsvImportOptions) {
  const events: DomainEvent[] = [];
  const result = await observeEvents((e) => events.push(e), () => importCsv(t.deps, t.workspace.id, () => Readable.from([content]), options));
  return { summary: must(result), events };
}

const contactId = async (email: string) => (await sql<{ id: string }>`SELECT id FROM contact WHERE email = ${email}`.execute(t.db)).rows[0]!.id;

describe('imports publish ContactsImported; scoring qualifies through it', () => {
  beforeAll(async () => {
    t = await createTestApp();
    must(await installDefaultDefinition(t.deps, t.workspace.id, { marketingUserId: t.users.marketing.id, salesUserId: t.users.sales.id }));
  }, 120_000);
  afterAll(async () => { await t?.close(); });

  it('a contacts import publishes one ContactsImported per chunk, naming its people; without qualify nobody is handed to sales', async () => {
    const { summary, events } = await importObserved(contacts, { entity: 'contacts', preset: 'hubspot', chunkSize: 1 });
    expect(summary.stats).toMatchObject({ inserted: 2, errors: 0 });
    const imported = events.filter((e) => e.name === 'ContactsImported');
    expect(imported.map((e) => e.payload)).toEqual([
      expect.objectContaining({ workspaceId: t.workspace.id, contactIds: [await contactId('quinn@qualsoft.example')], qualify: false }),
      expect.objectContaining({ workspaceId: t.workspace.id, contactIds: [await contactId('ray@restco.example')], qualify: false }),
    ]);
    expect(events.filter((e) => e.name === 'LeadTransitioned')).toEqual([]);
    expect(summary.scoring).toMatchObject({ scored: 2, mqls: 0 });
  });

  it('with qualify, the person the rating qualifies is named and scoring moves their lead to mql inside the same publish', async () => {
    const { summary, events } = await importObserved(activities, { entity: 'activities', qualify: true });
    const quinn = await contactId('quinn@qualsoft.example');
    const names = events.map((e) => e.name);
    const at = names.indexOf('ContactsImported');
    expect(at).toBeGreaterThanOrEqual(0);
    expect(events[at]!.payload).toMatchObject({ contactIds: [quinn], qualifyingContactIds: [quinn], qualify: true });
    const mqls = events.slice(at).filter((e) => e.name === 'LeadTransitioned' && e.payload.to === 'mql');
    expect(mqls.map((e) => e.name === 'LeadTransitioned' && e.payload.contactId)).toEqual([quinn]);
    expect(summary.scoring).toMatchObject({ scored: 1, mqls: 1 });
    const lead = (await sql<{ stage: string }>`SELECT stage FROM lead WHERE contact_id = ${quinn} ORDER BY opened_at DESC LIMIT 1`.execute(t.db)).rows[0]!;
    expect(lead.stage).toBe('mql');
  });
});
