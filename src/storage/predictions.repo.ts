import { sql, type RawBuilder } from 'kysely';
import type { Db, DbOrTrx, Trx } from './db.ts';
import { newId } from './ids.ts';
import { keyKeysetPage, keyKeysetQuery, type KeyKeyset, type Page, type PageRequest } from './page.ts';
import './schema-prediction.ts';

/** What a person looked like at a moment: the raw material of a prediction (see src/app/prediction). */
export type PersonSnapshot = {
  contactId: string;
  leadId: string | null;
  /** Prediction time: the lead's opening (training) or now. */
  at: Date;
  /** 1 / 0 / null (outcome not known yet): training rows only. */
  label: 0 | 1 | null;
  fitScore: number | null;
  engagementScore: number | null;
  contact: { email: string | null; title: string | null; seniority: string | null; department: string | null; country: string | null; firstSource: string | null; firstMedium: string | null };
  lead: { source: string | null; latestSource: string | null } | null;
  account: { industry: string | null; employees: number | null; revenue: number | null; country: string | null } | null;
  attributes: Record<string, unknown>;
  accountAttributes: Record<string, unknown>;
  engagement: { total: number; last30Days: number; distinctContent: number; daysSinceLast: number | null; byType: Record<string, number> };
};

type Row = {
  contact_id: string; lead_id: string | null; at: Date; label: number | null; fit_score: string | null; engagement_score: string | null;
  email: string | null; title: string | null; seniority: string | null; department: string | null; country: string | null;
  first_source: string | null; first_medium: string | null; lead_source: string | null; latest_source: string | null;
  has_account: boolean; industry: string | null; employee_count: number | null; annual_revenue: string | null; account_country: string | null;
  attributes: Record<string, unknown> | null; account_attributes: Record<string, unknown> | null;
  total: string; last30: string; distinct_content: string; days_since_last: string | null; by_type: Record<string, number> | null;
};

/** Activities a salesperson does or marketing sends are not the person's engagement. */
const NOT_ENGAGEMENT = ['email_sent', 'email_bounce', 'sales_call', 'sales_email', 'sales_touch', 'meeting'];

/** The person's activity up to `at` (an SQL expression of the outer query): never anything after it. */
function engagementUpTo(at: RawBuilder<unknown>) {
  return sql`LEFT JOIN LATERAL (
    SELECT count(*) AS total,
      count(*) FILTER (WHERE a.occurred_at > ${at} - interval '30 days') AS last30,
      count(DISTINCT a.content_id) AS distinct_content,
      extract(epoch FROM ${at} - max(a.occurred_at)) / 86400 AS days_since_last,
      (SELECT jsonb_object_agg(g.type, g.n) FROM (
         SELECT x.type, count(*) AS n FROM activity x
         WHERE x.workspace_id = c.workspace_id AND x.contact_id = c.id AND x.occurred_at <= ${at} AND x.type <> ALL(${NOT_ENGAGEMENT}::text[])
         GROUP BY x.type) g) AS by_type
    FROM activity a
    WHERE a.workspace_id = c.workspace_id AND a.contact_id = c.id AND a.occurred_at <= ${at} AND a.type <> ALL(${NOT_ENGAGEMENT}::text[])
  ) e ON true`;
}

const personColumns = sql`c.email, c.title, c.seniority, c.department, c.country, c.first_source, c.first_medium, c.attributes,
  acc.id IS NOT NULL AS has_account, acc.industry, acc.employee_count, acc.annual_revenue, acc.country AS account_country, acc.attributes AS account_attributes,
  e.total, e.last30, e.distinct_content, e.days_since_last, e.by_type`;

/**
 * Every lead of the workspace as it was when it opened, labelled: 1 if it reached one of `targets` within the
 * horizon; 0 if it closed without, or the horizon passed without; null if it is still open inside the horizon.
 */
export async function trainingSnapshots(db: Db, workspaceId: string, input: { targets: string[]; horizonDays: number; now: Date }): Promise<PersonSnapshot[]> {
  const at = sql`l.opened_at`;
  const { rows } = await sql<Row>`
    SELECT l.contact_id, l.id AS lead_id, l.opened_at AS at, l.fit_score, l.engagement_score, l.source AS lead_source, l.latest_source,
      CASE WHEN r.reached_at IS NOT NULL AND r.reached_at <= l.opened_at + make_interval(days => ${input.horizonDays}) THEN 1
           WHEN l.closed_at IS NOT NULL OR l.opened_at + make_interval(days => ${input.horizonDays}) <= ${input.now} THEN 0
           ELSE NULL END AS label,
      ${personColumns}
    FROM lead l
    JOIN contact c ON c.workspace_id = l.workspace_id AND c.id = l.contact_id
    LEFT JOIN account acc ON acc.workspace_id = c.workspace_id AND acc.id = c.account_id
    LEFT JOIN LATERAL (
      SELECT min(t.at) AS reached_at FROM stage_transition t
      WHERE t.workspace_id = l.workspace_id AND t.lead_id = l.id AND t.to_stage = ANY(${input.targets}::text[])
    ) r ON true
    ${engagementUpTo(at)}
    WHERE l.workspace_id = ${workspaceId} AND c.merged_into_id IS NULL
    ORDER BY l.opened_at, l.id`.execute(db);
  return rows.map(toSnapshot);
}

