import { applyClockChanges, clocksForTransition, evaluateClock, nextWakeUp, type SlaClock, type SlaTrigger } from '../../core/sla/sla-clock.rules.ts';
import { lastAssignment } from '../../storage/assignments.repo.ts';
import type { DbOrTrx, Trx } from '../../storage/db.ts';
import { enqueue, removeJob } from '../../storage/jobs.repo.ts';
import type { Lead } from '../../storage/leads.repo.ts';
import { insertClock, listRunningClocks, updateClock, type StoredClock } from '../../storage/sla-clocks.repo.ts';
import { getUser } from '../../storage/users.repo.ts';
import { loadSlaSetup } from './sla-setup.ts';

export const slaJobKey = (leadId: string) => `sla:${leadId}`;

/** The team whose calendar and manager apply to a lead: its owner's, else the team of its last routing. */
export async function teamOfLead(db: DbOrTrx, workspaceId: string, lead: Pick<Lead, 'id' | 'ownerId'>): Promise<string | null> {
  const owner = lead.ownerId ? await getUser(db, workspaceId, lead.ownerId) : null;
  if (owner?.team) return owner.team;
  return (await lastAssignment(db, workspaceId, lead.id))?.team ?? null;
}

/**
 * Starts and stops the lead's clocks for a stage change, an assignment or a sales activity (the
 * core decides which), persists them and moves the lead's single timer job to the next wake-up.
 * `at` is when it happened (a sales call logged later stops the clock when it was made).
 */
export async function applySlaTrigger(trx: Trx, workspaceId: string, lead: Pick<Lead, 'id' | 'ownerId'>, trigger: SlaTrigger, now: Date, at: Date = now): Promise<StoredClock[]> {
  const setup = await loadSlaSetup(trx, workspaceId, await teamOfLead(trx, workspaceId, lead));
  const running = await listRunningClocks(trx, workspaceId, lead.id);
  const changes = clocksForTransition(trigger, at, setup.policy, setup.calendar, running.map((c) => c.clock));
  if (changes.start.length || changes.stop.length) {
    const after = applyClockChanges(running.map((c) => c.clock), { start: [], stop: changes.stop }, at);
    for (const [i, stored] of running.entries()) {
      const clock = after[i] as SlaClock;
      if (clock.stoppedAt !== null) await updateClock(trx, workspaceId, stored.id, clock, evaluateClock(clock, now).state);
    }
    for (const clock of changes.start) await insertClock(trx, workspaceId, lead.id, clock, 'running');
  }
  return rescheduleSlaTimer(trx, workspaceId, lead.id, now);
}

/** Replaces the `sla:<leadId>` job with one at the next due time or step, or removes it when no clock runs. */
export async function rescheduleSlaTimer(trx: Trx, workspaceId: string, leadId: string, now: Date): Promise<StoredClock[]> {
  const running = await listRunningClocks(trx, workspaceId, leadId);
  const next = nextWakeUp(running.map((c) => c.clock), now);
  if (next) await enqueue(trx, 'sla-check', { workspaceId, leadId }, { jobKey: slaJobKey(leadId), runAt: next, maxAttempts: 10 });
  else await removeJob(trx, slaJobKey(leadId));
  return running;
}
