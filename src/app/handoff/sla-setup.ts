import { slaPolicySchema as definitionSlaSchema } from '../../core/definitions/definition-schema.ts';
import { businessCalendarSchema, type BusinessCalendar } from '../../core/sla/business-calendar.schema.ts';
import { defaultBusinessCalendar, defaultSlaPolicy, definitionSla } from '../../core/sla/definition-sla.rules.ts';
import { slaPolicySchema, type SlaPolicy } from '../../core/sla/sla-policy.schema.ts';
import type { DbOrTrx } from '../../storage/db.ts';
import { getActiveDefinition } from '../../storage/definitions.repo.ts';
import { getTeam } from '../../storage/routing.repo.ts';
import { getWorkspace } from '../../storage/workspaces.repo.ts';

export type SlaSetup = {
  policy: SlaPolicy;
  calendar: BusinessCalendar;
  /** Where the policy came from, for explanations: 'definition v3', 'workspace default'. */
  source: string;
};

/**
 * The SLA policy in force: the active definition's `sla` section (the policy is versioned with the
 * agreement), else the workspace's `sla_policy` setting, else the built-in default. The team's own
 * calendar, when set, decides business hours and time zone.
 */
export async function loadSlaSetup(db: DbOrTrx, workspaceId: string, team: string | null): Promise<SlaSetup> {
  const s = await slaPolicyInForce(db, workspaceId, team);
  return { policy: s.policy, calendar: s.calendar, source: s.source };
}

/** loadSlaSetup, saying also whose calendar applies: the team's own, or the policy's. */
export async function slaPolicyInForce(db: DbOrTrx, workspaceId: string, team: string | null): Promise<SlaSetup & { calendarSource: 'team' | 'policy' }> {
  let setup: SlaSetup | null = null;
  const active = await getActiveDefinition(db, workspaceId);
  const fromDefinition = active ? definitionSlaSchema.safeParse(active.document.sla) : null;
  if (active && fromDefinition?.success) {
    setup = { ...definitionSla(fromDefinition.data), source: `definition v${active.version}` };
  } else {
    const ws = await getWorkspace(db, workspaceId);
    const fromSettings = slaPolicySchema.safeParse(ws?.settings.sla_policy);
    setup = fromSettings.success
      ? { policy: fromSettings.data, calendar: defaultBusinessCalendar, source: 'workspace setting' }
      : { policy: defaultSlaPolicy, calendar: defaultBusinessCalendar, source: 'workspace default' };
  }
  if (team) {
    const row = await getTeam(db, workspaceId, team);
    const calendar = row?.calendar ? businessCalendarSchema.safeParse(row.calendar) : null;
    if (calendar?.success) return { ...setup, calendar: calendar.data, calendarSource: 'team' };
  }
  return { ...setup, calendarSource: 'policy' };
}
