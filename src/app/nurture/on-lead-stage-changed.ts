import { decideOnNewInquiry, decideOnStageChange, tracksReadConsumed } from '../../core/nurture/nurture-enrollment.rules.ts';
import { getContact } from '../../storage/contacts.repo.ts';
import type { Trx } from '../../storage/db.ts';
import { getLead } from '../../storage/leads.repo.ts';
import type { DomainEvents } from '../events/domain-events.ts';
import { getTrack, listEnrollmentsExitedByMerge, listTracks, lockLiveEnrollmentForContact } from '../../storage/nurture.repo.ts';
import { removeJob } from '../../storage/jobs.repo.ts';
import { applyEnrollmentActions, loadConsumed, nurtureJobKey, toNurtureLead, toNurturePerson, workspaceConsentPolicy } from './nurture-enrollment.ts';

/**
 * Subscriber of LeadTransitioned (after the hand-off's), in the transaction of the move: pauses the
 * person's track when the lead enters sales' hands (or ends it when the track's exit rules name
 * the stage, e.g. became MQL), ends it when the lead closes, and on a move to nurture resumes the
 * paused track or enrolls the lead in the track its recycle reason maps to, from its recheck date.
 * It reads the lead as the change (and the hand-off) left it: recheck date, reason, owner.
 */
export async function onLeadStageChanged(trx: Trx, event: DomainEvents['LeadTransitioned']): Promise<void> {
  const { workspaceId, to: toStage, at: now } = event;
  const live = await lockLiveEnrollmentForContact(trx, workspaceId, event.contactId);
  if (!live && toStage !== 'nurture') return; // the common case costs one indexed lookup
  const lead = await getLead(trx, workspaceId, event.leadId);
  if (!lead) return;
  const liveTrack = live ? await getTrack(trx, workspaceId, live.trackId) : null;
  const tracks = toStage === 'nurture' ? await listTracks(trx, workspaceId, true) : [];
  const person = toNurturePerson(await getContact(trx, workspaceId, lead.contactId), await workspaceConsentPolicy(trx, workspaceId));
  const actions = decideOnStageChange({
    live: live ? { id: live.id, trackId: live.trackId, status: live.status as 'active' | 'paused', exit: liveTrack?.exit ?? { stages: ['mql'] } } : null,
    toStage, lead: toNurtureLead(lead), person, tracks, now,
  });
  await applyEnrollmentActions(trx, workspaceId, lead, actions, now);
}

/**
 * Subscriber of InquirySettled (scoring, in the ingesting transaction): a lead the definition's
 * inquiry rule just opened from live traffic, and that did not qualify in the same batch, joins the
 * best-fitting track now (origin live_inquiry), unless the person already has a live track (one
 * voice per person, also enforced by the partial unique index) or cannot be emailed.
 */
export async function onInquiryOpened(trx: Trx, event: DomainEvents['InquirySettled']): Promise<void> {
  const { workspaceId, leadId, at: now } = event;
  const tracks = await listTracks(trx, workspaceId, true);
  if (tracks.length === 0) return; // the common case without tracks costs one query
  const lead = await getLead(trx, workspaceId, leadId);
  if (!lead) return;
  const live = await lockLiveEnrollmentForContact(trx, workspaceId, lead.contactId);
  const person = toNurturePerson(await getContact(trx, workspaceId, lead.contactId), await workspaceConsentPolicy(trx, workspaceId));
  if (tracksReadConsumed(tracks)) person.consumed = await loadConsumed(trx, workspaceId, lead.contactId);
  const actions = decideOnNewInquiry({ live, lead: toNurtureLead(lead), person, tracks, now });
  await applyEnrollmentActions(trx, workspaceId, lead, actions, now);
}

/**
 * Subscriber of ContactsMerged: a merged-away person's enrollment that had to end (the winner already
 * had a live track: one voice per person) was exited as `merged`; its pending tick is dropped.
 */
export async function dropTicksOfMergedEnrollments(trx: Trx, event: DomainEvents['ContactsMerged']): Promise<void> {
  const exited = await listEnrollmentsExitedByMerge(trx, event.workspaceId, [...new Set(event.merges.map((m) => m.winnerId))], event.at);
  for (const id of exited) await removeJob(trx, nurtureJobKey(id));
}
