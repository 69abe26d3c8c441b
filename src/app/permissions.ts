import type { Stage } from '../core/lifecycle.ts';
import { actOfMove, decide, leadResource, type LeadAct, type LeadResource, type PermissionAction, type PermissionActor, type TeamFact, type UserFact } from '../core/permissions.rules.ts';
import { fail, ok, type Result } from '../core/result.ts';
import { waitingOfLeads } from '../storage/lead-access.repo.ts';
import { getLead, type Lead } from '../storage/leads.repo.ts';
import { listTeams } from '../storage/routing.repo.ts';
import { getUser, listUsers } from '../storage/users.repo.ts';
import type { AppDeps, Principal } from './context.ts';

/**
 * Loads what `decide` (src/core/permissions.rules.ts) needs and asks it. Routes call these before
 * the use case, so a refused request writes nothing and answers 403 with who may do it.
 */

export async function actorOf(deps: AppDeps, principal: Principal): Promise<PermissionActor> {
  if (!principal.userId || !principal.role) return { kind: 'key', permissions: principal.permissions };
  const user = await getUser(deps.db, principal.workspaceId, principal.userId);
  return { kind: 'user', id: principal.userId, name: user?.name ?? user?.email ?? 'unknown user', role: principal.role, team: user?.team ?? null, permissions: principal.permissions };
}

const userFacts = (users: Awaited<ReturnType<typeof listUsers>>): UserFact[] =>
  users.map((u) => ({ id: u.id, name: u.name || u.email, role: u.role, team: u.team, managerId: u.managerId, disabled: u.disabledAt !== null }));

/** The leads as the permission rule sees them (owner's team, queue, managers): four queries for any number of leads. */
export async function leadResources(deps: AppDeps, workspaceId: string, leads: readonly Pick<Lead, 'id' | 'stage' | 'ownerId'>[]): Promise<Map<string, LeadResource>> {
  if (leads.length === 0) return new Map();
  const unowned = leads.filter((l) => !l.ownerId).map((l) => l.id);
  const [users, teams, waiting] = await Promise.all([listUsers(deps.db, workspaceId), listTeams(deps.db, workspaceId), waitingOfLeads(deps.db, workspaceId, unowned)]);
  const u = userFacts(users);
  const t: TeamFact[] = teams.map((x) => ({ name: x.name, managerId: x.managerId }));
  return new Map(leads.map((l) => [l.id, leadResource(l, waiting.get(l.id) ?? null, u, t)]));
}

/** Where each unowned lead of a page waits (its latest assignment), for the API's `waiting` field. */
export async function waitingOf(deps: AppDeps, workspaceId: string, leads: readonly Pick<Lead, 'id' | 'ownerId'>[]): Promise<Map<string, { queue: string | null; team: string | null }>> {
  return waitingOfLeads(deps.db, workspaceId, leads.filter((l) => !l.ownerId).map((l) => l.id));
}

function refusal(decision: { message: string; whoMay: string }): Result<never> {
  return fail('Forbidden', decision.message, [{ path: 'who_may', message: decision.whoMay }]);
}

/**
 * May the principal do `act` on the lead? An unknown lead is not refused here: the use case
 * answers its own 404. `to`: a move's target; the act is the lifecycle's for (stage → to).
 */
export async function authorizeLead(deps: AppDeps, principal: Principal, leadId: string, request: { act: LeadAct } | { to: Stage }): Promise<Result<void>> {
  const lead = await getLead(deps.db, principal.workspaceId, leadId);
  if (!lead) return ok(undefined);
  const act = 'act' in request ? request.act : actOfMove(lead.stage, request.to);
  const [actor, resources] = await Promise.all([actorOf(deps, principal), leadResources(deps, principal.workspaceId, [lead])]);
  const decision = decide(actor, `lead.${act}`, resources.get(lead.id)!);
  return decision.allowed ? ok(undefined) : refusal(decision);
}

/** May the principal do a workspace-level action (costs, campaigns, attribution settings, rating content)? */
export async function authorize(deps: AppDeps, principal: Principal, action: Exclude<PermissionAction, `lead.${string}`>): Promise<Result<void>> {
  const decision = decide(await actorOf(deps, principal), action);
  return decision.allowed ? ok(undefined) : refusal(decision);
}
