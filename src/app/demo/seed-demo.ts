import type { AppDeps } from '../context.ts';
import { installDefaultDefinition } from '../definitions/install-default-definition.ts';
import { putRoutingConfig, setTeam } from '../handoff/routing-config.ts';
import type { User } from '../../storage/users.repo.ts';
import type { Workspace } from '../../storage/workspaces.repo.ts';
import type { Trx } from '../../storage/db.ts';
import { createIdMinter } from '../../storage/ids.ts';
import { createApiKey, passwordHashFor } from '../auth.ts';
import { createWorkspace, usersOf } from '../workspaces.ts';
import { insertUser } from '../../storage/users.repo.ts';
import {
  bulkInsertAccounts, bulkInsertActivities, bulkInsertContactRoles, bulkInsertContacts, bulkInsertIdentities, bulkInsertLeads,
  bulkInsertOpportunities, bulkInsertOpportunityLeads, bulkInsertOpportunityStageChanges, bulkInsertSlaClocks, bulkInsertSlaEscalations, bulkInsertTransitions, analyzeAfterBulkLoad, countWorkspaceRows, skipForeignKeyChecksInTransaction, stampGeneratedHistoryWithDefinition,
} from '../../storage/bulk.repo.ts';
import { generateChunk, emptyChunk } from './chunk.ts';
import { accountWeights, generateAccounts } from './people.ts';
import { createRng } from './prng.ts';
import { seedCatalog } from './seed-catalog.ts';
import { seedContentFeedback } from './seed-content-feedback.ts';
import { DAY, type ChunkRows, type DemoWorld, type WorldUser } from './world.ts';

export const DEMO_WORKSPACE_NAME = 'Demo workspace (sample data)';

export type DemoOptions = {
  password: string;
  contacts: number;
  /** The demo year ends at this instant (default: the clock's now). */
  now?: Date;
  seed?: number;
  onProgress?: (done: number, total: number, phase: string) => void;
};

export type DemoResult = { workspace: Workspace; users: User[]; ingestKey: string; adminKey: string; counts: Record<string, number> };

/** Contacts generated and written per round; sub-chunks let PostgreSQL insert while we generate. */
const CHUNK_CONTACTS = 4000;
const SUB_CHUNK_CONTACTS = 250;

const demoRoutingRules = [
  { kind: 'account_owner', respectCapacity: false },
  { kind: 'territory', name: 'Enterprise accounts (500+ employees)', when: { employeeCount: { min: 500 } }, assign: { team: 'Enterprise' } },
  { kind: 'round_robin', team: 'Mid-market' },
  { kind: 'fallback_queue', queue: 'unassigned' },
];

const demoUsers = [
  { key: 'admin', email: 'admin@demo.example', name: 'Alex Admin', role: 'admin', team: null },
  { key: 'marketing', email: 'marketing@demo.example', name: 'Maya Marketing', role: 'marketing', team: null },
  { key: 'manager', email: 'manager@demo.example', name: 'Morgan Manager', role: 'sales_manager', team: null },
  { key: 'sales', email: 'sales@demo.example', name: 'Sam Sales', role: 'sales', team: 'Enterprise' },
  { key: 'ana', email: 'ana@demo.example', name: 'Ana Alvarez', role: 'sales', team: 'Enterprise' },
  { key: 'ben', email: 'ben@demo.example', name: 'Ben Okafor', role: 'sales', team: 'Mid-market' },
  { key: 'cara', email: 'cara@demo.example', name: 'Cara Lindqvist', role: 'sales', team: 'Mid-market' },
] as const;

export const demoTables = [
  'app_user', 'api_key', 'campaign', 'campaign_cost', 'content_asset', 'account', 'contact', 'contact_identity', 'activity', 'lead',
  'stage_transition', 'opportunity', 'opportunity_contact_role', 'opportunity_lead', 'opportunity_stage_change', 'content_rating', 'content_plan', 'sla_clock', 'sla_escalation',
] as const;

/**
 * Creates the clearly labelled demo workspace: users admin@, marketing@, sales@ (a rep),
 * manager@ (sales manager) on demo.example, an ingest key, and a believable B2B year of data.
 */