/** A person's current lead, the one a prediction describes: the open one, else the latest. */
const currentLeadOrder = sql`ORDER BY (l.closed_at IS NULL) DESC, l.opened_at DESC, l.id DESC`;

/**
 * Of `contactIds`, the people whose stored prediction by one of `modelIds` describes another lead than their current one
 * (none, or a closed one): a lead opened since they were predicted, so its source and scores were not inputs.
 */
export async function predictedWithoutCurrentLead(db: DbOrTrx, workspaceId: string, modelIds: readonly string[], contactIds: readonly string[]): Promise<string[]> {
  if (contactIds.length === 0 || modelIds.length === 0) return [];
  const { rows } = await sql<{ contact_id: string }>`SELECT DISTINCT p.contact_id FROM contact_prediction p
    CROSS JOIN LATERAL (SELECT l.id FROM lead l WHERE l.workspace_id = p.workspace_id AND l.contact_id = p.contact_id ${currentLeadOrder} LIMIT 1) l
    WHERE p.workspace_id = ${workspaceId} AND p.model_id = ANY(${modelIds}::uuid[]) AND p.contact_id = ANY(${contactIds}::uuid[])
      AND p.lead_id IS DISTINCT FROM l.id`.execute(db);
  return rows.map((r) => r.contact_id);
}

/** People as they are at `now` (their latest lead, if any): what a trained model scores. */
export async function currentSnapshots(db: DbOrTrx, workspaceId: string, input: { now: Date; contactIds?: string[]; limit?: number }): Promise<PersonSnapshot[]> {
  const at = sql`${input.now}::timestamptz`;
  const { rows } = await sql<Row>`
    SELECT c.id AS contact_id, l.id AS lead_id, ${input.now}::timestamptz AS at, NULL::int AS label, l.fit_score, l.engagement_score,
      l.source AS lead_source, l.latest_source, ${personColumns}
    FROM contact c
    LEFT JOIN account acc ON acc.workspace_id = c.workspace_id AND acc.id = c.account_id
    LEFT JOIN LATERAL (SELECT * FROM lead l WHERE l.workspace_id = c.workspace_id AND l.contact_id = c.id ${currentLeadOrder} LIMIT 1) l ON true
    ${engagementUpTo(at)}
    WHERE c.workspace_id = ${workspaceId} AND c.merged_into_id IS NULL
      ${input.contactIds ? sql`AND c.id = ANY(${input.contactIds}::uuid[])` : sql``}
    ORDER BY c.id
    ${input.limit ? sql`LIMIT ${input.limit}` : sql``}`.execute(db);
  return rows.map(toSnapshot);
}

const num = (v: string | number | null) => (v === null ? null : Number(v));

function toSnapshot(r: Row): PersonSnapshot {
  return {
    contactId: r.contact_id, leadId: r.lead_id, at: r.at, label: r.label === null ? null : (Number(r.label) as 0 | 1),
    fitScore: num(r.fit_score), engagementScore: num(r.engagement_score),
    contact: { email: r.email, title: r.title, seniority: r.seniority, department: r.department, country: r.country, firstSource: r.first_source, firstMedium: r.first_medium },
    lead: r.lead_id ? { source: r.lead_source, latestSource: r.latest_source } : null,
    account: r.has_account ? { industry: r.industry, employees: r.employee_count, revenue: num(r.annual_revenue), country: r.account_country } : null,
    attributes: r.attributes ?? {}, accountAttributes: r.account_attributes ?? {},
    engagement: { total: Number(r.total), last30Days: Number(r.last30), distinctContent: Number(r.distinct_content), daysSinceLast: num(r.days_since_last), byType: r.by_type ?? {} },
  };
}

export type StoredModel = { id: string; version: number; targetStage: string; horizonDays: number; model: unknown; report: unknown; createdBy: string | null; createdAt: Date };

