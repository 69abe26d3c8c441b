import { z } from 'zod';

export const trainInput = z.strictObject({
  target_stage: z.enum(['sql', 'opportunity', 'won']).default('opportunity').describe('The stage a lead must reach to count as a conversion (a won lead passed through opportunity).'),
  horizon_days: z.number().int().min(1).max(3650).default(180).describe('Within how many days of its opening the lead must reach it; leads opened more recently and still open are not trained on.'),
  include: z.array(z.string().min(1).max(200)).max(100).optional().describe('Fields to keep although the leak check flags them (say why in your process: they were known before the outcome).'),
  exclude: z.array(z.string().min(1).max(200)).max(100).optional().describe('Fields to leave out (e.g. ones you know sales fill in after the hand-off).'),
});

export const modelRefParams = z.strictObject({
  id: z.union([z.uuid(), z.literal('latest')], { message: "must be a model id (UUID) or 'latest'" }),
});

const metrics = z.object({
  roc_auc: z.number(), pr_auc: z.number(), log_loss: z.number().nullable(), brier: z.number().nullable(),
  top_decile: z.object({ lift: z.number(), capture: z.number() }),
});

export const modelDto = z.object({
  id: z.uuid(), version: z.number().int(), target_stage: z.string(), horizon_days: z.number().int(), created_at: z.string(), created_by: z.string().nullable(),
  report: z.object({
    training_seconds: z.number(),
    examples: z.object({ labelled: z.number(), too_recent: z.number(), train: z.number(), validation: z.number(), holdout: z.number() }),
    class_balance: z.object({ positives: z.number(), negatives: z.number(), rate: z.number() }),
    rates: z.object({ train: z.number(), validation: z.number(), holdout: z.number() }),
    split: z.object({ train_from: z.string(), validation_from: z.string(), holdout_from: z.string(), holdout_to: z.string() }),
    excluded: z.array(z.object({ field: z.string(), label: z.string(), auc: z.number(), reason: z.string() })),
    kept_despite_leak: z.array(z.string()),
    holdout: z.object({ model: metrics, rules: metrics.nullable() }),
    calibration: z.array(z.object({ from: z.number(), to: z.number(), count: z.number(), mean_predicted: z.number(), observed_rate: z.number() })),
    gains: z.array(z.object({
      fraction: z.number(), model: z.object({ lift: z.number(), capture: z.number() }), rules: z.object({ lift: z.number(), capture: z.number() }).nullable(),
    })).describe('Cumulative lift and capture of the top 10%, 20% … 100% of the holdout, model beside the rule score (empty for models trained before it was reported).'),
    importance: z.array(z.object({ field: z.string(), label: z.string(), mean_abs_contribution: z.number() })),
    fields_used: z.array(z.object({ name: z.string(), label: z.string(), group: z.string() })),
  }),
}).meta({ id: 'PredictionModel' });

const reason = z.object({ field: z.string(), label: z.string(), value: z.string(), effect: z.number().describe('Change in probability (0–1) against a typical lead.'), words: z.string() });

export const predictionDto = z.object({
  contact_id: z.uuid(), lead_id: z.uuid().nullable(), model_id: z.uuid(), model_version: z.number().int(),
  probability: z.number(), reasons_up: z.array(reason), reasons_down: z.array(reason), computed_at: z.string(),
  governed: z.boolean().describe('true when the active (signed) definition reads this model in a predicted rule or its inbox sort; otherwise the prediction informs only.'),
  definition_version: z.number().int().nullable().describe('The active definition version that reads this model (null when none does).'),
}).meta({ id: 'Prediction' });