export async function seedDemoWorkspace(deps: AppDeps, options: DemoOptions): Promise<DemoResult> {
  const nowMs = (options.now ?? deps.clock.now()).getTime();
  const total = Math.max(0, Math.floor(options.contacts));
  const progress = options.onProgress ?? (() => {});
  progress(0, total, 'setup');

  const created = await createWorkspace(deps, { name: DEMO_WORKSPACE_NAME, isDemo: true });
  if (!created.ok) throw new Error(`Cannot create the demo workspace: ${created.message}`);
  const workspace = created.value;

  // scrypt is deliberately slow: hash the shared demo password once for all demo users.
  const passwordHash = await passwordHashFor(options.password);
  const byKey = new Map<string, WorldUser>();
  for (const u of demoUsers) {
    const managerId = u.role === 'sales' ? byKey.get('manager')!.id : null;
    const user = await insertUser(deps.db, workspace.id, { email: u.email, name: u.name, role: u.role, passwordHash, team: u.team, managerId });
    byKey.set(u.key, { id: user.id, email: user.email, name: user.name });
  }
  const ingest = await createApiKey(deps, workspace.id, { name: 'Demo website snippet', scopes: ['ingest'] });
  const admin = await createApiKey(deps, workspace.id, { name: 'Demo admin key', scopes: ['admin'], userId: byKey.get('admin')!.id });
  if (!ingest.ok || !admin.ok) throw new Error('Cannot create the demo API keys.');

  const rng = createRng(options.seed ?? 42);
  const startMs = nowMs - 365 * DAY;
  const mintId = createIdMinter();
  const catalog = await seedCatalog(deps.db, workspace.id, { rng, startMs, nowMs, ownerId: byKey.get('marketing')!.id });
  await seedContentFeedback(deps.db, workspace.id, {
    seed: options.seed ?? 42, nowMs, content: catalog.content, reps: ['sales', 'ana', 'ben', 'cara'].map((k) => byKey.get(k)!), marketing: byKey.get('marketing')!,
  });
  const entry = catalog.campaigns.filter((c) => c.spec.weight > 0);
  const world: DemoWorld = {
    rng, startMs, nowMs, mintId, eventMs: catalog.eventMs,
    campaigns: catalog.campaigns,
    entryCampaigns: { items: entry, weights: entry.map((c) => c.spec.weight) },
    campaignByKey: new Map(catalog.campaigns.map((c) => [c.spec.key, c])),
    content: catalog.content,
    accounts: [], accountCumulative: new Float64Array(0), totalContacts: total,
    contentByKey: new Map(catalog.content.map((c) => [c.spec.key, c])),
    reps: ['sales', 'ana', 'ben', 'cara'].map((k) => byKey.get(k)!),
    mainRep: byKey.get('sales')!,
    marketingUser: byKey.get('marketing')!,
    managerId: byKey.get('manager')!.id,
    emails: new Set(), domains: new Set(),
    counters: { activity: 0, roundRobin: 0, showcaseLeft: Math.min(12, Math.ceil(total / 20)) },
  };
  world.accounts = generateAccounts(world, Math.max(1, Math.round(total / 4)));
  world.accountCumulative = accountWeights(world.accounts);

  await deps.db.transaction().execute(async (trx) => {
    // Every reference is minted right here, in foreign-key order, so the per-row FK triggers
    // (a third of PostgreSQL's work at 100k contacts) only re-check what is true by construction;
    // skipped when the role may (as pg_restore does). The integration test checks integrity.
    await skipForeignKeyChecksInTransaction(trx);
    let done = 0;
    let writing: Promise<void> = Promise.resolve();
    while (done < total) {
      const size = Math.min(CHUNK_CONTACTS, total - done);
      const rows = emptyChunk();
      for (let sub = 0; sub < size; sub += SUB_CHUNK_CONTACTS) {
        appendRows(rows, generateChunk(world, done + sub, Math.min(SUB_CHUNK_CONTACTS, size - sub)));
        // Yield so the previous chunk's insert statements keep flowing while we generate.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      await writing;
      done += size;
      const doneNow = done;
      writing = writeChunk(trx, workspace.id, rows).then(() => progress(doneNow, total, 'contacts'));
      // Marks the rejection handled while we generate; the `await writing` above rethrows it.
      writing.catch(() => {});
    }
    await writing;
  });

  progress(total, total, 'lead definition');
  // The agreement every demo MQL was made under: signed by marketing and a sales rep, active.
  const definition = await installDefaultDefinition(deps, workspace.id, { marketingUserId: byKey.get('marketing')!.id, salesUserId: byKey.get('sales')!.id });
  if (!definition.ok) throw new Error(`Cannot install the demo lead definition: ${definition.message}`);
  await stampGeneratedHistoryWithDefinition(deps.db, workspace.id, definition.value.id, new Date(startMs));
  // Routing as a configured team would have it: the account owner first, big accounts to the
  // Enterprise team, everyone else round-robin in Mid-market, then the queue.
  const routing = await putRoutingConfig(deps, workspace.id, { userId: byKey.get('manager')!.id, rules: demoRoutingRules });
  if (!routing.ok) throw new Error(`Cannot configure demo routing: ${routing.message}`);
  for (const team of ['Enterprise', 'Mid-market']) {
    const saved = await setTeam(deps, workspace.id, { name: team, managerId: byKey.get('manager')!.id, calendar: null });
    if (!saved.ok) throw new Error(`Cannot configure demo team ${team}: ${saved.message}`);
  }

  await analyzeAfterBulkLoad(deps.db);
  progress(total, total, 'counting');
  const counts = await countWorkspaceRows(deps.db, workspace.id, demoTables);
  progress(total, total, 'done');
  return { workspace, users: await usersOf(deps, workspace.id), ingestKey: ingest.value.key, adminKey: admin.value.key, counts };
}

function appendRows(into: ChunkRows, from: ChunkRows): void {
  for (const key of Object.keys(into) as (keyof ChunkRows)[]) {
    const target = into[key] as unknown[];
    for (const row of from[key]) target.push(row);
  }
}

async function writeChunk(trx: Trx, workspaceId: string, rows: ChunkRows): Promise<void> {
  await bulkInsertAccounts(trx, workspaceId, rows.accounts);
  await bulkInsertContacts(trx, workspaceId, rows.contacts);
  await bulkInsertIdentities(trx, workspaceId, rows.identities);
  await bulkInsertLeads(trx, workspaceId, rows.leads);
  await bulkInsertTransitions(trx, workspaceId, rows.transitions);
  await bulkInsertOpportunities(trx, workspaceId, rows.opportunities);
  await bulkInsertContactRoles(trx, workspaceId, rows.contactRoles);
  await bulkInsertOpportunityLeads(trx, workspaceId, rows.opportunityLeads);
  await bulkInsertOpportunityStageChanges(trx, workspaceId, rows.stageChanges);
  await bulkInsertActivities(trx, workspaceId, rows.activities);
  await bulkInsertSlaClocks(trx, workspaceId, rows.slaClocks);
  await bulkInsertSlaEscalations(trx, workspaceId, rows.slaEscalations);
}
