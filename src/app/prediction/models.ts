import { csvLines } from '../../core/csv.ts';
import { fail, ok, type Result } from '../../core/result.ts';
import type { TrainingReport, Prediction } from '../../core/prediction/train.rules.ts';
import { trainModel } from '../../core/prediction/train.rules.ts';
import {
  currentSnapshots, findModel, insertModel, listModels, listPredictions, pageModels, trainingSnapshots, upsertPredictions, type StoredModel,
} from '../../storage/predictions.repo.ts';
import { modelsOf } from '../../core/definitions/predicted.ts';
import { recordAudit } from '../audit.ts';
import { loadActiveDefinition } from '../definition-facts.ts';
import { publish } from '../events/dispatcher.ts';
import type { AppDeps, Principal } from '../context.ts';
import { inTransaction, withTransaction } from '../transaction.ts';
import type { Page, PageRequest } from '../../storage/page.ts';
import { describeFields, toExample } from './prediction-features.ts';
import { predictPeople, scoringModel } from './predict-people.ts';

/** A lead "reached" the target when any of these stages is in its history (a won lead passed through opportunity). */
export const targetStages = { sql: ['sql', 'opportunity', 'won'], opportunity: ['opportunity', 'won'], won: ['won'] } as const;
export type TargetStage = keyof typeof targetStages;

export type TrainRequest = { targetStage: TargetStage; horizonDays: number; include?: string[]; exclude?: string[] };
export type ModelView = {
  id: string; version: number; targetStage: TargetStage; horizonDays: number; createdAt: Date; createdBy: string | null;
  report: TrainingReport & { trainingSeconds: number; fieldsUsed: { name: string; label: string; group: string }[] };
};

const view = (m: StoredModel): ModelView => ({
  id: m.id, version: m.version, targetStage: m.targetStage as TargetStage, horizonDays: m.horizonDays, createdAt: m.createdAt, createdBy: m.createdBy,
  report: m.report as ModelView['report'],
});

/**
 * Trains a model on the workspace's own closed history and keeps it as a new version. A trained model changes
 * nothing by itself: scoring, routing and MQLs follow the signed definition; the model's predictions are shown
 * beside it, with their reasons, for marketing and sales to argue from.
 */
export async function trainWorkspaceModel(deps: AppDeps, workspaceId: string, request: TrainRequest, principal?: Principal): Promise<Result<ModelView>> {
  const now = deps.clock.now();
  const snapshots = await trainingSnapshots(deps.db, workspaceId, { targets: [...targetStages[request.targetStage]], horizonDays: request.horizonDays, now });
  const examples = snapshots.map(toExample);
  const fields = describeFields(examples);
  const known = new Set(fields.map((f) => f.name));
  const unknown = [...(request.include ?? []), ...(request.exclude ?? [])].filter((f) => !known.has(f));
  if (unknown.length) {
    return fail('ValidationFailed', `Unknown field${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}. Fields of this workspace: ${[...known].slice(0, 40).join(', ')}${known.size > 40 ? ', …' : ''}.`,
      unknown.map((f) => ({ path: request.include?.includes(f) ? 'include' : 'exclude', message: `no field named '${f}'` })));
  }
  const started = performance.now();
  const trained = trainModel({ examples, fields, include: request.include, exclude: request.exclude });
  if (!trained.ok) return trained;
  const trainingSeconds = (performance.now() - started) / 1000;
  const { model, report } = trained.value;
  const fullReport = { ...report, trainingSeconds, fieldsUsed: model.fields.map((f) => ({ name: f.name, label: f.label, group: f.group })) };
  return inTransaction(deps, async (trx) => {
    const stored = await insertModel(trx, workspaceId, {
      targetStage: request.targetStage, horizonDays: request.horizonDays, model, report: fullReport, createdBy: principal?.userId ?? null, at: now,
    });
    await recordAudit(trx, {
      workspaceId, actor: principal, action: 'prediction_model.trained', object: { type: 'prediction_model', id: stored.id },
      after: { version: stored.version, target_stage: request.targetStage, horizon_days: request.horizonDays, excluded: report.excluded.map((e) => e.field), kept_despite_leak: report.keptDespiteLeak },
    });
    return ok(view(stored));
  });
}

export async function listWorkspaceModels(deps: AppDeps, workspaceId: string): Promise<ModelView[]> {
  return (await listModels(deps.db, workspaceId)).map(view);
}

/** A page of the trained models, newest version first. */
export async function workspaceModelsPage(deps: AppDeps, workspaceId: string, page: PageRequest): Promise<Page<ModelView>> {
  const models = await pageModels(deps.db, workspaceId, page);
  return { data: models.data.map(view), nextCursor: models.nextCursor };
}

export async function getWorkspaceModel(deps: AppDeps, workspaceId: string, ref: string): Promise<Result<ModelView>> {
  const model = await modelOf(deps, workspaceId, ref);
  return model.ok ? ok(view(model.value)) : model;
}

