import { markDemoAlertsReadWhenActedOn } from '../../storage/demo-alerts.repo.ts';
import { dropQueuedJobs } from '../../storage/job-queue.repo.ts';
import { simulatedClock, type AppDeps } from '../context.ts';
import { installDefaultDefinition } from '../definitions/install-default-definition.ts';
import { putRoutingConfig, setTeam } from '../handoff/routing-config.ts';
import { createStandardIngestPipeline } from '../ingest-steps.ts';
import type { User } from '../../storage/users.repo.ts';
import type { Workspace } from '../../storage/workspaces.repo.ts';
import { createIdMinter } from '../../storage/ids.ts';
import { createApiKey, passwordHashFor } from '../auth.ts';
import { createAccount } from '../contacts.ts';
import { createWorkspace, usersOf } from '../workspaces.ts';
import { insertUser } from '../../storage/users.repo.ts';
import { analyzeAfterBulkLoad, countWorkspaceRows } from '../../storage/bulk.repo.ts';
import type { Act } from './acts.ts';
import { seedNurtureTracks } from './nurture-tracks.ts';
import { accountWeights, generateAccounts, generatePeople } from './people.ts';
import { createRng } from './prng.ts';
import { scriptPerson } from './script.ts';
import { seedCatalog } from './seed-catalog.ts';
import { seedContentFeedback } from './seed-content-feedback.ts';
import { runSimulation } from './simulate.ts';
import { DAY, type DemoWorld, type WorldUser } from './world.ts';

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
  'nurture_track', 'nurture_enrollment',
] as const;

