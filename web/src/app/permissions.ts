import { useQuery } from '@tanstack/react-query';
import { isRole, type Permission } from '../../../src/core/access.ts';
import { isStage } from '../../../src/core/lifecycle.ts';
import { decide, leadResource, type Decision, type LeadAct, type PermissionAction, type PermissionActor } from '../../../src/core/permissions.rules.ts';
import { fetchAll, useUsers } from '../api/queries.ts';
import type { Lead, Me, User } from '../api/types.ts';

/**
 * The web app asks the server's own permission rule (src/core/permissions.rules.ts) what the user
 * may do, so it hides or disables exactly what the API would refuse, with the same words.
 */

type Team = { name: string; calendar: unknown; manager_id: string | null };
const useTeams = () => useQuery({ queryKey: ['teams'], queryFn: () => fetchAll<Team>('/api/v1/teams', {}), staleTime: 60_000 });

export function actorOf(me: Me): PermissionActor {
  const permissions = new Set(me.permissions as Permission[]);
  const u = me.user;
  if (!u || !isRole(u.role)) return { kind: 'key', permissions };
  return { kind: 'user', id: u.id, name: u.name || u.email, role: u.role, team: u.team, permissions };
}

const userFacts = (users: readonly User[]) => users.map((u) => ({ id: u.id, name: u.name || u.email, role: u.role, team: u.team, managerId: u.manager_id, disabled: u.disabled }));

/** `may(lead, act)`: the decision for this user on a lead; `mayDo(action)` for workspace actions. Refuses while users/teams load. */
export function usePermissions(me: Me) {
  const users = useUsers();
  const teams = useTeams();
  const actor = actorOf(me);
  const loading: Decision = { allowed: false, message: 'Checking who may do this…', whoMay: '' };
  const may = (lead: Lead, act: LeadAct): Decision => {
    if (!users.data || !teams.data || !isStage(lead.stage)) return loading;
    const resource = leadResource({ stage: lead.stage, ownerId: lead.owner_id }, lead.waiting ?? null, userFacts(users.data),
      teams.data.map((t) => ({ name: t.name, managerId: t.manager_id })));
    return decide(actor, `lead.${act}`, resource);
  };
  const mayDo = (action: Exclude<PermissionAction, `lead.${string}`>): Decision => decide(actor, action);
  return { may, mayDo, ready: !!users.data && !!teams.data };
}
