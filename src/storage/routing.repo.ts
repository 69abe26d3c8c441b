import { sql } from 'kysely';
import type { RoundRobinState, RoutingRep } from '../core/routing/round-robin.rules.ts';
import type { DbOrTrx, Trx } from './db.ts';
import './schema-handoff.ts';
import { keyKeysetPage, keyKeysetQuery, keysetPage, keysetQuery, type KeyKeyset, type Keyset, type Page, type PageRequest } from './page.ts';

export type RoutingConfigVersion = { version: number; rules: unknown[]; createdBy: string | null; createdAt: Date };

export async function latestRoutingConfig(db: DbOrTrx, workspaceId: string): Promise<RoutingConfigVersion | null> {
  const row = await db.selectFrom('routing_config').selectAll().where('workspace_id', '=', workspaceId)
    .orderBy('version', 'desc').limit(1).executeTakeFirst();
  return row ? { version: row.version, rules: row.rules, createdBy: row.created_by, createdAt: row.created_at } : null;
}

export async function listRoutingConfigs(db: DbOrTrx, workspaceId: string): Promise<RoutingConfigVersion[]> {
  const rows = await db.selectFrom('routing_config').selectAll().where('workspace_id', '=', workspaceId).orderBy('version', 'desc').execute();
  return rows.map((row) => ({ version: row.version, rules: row.rules, createdBy: row.created_by, createdAt: row.created_at }));
}

const routingKeyset: KeyKeyset = { keys: [{ expr: sql.ref('version'), type: 'integer' }], direction: 'desc' };

/** A page of the routing rule versions, newest first (the version is the primary key); cursor key1 [version]. */
export async function pageRoutingConfigs(db: DbOrTrx, workspaceId: string, page: PageRequest): Promise<Page<RoutingConfigVersion>> {
  const q = db.selectFrom('routing_config').selectAll().where('workspace_id', '=', workspaceId);
  return keyKeysetPage(await keyKeysetQuery(q, routingKeyset, page).execute(), routingKeyset, page.limit,
    (row) => ({ version: row.version, rules: row.rules, createdBy: row.created_by, createdAt: row.created_at }));
}

/** Inserts the next version; the workspace row lock serializes concurrent PUTs. */
export async function insertRoutingConfig(trx: Trx, workspaceId: string, rules: unknown[], createdBy: string | null, at: Date): Promise<RoutingConfigVersion> {
  await trx.selectFrom('workspace').select('id').where('id', '=', workspaceId).forUpdate().execute();
  const max = await trx.selectFrom('routing_config').select((eb) => eb.fn.max<number>('version').as('v')).where('workspace_id', '=', workspaceId).executeTakeFirst();
  const version = (max?.v ?? 0) + 1;
  await trx.insertInto('routing_config').values({ workspace_id: workspaceId, version, rules: JSON.stringify(rules), created_by: createdBy, created_at: at }).execute();
  return { version, rules, createdBy, createdAt: at };
}

/**
 * Locks the round-robin credits of the given teams for the rest of the transaction (creating
 * missing rows first), so concurrent assignments in a team take turns instead of both picking the same rep.
 */
export async function lockRoutingState(trx: Trx, workspaceId: string, teams: readonly string[]): Promise<RoundRobinState> {
  const unique = [...new Set(teams)].sort();
  if (unique.length === 0) return { teams: {} };
  await trx.insertInto('routing_state').values(unique.map((team) => ({ workspace_id: workspaceId, team })))
    .onConflict((oc) => oc.columns(['workspace_id', 'team']).doNothing()).execute();
  const rows = await trx.selectFrom('routing_state').select(['team', 'credits']).where('workspace_id', '=', workspaceId)
    .where('team', 'in', unique).orderBy('team').forUpdate().execute();
  return { teams: Object.fromEntries(rows.map((r) => [r.team, r.credits])) };
}

export async function saveRoutingState(trx: Trx, workspaceId: string, state: RoundRobinState, at: Date): Promise<void> {
  for (const [team, credits] of Object.entries(state.teams)) {
    await trx.insertInto('routing_state').values({ workspace_id: workspaceId, team, credits: JSON.stringify(credits), updated_at: at })
      .onConflict((oc) => oc.columns(['workspace_id', 'team']).doUpdateSet({ credits: JSON.stringify(credits), updated_at: at })).execute();
  }
}

/** Stages that count against a rep's capacity: in sales' hands and not yet an opportunity. */
const capacityStages = ['mql', 'sal', 'sql'];