/**
 * Creates the clearly labelled demo workspace: users admin@, marketing@, sales@ (a rep),
 * manager@ (sales manager) on demo.example, an ingest key, and a believable B2B year of data.
 * The year is lived through the doors (see simulate.ts): what the demo shows is what live traffic
 * produces, under the agreement, routing and nurture tracks configured at its start.
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
    const user = await insertUser(deps.db, workspace.id, { email: u.email, name: u.name, role: u.role, passwordHash, team: u.team, managerId, passwordIsDemo: true });
    byKey.set(u.key, { id: user.id, email: user.email, name: user.name });
  }
  const ingest = await createApiKey(deps, workspace.id, { name: 'Demo website snippet', scopes: ['ingest'] });
  const admin = await createApiKey(deps, workspace.id, { name: 'Demo admin key', scopes: ['admin'], userId: byKey.get('admin')!.id });
  if (!ingest.ok || !admin.ok) throw new Error('Cannot create the demo API keys.');

  const seed = options.seed ?? 42;
  const rng = createRng(seed);
  const startMs = nowMs - 365 * DAY;
  // The workspace is configured as a team would have it a year ago; then the year runs on this clock.
  const clock = simulatedClock(new Date(startMs - 2 * DAY));
  const sim: AppDeps = { db: deps.db, clock };
  const catalog = await seedCatalog(deps.db, workspace.id, { rng, startMs, nowMs, ownerId: byKey.get('marketing')!.id });
  await seedContentFeedback(deps.db, workspace.id, {
    seed, nowMs, content: catalog.content, reps: ['sales', 'ana', 'ben', 'cara'].map((k) => byKey.get(k)!), marketing: byKey.get('marketing')!,
  });
  progress(0, total, 'lead definition');
  // The agreement every demo MQL is made under: signed by marketing and a sales rep, active all year.
  const definition = await installDefaultDefinition(sim, workspace.id, { marketingUserId: byKey.get('marketing')!.id, salesUserId: byKey.get('manager')!.id });
  if (!definition.ok) throw new Error(`Cannot install the demo lead definition: ${definition.message}`);
  // Routing as a configured team would have it: the account owner first, big accounts to the
  // Enterprise team, everyone else round-robin in Mid-market, then the queue.
  const routing = await putRoutingConfig(sim, workspace.id, { userId: byKey.get('manager')!.id, rules: demoRoutingRules });
  if (!routing.ok) throw new Error(`Cannot configure demo routing: ${routing.message}`);
  for (const team of ['Enterprise', 'Mid-market']) {
    const saved = await setTeam(sim, workspace.id, { name: team, managerId: byKey.get('manager')!.id, calendar: null });
    if (!saved.ok) throw new Error(`Cannot configure demo team ${team}: ${saved.message}`);
  }
  await seedNurtureTracks(sim, workspace.id, catalog.content);

  const entry = catalog.campaigns.filter((c) => c.spec.weight > 0);
  const world: DemoWorld = {
    rng, startMs, nowMs, mintId: createIdMinter(), eventMs: catalog.eventMs,
    campaigns: catalog.campaigns,
    entryCampaigns: { items: entry, weights: entry.map((c) => c.spec.weight) },
    campaignByKey: new Map(catalog.campaigns.map((c) => [c.spec.key, c])),
    content: catalog.content,
    accounts: [], accountCumulative: new Float64Array(0), totalContacts: total,
    contentByKey: new Map(catalog.content.map((c) => [c.spec.key, c])),
    reps: ['sales', 'ana', 'ben', 'cara'].map((k) => byKey.get(k)!),
    marketingUser: byKey.get('marketing')!,
    emails: new Set(), domains: new Set(),
    counters: { showcaseLeft: Math.min(12, Math.ceil(total / 20)) },
  };
  world.accounts = generateAccounts(world, Math.max(1, Math.round(total / 4)));
  world.accountCumulative = accountWeights(world.accounts);
  // Known people are matched to these by their email's domain as they arrive.
  await loadCrmAccounts(sim, workspace.id, world);
  const acts: Act[] = [];
  for (const person of generatePeople(world, total, 0)) for (const act of scriptPerson(world, person)) acts.push(act);

  progress(0, total, 'living the year through the doors');
  await runSimulation({ world, seed, deps: sim, clock, pipeline: createStandardIngestPipeline(), workspaceId: workspace.id }, acts,
    // The phase names the simulated day, so a long first start shows where in the year it is.
    (fraction) => progress(Math.round(fraction * total), total, `living the year through the doors (${new Date(startMs + fraction * (nowMs - startMs)).toISOString().slice(0, 10)})`));

  // The year was lived on a simulated clock: its nurture ticks and alert deliveries are history. Left queued,
  // the real worker would run them at once and email fictional people through a configured SMTP server.
  await dropQueuedJobs(deps.db, workspace.id, ['nurture-tick', 'deliver-alert']);
  // The bell agrees with the inbox: alerts about leads the rep has since acted on were read back then.
  await markDemoAlertsReadWhenActedOn(deps.db, workspace.id);
  await analyzeAfterBulkLoad(deps.db);
  progress(total, total, 'counting');
  const counts = await countWorkspaceRows(deps.db, workspace.id, demoTables);
  progress(total, total, 'done');
  return { workspace, users: await usersOf(deps, workspace.id), ingestKey: ingest.value.key, adminKey: admin.value.key, counts };
}

const regionCodes: Record<string, string> = { 'North America': 'NA', EMEA: 'EMEA', APAC: 'APAC', LATAM: 'LATAM' };

/** The companies the sales team already has in its CRM, created through the accounts API before the year starts. */
async function loadCrmAccounts(deps: AppDeps, workspaceId: string, world: DemoWorld): Promise<void> {
  for (const a of world.accounts) {
    const r = a.row;
    const created = await createAccount(deps, workspaceId, {
      name: r.name, domain: r.domain, industry: r.industry, employeeCount: r.employeeCount, country: r.country,
      region: r.region ? regionCodes[r.region] ?? r.region : null, annualRevenue: r.annualRevenue,
    });
    if (!created.ok) throw new Error(`Cannot create demo account ${r.name}: ${created.message}`);
  }
}
