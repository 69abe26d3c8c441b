import { formatPath } from '../../core/definitions/definition-schema.ts';
import { businessCalendarSchema } from '../../core/sla/business-calendar.schema.ts';
import { fail, ok, type Result } from '../../core/result.ts';
import { routingRuleSetSchema, routingRuleSchema, type RoutingRule } from '../../core/routing/routing-rules.schema.ts';
import type { DbOrTrx } from '../../storage/db.ts';
import {
  insertRoutingConfig, latestRoutingConfig, listRepSettings, pageRoutingConfigs, pageTeams, upsertRepSettings, upsertTeam,
  type RepSettings, type Team,
} from '../../storage/routing.repo.ts';
import { getUser } from '../../storage/users.repo.ts';
import { withAudit } from '../audit.ts';
import type { AppDeps } from '../context.ts';
import type { Page, PageRequest } from '../../storage/page.ts';

/** Before anyone configures routing: the account owner, else the queue. */
export const defaultRoutingRules: RoutingRule[] = [{ kind: 'account_owner', respectCapacity: false }, { kind: 'fallback_queue', queue: 'unassigned' }];

export type RoutingConfig = { version: number | null; rules: RoutingRule[]; createdBy: string | null; createdAt: Date | null };

export async function currentRoutingRules(db: DbOrTrx, workspaceId: string): Promise<RoutingConfig> {
  const latest = await latestRoutingConfig(db, workspaceId);
  if (!latest) return { version: null, rules: defaultRoutingRules, createdBy: null, createdAt: null };
  // Stored versions were validated when written; parse again to get defaults and types back.
  return { version: latest.version, rules: latest.rules.map((r) => routingRuleSchema.parse(r)), createdBy: latest.createdBy, createdAt: latest.createdAt };
}

/** A page of the routing rule versions, newest first. */
export async function routingHistory(deps: AppDeps, workspaceId: string, page: PageRequest): Promise<Page<RoutingConfig>> {
  const versions = await pageRoutingConfigs(deps.db, workspaceId, page);
  return { data: versions.data.map((v) => ({ version: v.version, rules: v.rules as RoutingRule[], createdBy: v.createdBy, createdAt: v.createdAt })), nextCursor: versions.nextCursor };
}

/** Validates a rule list with the core schema and stores it as the next version. */
export async function putRoutingConfig(deps: AppDeps, workspaceId: string, input: { rules: unknown; userId: string | null }): Promise<Result<RoutingConfig>> {
  const parsed = routingRuleSetSchema.safeParse({ version: 1, rules: input.rules });
  if (!parsed.success) {
    const details = parsed.error.issues.map((i) => ({ path: `body.${formatPath(i.path)}`, message: i.message }));
    return fail('ValidationFailed', `Invalid routing rules: ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}`, details);
  }
  for (const [index, rule] of parsed.data.rules.entries()) {
    if (rule.kind === 'territory' && 'rep' in rule.assign) {
      const rep = await getUser(deps.db, workspaceId, rule.assign.rep);
      if (!rep) return fail('ValidationFailed', `Rule ${index + 1} assigns to unknown user ${rule.assign.rep}.`, [{ path: `body.rules[${index}].assign.rep`, message: 'unknown user' }]);
    }
  }
  const saved = await withAudit(deps, async (trx) => ({ before: await currentRoutingRules(trx, workspaceId), saved: await insertRoutingConfig(trx, workspaceId, parsed.data.rules, input.userId, deps.clock.now()) }), (r) => ({ workspaceId, action: 'routing.changed', object: { type: 'routing', id: String(r.saved.version) }, before: r.before, after: { version: r.saved.version, rules: parsed.data.rules }, at: deps.clock.now() })).then((r) => r.saved);
  return ok({ version: saved.version, rules: parsed.data.rules, createdBy: saved.createdBy, createdAt: saved.createdAt });
}

export async function setRepSettings(deps: AppDeps, workspaceId: string, s: RepSettings): Promise<Result<RepSettings>> {
  const user = await getUser(deps.db, workspaceId, s.userId);
  if (!user) return fail('NotFound', `User ${s.userId} not found in this workspace.`);
  return ok(await withAudit(deps, (trx) => upsertRepSettings(trx, workspaceId, s), (v) => ({ workspaceId, action: 'rep_settings.changed', object: { type: 'user', id: s.userId }, after: v, at: deps.clock.now() })));
}

export async function repSettingsOf(deps: AppDeps, workspaceId: string, page: PageRequest): Promise<Page<RepSettings>> {
  return listRepSettings(deps.db, workspaceId, page);
}

/** A team's business calendar (validated by the core schema) and manager. */
export async function setTeam(deps: AppDeps, workspaceId: string, t: Team): Promise<Result<Team>> {
  if (t.calendar) {
    const parsed = businessCalendarSchema.safeParse(t.calendar);
    if (!parsed.success) {
      const details = parsed.error.issues.map((i) => ({ path: `body.calendar.${formatPath(i.path)}`, message: i.message }));
      return fail('ValidationFailed', `Invalid calendar: ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}`, details);
    }
    t = { ...t, calendar: parsed.data };
  }
  if (t.managerId && !(await getUser(deps.db, workspaceId, t.managerId))) {
    return fail('ValidationFailed', `Manager ${t.managerId} does not exist in this workspace.`, [{ path: 'body.manager_id', message: 'unknown user' }]);
  }
  return ok(await withAudit(deps, (trx) => upsertTeam(trx, workspaceId, t), (v) => ({ workspaceId, action: 'team.changed', object: { type: 'team', id: t.name }, after: v, at: deps.clock.now() })));
}

/** A page of the teams, by name. */
export async function teamsOf(deps: AppDeps, workspaceId: string, page: PageRequest): Promise<Page<Team>> {
  return pageTeams(deps.db, workspaceId, page);
}
