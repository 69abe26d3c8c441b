import { closedStages, salesStages, type Stage } from '../lifecycle.ts';
import type { EntryRules, ExitRules } from './nurture-track.schema.ts';

/** What entry and exit rules see of a lead. */
export type NurtureLead = {
  id: string; contactId: string; stage: Stage; rating: string | null; recycleCount: number;
  lastReasonCode: string | null; recheckAt: Date | null;
};
/** What entry rules see of the person: a persona (contact.attributes.persona) and whether email may be sent. */
export type NurturePerson = { persona: string | null; emailable: boolean };
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
  return true;
}

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
  | { kind: 'enroll'; trackId: string; at: Date };

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
    if (reasonTrack) return [{ kind: 'exit', enrollmentId: live.id, reason: 'superseded' }, { kind: 'enroll', trackId: candidate.id, at }];
    return [{ kind: 'resume', enrollmentId: live.id, at }];
  }
  return candidate ? [{ kind: 'enroll', trackId: candidate.id, at }] : [];
}
