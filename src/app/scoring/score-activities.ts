import type { ActivityFact, ContentFact } from '../../core/activity.ts';
import { compileDefinition } from '../../core/definitions/compiled-definition.ts';
import { firingInquiry, inquiryReason, inquirySignalsOfState, isKnown } from '../../core/definitions/inquiry.ts';
import { evaluateLead, type LeadEvaluation } from '../../core/definitions/lead-evaluation.ts';
import { ActivityView } from '../../core/definitions/rule-matching.ts';
import { scoreRecordOf } from '../../core/definitions/score-record.ts';
import { decayTo, emptyEngagementState, scoreEngagement, scoreFit, summarizeEngagement, type EngagementState } from '../../core/definitions/scoring.ts';
import type { Stage } from '../../core/lifecycle.ts';
import type { Trx } from '../../storage/db.ts';
import {
  insertHighIntentSignals, insertScoreEvents, leadsOfContacts, lockContactScores, writeContactScores,
  writeLeadSnapshots, type ContactScoreRecord, type HighIntentSignal, type ScoreCause, type ScoreEvent, type ScoreWrite,
} from '../../storage/scores.repo.ts';
import { accountsByIds, contactsByIds, contentByIds } from '../../storage/scoring-facts.repo.ts';
import { openLeadInTrx, openLeadsInTrx, transitionLeadInTrx, type OpenLeadInTrxInput } from '../leads.ts';
import { publish } from '../events/dispatcher.ts';
import {
  loadActiveDefinition, loadHistories, loadPredictionFacts, toAccountFact, toActivityFact, toContactFact, toContentFact, type ActiveDefinition, type PersistedActivity,
} from './scoring-facts.ts';

export type { PersistedActivity } from './scoring-facts.ts';

export type ContactScoreSummary = { contactId: string; fit: number; engagement: number; rating: string; cell: string; qualifies: boolean; explanation: string };
export type MqlOutcome = { contactId: string; leadId: string; transitionId: string; from: Stage; opened: boolean; explanation: string };
/** A lead the inquiry rule opened at `inquiry` (dated at the activity that met it). */
export type InquiryOutcome = { contactId: string; leadId: string; at: Date; ruleId: string; reason: string };
export type ScoringOutcome = {
  /** The active definition that scored the batch; null when the workspace has none (nothing is scored). */
  definitionId: string | null;
  definitionVersion: number | null;
  scored: number;
  contacts: ContactScoreSummary[];
  mqls: MqlOutcome[];
  inquiries: InquiryOutcome[];
  highIntent: HighIntentSignal[];
};

const RULE_ACTOR = { type: 'rule' as const, id: null };
const salesOwned = new Set<string>(['mql', 'sal', 'sql', 'opportunity']);

const empty = (active: ActiveDefinition | null): ScoringOutcome => ({
  definitionId: active?.record.id ?? null, definitionVersion: active?.record.version ?? null, scored: 0, contacts: [], mqls: [], inquiries: [], highIntent: [],
});

/**
 * Scores persisted activities under the workspace's active definition, in the caller's
 * transaction (ingestion calls it right after persisting): per contact it locks the score row,
 * applies each activity incrementally, re-rates, and moves the contact's lead to MQL when the
 * definition says so. A few queries per batch, not per activity.
 */