async function modelOf(deps: AppDeps, workspaceId: string, ref: string): Promise<Result<StoredModel>> {
  const model = await findModel(deps.db, workspaceId, ref === 'latest' ? 'latest' : { id: ref });
  if (model) return ok(model);
  return fail('NotFound', ref === 'latest'
    ? 'No model has been trained in this workspace yet: train one with POST /api/v1/models or `leadloop model train`.'
    : `No model ${ref} in this workspace (GET /api/v1/models lists them).`);
}

export type PredictionView = { contactId: string; leadId: string | null; modelId: string; modelVersion: number; probability: number; up: Prediction['up']; down: Prediction['down']; computedAt: Date };

/**
 * Scores people as they are now with a model (default: the latest) and stores each prediction with its reasons.
 * Without `contactIds`, everyone in the workspace, `batch` people per transaction.
 */
export async function refreshPredictions(deps: AppDeps, workspaceId: string, input: {
  model?: string; contactIds?: string[]; onProgress?: (done: number, total: number) => void;
  /** true: store without publishing PredictionsRefreshed (a read that refreshes must not move leads). */
  quiet?: boolean;
} = {}): Promise<Result<PredictionView[]>> {
  const found = await modelOf(deps, workspaceId, input.model ?? 'latest');
  if (!found.ok) return found;
  const stored = found.value;
  const now = deps.clock.now();
  const snapshots = await currentSnapshots(deps.db, workspaceId, { now, contactIds: input.contactIds });
  if (input.contactIds && snapshots.length < new Set(input.contactIds).size) return fail('NotFound', 'No such contact in this workspace.');
  const predicted = predictPeople([scoringModel(stored)], snapshots, now);
  const out: PredictionView[] = predicted.map(({ contactId, leadId, modelId, modelVersion, probability, up, down, computedAt }) => ({ contactId, leadId, modelId, modelVersion, probability, up, down, computedAt }));
  for (let i = 0; i < predicted.length; i += 1000) {
    const chunk = predicted.slice(i, i + 1000);
    await withTransaction(deps, async (trx) => {
      await upsertPredictions(trx, workspaceId, chunk);
      if (!input.quiet) await publish(trx, 'PredictionsRefreshed', { workspaceId, modelId: stored.id, contactIds: chunk.map((p) => p.contactId), at: now });
    });
    input.onProgress?.(Math.min(out.length, i + chunk.length), out.length);
  }
  return ok(out);
}

/**
 * A person's prediction as a reader should see it: under the model the active definition reads (so the lead page
 * shows what the agreement uses), else the latest. Recomputed from the person as they are now, stored quietly.
 */
export async function contactPrediction(deps: AppDeps, workspaceId: string, contactId: string): Promise<Result<PredictionView & { definitionVersion: number | null }>> {
  const active = await loadActiveDefinition(deps.db, workspaceId);
  const governing = active ? modelsOf(active.definition)[0] : undefined;
  const result = await refreshPredictions(deps, workspaceId, { model: governing, contactIds: [contactId], quiet: true });
  if (!result.ok) return result;
  return ok({ ...result.value[0]!, definitionVersion: governing && active ? active.record.version : null });
}

/**
 * Refreshes the predictions that matter: the latest model's (shown on the lead page) and every model the active
 * definition reads (its predicted rules and inbox sort), which may be older versions.
 */
export async function refreshPredictionsInUse(deps: AppDeps, workspaceId: string, input: { contactIds?: string[] } = {}): Promise<Result<number>> {
  const latest = await findModel(deps.db, workspaceId, 'latest');
  if (!latest) return ok(0);
  const active = await loadActiveDefinition(deps.db, workspaceId);
  const models = [...new Set([latest.id, ...(active ? modelsOf(active.definition) : [])])];
  let count = 0;
  for (const model of models) {
    const done = await refreshPredictions(deps, workspaceId, { model, contactIds: input.contactIds });
    if (!done.ok) return done;
    count += done.value.length;
  }
  return ok(count);
}

/** The stored predictions of a model, most likely first, as CSV (explanations are lead data: cells are neutralised). */
export async function predictionsCsv(deps: AppDeps, workspaceId: string, ref: string, limit = 100_000): Promise<Result<string>> {
  const found = await modelOf(deps, workspaceId, ref);
  if (!found.ok) return found;
  const rows = await listPredictions(deps.db, workspaceId, found.value.id, limit);
  return ok(csvLines([
    ['contact_id', 'lead_id', 'model_version', 'probability', 'reasons_up', 'reasons_down', 'computed_at'],
    ...rows.map((r) => {
      const e = r.explanation as { up: { words: string }[]; down: { words: string }[] };
      return [r.contactId, r.leadId, found.value.version, r.probability.toFixed(4), e.up.map((x) => x.words).join('; '), e.down.map((x) => x.words).join('; '), r.computedAt.toISOString()];
    }),
  ]));
}