/** Every sales user with a team, as routing sees them (weight, capacity, open leads, out of office). */
export async function listRoutingReps(db: DbOrTrx, workspaceId: string): Promise<RoutingRep[]> {
  const rows = await db.selectFrom('app_user as u')
    .leftJoin('rep_settings as s', (j) => j.onRef('s.workspace_id', '=', 'u.workspace_id').onRef('s.user_id', '=', 'u.id'))
    .select(['u.id', 'u.name', 'u.team', 'u.out_of_office_until', 'u.disabled_at', 's.weight', 's.capacity'])
    .select((eb) => eb.selectFrom('lead as l').select(sql<number>`count(*)::int`.as('n'))
      .whereRef('l.workspace_id', '=', 'u.workspace_id').whereRef('l.owner_id', '=', 'u.id').where('l.stage', 'in', capacityStages).as('open_leads'))
    .where('u.workspace_id', '=', workspaceId).where('u.role', 'in', ['sales', 'sales_manager']).where('u.team', 'is not', null)
    .orderBy('u.id').execute();
  return rows.map((r) => ({
    id: r.id, name: r.name, team: r.team as string, weight: r.weight ?? 1, capacity: r.capacity ?? null,
    openLeads: Number(r.open_leads ?? 0), outOfOfficeUntil: r.out_of_office_until, disabled: r.disabled_at !== null,
  }));
}

export type RepSettings = { userId: string; weight: number; capacity: number | null };

export async function upsertRepSettings(db: DbOrTrx, workspaceId: string, s: RepSettings): Promise<RepSettings> {
  await db.insertInto('rep_settings').values({ workspace_id: workspaceId, user_id: s.userId, weight: s.weight, capacity: s.capacity })
    .onConflict((oc) => oc.columns(['workspace_id', 'user_id']).doUpdateSet({ weight: s.weight, capacity: s.capacity })).execute();
  return s;
}

const repKeyset: Keyset<{ user_id: string }> = { id: 'user_id', idOf: (r) => r.user_id, direction: 'asc' };

/** A page of the reps' round-robin settings, by user id (one row per rep). */
export async function listRepSettings(db: DbOrTrx, workspaceId: string, page: PageRequest): Promise<Page<RepSettings>> {
  const q = db.selectFrom('rep_settings').selectAll().where('workspace_id', '=', workspaceId);
  return keysetPage(await keysetQuery(q, repKeyset, page).execute(), repKeyset, page.limit, (r) => ({ userId: r.user_id, weight: r.weight, capacity: r.capacity }));
}

export type Team = { name: string; calendar: Record<string, unknown> | null; managerId: string | null };

export async function upsertTeam(db: DbOrTrx, workspaceId: string, t: Team): Promise<Team> {
  const calendar = t.calendar ? JSON.stringify(t.calendar) : null;
  await db.insertInto('team').values({ workspace_id: workspaceId, name: t.name, calendar, manager_id: t.managerId })
    .onConflict((oc) => oc.columns(['workspace_id', 'name']).doUpdateSet({ calendar, manager_id: t.managerId })).execute();
  return t;
}

export async function getTeam(db: DbOrTrx, workspaceId: string, name: string): Promise<Team | null> {
  const r = await db.selectFrom('team').selectAll().where('workspace_id', '=', workspaceId).where('name', '=', name).executeTakeFirst();
  return r ? { name: r.name, calendar: r.calendar, managerId: r.manager_id } : null;
}

export async function listTeams(db: DbOrTrx, workspaceId: string): Promise<Team[]> {
  const rows = await db.selectFrom('team').selectAll().where('workspace_id', '=', workspaceId).orderBy('name').execute();
  return rows.map((r) => ({ name: r.name, calendar: r.calendar, managerId: r.manager_id }));
}

const teamKeyset: KeyKeyset = { keys: [{ expr: sql.ref('name'), type: 'text' }], direction: 'asc' };

/** A page of the teams by name (the primary key); cursor key1 [name]. */
export async function pageTeams(db: DbOrTrx, workspaceId: string, page: PageRequest): Promise<Page<Team>> {
  const q = db.selectFrom('team').selectAll().where('workspace_id', '=', workspaceId);
  return keyKeysetPage(await keyKeysetQuery(q, teamKeyset, page).execute(), teamKeyset, page.limit, (r) => ({ name: r.name, calendar: r.calendar, managerId: r.manager_id }));
}

/** The first sales manager of the workspace: who hears about breaches when nobody else is named. */
export async function firstSalesManager(db: DbOrTrx, workspaceId: string): Promise<string | null> {
  const r = await db.selectFrom('app_user').select('id').where('workspace_id', '=', workspaceId).where('role', '=', 'sales_manager')
    .where('disabled_at', 'is', null).orderBy('created_at').orderBy('id').limit(1).executeTakeFirst();
  return r?.id ?? null;
}
