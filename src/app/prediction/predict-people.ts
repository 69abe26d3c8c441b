import { predict, type Prediction, type TrainedModel } from '../../core/prediction/train.rules.ts';
import type { PersonSnapshot, StoredModel, StoredPrediction } from '../../storage/predictions.repo.ts';
import { fieldsOf } from './prediction-features.ts';

/** A trained model ready to score: the stored row's id and version with its (immutable) parameters. */
export type ScoringModel = { id: string; version: number; trained: TrainedModel };

export const scoringModel = (m: StoredModel): ScoringModel => ({ id: m.id, version: m.version, trained: m.model as TrainedModel });

export type PersonPrediction = StoredPrediction & { modelVersion: number; up: Prediction['up']; down: Prediction['down'] };

/**
 * Each person scored by each model, with reasons: the pure part of a refresh (the person's fields are read once,
 * however many models score them). Rows are in snapshot order, then model order, ready for one multi-row upsert.
 */
export function predictPeople(models: readonly ScoringModel[], snapshots: readonly PersonSnapshot[], computedAt: Date): PersonPrediction[] {
  const out: PersonPrediction[] = [];
  for (const s of snapshots) {
    const fields = fieldsOf(s);
    for (const m of models) {
      const p = predict(m.trained, fields);
      out.push({
        contactId: s.contactId, leadId: s.leadId, modelId: m.id, modelVersion: m.version, probability: p.probability,
        explanation: { up: p.up, down: p.down }, up: p.up, down: p.down, computedAt,
      });
    }
  }
  return out;
}