export async function insertModel(trx: Trx, workspaceId: string, input: { targetStage: string; horizonDays: number; model: unknown; report: unknown; createdBy: string | null; at: Date }): Promise<StoredModel> {
  const { rows } = await sql<{ id: string; version: number }>`
    INSERT INTO prediction_model (workspace_id, id, version, target_stage, horizon_days, model, report, created_by, created_at)
    SELECT ${workspaceId}, ${newId(input.at.getTime())}, coalesce(max(version), 0) + 1, ${input.targetStage}, ${input.horizonDays},
      ${JSON.stringify(input.model)}::jsonb, ${JSON.stringify(input.report)}::jsonb, ${input.createdBy}, ${input.at}
    FROM prediction_model WHERE workspace_id = ${workspaceId}
    RETURNING id, version`.execute(trx);
  return { id: rows[0]!.id, version: rows[0]!.version, targetStage: input.targetStage, horizonDays: input.horizonDays, model: input.model, report: input.report, createdBy: input.createdBy, createdAt: input.at };
}

const modelColumns = ['id', 'version', 'target_stage', 'horizon_days', 'model', 'report', 'created_by', 'created_at'] as const;
type ModelRow = { id: string; version: number; target_stage: string; horizon_days: number; model: unknown; report: unknown; created_by: string | null; created_at: Date };
const toModel = (r: ModelRow): StoredModel => ({ id: r.id, version: r.version, targetStage: r.target_stage, horizonDays: r.horizon_days, model: r.model, report: r.report, createdBy: r.created_by, createdAt: r.created_at });

export async function listModels(db: DbOrTrx, workspaceId: string): Promise<StoredModel[]> {
  const rows = await db.selectFrom('prediction_model').select(modelColumns).where('workspace_id', '=', workspaceId).orderBy('version', 'desc').execute();
  return rows.map((r) => toModel(r as ModelRow));
}

const modelKeyset: KeyKeyset = { keys: [{ expr: sql.ref('version'), type: 'integer' }], direction: 'desc' };

/** A page of the trained models, newest version first (unique per workspace); cursor key1 [version]. */
export async function pageModels(db: DbOrTrx, workspaceId: string, page: PageRequest): Promise<Page<StoredModel>> {
  const q = db.selectFrom('prediction_model').select(modelColumns).where('workspace_id', '=', workspaceId);
  return keyKeysetPage(await keyKeysetQuery(q, modelKeyset, page).execute(), modelKeyset, page.limit, (r) => toModel(r as ModelRow));
}

export async function findModel(db: DbOrTrx, workspaceId: string, ref: { id: string } | 'latest'): Promise<StoredModel | null> {
  let q = db.selectFrom('prediction_model').select(modelColumns).where('workspace_id', '=', workspaceId);
  q = ref === 'latest' ? q.orderBy('version', 'desc').limit(1) : q.where('id', '=', ref.id);
  const row = await q.executeTakeFirst();
  return row ? toModel(row as ModelRow) : null;
}

export type StoredPrediction = { contactId: string; leadId: string | null; modelId: string; probability: number; explanation: unknown; computedAt: Date };

export async function upsertPredictions(trx: Trx, workspaceId: string, rows: StoredPrediction[]): Promise<void> {
  if (rows.length === 0) return;
  await sql`
    INSERT INTO contact_prediction (workspace_id, contact_id, model_id, lead_id, probability, explanation, computed_at)
    SELECT ${workspaceId}, u.contact_id, u.model_id, u.lead_id, u.probability, u.explanation, u.computed_at
    FROM unnest(${rows.map((r) => r.contactId)}::uuid[], ${rows.map((r) => r.modelId)}::uuid[], ${rows.map((r) => r.leadId)}::uuid[],
      ${rows.map((r) => r.probability)}::float8[], ${rows.map((r) => JSON.stringify(r.explanation))}::jsonb[], ${rows.map((r) => r.computedAt)}::timestamptz[])
      AS u(contact_id, model_id, lead_id, probability, explanation, computed_at)
    ON CONFLICT (workspace_id, contact_id, model_id) DO UPDATE
      SET lead_id = excluded.lead_id, probability = excluded.probability, explanation = excluded.explanation, computed_at = excluded.computed_at`.execute(trx);
}

export async function listPredictions(db: DbOrTrx, workspaceId: string, modelId: string, limit: number): Promise<StoredPrediction[]> {
  const rows = await db.selectFrom('contact_prediction').select(['contact_id', 'lead_id', 'model_id', 'probability', 'explanation', 'computed_at'])
    .where('workspace_id', '=', workspaceId).where('model_id', '=', modelId).orderBy('probability', 'desc').orderBy('contact_id').limit(limit).execute();
  return rows.map((r) => ({ contactId: r.contact_id, leadId: r.lead_id, modelId: r.model_id, probability: r.probability, explanation: r.explanation, computedAt: r.computed_at }));
}

