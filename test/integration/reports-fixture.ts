import { openLead, transitionLead } from '../../src/app/leads.ts';
import { createOpportunity, patchOpportunity } from '../../src/app/opportunities.ts';
import type { Stage } from '../../src/core/lifecycle.ts';
import { insertActivity } from '../../src/storage/activities.repo.ts';
import { insertCampaign, upsertCampaignCosts } from '../../src/storage/campaigns.repo.ts';
import { insertContact } from '../../src/storage/contacts.repo.ts';
import { must, type TestApp } from '../helpers/test-app.ts';

/**
 * A small hand-built quarter (all times 09:00Z unless noted) whose report figures are computed by hand
 * in reports.test.ts. Period under test: 2026-01-01 … 2026-02-28.
 *
 *   L1 webinar      opened 01-05, mql 01-06, sal 01-08, sql 01-10, opportunity 01-15 (opens O1), O1 won 01-25 for 1000
 *   L2 webinar      opened 01-10, mql 01-11, nurture 01-12 (not_ready), mql 01-20, sal 01-21
 *   L3 paid_search  opened 01-20, mql 01-21 (never worked)
 *   L4 paid_search  opened 02-03, mql 02-04, disqualified 02-05 (bad_fit)
 *   L5 paid_search  opened 02-10 (inquiry)
 *   L6 webinar      opened 02-12, mql 02-13, sal 02-14, sql 02-15, opportunity 02-16 (opens O2), O2 lost 02-20 (lost_price)
 *   L7 webinar      opened 2025-12-20: outside the period
 *   O3 open, 500, created 02-05 directly with C3 as contact role (no lead link)
 * Touches: C1: T1 01-02 google/cpc, T2 01-05 08:00 campaign "Webinar Jan", T3 01-12 email, meeting 01-07 (no source),
 *   sales_call 01-09 (no source), T4 01-20 linkedin/social, T5 01-28 (after the close) google/cpc.
 *   C3: T6 02-01 google/cpc. C6: T7 02-11 campaign "Webinar Jan".
 * Costs: campaign "Webinar Jan" (channel webinar) 300 in Jan + 200 in Feb; "Search" (paid_search) 100 in Jan.
 */
export async function buildReportsFixture(t: TestApp) {
  const ws = t.workspace.id;
  const actor = { type: 'user' as const, id: t.users.sales.id };
  const day = (d: string, time = '09:00') => new Date(`${d}T${time}:00Z`);
  const webinar = await insertCampaign(t.db, ws, { name: 'Webinar Jan', channel: 'webinar', utmSource: null, utmMedium: null, utmCampaign: 'webinar-jan', startsOn: null, endsOn: null, budget: null });
  const search = await insertCampaign(t.db, ws, { name: 'Search', channel: 'paid_search', utmSource: 'google', utmMedium: 'cpc', utmCampaign: 'search', startsOn: null, endsOn: null, budget: null });
  await upsertCampaignCosts(t.db, ws, [
    { campaignId: webinar.id, periodStart: '2026-01-01', amount: 300, currency: 'USD' },
    { campaignId: webinar.id, periodStart: '2026-02-01', amount: 200, currency: 'USD' },
    { campaignId: search.id, periodStart: '2026-01-01', amount: 100, currency: 'USD' },
  ]);

  const contacts: Record<string, string> = {};
  const leads: Record<string, string> = {};
  async function lead(name: string, source: string, opened: string, walk: [Stage, string, string?][]) {
    const contact = await insertContact(t.db, ws, { email: `${name.toLowerCase()}@example.com`, firstName: name });
    contacts[name] = contact.id;
    const l = must(await openLead(t.deps, ws, { contactId: contact.id, actor, at: day(opened) }));
    await t.db.updateTable('lead').set({ source }).where('workspace_id', '=', ws).where('id', '=', l.id).execute();
    leads[name] = l.id;
    for (const [to, at, reasonCode] of walk) must(await transitionLead(t.deps, ws, l.id, { to, at: day(at), actor, reasonCode }));
  }
  const touch = async (name: string, at: Date, f: { type?: string; source?: string; medium?: string; campaignId?: string }) => {
    await insertActivity(t.db, ws, {
      contactId: contacts[name]!, type: f.type ?? 'page_view', occurredAt: at, source: f.source ?? null, medium: f.medium ?? null,
      campaignId: f.campaignId ?? null, utmCampaign: null, contentId: null, url: null, referrer: null, eventName: null, properties: {},
      actorUserId: null, idempotencyKey: null,
    });
  };

  await lead('L1', 'webinar', '2026-01-05', [['mql', '2026-01-06'], ['sal', '2026-01-08'], ['sql', '2026-01-10'], ['opportunity', '2026-01-15']]);
  await lead('L2', 'webinar', '2026-01-10', [['mql', '2026-01-11'], ['nurture', '2026-01-12', 'not_ready'], ['mql', '2026-01-20'], ['sal', '2026-01-21']]);
  await lead('L3', 'paid_search', '2026-01-20', [['mql', '2026-01-21']]);
  await lead('L4', 'paid_search', '2026-02-03', [['mql', '2026-02-04'], ['disqualified', '2026-02-05', 'bad_fit']]);
  await lead('L5', 'paid_search', '2026-02-10', []);
  await lead('L6', 'webinar', '2026-02-12', [['mql', '2026-02-13'], ['sal', '2026-02-14'], ['sql', '2026-02-15'], ['opportunity', '2026-02-16']]);
  await lead('L7', 'webinar', '2025-12-20', []);

  await touch('L1', day('2026-01-02'), { source: 'google', medium: 'cpc' });
  await touch('L1', day('2026-01-05', '08:00'), { campaignId: webinar.id, type: 'webinar_attended' });
  await touch('L1', day('2026-01-07'), { type: 'meeting' });
  await touch('L1', day('2026-01-09'), { type: 'sales_call' });
  await touch('L1', day('2026-01-12'), { source: 'newsletter', medium: 'email', type: 'email_click' });
  await touch('L1', day('2026-01-20'), { source: 'linkedin', medium: 'social' });
  await touch('L1', day('2026-01-28'), { source: 'google', medium: 'cpc' });
  await touch('L3', day('2026-02-01'), { source: 'google', medium: 'cpc' });
  await touch('L6', day('2026-02-11'), { campaignId: webinar.id, type: 'webinar_attended' });

  const oppOf = async (leadId: string) => (await t.db.selectFrom('opportunity_lead').select('opportunity_id').where('lead_id', '=', leadId).executeTakeFirstOrThrow()).opportunity_id;
  const o1 = await oppOf(leads.L1!);
  const o2 = await oppOf(leads.L6!);
  t.clock.set(day('2026-01-25'));
  must(await patchOpportunity(t.deps, ws, o1, { amount: 1000, stage: 'Closed Won', status: 'won' }, actor));
  t.clock.set(day('2026-02-20'));
  must(await patchOpportunity(t.deps, ws, o2, { amount: 700, stage: 'Closed Lost', status: 'lost', lostReasonCode: 'lost_price' }, actor));
  t.clock.set(day('2026-02-05'));
  const o3 = must(await createOpportunity(t.deps, ws, {
    name: 'L3 deal', accountId: null, amount: 500, currency: 'USD', stage: 'Discovery', status: 'open', closeDate: null, ownerId: null, externalId: null,
    attributes: {}, contactRoles: [{ contactId: contacts.L3!, role: 'decision_maker', isPrimary: true }], leadIds: [],
  }, actor));
  t.clock.set(day('2026-03-02'));
  return { contacts, leads, opportunities: { o1, o2, o3: o3.id }, campaigns: { webinar, search } };
}
