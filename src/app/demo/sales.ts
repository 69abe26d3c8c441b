import type { ActivityType } from '../../core/activity.ts';
import type { Stage } from '../../core/lifecycle.ts';
import type { Lead } from '../../storage/leads.repo.ts';
import { assignLead, findLead, transitionLead } from '../leads.ts';
import { patchOpportunity } from '../opportunities.ts';
import { logActivity } from '../scoring/log-activity.ts';
import { postPurchase, type Journey } from './journey.ts';
import { dealAmount, salesCycleMs } from './opportunity.ts';
import { createRng, type Rng } from './prng.ts';
import type { Simulation } from './simulate.ts';
import { DAY, HOUR, MINUTE, type Person } from './world.ts';

/**
 * What sales does with the MQLs the pipeline hands them, through the same use cases as the web app
 * and the REST API (accept, reject with a reason, qualify, open and close deals, log calls), at
 * simulated times. Rates are tuned to typical B2B numbers: ~70% of MQLs accepted, ~60% SAL→SQL,
 * ~70% SQL→opportunity, ~25% of deals won.
 */

const nurtureReasons = ['not_ready', 'no_budget', 'no_response', 'wrong_contact'] as const;
const lostReasons = ['lost_to_competitor', 'lost_price', 'lost_no_decision'] as const;

type Plan = { sim: Simulation; person: Person; leadId: string; rng: Rng; endMs: number };

/** A rep's own stream of decisions per MQL, so the order in which MQLs are noticed changes nothing. */
export function planMql(sim: Simulation, person: Person, lead: Lead): void {
  const cycle = (sim.mqlsSeen.get(person.index) ?? 0) + 1;
  sim.mqlsSeen.set(person.index, cycle);
  const rng = createRng((sim.seed * 7919 + person.index * 104_729 + cycle * 31) >>> 0);
  const p: Plan = { sim, person, leadId: lead.id, rng, endMs: sim.world.nowMs - MINUTE };
  const mqlMs = lead.stageEnteredAt.getTime();
  const quality = person.entry.spec.quality;
  if (person.showcase) {
    // The rep's inbox: some fresh, some overdue, some already accepted and being worked.
    if (rng.chance(0.35)) at(p, mqlMs + rng.between(1, 20) * HOUR, 'mql', (l, ms) => accept(p, l, ms, false));
    return;
  }
  if (rng.chance(0.06)) {
    // Leakage: nobody works the MQL (SLA escalations bounce it between reps) until it is handed back weeks later.
    at(p, mqlMs + rng.between(25, 45) * DAY, 'mql', async (l, ms) => {
      await move(p, l, 'nurture', 'no_response', 'never worked: handed back to marketing', new Date(ms + 30 * DAY));
    });
    return;
  }
  const decideMs = mqlMs + Math.min(14 * DAY, Math.max(10 * MINUTE, rng.logNormal(5, 1.3) * HOUR));
  const unqualified = isUnqualified(person);
  const pAccept = unqualified ? 0.1 : Math.min(0.92, (0.56 + 0.35 * person.fit) * Math.pow(quality, 0.3));
  if (rng.chance(pAccept)) at(p, decideMs, 'mql', (l, ms) => accept(p, l, ms, true));
  else at(p, decideMs, 'mql', (l, ms) => reject(p, l, ms, 'MQL'));
}

const isUnqualified = (person: Person) => person.seniority === 'student' || person.seniority === 'consultant';

/** Schedules a step that runs only if the lead is still where the plan left it. */
function at(p: Plan, ms: number, expected: Stage, run: (lead: Lead, ms: number) => Promise<void>): void {
  if (ms > p.endMs) return;
  p.sim.schedule({
    kind: 'sales', ms, run: async () => {
      const found = await findLead(p.sim.deps, p.sim.workspaceId, p.leadId);
      if (!found.ok || found.value.stage !== expected) return;
      let lead = found.value;
      // A lead routed to the queue is picked up by the first rep who looks at it.
      if (!lead.ownerId) {
        const assigned = await assignLead(p.sim.deps, p.sim.workspaceId, lead.id, p.rng.pick(p.sim.world.reps).id);
        if (!assigned.ok) throw new Error(`demo: cannot assign lead ${lead.id}: ${assigned.message}`);
        lead = assigned.value;
      }
      await run(lead, ms);
    },
  });
}