/**
 * The workspace's latest model (id and version), or null when it has trained none: the one indexed lookup
 * (`UNIQUE (workspace_id, version)`) every ingested batch pays to know whether to re-predict its people.
 */
export async function latestModelRef(db: DbOrTrx, workspaceId: string): Promise<{ id: string; version: number } | null> {
  const row = await db.selectFrom('prediction_model').select(['id', 'version']).where('workspace_id', '=', workspaceId).orderBy('version', 'desc').limit(1).executeTakeFirst();
  return row ?? null;
}

/** These models of the workspace (a model is immutable once trained: callers may cache it by id). */
export async function modelsByIds(db: DbOrTrx, workspaceId: string, ids: string[]): Promise<StoredModel[]> {
  if (ids.length === 0) return [];
  const rows = await db.selectFrom('prediction_model').select(modelColumns).where('workspace_id', '=', workspaceId).where('id', 'in', ids).execute();
  return rows.map((r) => toModel(r as ModelRow));
}

export async function workspacesWithModels(db: DbOrTrx): Promise<string[]> {
  return (await db.selectFrom('prediction_model').select('workspace_id').distinct().execute()).map((r) => r.workspace_id);
}

export type PredictionFactRow = { contactId: string; modelId: string; probability: number; modelVersion: number; targetStage: string };

/**
 * The stored probabilities of these models for these people (all people of the workspace when `contactIds` is
 * omitted), with each model's version and target: what `predicted` definition rules read as facts.
 */
export async function predictionFactRows(db: DbOrTrx, workspaceId: string, modelIds: string[], contactIds?: string[]): Promise<PredictionFactRow[]> {
  if (modelIds.length === 0 || contactIds?.length === 0) return [];
  let q = db.selectFrom('contact_prediction as p')
    .innerJoin('prediction_model as m', (j) => j.onRef('m.workspace_id', '=', 'p.workspace_id').onRef('m.id', '=', 'p.model_id'))
    .select(['p.contact_id', 'p.model_id', 'p.probability', 'm.version', 'm.target_stage'])
    .where('p.workspace_id', '=', workspaceId).where('p.model_id', 'in', modelIds);
  if (contactIds) q = q.where('p.contact_id', 'in', contactIds);
  const rows = await q.execute();
  return rows.map((r) => ({ contactId: r.contact_id, modelId: r.model_id, probability: r.probability, modelVersion: r.version, targetStage: r.target_stage }));
}

/** Which of these ids are models of the workspace, with their version (a definition may only name those). */
export async function modelVersionsByIds(db: DbOrTrx, workspaceId: string, ids: string[]): Promise<Map<string, { version: number; targetStage: string }>> {
  const valid = ids.filter((id) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id));
  if (valid.length === 0) return new Map();
  const rows = await db.selectFrom('prediction_model').select(['id', 'version', 'target_stage']).where('workspace_id', '=', workspaceId).where('id', 'in', valid).execute();
  return new Map(rows.map((r) => [r.id, { version: r.version, targetStage: r.target_stage }]));
}

/** How many people have a stored prediction of a model, and when the newest was computed (backtest notes). */
export async function predictionCoverage(db: DbOrTrx, workspaceId: string, modelId: string): Promise<{ people: number; newest: Date | null }> {
  const row = await db.selectFrom('contact_prediction').select((eb) => [eb.fn.countAll<string>().as('n'), eb.fn.max('computed_at').as('newest')])
    .where('workspace_id', '=', workspaceId).where('model_id', '=', modelId).executeTakeFirst();
  return { people: Number(row?.n ?? 0), newest: (row?.newest as Date | null) ?? null };
}

/** A contact's stored prediction of one model with its explanation (the inbox's probability and top reason). */
export async function predictionsOfContacts(db: DbOrTrx, workspaceId: string, modelId: string, contactIds: string[]): Promise<Map<string, { probability: number; explanation: unknown; computedAt: Date }>> {
  if (contactIds.length === 0) return new Map();
  const rows = await db.selectFrom('contact_prediction').select(['contact_id', 'probability', 'explanation', 'computed_at'])
    .where('workspace_id', '=', workspaceId).where('model_id', '=', modelId).where('contact_id', 'in', contactIds).execute();
  return new Map(rows.map((r) => [r.contact_id, { probability: r.probability, explanation: r.explanation, computedAt: r.computed_at }]));
}
