import type { ContentFact } from '../../core/activity.ts';
import { explainScore } from '../../core/definitions/explanation.ts';
import { evaluateLead } from '../../core/definitions/lead-evaluation.ts';
import { decayTo, rateLead, scoreEngagement, summarizeEngagement, type EngagementState, type FitScore } from '../../core/definitions/scoring.ts';
import { listActiveDefinitions } from '../../storage/definition-versions.repo.ts';
import { getDefinition } from '../../storage/definitions.repo.ts';
import {
  insertScoreEvents, lockContactScores, lockEngagedScoreBatch, openLeadsByContact, writeContactScores, writeLeadSnapshots,
  type LeadScoreSnapshot, type ScoreEvent, type ScoreWrite,
} from '../../storage/scores.repo.ts';
import { accountsByIds, allContent, contactsByIds, scoredContactIds } from '../../storage/scoring-facts.repo.ts';
import type { AppDeps } from '../context.ts';
import { toWrite } from './score-activities.ts';
import { definitionOf, toAccountFact, loadHistories, loadPredictionFacts, toContactFact, toContentFact, type ActiveDefinition } from './scoring-facts.ts';
import { withTransaction } from '../transaction.ts';

const BATCH = 500;

export type RefreshOutcome = { workspaces: number; examined: number; changed: number };

/**
 * Applies decay up to `now` to every engaged contact under each workspace's active definition, so
 * ratings drop without new activity. Only ratings and snapshots change: a decayed MQL lead stays
 * an MQL, and nobody is qualified by a refresh (qualification happens on activity and attribute
 * changes). Rows whose rounded score and cell are unchanged are left alone.
 */
export async function refreshDecay(deps: AppDeps, now: Date = deps.clock.now()): Promise<RefreshOutcome> {
  const outcome: RefreshOutcome = { workspaces: 0, examined: 0, changed: 0 };
  for (const { workspaceId, record } of await listActiveDefinitions(deps.db)) {
    outcome.workspaces++;
    const active: ActiveDefinition = { record, definition: definitionOf(record) };
    let after: string | null = null;
    for (;;) {
      const done: boolean = await withTransaction(deps, async (trx) => {
        const rows = await lockEngagedScoreBatch(trx, workspaceId, record.id, after, BATCH);
        if (!rows.length) return true;
        after = rows[rows.length - 1]!.contactId;
        outcome.examined += rows.length;
        const writes: ScoreWrite[] = [];
        const events: Omit<ScoreEvent, 'id'>[] = [];
        const predictions = await loadPredictionFacts(trx, workspaceId, [active.definition], rows.map((r) => r.contactId));
        for (const row of rows) {
          const state = decayTo(row.engagementState as EngagementState, now);
          const engagement = summarizeEngagement(state, active.definition, { predictions: predictions.get(row.contactId) });
          const fit = row.fit as unknown as FitScore;
          const rating = rateLead(row.fitGrade as FitScore['grade'], engagement.level, active.definition);
          if (engagement.points === row.engagementPoints && rating.cell === row.cell) continue;
          const explanation = explainScore({ version: record.version, fit, engagement, rating });
          const qualifies = fit.exclusions.length === 0 && active.definition.mql.ratings.includes(rating.rating);
          writes.push({
            ...row, engagementState: state as unknown as Record<string, unknown>, engagementPoints: engagement.points, level: engagement.level,
            rating: rating.rating, cell: rating.cell, qualifies, explanation, updatedAt: now,
          });
          events.push({
            contactId: row.contactId, definitionId: record.id, at: now, fit: row.fitPoints, engagement: engagement.points, rating: rating.rating,
            cell: rating.cell, cause: 'decay', activityId: null, delta: engagement.points - row.engagementPoints, explanation,
          });
        }
        outcome.changed += writes.length;
        await writeContactScores(trx, workspaceId, record.id, writes);
        await insertScoreEvents(trx, workspaceId, events);
        await writeLeadSnapshots(trx, workspaceId, await snapshotsFor(trx, workspaceId, record.id, writes), now);
        return rows.length < BATCH;
      });
      if (done) break;
    }
  }
  return outcome;
}

async function snapshotsFor(trx: Parameters<typeof openLeadsByContact>[0], workspaceId: string, definitionId: string, writes: ScoreWrite[]): Promise<LeadScoreSnapshot[]> {
  const leads = await openLeadsByContact(trx, workspaceId, writes.map((w) => w.contactId));
  return writes.flatMap((w) => {
    const lead = leads.get(w.contactId);
    return lead ? [{ leadId: lead.id, fitScore: w.fitPoints, engagementScore: w.engagementPoints, rating: w.cell, definitionId }] : [];
  });
}

/**
 * Scores every contact from scratch under a newly activated definition (replaying its recorded
 * activities), in batches. Scores and lead snapshots only: activation does not flood sales with
 * MQLs; the next activity or attribute change qualifies whoever the new rule makes sales-ready.
 */
export async function recomputeDefinition(deps: AppDeps, workspaceId: string, definitionId: string, now: Date = deps.clock.now()): Promise<{ contacts: number }> {
  const record = await getDefinition(deps.db, workspaceId, definitionId);
  if (!record || record.status !== 'active') return { contacts: 0 };
  const definition = definitionOf(record);
  const content: Map<string, ContentFact> = new Map((await allContent(deps.db, workspaceId)).map((c) => [c.id, toContentFact(c)]));
  let after: string | null = null;
  let total = 0;
  for (;;) {
    const ids = await scoredContactIds(deps.db, workspaceId, after, BATCH);
    if (!ids.length) break;
    after = ids[ids.length - 1]!;
    total += ids.length;
    await withTransaction(deps, async (trx) => {
      await lockContactScores(trx, workspaceId, definitionId, ids, now);
      const contacts = await contactsByIds(trx, workspaceId, ids);
      const accounts = await accountsByIds(trx, workspaceId, [...contacts.values()].flatMap((c) => (c.accountId ? [c.accountId] : [])));
      const { byContact } = await loadHistories(trx, workspaceId, ids);
      const predictions = await loadPredictionFacts(trx, workspaceId, [definition], ids);
      const writes: ScoreWrite[] = [];
      const events: Omit<ScoreEvent, 'id'>[] = [];
      for (const contact of contacts.values()) {
        const account = contact.accountId ? accounts.get(contact.accountId) : undefined;
        const state = scoreEngagement(byContact.get(contact.id) ?? [], content, definition, now);
        const fact = { ...toContactFact(contact), predictions: predictions.get(contact.id) };
        const ev = evaluateLead({ definition, version: record.version, contact: fact, account: account ? toAccountFact(account) : null, state, now });
        const qualifies = !ev.qualification.excluded && (definition.mql.ratings.includes(ev.rating.rating) || ev.qualification.via === 'predicted');
        writes.push(toWrite(contact.id, ev, qualifies, now));
        events.push({
          contactId: contact.id, definitionId, at: now, fit: ev.fit.points, engagement: ev.engagement.points, rating: ev.rating.rating,
          cell: ev.rating.cell, cause: 'recompute', activityId: null, delta: 0, explanation: ev.explanation,
        });
      }
      await writeContactScores(trx, workspaceId, definitionId, writes);
      await insertScoreEvents(trx, workspaceId, events);
      await writeLeadSnapshots(trx, workspaceId, await snapshotsFor(trx, workspaceId, definitionId, writes), now);
    });
    if (ids.length < BATCH) break;
  }
  return { contacts: total };
}
