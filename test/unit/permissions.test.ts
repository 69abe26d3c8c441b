import { describe, expect, it } from 'vitest';
import { permissionsFor, type Role } from '../../src/core/access.ts';
import { actOfMove, decide, leadResource, sideOf, type PermissionActor, type UserFact } from '../../src/core/permissions.rules.ts';
import { transitionTable, type Stage } from '../../src/core/lifecycle.ts';

const users: UserFact[] = [
  { id: 'dana', name: 'Dana Rep', role: 'sales', team: 'East', managerId: null },
  { id: 'erin', name: 'Erin East', role: 'sales', team: 'East', managerId: null },
  { id: 'sam', name: 'Sam West', role: 'sales', team: 'West', managerId: 'wes' },
  { id: 'max', name: 'Max Manager', role: 'sales_manager', team: 'East', managerId: null },
  { id: 'wes', name: 'Wes Manager', role: 'sales_manager', team: 'West', managerId: null },
  { id: 'hed', name: 'Hedda Head', role: 'sales_manager', team: null, managerId: null },
  { id: 'gone', name: 'Gone Manager', role: 'sales_manager', team: 'East', managerId: null, disabled: true },
  { id: 'mia', name: 'Mia Marketing', role: 'marketing', team: null, managerId: null },
  { id: 'ada', name: 'Ada Admin', role: 'admin', team: null, managerId: null },
  { id: 'vic', name: 'Vic Viewer', role: 'viewer', team: null, managerId: null },
];
const teams = [{ name: 'East', managerId: 'max' }, { name: 'West', managerId: null }];
const person = (id: string): PermissionActor => {
  const u = users.find((x) => x.id === id)!;
  return { kind: 'user', id, name: u.name, role: u.role as Role, team: u.team, permissions: permissionsFor({ role: u.role as Role }) };
};
const key = (...scopes: ('write' | 'admin' | 'read')[]): PermissionActor => ({ kind: 'key', permissions: permissionsFor({ scopes }) });
const lead = (stage: Stage, ownerId: string | null, waiting: { queue: string | null; team: string | null } | null = null) => leadResource({ stage, ownerId }, waiting, users, teams);

describe('leadResource: the team and managers of a lead', () => {
  it("an owned lead belongs to its owner's team: the team's managers, the owner's own manager and heads of sales", () => {
    expect(lead('mql', 'dana')).toEqual({ kind: 'lead', stage: 'mql', owner: { id: 'dana', name: 'Dana Rep' }, team: 'East', queue: null, managers: [{ id: 'max', name: 'Max Manager' }, { id: 'hed', name: 'Hedda Head' }] });
    expect(lead('mql', 'sam').managers.map((m) => m.id)).toEqual(['wes', 'hed']);
  });
  it('an unowned lead belongs to the team it was queued for, or to the team named like its queue, else to all of sales', () => {
    expect(lead('mql', null, { queue: 'unassigned', team: 'West' })).toMatchObject({ owner: null, team: 'West', queue: 'unassigned' });
    expect(lead('mql', null, { queue: 'East', team: null })).toMatchObject({ team: 'East', queue: 'East' });
    expect(lead('mql', null, { queue: 'unassigned', team: null })).toMatchObject({ team: null, queue: 'unassigned' });
    expect(lead('mql', null)).toMatchObject({ team: null, queue: null });
  });
});

