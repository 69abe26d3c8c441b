import type { Permission, Role } from './access.ts';
import { transitionTable, type Stage, type TransitionAction } from './lifecycle.ts';

/**
 * Who may act on what: the one decision the server enforces and the web app uses to hide what the
 * user may not do. Scopes and roles (access.ts) say whether someone may write at all; this says
 * whose records they may write.
 *
 * - Sales work on a lead (accept, reject, hand back, qualify as SQL, open an opportunity, win, lose,
 *   recycle, disqualify a lead sales holds, log a touch) belongs to the lead's owner, to the
 *   managers of the owner's team, and to admins. A lead without an owner waiting in a team's queue
 *   belongs to that team; one in a queue no team claims, to anyone in sales.
 * - Marketing work on a lead (mark sales-ready, re-qualify, move an inquiry to nurture, disqualify
 *   an inquiry or a nurtured lead) belongs to marketing and admins.
 * - Reassigning belongs to the managers who may act on the lead, and to admins.
 * - Costs (period costs, campaigns with their costs), targets and attribution settings belong to
 *   marketing and admins.
 * - Content ratings are a person's: one per person per asset.
 * - How consent is asked for (double opt-in) belongs to marketing and admins.
 *
 * Machine keys are not people. A `write` key feeds data (contacts, activities, deals, campaigns and
 * their costs) and may do marketing's automatable lead moves; it never does sales work, rates
 * content or changes the attribution agreement. An `admin` key is the workspace admin's integration
 * (CRM sync, migrations) and may do what an admin may, except rating content.
 */

export type PermissionActor =
  | { kind: 'user'; id: string; name: string; role: Role; team: string | null; permissions: ReadonlySet<Permission> }
  | { kind: 'key'; permissions: ReadonlySet<Permission> };

export type LeadAct = TransitionAction | 'touch' | 'assign';
export type PermissionAction = `lead.${LeadAct}` | 'costs.change' | 'campaign.change' | 'attribution.change' | 'content.rate' | 'privacy.erase' | 'privacy.export' | 'consent.change';

export type PersonFact = { id: string; name: string };

/** What the decision needs to know about a lead (built by `leadResource` from the lead, the users and the teams). */
export type LeadResource = {
  kind: 'lead';
  stage: Stage;
  owner: PersonFact | null;
  /** The team the lead belongs to: the owner's team, or the team an unowned lead was queued for; null: no team (all of sales). */
  team: string | null;
  /** Where an unowned lead waits (its latest assignment's queue). */
  queue: string | null;
  /** Managers who may act for the team (or the owner's direct manager), by name for the refusal text. */
  managers: PersonFact[];
};

export type Decision = { allowed: true } | { allowed: false; message: string; whoMay: string };

const allow: Decision = { allowed: true };

export type UserFact = { id: string; name: string; role: Role | string; team: string | null; managerId: string | null; disabled?: boolean };
export type TeamFact = { name: string; managerId: string | null };

/**
 * The lead as the decision sees it: the owner's team (or, for an unowned lead, the team it was
 * queued for, or the team named like its queue) and the managers of that team — users who manage
 * it in the team table, sales managers in the team, the owner's own manager and sales managers
 * without a team (they manage all of sales).
 */
export function leadResource(
  lead: { stage: Stage; ownerId: string | null },
  waiting: { queue: string | null; team: string | null } | null,
  users: readonly UserFact[],
  teams: readonly TeamFact[],
): LeadResource {
  const byId = new Map(users.map((u) => [u.id, u]));
  const owner = lead.ownerId ? byId.get(lead.ownerId) ?? null : null;
  const queue = lead.ownerId ? null : waiting?.queue ?? null;
  const teamNamedLikeQueue = queue && (teams.some((t) => t.name === queue) || users.some((u) => u.team === queue)) ? queue : null;
  const team = lead.ownerId ? owner?.team ?? null : waiting?.team ?? teamNamedLikeQueue;
  const teamRow = team ? teams.find((t) => t.name === team) : undefined;
  const managers = users.filter((u) => !u.disabled && u.role === 'sales_manager' && (
    u.team === null || (team !== null && u.team === team) || teamRow?.managerId === u.id || owner?.managerId === u.id));
  const seen = new Set<string>();
  return {
    kind: 'lead', stage: lead.stage,
    owner: lead.ownerId ? { id: lead.ownerId, name: owner?.name ?? 'a former user' } : null,
    team, queue,
    managers: managers.filter((m) => !seen.has(m.id) && seen.add(m.id)).map((m) => ({ id: m.id, name: m.name })),
  };
}

