import { explainScore } from '../../core/definitions/explanation.ts';
import { decayTo, rateLead, summarizeEngagement, type Contribution, type EngagementState, type Exclusion, type FitScore } from '../../core/definitions/scoring.ts';
import { fail, ok, type Result } from '../../core/result.ts';
import { getContact } from '../../storage/contacts.repo.ts';
import { getActiveDefinition, getDefinition } from '../../storage/definitions.repo.ts';
import { getLead } from '../../storage/leads.repo.ts';
import type { Page, PageRequest } from '../../storage/page.ts';
import { getContactScore, listHighIntentSignals, listScoreEvents, type HighIntentSignal, type ScoreEvent } from '../../storage/scores.repo.ts';
import type { AppDeps } from '../context.ts';
import { definitionOf, loadPredictionFacts } from './scoring-facts.ts';

export type LeadScore = {
  leadId: string; contactId: string; definition: { id: string; version: number; name: string };
  fit: { points: number; grade: string; contributions: Contribution[]; exclusions: Exclusion[] };
  engagement: { points: number; level: number; contributions: Contribution[] };
  rating: string; cell: string; qualifies: boolean; explanation: string; scoredAt: Date; asOf: Date;
};

/**
 * A lead's current scores under the active definition (or, when none is active, the version that
 * last scored it), rule by rule, with engagement decayed to now.
 */
export async function leadScore(deps: AppDeps, workspaceId: string, leadId: string): Promise<Result<LeadScore>> {
  const lead = await getLead(deps.db, workspaceId, leadId);
  if (!lead) return fail('NotFound', `Lead ${leadId} not found in this workspace.`);
  const record = (await getActiveDefinition(deps.db, workspaceId)) ?? (lead.definitionId ? await getDefinition(deps.db, workspaceId, lead.definitionId) : null);
  if (!record) return fail('NotFound', `Lead ${leadId} has no score: the workspace has no active lead definition.`);
  const row = await getContactScore(deps.db, workspaceId, lead.contactId, record.id);
  if (!row) return fail('NotFound', `Lead ${leadId} has not been scored under definition v${record.version} yet.`);
  const definition = definitionOf(record);
  const now = deps.clock.now();
  const predictions = await loadPredictionFacts(deps.db, workspaceId, [definition], [lead.contactId]);
  const engagement = summarizeEngagement(decayTo(row.engagementState as EngagementState, now), definition, { predictions: predictions.get(lead.contactId) });
  const fit = row.fit as unknown as FitScore;
  const rating = rateLead(row.fitGrade as FitScore['grade'], engagement.level, definition);
  return ok({
    leadId: lead.id, contactId: lead.contactId, definition: { id: record.id, version: record.version, name: record.name },
    fit: { points: row.fitPoints, grade: row.fitGrade, contributions: fit.contributions ?? [], exclusions: fit.exclusions ?? [] },
    engagement: { points: engagement.points, level: engagement.level, contributions: engagement.contributions },
    rating: rating.rating, cell: rating.cell, qualifies: fit.exclusions?.length === 0 && definition.mql.ratings.includes(rating.rating),
    explanation: explainScore({ version: record.version, fit, engagement, rating }), scoredAt: row.updatedAt, asOf: now,
  });
}

export async function contactScoreHistory(deps: AppDeps, workspaceId: string, contactId: string, page: PageRequest): Promise<Result<Page<ScoreEvent>>> {
  if (!(await getContact(deps.db, workspaceId, contactId))) return fail('NotFound', `Contact ${contactId} not found in this workspace.`);
  return ok(await listScoreEvents(deps.db, workspaceId, contactId, page));
}

export async function highIntentSignals(deps: AppDeps, workspaceId: string, filter: { contactId?: string }, page: PageRequest): Promise<Page<HighIntentSignal>> {
  return listHighIntentSignals(deps.db, workspaceId, filter, page);
}
