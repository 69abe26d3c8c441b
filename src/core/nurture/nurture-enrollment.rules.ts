import { closedStages, salesStages, type Stage } from '../lifecycle.ts';
import type { EntryRules, ExitRules } from './nurture-track.schema.ts';

/** What entry and exit rules see of a lead. */
export type NurtureLead = {
  id: string; contactId: string; stage: Stage; rating: string | null; recycleCount: number;
  lastReasonCode: string | null; recheckAt: Date | null;
  /** The lead's source (first touch); undefined when the caller did not load it. */
  source?: string | null;
};
/** An asset the person consumed (viewed, downloaded, clicked in an email). */
export type ConsumedAsset = { assetId: string; format: string | null; stage: string | null };
/**
 * What entry rules see of the person: a persona (contact.attributes.persona), whether email may be
 * sent (consent, unsubscribe, bounces), and what they consumed (undefined: not loaded, so a track
 * asking for consumed content does not match).
 */
export type NurturePerson = { persona: string | null; emailable: boolean; consumed?: readonly ConsumedAsset[] };

export type EnrollmentOrigin = 'live_inquiry' | 'recycle' | 'sweep' | 'manual' | 'consent';
export type TrackForEntry = { id: string; name: string; priority: number; active: boolean; entry: EntryRules; exit: ExitRules };

const defaultEntryStages: readonly Stage[] = ['inquiry', 'nurture'];

function isRecycledFor(lead: NurtureLead, reasons: readonly string[]): boolean {
  return lead.recycleCount > 0 && lead.lastReasonCode !== null && reasons.includes(lead.lastReasonCode);
}

/**
 * Whether a lead fits a track's entry rules (every listed condition must hold). An unrated lead
 * counts as cold: it has not shown enough to be rated warmer.
 */
export function matchesEntry(track: TrackForEntry, lead: NurtureLead, person: NurturePerson): boolean {
  if (!track.active) return false;
  const e = track.entry;
  if (!(e.stages ?? defaultEntryStages).includes(lead.stage)) return false;
  if (e.ratings && !e.ratings.includes((lead.rating ?? 'cold') as never)) return false;
  if (e.recycled_reasons && !isRecycledFor(lead, e.recycled_reasons)) return false;
  if (e.personas && (person.persona === null || !e.personas.includes(person.persona))) return false;
  if (e.sources && !inList(lead.source, e.sources)) return false;
  // Consent is read through the existing email check (emailBlocker → person.emailable); the consent purposes rule evaluates it here.
  if (e.consent && e.consent.includes('email_marketing') && !person.emailable) return false;
  if (e.content_consumed && !consumedMatches(e.content_consumed, person.consumed)) return false;
  return true;
}

const norm = (s: string) => s.trim().toLowerCase();
const inList = (value: string | null | undefined, list: readonly string[]): boolean =>
  typeof value === 'string' && list.some((x) => norm(x) === norm(value));

/** At least one consumed asset has every listed property. */
function consumedMatches(rule: NonNullable<EntryRules['content_consumed']>, consumed: readonly ConsumedAsset[] | undefined): boolean {
  if (!consumed) return false;
  return consumed.some((c) => (!rule.formats || inList(c.format, rule.formats))
    && (!rule.buying_stages || inList(c.stage, rule.buying_stages))
    && (!rule.asset_ids || rule.asset_ids.includes(c.assetId)));
}

/** Whether any of these tracks needs what the person consumed (so callers load it only then). */
export const tracksReadConsumed = (tracks: readonly TrackForEntry[]): boolean => tracks.some((t) => t.entry.content_consumed !== undefined);

/**
 * A lead the inquiry rule just opened from live traffic: it joins the best-fitting track at once,
 * unless the person already has a live track (one voice per person) or cannot be emailed. The
 * frequency cap across tracks is applied when each email is due, not here.
 */
export function decideOnNewInquiry<T extends TrackForEntry>(input: { live: { id: string } | null; lead: NurtureLead; person: NurturePerson; tracks: readonly T[]; now: Date }): StageChangeAction[] {
  if (input.live || !input.person.emailable || input.lead.stage !== 'inquiry') return [];
  const track = chooseTrack(input.tracks, input.lead, input.person);
  return track ? [{ kind: 'enroll', trackId: track.id, at: firstRunAt(input.lead, input.now), origin: 'live_inquiry' }] : [];
}

/**
 * The enroll sweep's rule: an open lead joins the best-fitting track it has not been through yet, now,
 * unless the person already has a live track, cannot be emailed or waits for a recheck date.
 * @example inquiry lead, no live track, one fitting track → [{ kind: 'enroll', origin }]
 */