describe('decide: sales work', () => {
  const danaLead = lead('mql', 'dana');
  it('the owner, the managers of their team and admins may accept; nobody else', () => {
    for (const who of ['dana', 'max', 'hed', 'ada']) expect(decide(person(who), 'lead.accept', danaLead)).toEqual({ allowed: true });
    for (const who of ['erin', 'sam', 'wes', 'gone', 'mia', 'vic']) expect(decide(person(who), 'lead.accept', danaLead).allowed).toBe(false);
  });
  it('says who may, by name, and who asked', () => {
    expect(decide(person('sam'), 'lead.accept', danaLead)).toEqual({
      allowed: false, whoMay: "the lead's owner (Dana Rep), a manager of team East (Max Manager, Hedda Head) or an admin",
      message: "Only the lead's owner (Dana Rep), a manager of team East (Max Manager, Hedda Head) or an admin may accept this lead; you are Sam West (sales, team West).",
    });
    expect(decide(person('mia'), 'lead.reject', danaLead)).toMatchObject({ message: expect.stringMatching(/may reject this lead; you are Mia Marketing \(marketing\), and marketing cannot act for sales\.$/) });
  });
  it('every sales act of the lifecycle table is judged the same way, and so is logging a touch', () => {
    const salesRules = transitionTable.filter((r) => sideOf(r.action, r.from) === 'sales');
    expect(salesRules.map((r) => `${r.from}→${r.to}`)).toEqual([
      'mql→sal', 'mql→nurture', 'mql→disqualified', 'sal→sql', 'sal→nurture', 'sal→disqualified', 'sql→opportunity', 'sql→nurture',
      'sql→disqualified', 'opportunity→won', 'opportunity→lost', 'opportunity→nurture',
    ]);
    for (const r of [...salesRules.map((x) => x.action), 'touch' as const]) {
      const l = lead(r === 'touch' ? 'sal' : salesRules.find((x) => x.action === r)!.from, 'dana');
      expect(decide(person('dana'), `lead.${r}`, l).allowed).toBe(true);
      expect(decide(person('sam'), `lead.${r}`, l).allowed).toBe(false);
      expect(decide(key('write'), `lead.${r}`, l).allowed).toBe(false);
    }
  });
  it('an unowned lead in a team queue is for that team; in a queue nobody claims, for all of sales (not marketing)', () => {
    const east = lead('mql', null, { queue: 'East', team: null });
    expect(decide(person('erin'), 'lead.accept', east).allowed).toBe(true);
    expect(decide(person('sam'), 'lead.accept', east)).toMatchObject({ allowed: false, message: expect.stringContaining("may accept this lead (it waits unassigned in queue 'East')") });
    const shared = lead('mql', null, { queue: 'unassigned', team: null });
    expect(decide(person('sam'), 'lead.accept', shared).allowed).toBe(true);
    expect(decide(person('mia'), 'lead.accept', shared)).toMatchObject({ allowed: false, whoMay: 'a sales rep, a sales manager or an admin' });
  });
  it('machine keys: a write key never does sales work; an admin key (the admin\'s integration) may', () => {
    expect(decide(key('write'), 'lead.accept', danaLead)).toMatchObject({ allowed: false, message: expect.stringContaining('this machine key (scopes: write, read) is not a person') });
    expect(decide(key('admin'), 'lead.accept', danaLead).allowed).toBe(true);
  });
  it('reassigning: the managers who may act on the lead and admins', () => {
    expect(decide(person('max'), 'lead.assign', danaLead).allowed).toBe(true);
    expect(decide(person('wes'), 'lead.assign', danaLead).allowed).toBe(false);
    expect(decide(person('dana'), 'lead.assign', danaLead)).toMatchObject({ whoMay: 'a manager of team East (Max Manager, Hedda Head) or an admin' });
    expect(decide(key('write'), 'lead.assign', danaLead).allowed).toBe(false);
    expect(decide(key('admin'), 'lead.assign', danaLead).allowed).toBe(true);
  });
});

describe('decide: marketing work and settings', () => {
  it("marking sales-ready, re-qualifying, nurturing and disqualifying an inquiry are marketing's", () => {
    for (const [from, to] of [['inquiry', 'mql'], ['nurture', 'mql'], ['inquiry', 'nurture'], ['inquiry', 'disqualified'], ['nurture', 'disqualified']] as const) {
      const l = lead(from, 'dana');
      const act = actOfMove(from, to);
      expect(decide(person('mia'), `lead.${act}`, l).allowed).toBe(true);
      expect(decide(key('write'), `lead.${act}`, l).allowed).toBe(true);
      expect(decide(person('dana'), `lead.${act}`, l)).toMatchObject({ allowed: false, whoMay: 'marketing or an admin' });
    }
  });
  it('a move the table walks (sal → opportunity with a deal) is judged by its target', () => {
    expect(actOfMove('sal', 'opportunity')).toBe('open_opportunity');
    expect(decide(person('mia'), `lead.${actOfMove('sal', 'opportunity')}`, lead('sal', 'dana')).allowed).toBe(false);
  });
  it('costs and campaigns: marketing, admins and data-feed keys; the attribution agreement: marketing and admins (an admin key)', () => {
    for (const action of ['costs.change', 'campaign.change'] as const) {
      expect(decide(person('mia'), action).allowed).toBe(true);
      expect(decide(person('ada'), action).allowed).toBe(true);
      expect(decide(key('write'), action).allowed).toBe(true);
      for (const who of ['dana', 'max']) expect(decide(person(who), action).allowed).toBe(false);
    }
    expect(decide(person('mia'), 'attribution.change').allowed).toBe(true);
    expect(decide(key('admin'), 'attribution.change').allowed).toBe(true);
    expect(decide(key('write'), 'attribution.change').allowed).toBe(false);
    expect(decide(person('max'), 'attribution.change')).toMatchObject({ message: expect.stringContaining('targets and attribution belong to marketing') });
  });
  it('rating content is a person\'s act', () => {
    expect(decide(person('dana'), 'content.rate').allowed).toBe(true);
    expect(decide(key('admin'), 'content.rate').allowed).toBe(false);
  });
});
