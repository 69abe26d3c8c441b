import type { BulkOpportunity } from '../../storage/bulk.repo.ts';
import { salesTouch, type Journey } from './journey.ts';
import { DAY, HOUR, type ChunkRows, type DemoWorld, type Person, type WorldUser } from './world.ts';

export type OpportunityOutcome = 'won' | 'lost' | 'open';

/** Deal size grows with the company: a few thousand for a small team, up to 250k for an enterprise. */
export function dealAmount(world: DemoWorld, person: Person): number {
  const employees = person.account?.employees ?? 0;
  const [min, max] = !person.account ? [5_000, 12_000]
    : employees < 50 ? [5_000, 15_000]
      : employees < 200 ? [12_000, 40_000]
        : employees < 1000 ? [30_000, 90_000]
          : employees < 5000 ? [60_000, 160_000]
            : [100_000, 250_000];
  return Math.round(world.rng.between(min, max) / 500) * 500;
}

const isoDate = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** Typical sales cycle length: longer for bigger companies. */
export function salesCycleMs(world: DemoWorld, person: Person): number {
  const employees = person.account?.employees ?? 20;
  const median = employees < 200 ? 30 : employees < 2000 ? 50 : 75;
  return Math.max(7 * DAY, world.rng.logNormal(median, 0.5) * DAY);
}

/**
 * Writes an opportunity opened at `openMs` and, unless still open at `now`, closed at `closeMs`:
 * the deal row, its stage history, contact roles (the lead's contact as primary, sometimes a
 * colleague from the same account) and the link to the lead. Adds the meetings that moved it.
 */
export function recordOpportunity(world: DemoWorld, rows: ChunkRows, j: Journey, input: {
  leadId: string; owner: WorldUser; openMs: number; closeMs: number; outcome: OpportunityOutcome;
}): BulkOpportunity {
  const { rng } = world;
  const { person } = j;
  const { openMs, closeMs, outcome, owner } = input;
  const amount = dealAmount(world, person);
  const plan = amount >= 90_000 ? 'Enterprise' : amount >= 25_000 ? 'Growth' : 'Starter';
  const id = world.mintId(openMs);
  const endMs = outcome === 'open' ? world.nowMs : closeMs;
  const steps: { stage: string; ms: number }[] = [{ stage: 'Discovery', ms: openMs }];
  const proposalMs = openMs + 0.4 * (closeMs - openMs);
  const negotiationMs = openMs + 0.75 * (closeMs - openMs);
  if (proposalMs < endMs && (outcome !== 'lost' || rng.chance(0.6))) steps.push({ stage: 'Proposal', ms: proposalMs });
  if (negotiationMs < endMs && steps.length === 2 && (outcome === 'won' || rng.chance(0.4))) steps.push({ stage: 'Negotiation', ms: negotiationMs });
  if (outcome !== 'open') steps.push({ stage: outcome === 'won' ? 'Closed Won' : 'Closed Lost', ms: closeMs });

  let prev: { stage: string; status: string } | null = null;
  for (const step of steps) {
    const status = step.stage === 'Closed Won' ? 'won' : step.stage === 'Closed Lost' ? 'lost' : 'open';
    rows.stageChanges.push({
      id: world.mintId(step.ms), opportunityId: id, fromStage: prev?.stage ?? null, toStage: step.stage, fromStatus: prev?.status ?? null,
      toStatus: status, amount, at: step.ms, actorType: 'user', actorId: owner.id,
    });
    if (step.stage !== 'Discovery') salesTouch(j, step.ms - 2 * HOUR, 'meeting', owner.id, `${step.stage} meeting`);
    prev = { stage: step.stage, status };
  }
  // Between milestones reps keep in touch by email.
  for (let ms = openMs + rng.between(3, 10) * DAY; ms < endMs - DAY; ms += rng.between(7, 21) * DAY) {
    salesTouch(j, ms, 'sales_email', owner.id, 'follow-up');
  }

  const last = steps[steps.length - 1]!;
  const opportunity: BulkOpportunity = {
    id, name: `${person.account?.row.name ?? `${person.firstName} ${person.lastName}`} - ${plan}`, accountId: person.account?.row.id ?? null,
    amount, currency: 'USD', stage: last.stage, status: outcome, closeDate: isoDate(closeMs), ownerId: owner.id,
    createdAt: openMs, updatedAt: last.ms, closedAt: outcome === 'open' ? null : closeMs,
  };
  rows.opportunities.push(opportunity);
  rows.opportunityLeads.push({ opportunityId: id, leadId: input.leadId });
  const senior = person.seniority === 'c_level' || person.seniority === 'vp';
  rows.contactRoles.push({ opportunityId: id, contactId: person.id, role: senior ? 'decision_maker' : 'champion', isPrimary: true });
  const colleagues = person.account?.people.filter((p) => p.id !== person.id) ?? [];
  if (colleagues.length > 0 && rng.chance(0.5)) {
    const colleague = rng.pick(colleagues);
    const role = colleague.seniority === 'c_level' || colleague.seniority === 'vp' ? 'economic_buyer'
      : colleague.department === 'IT' || colleague.department === 'Engineering' ? 'technical_evaluator' : 'influencer';
    rows.contactRoles.push({ opportunityId: id, contactId: colleague.id, role, isPrimary: false });
  }
  return opportunity;
}
