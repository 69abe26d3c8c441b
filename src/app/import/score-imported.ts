import type { ActivityFact, ContentFact } from '../../core/activity.ts';
import { evaluateLead, type LeadEvaluation } from '../../core/definitions/lead-evaluation.ts';
import { fitSignature, scoreEngagement } from '../../core/definitions/scoring.ts';
import type { Trx } from '../../storage/db.ts';
import { lockContactScores, openLeadsByContact, writeContactScores, writeLeadSnapshots, type ScoreEvent, type ScoreWrite } from '../../storage/scores.repo.ts';
import type { Contact } from '../../storage/contacts.repo.ts';
import { insertNewContactScores, insertScoreEventsBulk } from '../../storage/import-bulk.repo.ts';
import { accountsByIds, activitiesOfContacts, contactsByIds, contentByIds } from '../../storage/scoring-facts.repo.ts';
import { scoreRecordOf, type ScoreRecord } from '../../core/definitions/score-record.ts';
import { loadActiveDefinition, toAccountFact, toActivityFact, toContactFact, toContentFact } from '../definition-facts.ts';
import { observeEvents, publish } from '../events/dispatcher.ts';
import { writeInOrder } from './import-context.ts';

export type ImportScoring = { definitionVersion: number | null; scored: number; qualified: number; mqls: number };

const BATCH = 1000;

/** What a lead's score columns hold: the contact's rating under the active definition. */
export type LeadScoreValues = { fitScore: number; engagementScore: number; rating: string; definitionId: string };

/** Phase 1's answer: the scores written, each person's lead snapshot, and who goes through live qualification. */
export type RatedPeople = { scoring: ImportScoring; snapshots: Map<string, LeadScoreValues>; candidates: string[]; qualify: boolean };

type ScoreOptions = {
  qualify: boolean; now: Date;
  /** Contacts the calling transaction created (no score row, no activities: nothing to read or lock). */
  created?: ReadonlySet<string>;
  /** Of those, the rows as written (not read back); a created contact missing here is read. */
  createdContacts?: ReadonlyMap<string, Contact>;
};

/**
 * Scores imported people under the active definition, set-based per batch (as the
 * `recompute-definition` job does: a few queries per batch, the engagement replayed from each
 * person's recorded activities, one 'recompute' score event per person, open leads' snapshots).
 * `qualified` counts those the definition rates sales-ready. The rating is the core's arithmetic
 * (scoreEngagement, evaluateLead, scoreRecordOf), written here set-based; then the chunk publishes
 * `ContactsImported`. With `qualify`, scoring's subscriber puts each qualifying person through live
 * qualification: an inquiry or a person without a lead becomes an MQL with routing, SLA and alerts;
 * a lead in nurture or with a closed history only when the rating newly qualifies; leads already
 * with sales never move. Without it (the default), an import — usually history — rates people
 * without handing anyone to sales.
 */
export async function scoreImportedPeople(trx: Trx, workspaceId: string, contactIds: string[], options: ScoreOptions): Promise<ImportScoring> {
  const rated = await rateImportedPeople(trx, workspaceId, contactIds, options);
  await finishImportedScoring(trx, workspaceId, rated, { now: options.now, snapshotted: new Set() });
  return rated.scoring;
}

/**
 * Phase 1: rates the people and writes their scores and score events. A contacts import runs it
 * before it writes leads, so a new lead is inserted with its snapshot instead of updated after
 * (an update of a just-inserted lead rewrites all its index entries).
 */
