import { rateAsProspect } from '../../src/app/content-library.ts';
import { createContentAsset } from '../../src/app/catalog.ts';
import type { AppDeps } from '../../src/app/context.ts';
import { installDefaultDefinition } from '../../src/app/definitions/install-default-definition.ts';
import { reassignLead } from '../../src/app/handoff/assignment.ts';
import { logActivity } from '../../src/app/scoring/log-activity.ts';
import { insertAccount } from '../../src/storage/accounts.repo.ts';
import { insertContact } from '../../src/storage/contacts.repo.ts';
import { getLead } from '../../src/storage/leads.repo.ts';
import { must } from '../helpers/test-app.ts';
import type { seedWebWorkspace } from './seed-web.ts';

export const RATING_COMMENT = '<img src=x onerror=alert(1)>';
export const RATED_ASSET = 'Scoring checklist';
export const SCORED_NAME = 'Quinn Scorer';

const DAY = 86_400_000;

/**
 * The lead page's extra data, on top of seedWebWorkspace: the default definition (active, signed),
 * one VP whose real activities over nine days are scored by it until the case study download makes
 * them an MQL (score history, MQL moment, a running SLA clock), owned by the rep; and a rating with
 * a hostile comment that this person gave a content asset from the snippet.
 */
export async function seedLeadPage(deps: AppDeps, seed: Awaited<ReturnType<typeof seedWebWorkspace>>) {
  const ws = seed.workspace.id;
  const now = Date.now();
  must(await installDefaultDefinition(deps, ws, { marketingUserId: seed.users.marketing.id, salesUserId: seed.users.sales.id }));
  const account = await insertAccount(deps.db, ws, { name: 'Scorely', domain: 'scorely.example', industry: 'SaaS', employeeCount: 500, country: 'US' });
  const contact = await insertContact(deps.db, ws, {
    email: 'quinn@scorely.example', firstName: 'Quinn', lastName: 'Scorer', title: 'VP Marketing', accountId: account.id, country: 'US',
  });
  const asset = (title: string, format: string) => createContentAsset(deps, ws, {
    title, url: `https://web.test/${title.toLowerCase().replace(/\s+/g, '-')}`, urls: [], format, buyingStage: 'consideration',
    personas: ['executive'], topics: ['scoring'], ownerId: null, publishedOn: '2026-01-15', expiresOn: null, gated: false,
  }).then(must);
  const caseStudy = await asset('Scorely case study', 'case_study');
  const checklist = await asset(RATED_ASSET, 'pdf');
  const act = async (daysAgo: number, body: { type: 'page_view' | 'content_download'; url?: string; contentId?: string }) =>
    must(await logActivity(deps, ws, { contactId: contact.id, occurredAt: new Date(now - daysAgo * DAY), ...body }));
  await act(9, { type: 'page_view', url: 'https://scorely.example/pricing' });
  await act(5, { type: 'page_view', url: 'https://scorely.example/pricing?plan=pro' });
  // Just now: the download qualifies them (A2), so the MQL's accept clock is still running.
  const last = await act(0.001, { type: 'content_download', contentId: caseStudy.id });
  const mql = last.scoring?.mqls[0];
  if (!mql) throw new Error(`seedLeadPage: the case study download did not qualify the contact: ${JSON.stringify(last.scoring)}`);
  const routed = await getLead(deps.db, ws, mql.leadId);
  if (routed?.ownerId !== seed.users.sales.id) must(await reassignLead(deps, ws, mql.leadId, { ownerId: seed.users.sales.id, note: 'seed: the rep takes it', actor: { type: 'system', id: null } }));
  must(await rateAsProspect(deps, ws, { assetId: checklist.id, rating: 2, comment: RATING_COMMENT, email: 'quinn@scorely.example' }));
  return { contactId: contact.id, leadId: mql.leadId, ratedAssetId: checklist.id };
}