export function decideEnrollNow<T extends TrackForEntry>(input: {
  live: { id: string } | null; lead: NurtureLead; person: NurturePerson; tracks: readonly T[]; priorTrackIds: ReadonlySet<string>; now: Date;
}, origin: 'sweep' | 'consent'): StageChangeAction[] {
  if (input.live || sweepBlocker(input.lead, input.person, input.now)) return [];
  const track = chooseTrack(input.tracks, input.lead, input.person, input.priorTrackIds);
  return track ? [{ kind: 'enroll', trackId: track.id, at: input.now, origin }] : [];
}

/**
 * The person just allowed marketing email (confirmed a double opt-in request, or granted it in the
 * preference centre): what the sweep would do later, done now (origin consent).
 */
export const decideOnEmailAllowed = <T extends TrackForEntry>(input: Parameters<typeof decideEnrollNow<T>>[0]): StageChangeAction[] =>
  decideEnrollNow(input, 'consent');

/**
 * One voice per person: picks the single track a lead should be in. A track written for the lead's
 * recycle reason beats general tracks (the hand-off's reason → track mapping); then the higher
 * priority wins; then the name, so the choice is stable.
 */
export function chooseTrack<T extends TrackForEntry>(tracks: readonly T[], lead: NurtureLead, person: NurturePerson, exclude: ReadonlySet<string> = new Set()): T | null {
  const fitting = tracks.filter((t) => !exclude.has(t.id) && matchesEntry(t, lead, person));
  const specific = (t: T) => (t.entry.recycled_reasons && isRecycledFor(lead, t.entry.recycled_reasons) ? 1 : 0);
  fitting.sort((a, b) => specific(b) - specific(a) || b.priority - a.priority || a.name.localeCompare(b.name));
  return fitting[0] ?? null;
}

/** When a newly enrolled (or resumed) lead may get its first email: not before its recheck date. */
export function firstRunAt(lead: Pick<NurtureLead, 'recheckAt'>, now: Date): Date {
  return lead.recheckAt && lead.recheckAt > now ? new Date(lead.recheckAt) : new Date(now);
}

/** Why a lead is not enrolled by the periodic sweep, or null when it may be. */
export function sweepBlocker(lead: NurtureLead, person: NurturePerson, now: Date): 'recheck_pending' | 'not_emailable' | null {
  if (!person.emailable) return 'not_emailable';
  if (lead.recheckAt && lead.recheckAt > now) return 'recheck_pending';
  return null;
}

export type LiveEnrollment = { id: string; trackId: string; status: 'active' | 'paused'; exit: ExitRules };

export type StageChangeAction =
  | { kind: 'exit'; enrollmentId: string; reason: string }
  | { kind: 'pause'; enrollmentId: string }
  | { kind: 'resume'; enrollmentId: string; at: Date }
  | { kind: 'enroll'; trackId: string; at: Date; origin?: EnrollmentOrigin };

/**
 * What a lead's stage change means for nurture. Entering sales' hands pauses the track (or ends it
 * when the track's exit rules name that stage, e.g. became MQL); closing the lead ends it; a move
 * to nurture resumes a paused track or enrolls the lead in the track its reason maps to, not
 * before the recheck date.
 * @example mql with exit stages ['mql'] → [{ kind: 'exit', reason: 'became_mql' }]
 */
export function decideOnStageChange<T extends TrackForEntry>(input: {
  live: LiveEnrollment | null; toStage: Stage; lead: NurtureLead; person: NurturePerson; tracks: readonly T[]; now: Date;
}): StageChangeAction[] {
  const { live, toStage, lead, now } = input;
  if (closedStages.includes(toStage)) return live ? [{ kind: 'exit', enrollmentId: live.id, reason: `lead_${toStage}` }] : [];
  if (salesStages.includes(toStage)) {
    if (!live) return [];
    if (live.exit.stages.includes(toStage)) return [{ kind: 'exit', enrollmentId: live.id, reason: `became_${toStage}` }];
    return live.status === 'active' ? [{ kind: 'pause', enrollmentId: live.id }] : [];
  }
  if (toStage !== 'nurture') return [];
  const at = firstRunAt(lead, now);
  const candidate = input.person.emailable ? chooseTrack(input.tracks, lead, input.person) : null;
  if (live?.status === 'active') return [];
  if (live) {
    const reasonTrack = candidate && candidate.id !== live.trackId && candidate.entry.recycled_reasons !== undefined;
    if (reasonTrack) return [{ kind: 'exit', enrollmentId: live.id, reason: 'superseded' }, { kind: 'enroll', trackId: candidate.id, at, origin: 'recycle' }];
    return [{ kind: 'resume', enrollmentId: live.id, at }];
  }
  return candidate ? [{ kind: 'enroll', trackId: candidate.id, at, origin: 'recycle' }] : [];
}
