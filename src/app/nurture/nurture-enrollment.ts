import { consentPolicyOf, type ConsentPolicy } from '../../core/consent.rules.ts';
import { stages as allStages, type Stage } from '../../core/lifecycle.ts';
import {
  decideEnrollNow, sweepBlocker, tracksReadConsumed, type ConsumedAsset, type EnrollmentOrigin, type NurtureLead, type NurturePerson, type StageChangeAction,
} from '../../core/nurture/nurture-enrollment.rules.ts';
import { emailBlocker } from '../../core/nurture/nurture-steps.rules.ts';
import { fail, ok, type Result } from '../../core/result.ts';
import { getContact, type Contact } from '../../storage/contacts.repo.ts';
import type { DbOrTrx, Trx } from '../../storage/db.ts';
import { enqueue, removeJob } from '../../storage/jobs.repo.ts';
import { getLead, type Lead } from '../../storage/leads.repo.ts';
import { consumedContent, getTrack, insertEnrollment, listNurtureCandidates, listTracks, updateEnrollment, type NurtureCandidate, type NurtureEnrollment, type NurtureTrack } from '../../storage/nurture.repo.ts';
import { getWorkspace, listWorkspaces } from '../../storage/workspaces.repo.ts';
import type { AppDeps } from '../context.ts';
import { inTransaction, withTransaction } from '../transaction.ts';

export const NURTURE_TICK_TASK = 'nurture-tick' as const;
/** One pending tick per enrollment: re-scheduling replaces it. */
export const nurtureJobKey = (enrollmentId: string) => `nurture:${enrollmentId}`;

export async function scheduleTick(trx: DbOrTrx, workspaceId: string, enrollmentId: string, runAt: Date): Promise<void> {
  await enqueue(trx, NURTURE_TICK_TASK, { workspaceId, enrollmentId }, { jobKey: nurtureJobKey(enrollmentId), runAt, maxAttempts: 5 });
}

export function toNurtureLead(lead: Lead): NurtureLead {
  return { id: lead.id, contactId: lead.contactId, stage: lead.stage, rating: lead.rating, recycleCount: lead.recycleCount, lastReasonCode: lead.lastReasonCode, recheckAt: lead.recheckAt, source: lead.source };
}

/** What a person consumed, for entry rules that ask (content_consumed). */
export async function loadConsumed(db: DbOrTrx, workspaceId: string, contactId: string): Promise<ConsumedAsset[]> {
  return (await consumedContent(db, workspaceId, contactId)).map((c) => ({ assetId: c.assetId, format: c.format, stage: c.stage }));
}

/**
 * The person as entry rules see them. `emailable` is the one consent read (emailBlocker → mayContact for
 * email marketing) under the workspace's opt-in policy, so entry and sending agree.
 */
export function toNurturePerson(contact: Pick<Contact, 'email' | 'consent' | 'unsubscribedAt' | 'attributes'> | null, policy: ConsentPolicy = {}): NurturePerson {
  if (!contact) return { persona: null, emailable: false };
  return { persona: typeof contact.attributes.persona === 'string' ? contact.attributes.persona : null, emailable: emailBlocker(contact, policy) === null };
}

/** The workspace's consent policy (which purposes need an explicit opt-in). */
export async function workspaceConsentPolicy(db: DbOrTrx, workspaceId: string): Promise<ConsentPolicy> {
  return consentPolicyOf((await getWorkspace(db, workspaceId))?.settings);
}

/** Enrolls a lead in a track in the caller's transaction and schedules its first tick; null when the person already has a live track. */
export async function enrollInTrx(trx: Trx, workspaceId: string, input: { trackId: string; lead: Pick<Lead, 'id' | 'contactId'>; at: Date; runAt: Date; origin: EnrollmentOrigin }): Promise<NurtureEnrollment | null> {
  const e = await insertEnrollment(trx, workspaceId, { trackId: input.trackId, leadId: input.lead.id, contactId: input.lead.contactId, at: input.at, nextRunAt: input.runAt, origin: input.origin });
  if (e) await scheduleTick(trx, workspaceId, e.id, input.runAt);
  return e;
}

/** Applies what core decided about an enrollment (exit, pause, resume, enroll). */
export async function applyEnrollmentActions(trx: Trx, workspaceId: string, lead: Lead, actions: readonly StageChangeAction[], now: Date): Promise<void> {
  for (const a of actions) {
    if (a.kind === 'exit') {
      await updateEnrollment(trx, workspaceId, a.enrollmentId, { status: 'exited', exitReason: a.reason, exitedAt: now, nextRunAt: null });
      await removeJob(trx, nurtureJobKey(a.enrollmentId));
    } else if (a.kind === 'pause') {
      await updateEnrollment(trx, workspaceId, a.enrollmentId, { status: 'paused', pausedAt: now, nextRunAt: null });
      await removeJob(trx, nurtureJobKey(a.enrollmentId));
    } else if (a.kind === 'resume') {
      await updateEnrollment(trx, workspaceId, a.enrollmentId, { status: 'active', pausedAt: null, nextRunAt: a.at });
      await scheduleTick(trx, workspaceId, a.enrollmentId, a.at);
    } else {
      await enrollInTrx(trx, workspaceId, { trackId: a.trackId, lead, at: now, runAt: a.at, origin: a.origin ?? 'recycle' });
    }
  }
}

