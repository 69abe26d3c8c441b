import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { contactPrediction, getWorkspaceModel, predictionsCsv, workspaceModelsPage, refreshPredictions, trainWorkspaceModel, type ModelView, type PredictionView } from '../app/prediction/models.ts';
import { principalOf } from './auth.guard.ts';
import { errorResponses, idParams, pageOf, pageParams } from './contract/common.contract.ts';
import { modelDto, modelRefParams, predictionDto, trainInput } from './contract/models.contract.ts';
import type { ServerDeps } from './create-server.ts';
import { sendFailure } from './errors.ts';

const tags = ['prediction'];

function modelOut(m: ModelView) {
  const r = m.report;
  const metrics = (x: typeof r.holdout.model) => ({ roc_auc: x.rocAuc, pr_auc: x.prAuc, log_loss: x.logLoss, brier: x.brier, top_decile: { lift: x.top10.lift, capture: x.top10.capture } });
  return {
    id: m.id, version: m.version, target_stage: m.targetStage, horizon_days: m.horizonDays, created_at: new Date(m.createdAt).toISOString(), created_by: m.createdBy,
    report: {
      training_seconds: r.trainingSeconds,
      examples: { labelled: r.examples.labelled, too_recent: r.examples.tooRecent, train: r.examples.train, validation: r.examples.validation, holdout: r.examples.holdout },
      class_balance: r.classBalance, rates: r.rates,
      split: { train_from: r.split.trainFrom, validation_from: r.split.validationFrom, holdout_from: r.split.holdoutFrom, holdout_to: r.split.holdoutTo },
      excluded: r.excluded.map((e) => ({ field: e.field, label: e.label, auc: e.auc, reason: e.reason })),
      kept_despite_leak: r.keptDespiteLeak,
      holdout: { model: metrics(r.holdout.model), rules: r.holdout.rules ? metrics(r.holdout.rules) : null },
      calibration: r.calibration.map((b) => ({ from: b.from, to: b.to, count: b.count, mean_predicted: b.meanPredicted, observed_rate: b.observedRate })),
      gains: r.gains ?? [],
      importance: r.importance.map((i) => ({ field: i.field, label: i.label, mean_abs_contribution: i.meanAbsContribution })),
      fields_used: r.fieldsUsed,
    },
  };
}

const predictionOut = (p: PredictionView & { definitionVersion: number | null }) => ({
  contact_id: p.contactId, lead_id: p.leadId, model_id: p.modelId, model_version: p.modelVersion, probability: p.probability,
  reasons_up: p.up, reasons_down: p.down, computed_at: p.computedAt.toISOString(), governed: p.definitionVersion !== null, definition_version: p.definitionVersion,
});

/** Conversion models trained on the workspace's own history, their evaluation, and predictions with reasons. */
export function modelsRoutes(server: FastifyInstance, deps: ServerDeps): void {
  const app = server.withTypeProvider<ZodTypeProvider>();

  app.post('/api/v1/models', {
    config: { permission: 'write' },
    schema: {
      tags, body: trainInput, response: { 201: modelDto, ...errorResponses },
      summary: 'Train a conversion model on the closed history (time-based holdout, leak check, evaluation beside the rule score)',
    },
  }, async (request, reply) => {
    const b = request.body;
    const result = await trainWorkspaceModel(deps.app, principalOf(request).workspaceId,
      { targetStage: b.target_stage, horizonDays: b.horizon_days, include: b.include, exclude: b.exclude }, principalOf(request));
    return result.ok ? reply.code(201).send(modelOut(result.value)) : sendFailure(reply, result);
  });

  app.get('/api/v1/models', {
    config: { permission: 'read' },
    schema: { tags, summary: 'Trained models, newest first, with their training reports', querystring: z.strictObject(pageParams({ keyed: ['integer'] })), response: { 200: pageOf(modelDto), ...errorResponses } },
  }, async (request) => {
    const page = await workspaceModelsPage(deps.app, principalOf(request).workspaceId, request.query);
    return { data: page.data.map(modelOut), next_cursor: page.nextCursor };
  });

  app.get('/api/v1/models/:id', {
    config: { permission: 'read' },
    schema: { tags, summary: "A model's training report (id or 'latest')", params: modelRefParams, response: { 200: modelDto, ...errorResponses } },
  }, async (request, reply) => {
    const result = await getWorkspaceModel(deps.app, principalOf(request).workspaceId, request.params.id);
    return result.ok ? modelOut(result.value) : sendFailure(reply, result);
  });

  app.post('/api/v1/models/:id/predictions', {
    config: { permission: 'write' },
    schema: {
      tags, summary: 'Score everyone in the workspace as they are now with this model and store the predictions', params: modelRefParams,
      response: { 200: z.object({ scored: z.number().int() }), ...errorResponses },
    },
  }, async (request, reply) => {
    const result = await refreshPredictions(deps.app, principalOf(request).workspaceId, { model: request.params.id });
    return result.ok ? { scored: result.value.length } : sendFailure(reply, result);
  });

  app.get('/api/v1/models/:id/predictions.csv', {
    config: { permission: 'read' },
    schema: { tags, summary: "The stored predictions of a model as CSV, most likely first, with each one's reasons", params: modelRefParams, response: errorResponses },
  }, async (request, reply) => {
    const result = await predictionsCsv(deps.app, principalOf(request).workspaceId, request.params.id);
    if (!result.ok) return sendFailure(reply, result);
    return (reply as unknown as FastifyReply).type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="predictions.csv"').send(result.value);
  });

  app.get('/api/v1/contacts/:id/prediction', {
    config: { permission: 'read' },
    schema: { tags, summary: "This person's probability of converting now, under the model the active definition reads (else the latest), and why", params: idParams, response: { 200: predictionDto, ...errorResponses } },
  }, async (request, reply) => {
    const result = await contactPrediction(deps.app, principalOf(request).workspaceId, request.params.id);
    return result.ok ? predictionOut(result.value) : sendFailure(reply, result);
  });
}