async function move(p: Plan, lead: Lead, to: Stage, reasonCode: string | null, note: string, recheckAt: Date | null = null): Promise<string | undefined> {
  const moved = await transitionLead(p.sim.deps, p.sim.workspaceId, lead.id, {
    to, reasonCode, note, recheckAt, actor: { type: 'user', id: lead.ownerId },
  });
  if (!moved.ok) throw new Error(`demo: ${lead.stage} → ${to} refused: ${moved.message}`);
  return moved.value.opportunityId;
}

/** A sales touch as a rep's tool posts it to POST /api/v1/activities. */
async function touch(p: Plan, lead: Lead, type: ActivityType, ms: number, note: string): Promise<void> {
  const logged = await logActivity(p.sim.deps, p.sim.workspaceId, {
    contactId: lead.contactId, type, occurredAt: new Date(Math.min(ms, p.sim.clock.now().getTime())), eventName: note, actorUserId: lead.ownerId,
  });
  if (!logged.ok) throw new Error(`demo: sales touch refused: ${logged.message}`);
}

async function accept(p: Plan, lead: Lead, ms: number, continues: boolean): Promise<void> {
  const { rng, person } = p;
  await touch(p, lead, rng.chance(0.6) ? 'sales_call' : 'sales_email', ms - 10 * MINUTE, 'first contact');
  await move(p, lead, 'sal', null, 'accepted');
  if (!continues) return;
  const next = ms + Math.max(2 * HOUR, rng.logNormal(6, 0.8) * DAY);
  if (rng.chance(Math.min(0.9, (0.5 + 0.2 * person.fit) * Math.sqrt(person.entry.spec.quality)))) at(p, next, 'sal', (l, t) => qualify(p, l, t));
  else at(p, next, 'sal', (l, t) => reject(p, l, t, 'SAL'));
}

async function qualify(p: Plan, lead: Lead, ms: number): Promise<void> {
  const { rng, person } = p;
  await touch(p, lead, 'meeting', ms - HOUR, 'discovery call');
  await move(p, lead, 'sql', null, 'budget, authority, need and timing confirmed');
  const next = ms + Math.max(HOUR, rng.logNormal(5, 0.7) * DAY);
  if (rng.chance(Math.min(0.9, 0.62 + 0.15 * person.fit))) at(p, next, 'sql', (l, t) => openDeal(p, l, t));
  else if (rng.chance(0.6)) at(p, next, 'sql', (l, t) => reject(p, l, t, 'SQL'));
  else at(p, next, 'sql', (l) => move(p, l, 'disqualified', rng.chance(0.6) ? 'bad_fit' : 'competitor', 'SQL: no project').then(() => {}));
}