export async function scoreActivities(trx: Trx, workspaceId: string, activities: PersistedActivity[], now: Date): Promise<ScoringOutcome> {
  if (!activities.length) return empty(null);
  const active = await loadActiveDefinition(trx, workspaceId);
  if (!active) return empty(null);
  const byContact = new Map<string, ActivityFact[]>();
  for (const a of activities) {
    const list = byContact.get(a.contactId) ?? [];
    list.push(toActivityFact(a));
    byContact.set(a.contactId, list);
  }
  for (const list of byContact.values()) list.sort((x, y) => x.occurredAt.getTime() - y.occurredAt.getTime() || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
  const contentIds = activities.map((a) => a.contentId).filter((id): id is string => id !== null);
  const content = new Map([...(await contentByIds(trx, workspaceId, contentIds))].map(([id, c]) => [id, toContentFact(c)]));
  return scoreContacts(trx, workspaceId, active, byContact, content, 'activity', now);
}

/** Re-scores one contact's fit after its attributes changed (and re-qualifies when the rule now says so). */
export async function rescoreContactFit(trx: Trx, workspaceId: string, contactId: string, now: Date): Promise<ScoringOutcome> {
  const active = await loadActiveDefinition(trx, workspaceId);
  if (!active) return empty(null);
  return scoreContacts(trx, workspaceId, active, new Map([[contactId, []]]), new Map(), 'attributes', now);
}

/** Re-scores people whose prediction of `modelId` changed, when the active definition's predicted rules read it. */
export async function rescoreContactsReadingModel(trx: Trx, workspaceId: string, modelId: string, contactIds: readonly string[], now: Date): Promise<ScoringOutcome> {
  const active = await loadActiveDefinition(trx, workspaceId);
  if (!active || !(active.definition.predicted ?? []).some((r) => r.model === modelId) || contactIds.length === 0) return empty(active);
  return scoreContacts(trx, workspaceId, active, new Map(contactIds.map((id) => [id, []])), new Map(), 'attributes', now);
}

/** A merge the batch applied: the loser's history now belongs to the winner. */
export type AppliedMerge = { winnerId: string; loserId: string };

/**
 * Rebuilds the score of contacts that just absorbed merged contacts: the engagement is replayed
 * from every activity the winner now has (as a recompute does), re-rated with the winner's fit and
 * written as one 'merge' score event; a rating that is now sales-ready qualifies the lead the usual
 * way (an MQL transition explained by the merge). Ingestion calls it after identity, traits and
 * groups and before the batch's own activities are stored and scored incrementally, so no
 * activity counts twice. The score rows are locked before the history is read: an activity scored
 * concurrently is either in the history or applied on top of the rebuilt state, never lost.
 */
export async function rescoreMergedContacts(trx: Trx, workspaceId: string, merges: readonly AppliedMerge[], now: Date): Promise<ScoringOutcome> {
  if (!merges.length) return empty(null);
  const active = await loadActiveDefinition(trx, workspaceId);
  if (!active) return empty(null);
  const losers = new Map<string, string[]>();
  for (const m of merges) losers.set(m.winnerId, [...(losers.get(m.winnerId) ?? []), m.loserId]);
  const winners = [...losers.keys()];
  await lockContactScores(trx, workspaceId, active.record.id, winners, now);
  const { byContact: history, content } = await loadHistories(trx, workspaceId, winners);
  const replay = new Map(winners.map((id) => {
    const acts = history.get(id)!;
    const merged = losers.get(id)!;
    const note = `merged ${merged.length === 1 ? `contact ${merged[0]}` : `contacts ${merged.join(', ')}`}; score rebuilt from ${acts.length} ${acts.length === 1 ? 'activity' : 'activities'}`;
    return [id, { state: scoreEngagement(acts, content, active.definition, now), note }] as const;
  }));
  return scoreContacts(trx, workspaceId, active, new Map(winners.map((id) => [id, []])), content, 'merge', now, replay);
}

/**
 * How a qualifying score moves a lead. An inquiry (or a contact with no lead yet) qualifies
 * whenever the rating says so. A lead sales sent back to nurture, or a closed buying cycle,
 * qualifies again only on a new signal: a hand-raise, or the rating newly reaching a qualifying
 * cell — otherwise a lead recycled while still rated A2 would bounce straight back to sales.
 * Leads already with sales only get their score snapshot refreshed.
 */
function triggers(mode: 'level' | 'edge' | 'none', ev: LeadEvaluation, ratingBefore: boolean): boolean {
  if (mode === 'none' || !ev.qualification.qualifies) return false;
  if (mode === 'level') return true;
  return ev.qualification.via === 'hand_raise' || !ratingBefore;
}

/** Whether the rating (or a predicted MQL condition: a standing fact, like the rating) qualifies, not a hand-raise: what "newly qualified" is measured against. */
const ratingQualifies = (ev: LeadEvaluation, active: ActiveDefinition): boolean =>
  !ev.qualification.excluded && (active.definition.mql.ratings.includes(ev.rating.rating) || ev.qualification.via === 'predicted');

async function scoreContacts(
  trx: Trx, workspaceId: string, active: ActiveDefinition, byContact: Map<string, ActivityFact[]>,
  content: ReadonlyMap<string, ContentFact>, cause: ScoreCause, now: Date,
  /** Contacts whose engagement is replaced by a replayed state (merges), with what to say about it. */
  replay?: ReadonlyMap<string, { state: EngagementState; note: string }>,
): Promise<ScoringOutcome> {
  const definitionId = active.record.id;
  const compiled = compileDefinition(active.definition);
  const ids = [...byContact.keys()];
  const rows = await lockContactScores(trx, workspaceId, definitionId, ids, now);
  const contacts = await contactsByIds(trx, workspaceId, ids);
  const accountIds = [...contacts.values()].map((c) => c.accountId).filter((id): id is string => id !== null);
  const accounts = await accountsByIds(trx, workspaceId, accountIds);
  const { open: openLeads, hadLeads } = await leadsOfContacts(trx, workspaceId, ids);
  const predictions = await loadPredictionFacts(trx, workspaceId, [active.definition], ids);

  const outcome = empty(active);
  const writes: ScoreWrite[] = [];
  const events: Omit<ScoreEvent, 'id'>[] = [];
  const signals: Omit<HighIntentSignal, 'id'>[] = [];
  // Leads are opened and qualified after every contact is evaluated (the evaluation reads no lead row), so the
  // batch's inquiries are opened together: two statements, not two per person.
  const inquiries: PendingInquiry[] = [];
  const verdicts: ContactVerdict[] = [];
  for (const [contactId, acts] of byContact) {
    const contact = contacts.get(contactId);
    const row = rows.get(contactId);
    if (!contact || !row || contact.status === 'merged') continue;
    const account = contact.accountId ? accounts.get(contact.accountId) ?? null : null;
    const open: { id: string; stage: string } | undefined = openLeads.get(contactId);
    const mode = open ? (salesOwned.has(open.stage) ? 'none' : open.stage === 'inquiry' ? 'level' : 'edge') : hadLeads.has(contactId) ? 'edge' : 'level';
    const rebuilt = replay?.get(contactId);
    let state = row.engagementState as EngagementState;
    if (state.schemaVersion !== 1) state = emptyEngagementState();
    // A rebuild's delta is what the merged history adds to the winner's own engagement (both as of now).
    const contactFact = { ...toContactFact(contact), predictions: predictions.get(contactId) };
    const previous = rebuilt ? summarizeEngagement(decayTo(state, now), active.definition, contactFact).total : 0;
    if (rebuilt) state = rebuilt.state;
    const explain = (ev: LeadEvaluation) => (rebuilt ? `${rebuilt.note}; ${ev.explanation}` : ev.explanation);
    let before = row.qualifies;
    let trigger: LeadEvaluation | null = null;
    let last: LeadEvaluation | null = null;
    const accountFact = account ? toAccountFact(account) : null;
    // Fit reads who the person is, the same for each of their activities: scored once per person.
    const base = { definition: active.definition, version: active.record.version, contact: contactFact, account: accountFact, now, fit: scoreFit(contactFact, accountFact, active.definition) };
    const steps: { activity: ActivityFact | null }[] = acts.length ? acts.map((activity) => ({ activity })) : [{ activity: null }];
    let opened: PendingInquiry | null = null;
    for (const { activity } of steps) {
      const activityContent = activity?.contentId ? content.get(activity.contentId) ?? null : null;
      // Only a contact without an open lead can become an inquiry: the signal count is read for those alone.
      const hasLead = open !== undefined || opened !== null;
      const signalsBefore = hasLead || !activity ? 0 : inquirySignalsOfState(compiled, state.rules);
      const ev = evaluateLead({ ...base, state, activity, content: activityContent });
      state = ev.state;
      if (!hasLead && activity) {
        const match = firingInquiry(compiled, new ActivityView().set(activity, activityContent), isKnown(contact), signalsBefore, inquirySignalsOfState(compiled, state.rules));
        if (match) {
          opened = inquiryToOpen(active, contact, activity.occurredAt, inquiryReason(match, activity, active.record.version), match.ruleId, now);
          inquiries.push(opened);
          outcome.inquiries.push(opened.outcome);
        }
      }
      if (!trigger && triggers(mode, ev, before)) trigger = ev;
      before = ratingQualifies(ev, active);
      last = ev;
      events.push({
        contactId, definitionId, at: activity ? activity.occurredAt : now, fit: ev.fit.points, engagement: ev.engagement.points,
        rating: ev.rating.rating, cell: ev.rating.cell, cause, activityId: activity?.id ?? null,
        delta: rebuilt ? ev.engagement.total - previous : ev.delta, explanation: explain(ev),
      });
      if (activity && ev.highIntent) {
        const detail = ev.highIntent.via === 'content' ? ev.highIntent.contentId : `${ev.highIntent.url} (${ev.highIntent.pattern})`;
        // A lead the inquiry rule just opened has no owner to alert yet; the signal is still recorded against it.
        const signal = { contactId, leadId: open?.id ?? null, activityId: activity.id, definitionId, via: ev.highIntent.via, detail, at: activity.occurredAt };
        signals.push(signal);
        opened?.signals.push(signal);
      }
    }
    if (!last) continue;
    writes.push(toWrite(contactId, last, before, now));
    outcome.scored += acts.length;
    outcome.contacts.push({
      contactId, fit: last.fit.points, engagement: last.engagement.points, rating: last.rating.rating, cell: last.rating.cell,
      qualifies: last.qualification.qualifies, explanation: explain(last),
    });
    verdicts.push({ contact, open: open ?? null, opened, trigger: trigger ? explain(trigger) : null, last });
  }
  const leads = await openLeadsInTrx(trx, workspaceId, inquiries.map((i) => i.input));
  inquiries.forEach((inquiry, i) => {
    inquiry.outcome.leadId = leads[i]!.id;
    for (const s of inquiry.signals) s.leadId = inquiry.outcome.leadId;
  });
  const snapshots = [];
  for (const { contact, open, opened, trigger, last } of verdicts) {
    const current = opened ? { id: opened.outcome.leadId, stage: 'inquiry' } : open;
    let leadId = current?.id ?? null;
    if (trigger) {
      const mql = await qualify(trx, workspaceId, definitionId, contact, current, trigger, now, opened !== null);
      if (mql) {
        outcome.mqls.push(mql);
        leadId = mql.leadId;
        for (const s of signals) if (s.contactId === contact.id) s.leadId = leadId;
      }
    }
    if (leadId) snapshots.push({ leadId, fitScore: last.fit.points, engagementScore: last.engagement.points, rating: last.rating.cell, definitionId });
  }
  await writeContactScores(trx, workspaceId, definitionId, writes);
  await insertScoreEvents(trx, workspaceId, events);
  await writeLeadSnapshots(trx, workspaceId, snapshots, now);
  outcome.highIntent = await insertHighIntentSignals(trx, workspaceId, signals);
  // New inquiries still at inquiry (not qualified in the same batch): nurture offers them a track now, rated.
  const qualified = new Set(outcome.mqls.map((m) => m.leadId));
  for (const inquiry of outcome.inquiries) {
    if (!qualified.has(inquiry.leadId)) await publish(trx, 'InquirySettled', { workspaceId, leadId: inquiry.leadId, contactId: inquiry.contactId, at: now });
  }
  return outcome;
}

/** A contact's evaluation over the batch, kept until the batch's inquiries are opened. */
type ContactVerdict = {
  contact: LeadContact; open: { id: string; stage: string } | null; opened: PendingInquiry | null;
  /** The explanation of the evaluation that qualifies the contact, when one does. */
  trigger: string | null; last: LeadEvaluation;
};

/** The score row of an evaluation (core `scoreRecordOf`; the name scoring's modules know it by). */
export const toWrite: (contactId: string, ev: LeadEvaluation, ratingQualified: boolean, now: Date) => ScoreWrite = scoreRecordOf;

type LeadContact = { id: string; accountId: string | null; ownerId: string | null; firstTouch: { at: Date | null; source: string | null; campaign: string | null } };

/** An inquiry to open: its lead's id is filled in when the batch's inquiries are written (openLeadsInTrx). */
type PendingInquiry = { input: OpenLeadInTrxInput; outcome: InquiryOutcome; signals: { leadId: string | null }[] };

function inquiryToOpen(active: ActiveDefinition, contact: LeadContact, at: Date, reason: string, ruleId: string, now: Date): PendingInquiry {
  const when = at < now ? at : now;
  return {
    input: {
      contactId: contact.id, accountId: contact.accountId, ownerId: contact.ownerId, at: when, actor: RULE_ACTOR,
      source: contact.firstTouch.source, campaign: contact.firstTouch.campaign, firstTouchAt: contact.firstTouch.at,
      note: reason, definitionId: active.record.id,
    },
    outcome: { contactId: contact.id, leadId: '', at: when, ruleId, reason },
    signals: [],
  };
}

/**
 * Opens leads at `inquiry` because the definition's inquiry rule says so, each at its `at` (never in the
 * future): the rule as actor, the definition version and the reason on the transition. One pair of statements.
 */
export async function openInquiries(
  trx: Trx, workspaceId: string, active: ActiveDefinition, inquiries: readonly { contact: LeadContact; at: Date; reason: string; ruleId: string }[], now: Date,
): Promise<InquiryOutcome[]> {
  const pending = inquiries.map((i) => inquiryToOpen(active, i.contact, i.at, i.reason, i.ruleId, now));
  const leads = await openLeadsInTrx(trx, workspaceId, pending.map((p) => p.input));
  return pending.map((p, i) => ({ ...p.outcome, leadId: leads[i]!.id }));
}

/**
 * Opens a lead when needed (a closed one means a new buying cycle) and moves it to MQL, recording the definition and why.
 * `openedNow`: the inquiry rule opened `open` in this batch (reported as opened).
 */
async function qualify(
  trx: Trx, workspaceId: string, definitionId: string, contact: LeadContact,
  open: { id: string; stage: string } | null, explanation: string, now: Date, openedNow = false,
): Promise<MqlOutcome | null> {
  let leadId = open?.id ?? null;
  let from = (open?.stage ?? 'inquiry') as Stage;
  if (!leadId) {
    const lead = await openLeadInTrx(trx, workspaceId, {
      contactId: contact.id, accountId: contact.accountId, ownerId: contact.ownerId, at: now, actor: RULE_ACTOR,
      source: contact.firstTouch.source, campaign: contact.firstTouch.campaign, firstTouchAt: contact.firstTouch.at,
    });
    leadId = lead.id;
    from = 'inquiry';
  }
  const moved = await transitionLeadInTrx(trx, workspaceId, leadId, { to: 'mql', actor: RULE_ACTOR, definitionId, note: explanation, at: now });
  if (!moved.ok) return null;
  return { contactId: contact.id, leadId, transitionId: moved.value.transition.id, from, opened: !open || openedNow, explanation };
}

export type { ContactScoreRecord };
