import type { ContactFact, PredictionFact } from '../activity.ts';
import type { LeadDefinition, PredictedRule } from './definition-schema.ts';
import type { Contribution } from './scoring.ts';

/**
 * `predicted` rules: a trained model's probability used in the agreement. Pure: the probability is a fact on the
 * contact (`contact.predictions[modelId]`, supplied by the app from the stored prediction). Without a prediction for
 * the model a rule adds no points and its MQL condition does not hold — a person nobody has scored yet is judged by
 * the other rules, never by a guess.
 */

export type PredictedUse = PredictedRule['use'];

/** The models a definition reads (its predicted rules and the inbox sort), without repeats. */
export function modelsOf(definition: Pick<LeadDefinition, 'predicted' | 'inbox'>): string[] {
  const ids = new Set((definition.predicted ?? []).map((r) => r.model));
  if (definition.inbox?.sort === 'predicted') ids.add(definition.inbox.model);
  return [...ids];
}

export const predictionOf = (contact: Pick<ContactFact, 'predictions'>, model: string): PredictionFact | null =>
  contact.predictions?.[model] ?? null;

/** "predicted 46% likely to reach opportunity (model v3)". */
export function predictionWords(p: PredictionFact): string {
  return `predicted ${Math.round(p.probability * 100)}% likely to reach ${p.targetStage.replace(/_/g, ' ')} (model v${p.modelVersion})`;
}

/** Points a fit or engagement rule gives: the full points from `minProbability`, else points × probability (whole). */
export function predictedPoints(rule: PredictedRule, p: PredictionFact | null): number {
  if (!p || rule.use === 'mql' || rule.points === undefined) return 0;
  if (rule.minProbability !== undefined) return p.probability >= rule.minProbability ? rule.points : 0;
  const scaled = Math.round(rule.points * p.probability);
  return scaled === 0 ? 0 : scaled;
}

/** The contributions of one component's predicted rules ("+12 pts: predicted 46% likely …"), zero ones left out. */
export function predictedContributions(definition: Pick<LeadDefinition, 'predicted'>, use: 'fit' | 'engagement', contact: Pick<ContactFact, 'predictions'> | null | undefined): Contribution[] {
  const out: Contribution[] = [];
  for (const rule of definition.predicted ?? []) {
    if (rule.use !== use) continue;
    const p = contact ? predictionOf(contact, rule.model) : null;
    const points = predictedPoints(rule, p);
    if (points === 0 || !p) continue;
    out.push({ ruleId: rule.id, label: rule.label ? `${rule.label} (${predictionWords(p)})` : predictionWords(p), points, hits: 1, predicted: true });
  }
  return out;
}

/** The first predicted MQL condition the person's probability meets, with its words; null when none does. */
export function firingPredictedMql(definition: Pick<LeadDefinition, 'predicted'>, contact: Pick<ContactFact, 'predictions'> | null | undefined): { id: string; label: string } | null {
  for (const rule of definition.predicted ?? []) {
    if (rule.use !== 'mql' || rule.minProbability === undefined || !contact) continue;
    const p = predictionOf(contact, rule.model);
    if (p && p.probability >= rule.minProbability) {
      return { id: rule.id, label: `${rule.label ? `${rule.label}: ` : ''}${predictionWords(p)} ≥ ${Math.round(rule.minProbability * 100)}%` };
    }
  }
  return null;
}

/** Whether a definition has any predicted MQL condition (a backtest must then replay even hopeless grades). */
export const hasPredictedMql = (definition: Pick<LeadDefinition, 'predicted'>): boolean => (definition.predicted ?? []).some((r) => r.use === 'mql');

/** Sum of the engagement points predicted rules give this person (added to the decayed engagement total). */
export function predictedEngagementPoints(definition: Pick<LeadDefinition, 'predicted'>, contact: Pick<ContactFact, 'predictions'> | null | undefined): number {
  return predictedContributions(definition, 'engagement', contact).reduce((a, c) => a + c.points, 0);
}

export type UseModelOptions = {
  modelId: string; modelVersion: number; targetStage: string;
  /** fit / engagement: points scaled by the probability (or given in full from `minProbability`); mql: qualify at `minProbability`. */
  use: PredictedUse; points?: number; minProbability?: number;
  /** Also sort the inbox by this model's probability. */
  inbox?: boolean;
};

/**
 * A copy of `definition` that uses a model: one predicted rule (replacing an earlier rule of the same id) and, when
 * asked, the inbox sorted by it. The caller saves it as a draft; it goes through backtest and both sign-offs.
 */
export function definitionWithModel(definition: LeadDefinition, o: UseModelOptions): LeadDefinition {
  const id = `model-v${o.modelVersion}-${o.use}`;
  const rule: PredictedRule = {
    // No label: the explanation's words already name the model and its target ("predicted 46% likely to reach …").
    id, model: o.modelId, use: o.use,
    ...(o.use === 'mql' ? { minProbability: o.minProbability ?? 0.4 } : { points: o.points ?? 20, ...(o.minProbability !== undefined ? { minProbability: o.minProbability } : {}) }),
  };
  const next: LeadDefinition = structuredClone(definition);
  next.predicted = [...(definition.predicted ?? []).filter((r) => r.id !== id), rule];
  if (o.inbox) next.inbox = { sort: 'predicted', model: o.modelId };
  if (!next.name.includes(`model v${o.modelVersion}`)) next.name = `${definition.name} + model v${o.modelVersion}`.slice(0, 120);
  return next;
}