const marketingActs: ReadonlySet<LeadAct> = new Set(['qualify', 'requalify', 'nurture']);

/** Whether an act on a lead at `stage` is sales', marketing's or a manager's work. */
export function sideOf(act: LeadAct, stage: Stage): 'sales' | 'marketing' | 'manager' {
  if (act === 'assign') return 'manager';
  if (marketingActs.has(act)) return 'marketing';
  // Disqualifying an inquiry or a nurtured lead is marketing's; one sales holds, sales'.
  if (act === 'disqualify' && (stage === 'inquiry' || stage === 'nurture')) return 'marketing';
  return 'sales';
}

const actByTarget: Record<Stage, TransitionAction> = {
  inquiry: 'nurture', mql: 'qualify', sal: 'accept', sql: 'convert', opportunity: 'open_opportunity', won: 'win', lost: 'lose', nurture: 'hand_back', disqualified: 'disqualify',
};

/**
 * The act a move is, for `decide`: the lifecycle table's action for (from → to); for moves the table
 * has no single row for (linking a SAL lead to a deal walks sal → sql → opportunity), the act of
 * reaching the target, so a move the table refuses or walks is judged by whose work it is too.
 */
export function actOfMove(from: Stage, to: Stage): TransitionAction {
  return transitionTable.find((r) => r.from === from && r.to === to)?.action ?? actByTarget[to];
}

const verbs: Record<LeadAct, string> = {
  qualify: 'mark this lead sales-ready', requalify: 're-qualify this lead', nurture: 'move this lead to nurture',
  accept: 'accept this lead', reject: 'reject this lead', hand_back: 'hand this lead back', convert: 'qualify this lead as SQL',
  open_opportunity: 'open an opportunity for this lead', win: 'mark this lead won', lose: 'mark this lead lost',
  recycle: 'recycle this lead', disqualify: 'disqualify this lead', touch: 'log a sales touch on this lead', assign: 'reassign this lead',
};

const list = (items: string[]) => (items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`);

/** Who may do `act` on the lead, and where an unowned lead waits (said after, so the sentence reads). */
function leadWorkers(lead: LeadResource, act: LeadAct): { whoMay: string; context: string | null } {
  const managerNames = lead.managers.map((m) => m.name).join(', ');
  const managers = lead.team
    ? `a manager of team ${lead.team}${managerNames ? ` (${managerNames})` : ''}`
    : `a sales manager${managerNames ? ` (${managerNames})` : ''}`;
  const context = lead.owner ? null : lead.queue ? `it waits unassigned in queue '${lead.queue}'` : 'it has no owner';
  if (act === 'assign') return { whoMay: `${managers} or an admin`, context };
  if (lead.owner) return { whoMay: list([`the lead's owner (${lead.owner.name})`, managers, 'an admin']), context };
  if (lead.team) return { whoMay: list([`a member of team ${lead.team}`, managers, 'an admin']), context };
  return { whoMay: 'a sales rep, a sales manager or an admin', context };
}

function describe(actor: PermissionActor): string {
  if (actor.kind === 'key') return `this machine key (scopes: ${[...actor.permissions].join(', ') || 'none'})`;
  return `you are ${actor.name} (${actor.role}${actor.team ? `, team ${actor.team}` : ''})`;
}

function refuse(whoMay: string, what: string, actor: PermissionActor, why?: string, context?: string | null): Decision {
  const who = actor.kind === 'key' ? `${describe(actor)} is not a person${why ? ` (${why})` : ''}` : `${describe(actor)}${why ? `, and ${why}` : ''}`;
  return { allowed: false, whoMay, message: `Only ${whoMay} may ${what}${context ? ` (${context})` : ''}; ${who}.` };
}

function mayWorkLead(actor: Extract<PermissionActor, { kind: 'user' }>, lead: LeadResource): boolean {
  if (actor.role === 'admin') return true;
  if (actor.role !== 'sales' && actor.role !== 'sales_manager') return false;
  if (lead.owner?.id === actor.id) return true;
  const isManager = actor.role === 'sales_manager' && lead.managers.some((m) => m.id === actor.id);
  if (isManager) return true;
  if (lead.owner) return false;
  // Unowned: the team it waits for, or all of sales when no team claims its queue.
  return lead.team === null || actor.team === lead.team;
}

