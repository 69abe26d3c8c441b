import {
  decideOnEmailAllowed, decideOnNewInquiry, decideOnStageChange, tracksReadConsumed, type NurturePerson, type StageChangeAction,
} from '../../core/nurture/nurture-enrollment.rules.ts';
import { getContact } from '../../storage/contacts.repo.ts';
import type { Trx } from '../../storage/db.ts';
import { findOpenLeadForContact, getLead, type Lead } from '../../storage/leads.repo.ts';
import type { DomainEvents } from '../events/domain-events.ts';
import {
  getTrack, listEnrollmentsExitedByMerge, listTracks, lockLiveEnrollmentForContact, priorTrackIdsOfLead, type NurtureTrack,
} from '../../storage/nurture.repo.ts';
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
  const tracks = await activeTracksOf(trx, workspaceId);
  if (tracks.length === 0) return; // the common case without tracks costs one query per transaction
  const lead = await getLead(trx, workspaceId, leadId);
  if (!lead) return;
  await enrollOpenLeadNow(trx, workspaceId, lead, tracks, now, (live, person) => decideOnNewInquiry({ live, lead: toNurtureLead(lead), person, tracks, now }));
}

/**
 * Subscriber of MarketingEmailAllowed (privacy, in the transaction that recorded the consent): the
 * person confirmed double opt-in or granted marketing email in the preference centre, so their open
 * lead joins the best-fitting track now (origin consent) rather than at the next enroll sweep.
 */
export async function onMarketingEmailAllowed(trx: Trx, event: DomainEvents['MarketingEmailAllowed']): Promise<void> {
  const { workspaceId, contactId, at: now } = event;
  const tracks = await activeTracksOf(trx, workspaceId);
  if (tracks.length === 0) return;
  const lead = await findOpenLeadForContact(trx, workspaceId, contactId);
  if (!lead) return;
  const priorTrackIds = await priorTrackIdsOfLead(trx, workspaceId, lead.id);
  await enrollOpenLeadNow(trx, workspaceId, lead, tracks, now, (live, person) => decideOnEmailAllowed({ live, lead: toNurtureLead(lead), person, tracks, priorTrackIds, now }));
}

/**
 * The steps both subscribers share: lock the person's live enrollment (one voice per person), read the person as
 * nurture sees them (consumed assets only when a track reads them), let the rule decide and apply what it says.
 */
async function enrollOpenLeadNow(
  trx: Trx, workspaceId: string, lead: Lead, tracks: readonly NurtureTrack[], now: Date,
  decide: (live: { id: string } | null, person: NurturePerson) => StageChangeAction[],
): Promise<void> {
  const live = await lockLiveEnrollmentForContact(trx, workspaceId, lead.contactId);
  const person = toNurturePerson(await getContact(trx, workspaceId, lead.contactId), await workspaceConsentPolicy(trx, workspaceId));
  if (tracksReadConsumed(tracks)) person.consumed = await loadConsumed(trx, workspaceId, lead.contactId);
  await applyEnrollmentActions(trx, workspaceId, lead, decide(live, person), now);
}

/**
 * The workspace's active tracks, read once per transaction: an ingest batch settles several inquiries, and each
 * would otherwise read them again. Tracks are edited by the nurture use cases in their own transactions, never
 * in one that settles inquiries, so the copy is current for the transaction's life.
 */
const tracksByTrx = new WeakMap<Trx, Map<string, Promise<NurtureTrack[]>>>();
function activeTracksOf(trx: Trx, workspaceId: string): Promise<NurtureTrack[]> {
  let byWorkspace = tracksByTrx.get(trx);
  if (!byWorkspace) tracksByTrx.set(trx, byWorkspace = new Map());
  let found = byWorkspace.get(workspaceId);
  if (!found) byWorkspace.set(workspaceId, found = listTracks(trx, workspaceId, true));
  return found;
}

/**
 * Subscriber of ContactsMerged: a merged-away person's enrollment that had to end (the winner already
 * had a live track: one voice per person) was exited as `merged`; its pending tick is dropped.
 */
export async function dropTicksOfMergedEnrollments(trx: Trx, event: DomainEvents['ContactsMerged']): Promise<void> {
  const exited = await listEnrollmentsExitedByMerge(trx, event.workspaceId, [...new Set(event.merges.map((m) => m.winnerId))], event.at);
  for (const id of exited) await removeJob(trx, nurtureJobKey(id));
}
