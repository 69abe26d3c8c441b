import { createApiKey } from '../../src/app/auth.ts';
import { createContentAsset } from '../../src/app/catalog.ts';
import type { AppDeps } from '../../src/app/context.ts';
import { openLeadInTrx, transitionLead } from '../../src/app/leads.ts';
import { createUser, createWorkspace } from '../../src/app/workspaces.ts';
import type { Stage } from '../../src/core/lifecycle.ts';
import { insertAccount } from '../../src/storage/accounts.repo.ts';
import { insertActivity } from '../../src/storage/activities.repo.ts';
import { insertContact } from '../../src/storage/contacts.repo.ts';
import { must } from '../helpers/test-app.ts';

export const XSS_NAME = '<img src=x onerror=alert(1)>';
export const PASSWORD = 'quiet-lantern-orbit-42';
export const MQL_NOTE = 'definition v1: rating A2 (fit 72 = title VP +30, industry SaaS +25; engagement 48 = pricing page ×2 +20, case study +15)';

const firstNames = ['Ada', 'Grace', 'Alan', 'Linus', 'Margaret', 'Ken', 'Barbara', 'Dennis', 'Frances', 'Edsger', 'Radia', 'Tim'];
const lastNames = ['Lovelace', 'Hopper', 'Turing', 'Torvalds', 'Hamilton', 'Thompson', 'Liskov', 'Ritchie', 'Allen', 'Dijkstra', 'Perlman', 'Berners-Lee'];
const titles = ['VP Marketing', 'Head of Growth', 'CTO', 'Director of Sales', 'Marketing Manager', 'Demand Gen Lead'];
const sources = ['google', 'linkedin', 'webinar', 'newsletter', 'partner', 'direct'];
const ratings = ['A1', 'A2', 'B1', 'B2', 'C3'];

/** The display name of generated contact i (contact 0 carries the XSS probe as its first name). */
const nameParts = (i: number): [string, string] => i === 0 ? [XSS_NAME, 'Tester']
  // Unique for the first 144 contacts: the surname index shifts by one every round of first names.
  : [firstNames[i % firstNames.length]!, lastNames[(i * 7 + Math.floor(i / firstNames.length)) % lastNames.length]!];
export const seededName = (i: number) => nameParts(i).join(' ');

/**
 * A small, deterministic workspace for browser tests and the dashboard measurement: users of each
 * role, accounts, content, contacts with activities, and leads spread over the waterfall.
 */