function decideLead(actor: PermissionActor, act: LeadAct, lead: LeadResource): Decision {
  const what = verbs[act];
  const side = sideOf(act, lead.stage);
  if (side === 'marketing') {
    const whoMay = 'marketing or an admin';
    if (actor.kind === 'key') return actor.permissions.has('write') ? allow : refuse(whoMay, what, actor, "it needs the 'write' scope");
    return actor.role === 'marketing' || actor.role === 'admin' ? allow : refuse(whoMay, what, actor, 'this is marketing\'s call under the lead definition');
  }
  const { whoMay, context } = leadWorkers(lead, act);
  if (actor.kind === 'key') {
    if (actor.permissions.has('admin')) return allow;
    const hint = side === 'manager' ? 'only an admin key may reassign' : "sales work is recorded by a person: use the rep's personal API key so the history names who did it";
    return refuse(whoMay, what, actor, hint, context);
  }
  if (side === 'manager') {
    const ok = actor.role === 'admin' || (actor.role === 'sales_manager' && mayWorkLead(actor, lead));
    return ok ? allow : refuse(whoMay, what, actor, undefined, context);
  }
  if (mayWorkLead(actor, lead)) return allow;
  const why = actor.role === 'marketing' ? 'marketing cannot act for sales' : actor.role === 'viewer' ? 'viewers only read' : undefined;
  return refuse(whoMay, what, actor, why, context);
}

/**
 * Decides whether `actor` may do `action` (on `resource`, for lead actions). A refusal says who may,
 * by name where the data knows it, so a 403 tells the user whom to ask.
 * @example decide(rep, 'lead.accept', lead) → { allowed: false, whoMay: "the lead's owner (Dana Rep), a manager of team East (Max) or an admin", message: 'Only … may accept this lead; you are Sam (sales, team West).' }
 */
export function decide(actor: PermissionActor, action: PermissionAction, resource: LeadResource | null = null): Decision {
  if (action.startsWith('lead.')) {
    if (!resource) throw new Error(`decide: ${action} needs the lead`);
    return decideLead(actor, action.slice('lead.'.length) as LeadAct, resource);
  }
  switch (action) {
    case 'costs.change':
    case 'campaign.change': {
      const what = action === 'costs.change' ? 'change costs' : 'create or change campaigns and their costs';
      if (actor.kind === 'key') return actor.permissions.has('write') ? allow : refuse('marketing, an admin or a data-feed key', what, actor, "it needs the 'write' scope");
      return actor.role === 'marketing' || actor.role === 'admin' ? allow : refuse('marketing or an admin', what, actor, 'costs belong to marketing');
    }
    case 'attribution.change': {
      const what = 'change the attribution settings (target share, look-back, channels)';
      if (actor.kind === 'key') return actor.permissions.has('admin') ? allow : refuse('marketing or an admin', what, actor, 'the agreement is set by people; an admin key may');
      return actor.role === 'marketing' || actor.role === 'admin' ? allow : refuse('marketing or an admin', what, actor, 'targets and attribution belong to marketing');
    }
    case 'consent.change': {
      // How the workspace asks for consent (double opt-in) is marketing's practice, owned with the admin.
      const what = 'change how consent is asked for (double opt-in)';
      if (actor.kind === 'key') return actor.permissions.has('admin') ? allow : refuse('marketing or an admin', what, actor, 'an admin key may');
      return actor.role === 'marketing' || actor.role === 'admin' ? allow : refuse('marketing or an admin', what, actor, 'consent practice belongs to marketing');
    }
    case 'content.rate':
      if (actor.kind === 'key') return refuse('a person (a logged-in user or a personal API key)', 'rate content', actor, 'one rating per person per asset');
      return actor.permissions.has('write') ? allow : refuse('users who may write', 'rate content', actor);
    case 'privacy.erase':
    case 'privacy.export': {
      // Erasure and export answer a person's GDPR request: the data controller's act (an admin, or an admin key for a DSAR tool).
      const what = action === 'privacy.erase' ? 'erase a person' : "export a person's data";
      return actor.permissions.has('admin') ? allow : refuse('an admin', what, actor, 'privacy requests are answered by the workspace admin');
    }
    default:
      throw new Error(`decide: unknown action ${String(action)}`);
  }
}
