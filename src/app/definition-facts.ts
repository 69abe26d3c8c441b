import { isActivityType, type AccountFact, type ActivityFact, type ContactFact, type ContentFact, type PredictionFact } from '../core/activity.ts';
import { leadDefinitionSchema, type LeadDefinition } from '../core/definitions/definition-schema.ts';
import type { Account } from '../storage/accounts.repo.ts';
import type { Contact } from '../storage/contacts.repo.ts';
import type { ContentAsset } from '../storage/content.repo.ts';
import type { DbOrTrx } from '../storage/db.ts';
import { activitiesOfContacts, contentByIds } from '../storage/scoring-facts.repo.ts';
import { getActiveDefinition, type LeadDefinitionRecord } from '../storage/definitions.repo.ts';
import { predictionFactRows } from '../storage/predictions.repo.ts';

/*
 * The active lead definition and the facts the core's definition rules read (contacts, accounts,
 * content, activities, whole histories): shared by scoring, definitions (backtests, diffs) and
 * imports, so none of them reaches into another feature for it.
 */

/** An activity as the ingestion pipeline persisted it; what scoreActivities takes. */
export type PersistedActivity = {
  id: string; contactId: string; type: string; occurredAt: Date; source: string | null; medium: string | null;
  utmCampaign: string | null; campaignId: string | null; contentId: string | null; url: string | null; eventName: string | null;
  properties: Record<string, unknown>;
};

export const toContactFact = (c: Contact): ContactFact => ({
  id: c.id, email: c.email, title: c.title, seniority: c.seniority, department: c.department, country: c.country,
  unsubscribed: c.unsubscribedAt !== null, attributes: c.attributes,
});

export const toAccountFact = (a: Account): AccountFact => ({
  id: a.id, name: a.name, domain: a.domain, industry: a.industry, employeeCount: a.employeeCount, country: a.country,
  region: a.region, annualRevenue: a.annualRevenue, attributes: a.attributes,
});

export const toContentFact = (c: ContentAsset): ContentFact => ({
  id: c.id, url: c.url, urls: c.urls, buyingStage: c.buyingStage, topics: c.topics, personas: c.personas, format: c.format,
});

/** Campaign rules match the UTM campaign, else the linked campaign's id; unknown types count as custom events. */
export const toActivityFact = (a: PersistedActivity): ActivityFact => ({
  id: a.id, contactId: a.contactId, type: isActivityType(a.type) ? a.type : 'custom', occurredAt: a.occurredAt, source: a.source,
  medium: a.medium, campaign: a.utmCampaign ?? a.campaignId, contentId: a.contentId, url: a.url, eventName: a.eventName,
  properties: a.properties,
});

export type ActiveDefinition = { record: LeadDefinitionRecord; definition: LeadDefinition };

// Approved documents never change, so a parsed copy per version id is safe to keep; bounded.
const parsed = new Map<string, LeadDefinition>();

/** The stored document as the core's definition (validated when it was saved; only the shape is re-read). */
export function definitionOf(record: LeadDefinitionRecord): LeadDefinition {
  const immutable = record.status !== 'draft';
  const hit = immutable ? parsed.get(record.id) : undefined;
  if (hit) return hit;
  const definition = leadDefinitionSchema.parse(record.document);
  if (immutable) {
    if (parsed.size >= 200) parsed.clear();
    parsed.set(record.id, definition);
  }
  return definition;
}

export async function loadActiveDefinition(db: DbOrTrx, workspaceId: string): Promise<ActiveDefinition | null> {
  const record = await getActiveDefinition(db, workspaceId);
  return record ? { record, definition: definitionOf(record) } : null;
}

/**
 * The contacts' whole stored histories as the core reads them (time order per contact), with the
 * content assets those activities name: what every replay (merge, identify, recompute) starts from.
 */
export async function loadHistories(db: DbOrTrx, workspaceId: string, contactIds: string[]): Promise<{ byContact: Map<string, ActivityFact[]>; content: Map<string, ContentFact> }> {
  const activities = await activitiesOfContacts(db, workspaceId, contactIds);
  const content = new Map([...(await contentByIds(db, workspaceId, activities.flatMap((a) => (a.contentId ? [a.contentId] : []))))].map(([id, c]) => [id, toContentFact(c)]));
  const byContact = new Map<string, ActivityFact[]>(contactIds.map((id) => [id, []]));
  for (const a of activities) byContact.get(a.contactId)?.push(toActivityFact(a));
  return { byContact, content };
}

/**
 * The stored predictions the definitions' `predicted` rules read, by contact (model id → probability, version,
 * target). No query when no definition names a model. People without a stored prediction are absent: the core
 * then gives their predicted rules nothing.
 */
export async function loadPredictionFacts(db: DbOrTrx, workspaceId: string, definitions: readonly LeadDefinition[], contactIds?: string[]): Promise<Map<string, Record<string, PredictionFact>>> {
  const models = [...new Set(definitions.flatMap((d) => (d.predicted ?? []).map((r) => r.model)))];
  const out = new Map<string, Record<string, PredictionFact>>();
  if (models.length === 0) return out;
  for (const r of await predictionFactRows(db, workspaceId, models, contactIds)) {
    const facts = out.get(r.contactId) ?? {};
    facts[r.modelId] = { probability: r.probability, modelVersion: r.modelVersion, targetStage: r.targetStage };
    out.set(r.contactId, facts);
  }
  return out;
}