/**
 * The periodic enroll sweep (cron `nurture-enroll`): every open lead in an entry stage without a
 * live track joins the best-fitting track it has not been through yet for this buying cycle.
 * Leads waiting for their recheck date and people who cannot be emailed are left alone.
 */
export async function sweepNurtureEnrollments(deps: AppDeps, now: Date, options: { workspaceId?: string; limit?: number } = {}): Promise<{ enrolled: number }> {
  const workspaces = options.workspaceId ? [options.workspaceId] : (await listWorkspaces(deps.db)).map((w) => w.id);
  let enrolled = 0;
  for (const workspaceId of workspaces) {
    const tracks = await listTracks(deps.db, workspaceId, true);
    if (tracks.length === 0) continue;
    const entryStages = new Set<Stage>(tracks.flatMap((t) => t.entry.stages ?? ['inquiry', 'nurture']));
    const stages = allStages.filter((s) => entryStages.has(s));
    // Keyset pages, so leads that fit no track cannot starve the ones after them.
    const pageSize = options.limit ?? 1000;
    for (let after: string | undefined, page = 0; page < 1000; page++) {
      const candidates = await listNurtureCandidates(deps.db, workspaceId, stages, pageSize, after);
      if (candidates.length === 0) break;
      after = candidates[candidates.length - 1]!.leadId;
      enrolled += await enrollCandidates(deps, workspaceId, tracks, candidates, now);
    }
  }
  return { enrolled };
}

async function enrollCandidates(deps: AppDeps, workspaceId: string, tracks: NurtureTrack[], candidates: NurtureCandidate[], now: Date): Promise<number> {
  let enrolled = 0;
  const readConsumed = tracksReadConsumed(tracks);
  const policy = await workspaceConsentPolicy(deps.db, workspaceId);
  for (const c of candidates) {
    const lead: NurtureLead = { id: c.leadId, contactId: c.contactId, stage: c.stage, rating: c.rating, recycleCount: c.recycleCount, lastReasonCode: c.lastReasonCode, recheckAt: c.recheckAt, source: c.source };
    const person = toNurturePerson({ email: c.email, consent: c.consent, unsubscribedAt: c.unsubscribedAt, attributes: { persona: c.persona } }, policy);
    if (sweepBlocker(lead, person, now)) continue; // before reading the person's consumed assets
    if (readConsumed) person.consumed = await loadConsumed(deps.db, workspaceId, c.contactId);
    // live: null, the candidates query leaves out people with a live enrollment.
    const [action] = decideEnrollNow({ live: null, lead, person, tracks, priorTrackIds: new Set(c.priorTrackIds), now }, 'sweep');
    if (action?.kind !== 'enroll') continue;
    const e = await withTransaction(deps, (trx) => enrollInTrx(trx, workspaceId, { trackId: action.trackId, lead, at: now, runAt: now, origin: 'sweep' }));
    if (e) enrolled += 1;
  }
  return enrolled;
}

/** Enrolls one lead by hand (API): refused when the lead is not open or the person is already in a track. */
export async function enrollLead(deps: AppDeps, workspaceId: string, trackId: string, leadId: string): Promise<Result<NurtureEnrollment>> {
  const now = deps.clock.now();
  return inTransaction(deps, async (trx) => {
    const track = await getTrack(trx, workspaceId, trackId);
    if (!track) return fail('NotFound', `Nurture track ${trackId} not found in this workspace.`);
    if (!track.active) return fail('Conflict', `Track '${track.name}' is not active; activate it before enrolling leads.`);
    const lead = await getLead(trx, workspaceId, leadId);
    if (!lead) return fail('ValidationFailed', `Lead ${leadId} not found in this workspace.`, [{ path: 'lead_id', message: 'unknown lead' }]);
    if (!['inquiry', 'nurture'].includes(lead.stage)) return fail('Conflict', `Lead ${leadId} is at ${lead.stage}; only inquiry and nurture leads can be nurtured.`);
    const person = toNurturePerson(await getContact(trx, workspaceId, lead.contactId), await workspaceConsentPolicy(trx, workspaceId));
    if (!person.emailable) return fail('Conflict', 'This person cannot be emailed (no address, no consent, unsubscribed or bounced).');
    const runAt = lead.recheckAt && lead.recheckAt > now ? lead.recheckAt : now;
    const e = await enrollInTrx(trx, workspaceId, { trackId, lead, at: now, runAt, origin: 'manual' });
    return e ? ok(e) : fail('Conflict', 'One voice per person: this person is already in a nurture track; it must exit first.', [{ path: 'lead_id', message: 'already in a track' }]);
  });
}