/** Moving the lead to opportunity opens its deal; the rep then fills in amount, stage and roles. */
async function openDeal(p: Plan, lead: Lead, ms: number): Promise<void> {
  const { rng, person, sim } = p;
  await touch(p, lead, 'meeting', ms - 2 * HOUR, 'solution demo');
  const opportunityId = await move(p, lead, 'opportunity', null, 'opportunity opened');
  if (!opportunityId) throw new Error('demo: moving to opportunity opened no deal');
  const world = { ...sim.world, rng };
  const amount = dealAmount(world, person);
  const plan = amount >= 90_000 ? 'Enterprise' : amount >= 25_000 ? 'Growth' : 'Starter';
  const closeMs = ms + salesCycleMs(world, person);
  const senior = person.seniority === 'c_level' || person.seniority === 'vp';
  const roles = [{ contactId: lead.contactId, role: senior ? 'decision_maker' : 'champion', isPrimary: true }];
  const colleagues = (person.account?.people ?? []).filter((c) => c !== person && c.contactId && c.contactId !== lead.contactId);
  if (colleagues.length > 0 && rng.chance(0.5)) {
    const c = rng.pick(colleagues);
    const role = c.seniority === 'c_level' || c.seniority === 'vp' ? 'economic_buyer' : c.department === 'IT' || c.department === 'Engineering' ? 'technical_evaluator' : 'influencer';
    roles.push({ contactId: c.contactId!, role, isPrimary: false });
  }
  const name = `${person.account?.row.name ?? `${person.firstName} ${person.lastName}`} - ${plan}`;
  await patchDeal(p, opportunityId, lead.ownerId, { name, amount, stage: 'Discovery', closeDate: new Date(closeMs).toISOString().slice(0, 10), contactRoles: roles });

  const pWin = Math.min(0.65, 0.24 * Math.sqrt(person.entry.spec.quality) * (0.6 + 0.8 * person.fit));
  const roll = rng.next();
  const outcome = roll < pWin ? 'won' : 'lost';
  const dealStep = (t: number, run: () => Promise<void>) => { if (t <= p.endMs) sim.schedule({ kind: 'sales', ms: t, run }); };
  const proposalMs = ms + 0.4 * (closeMs - ms);
  const negotiationMs = ms + 0.75 * (closeMs - ms);
  const proposal = outcome === 'won' || rng.chance(0.6);
  const negotiation = proposal && (outcome === 'won' || rng.chance(0.4));
  if (proposal) dealStep(proposalMs, () => dealMeeting(p, lead, opportunityId, proposalMs, 'Proposal'));
  if (negotiation) dealStep(negotiationMs, () => dealMeeting(p, lead, opportunityId, negotiationMs, 'Negotiation'));
  // Between milestones reps keep in touch by email.
  for (let t = ms + rng.between(3, 10) * DAY; t < closeMs - DAY; t += rng.between(7, 21) * DAY) dealStep(t, () => touch(p, lead, 'sales_email', t, 'follow-up'));
  dealStep(closeMs, async () => {
    if (outcome === 'won') {
      await patchDeal(p, opportunityId, lead.ownerId, { status: 'won', stage: 'Closed Won' });
      const j: Journey = { person, acts: [] };
      postPurchase(sim.world, j, closeMs);
      for (const act of j.acts) sim.schedule(act);
    } else {
      await patchDeal(p, opportunityId, lead.ownerId, { status: 'lost', stage: 'Closed Lost', lostReasonCode: rng.weighted(lostReasons, [40, 30, 30]) });
    }
  });
}

async function dealMeeting(p: Plan, lead: Lead, opportunityId: string, ms: number, stage: string): Promise<void> {
  await touch(p, lead, 'meeting', ms - 2 * HOUR, `${stage} meeting`);
  await patchDeal(p, opportunityId, lead.ownerId, { stage });
}

async function patchDeal(p: Plan, id: string, ownerId: string | null, patch: Parameters<typeof patchOpportunity>[3]): Promise<void> {
  const done = await patchOpportunity(p.sim.deps, p.sim.workspaceId, id, patch, { type: 'user', id: ownerId });
  if (!done.ok) throw new Error(`demo: deal update refused: ${done.message}`);
}

/** Sales sends the lead back: disqualified (with why), or to nurture with the reason and a recheck date. */
async function reject(p: Plan, lead: Lead, decidedMs: number, stageLabel: string): Promise<void> {
  const { rng, person } = p;
  const unqualified = isUnqualified(person);
  const disqualify = unqualified || person.fit < 0.18 ? rng.chance(0.9) : rng.chance(0.3);
  if (disqualify) {
    const code = unqualified ? (person.seniority === 'student' ? 'student' : 'bad_fit')
      : rng.weighted(['bad_fit', 'competitor', 'duplicate', 'spam'], [60, 12, 18, 10]);
    await touch(p, lead, 'sales_call', decidedMs - 30 * MINUTE, 'qualification call');
    await move(p, lead, 'disqualified', code, `${stageLabel}: disqualified`);
    return;
  }
  const code = rng.weighted(nurtureReasons, [35, 25, 30, 10]);
  if (code === 'no_response') {
    // Three tries over a few days before giving up (the tries happened before this decision).
    await touch(p, lead, 'sales_email', decidedMs - 3 * DAY, 'first follow-up');
    await touch(p, lead, 'sales_call', decidedMs - 2 * DAY, 'no answer');
    await touch(p, lead, 'sales_email', decidedMs - DAY, 'second follow-up');
  } else {
    await touch(p, lead, 'sales_call', decidedMs - 20 * MINUTE, 'connected');
  }
  const recheckAt = new Date(decidedMs + rng.int(20, 60) * DAY);
  await move(p, lead, 'nurture', code, `${stageLabel}: back to marketing (${code.replace('_', ' ')})`, recheckAt);
}