export async function rateImportedPeople(trx: Trx, workspaceId: string, contactIds: string[], options: ScoreOptions): Promise<RatedPeople> {
  const out: ImportScoring = { definitionVersion: null, scored: 0, qualified: 0, mqls: 0 };
  const rated: RatedPeople = { scoring: out, snapshots: new Map(), candidates: [], qualify: options.qualify };
  if (contactIds.length === 0) return rated;
  const active = await loadActiveDefinition(trx, workspaceId);
  if (!active) return rated;
  out.definitionVersion = active.record.version;
  const { record, definition } = active;
  const now = options.now;
  const unique = [...new Set(contactIds)];
  const withoutActivities = new Map<string, { ev: LeadEvaluation; record: ScoreRecord }>();
  for (let i = 0; i < unique.length; i += BATCH) {
    const ids = unique.slice(i, i + BATCH);
    const existing = options.created ? ids.filter((id) => !options.created!.has(id)) : ids;
    const rows = await lockContactScores(trx, workspaceId, record.id, existing, now);
    const given = options.createdContacts;
    const read = await contactsByIds(trx, workspaceId, given ? ids.filter((id) => !given.has(id)) : ids);
    const contacts = given ? new Map(ids.flatMap((id) => { const c = given.get(id) ?? read.get(id); return c ? [[id, c] as const] : []; })) : read;
    const accounts = await accountsByIds(trx, workspaceId, [...contacts.values()].flatMap((c) => (c.accountId ? [c.accountId] : [])));
    const activities = await activitiesOfContacts(trx, workspaceId, existing);
    const content = new Map<string, ContentFact>([...(await contentByIds(trx, workspaceId, activities.flatMap((a) => (a.contentId ? [a.contentId] : []))))]
      .map(([id, c]) => [id, toContentFact(c)]));
    const byContact = new Map<string, ActivityFact[]>();
    for (const a of activities) {
      const list = byContact.get(a.contactId) ?? [];
      list.push(toActivityFact(a));
      byContact.set(a.contactId, list);
    }
    const writes: ScoreWrite[] = [];
    const events: Omit<ScoreEvent, 'id'>[] = [];
    for (const contact of contacts.values()) {
      if (contact.status === 'merged') continue;
      const account = contact.accountId ? accounts.get(contact.accountId) : undefined;
      const acts = byContact.get(contact.id) ?? [];
      const facts = { contact: toContactFact(contact), account: account ? toAccountFact(account) : null };
      // Without activities the evaluation depends only on which fit rules pass: once per signature.
      const key = acts.length === 0 ? fitSignature(facts.contact, facts.account, definition) : null;
      let rating = key === null ? undefined : withoutActivities.get(key);
      if (!rating) {
        const evaluation = evaluateLead({ definition, version: record.version, ...facts, state: scoreEngagement(acts, content, definition, now), now });
        rating = { ev: evaluation, record: scoreRecordOf('', evaluation, false, now) };
        if (key !== null) withoutActivities.set(key, rating);
      }
      const ev = rating.ev;
      const qualifies = !ev.qualification.excluded && definition.mql.ratings.includes(ev.rating.rating);
      if (qualifies) out.qualified++;
      const before = rows.get(contact.id)?.qualifies ?? false;
      // Live qualification compares with the rating before the import: leave it for that pass to write.
      if (options.qualify && ev.qualification.qualifies) rated.candidates.push(contact.id);
      const write = { ...rating.record, contactId: contact.id, qualifies: options.qualify && ev.qualification.qualifies ? before : qualifies };
      writes.push(write);
      rated.snapshots.set(contact.id, { fitScore: write.fitPoints, engagementScore: write.engagementPoints, rating: write.cell, definitionId: record.id });
      events.push({
        contactId: contact.id, definitionId: record.id, at: now, fit: ev.fit.points, engagement: ev.engagement.points, rating: ev.rating.rating, cell: ev.rating.cell,
        cause: 'recompute', activityId: null, delta: 0, explanation: eventExplanation(acts.length, ev.explanation),
      });
    }
    out.scored += writes.length;
    // Contacts the chunk created have no score row (nor any other transaction can see them): inserted plainly.
    const created = options.created;
    // Queued in this order (writeInOrder): the score events are encoded while the score rows are written.
    await writeInOrder([
      writeContactScores(trx, workspaceId, record.id, created ? writes.filter((w) => !created.has(w.contactId)) : writes),
      created ? insertNewContactScores(trx, workspaceId, record.id, writes.filter((w) => created.has(w.contactId))) : 0,
      insertScoreEventsBulk(trx, workspaceId, events),
    ]);
  }
  return rated;
}

// Shared by everyone rated alike (one string, not one per person).
const explanations = new Map<string, string>();
function eventExplanation(activities: number, explanation: string): string {
  if (activities > 0) return `imported; score built from ${activities} recorded ${activities === 1 ? 'activity' : 'activities'}: ${explanation}`;
  let text = explanations.get(explanation);
  if (text === undefined) {
    if (explanations.size >= 10_000) explanations.clear();
    text = `imported; score built from 0 recorded activities: ${explanation}`;
    explanations.set(explanation, text);
  }
  return text;
}

/**
 * Phase 2, once the leads are written: the open leads' score snapshots (but those of `snapshotted`
 * contacts, whose lead was inserted with it), then live qualification of the candidates.
 */
export async function finishImportedScoring(trx: Trx, workspaceId: string, rated: RatedPeople, options: { now: Date; snapshotted: ReadonlySet<string> }): Promise<void> {
  const pending = [...rated.snapshots.keys()].filter((id) => !options.snapshotted.has(id));
  for (let i = 0; i < pending.length; i += BATCH) {
    const ids = pending.slice(i, i + BATCH);
    const leads = await openLeadsByContact(trx, workspaceId, ids);
    await writeLeadSnapshots(trx, workspaceId, ids.flatMap((contactId) => {
      const lead = leads.get(contactId);
      return lead ? [{ leadId: lead.id, ...rated.snapshots.get(contactId)! }] : [];
    }), options.now);
  }
  // Live qualification is scoring's: published, and the MQLs it opened counted as they are published.
  if (rated.scoring.definitionVersion === null) return;
  await observeEvents((e) => { if (e.name === 'LeadTransitioned' && e.payload.to === 'mql') rated.scoring.mqls++; }, () => publish(trx, 'ContactsImported', {
    workspaceId, contactIds: [...rated.snapshots.keys()], qualifyingContactIds: rated.candidates, qualify: rated.qualify, at: options.now,
  }));
}