export async function seedWebWorkspace(deps: AppDeps, options: { contacts: number; now?: Date }) {
  const now = options.now ?? new Date();
  const workspace = must(await createWorkspace(deps, { name: 'Web test' }));
  const ws = workspace.id;
  const mk = (email: string, role: 'admin' | 'marketing' | 'sales' | 'sales_manager' | 'viewer', name: string) =>
    createUser(deps, ws, { email, role, name, password: PASSWORD }).then(must);
  const users = {
    admin: await mk('admin@web.test', 'admin', 'Alex Admin'),
    marketing: await mk('marketing@web.test', 'marketing', 'Mia Marketing'),
    sales: await mk('sales@web.test', 'sales', 'Sam Seller'),
    sales2: await mk('sales2@web.test', 'sales', 'Robin Rep'),
    manager: await mk('manager@web.test', 'sales_manager', 'Morgan Manager'),
  };
  const accounts = [];
  for (const [i, name] of ['Northwind', 'Globex', 'Initech', 'Umbrella', 'Hooli'].entries()) {
    accounts.push(await insertAccount(deps.db, ws, { name, domain: `${name.toLowerCase()}.example`, industry: i % 2 ? 'SaaS' : 'Manufacturing', employeeCount: 200 + i * 150, country: 'US' }));
  }
  const content = [];
  for (const [title, stage, persona, topic] of [
    ['Pricing guide', 'evaluation', 'buyer', 'pricing'], ['ROI case study', 'consideration', 'executive', 'roi'],
    ['Getting started webinar', 'interest', 'practitioner', 'onboarding'], ['Lead scoring 101', 'awareness', 'practitioner', 'scoring'],
  ] as const) {
    content.push(must(await createContentAsset(deps, ws, {
      title, url: `https://web.test/${title.toLowerCase().replace(/\s+/g, '-')}`, urls: [], format: 'pdf', buyingStage: stage,
      personas: [persona], topics: [topic], ownerId: null, publishedOn: '2026-01-15', expiresOn: null, gated: stage === 'evaluation',
    })));
  }
  const actor = { type: 'system' as const, id: null };
  const day = 86_400_000;
  // Where each generated lead ends up; the first few are the rep's open MQLs the journeys act on.
  const plan: Stage[] = ['mql', 'mql', 'mql', 'sal', 'inquiry', 'nurture', 'sql', 'disqualified', 'opportunity', 'won', 'inquiry', 'mql', 'nurture', 'lost'];
  const path: Stage[] = ['inquiry', 'mql', 'sal', 'sql', 'opportunity', 'won'];
  for (let i = 0; i < options.contacts; i++) {
    const account = accounts[i % accounts.length]!;
    const [first, last] = nameParts(i);
    const contact = await insertContact(deps.db, ws, {
      email: `person${i}@${account.domain}`, firstName: first, lastName: last, title: titles[i % titles.length]!, accountId: account.id, country: 'US',
    });
    const openedAt = new Date(now.getTime() - ((i * 37) % 330 + 2) * day);
    for (let a = 0; a < 2 + (i % 3); a++) {
      const asset = content[(i + a) % content.length]!;
      await insertActivity(deps.db, ws, {
        contactId: contact.id, type: a === 0 ? 'page_view' : 'content_download', occurredAt: new Date(openedAt.getTime() + a * 3_600_000),
        source: sources[i % sources.length]!, medium: 'organic', campaignId: null, utmCampaign: a ? 'q3-launch' : null,
        contentId: a === 0 ? null : asset.id, url: a === 0 ? 'https://web.test/pricing' : asset.url, referrer: null, eventName: null,
        properties: {}, actorUserId: null, idempotencyKey: null,
      });
    }
    const target = plan[i % plan.length]!;
    // The rep owns most open leads; the second rep gets some so the manager's team view has two owners.
    const owner = i % 5 === 4 ? users.sales2.id : users.sales.id;
    const lead = await deps.db.transaction().execute((trx) => openLeadInTrx(trx, ws, {
      contactId: contact.id, accountId: account.id, ownerId: owner, at: openedAt, actor,
      source: sources[i % sources.length]!, campaign: 'q3-launch', firstTouchAt: openedAt,
    }));
    const steps: { to: Stage; reason?: string; note?: string }[] = [];
    const depth = target === 'nurture' || target === 'disqualified' ? 1 : target === 'lost' ? 4 : path.indexOf(target);
    for (let s = 1; s <= depth; s++) steps.push({ to: path[s]!, note: path[s] === 'mql' ? MQL_NOTE : undefined });
    if (target === 'nurture') steps.push({ to: 'nurture', reason: 'not_ready' });
    if (target === 'disqualified') steps.push({ to: 'disqualified', reason: 'bad_fit' });
    if (target === 'lost') steps.push({ to: 'lost', reason: 'lost_price' });
    for (const [n, step] of steps.entries()) {
      must(await transitionLead(deps, ws, lead.id, { to: step.to, reasonCode: step.reason ?? null, note: step.note ?? null, actor, at: new Date(openedAt.getTime() + (n + 1) * 2 * day) }));
    }
    await deps.db.updateTable('lead').set({ rating: ratings[i % ratings.length]!, fit_score: 40 + (i % 50), engagement_score: 20 + (i % 40) })
      .where('workspace_id', '=', ws).where('id', '=', lead.id).execute();
  }
  const ingestKey = must(await createApiKey(deps, ws, { name: 'seed ingest', scopes: ['ingest'] })).key;
  return { workspace, users, accounts, content, ingestKey };
}
