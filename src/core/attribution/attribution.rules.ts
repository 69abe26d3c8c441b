import { AttributionWorkspace } from './attribution-workspace.rules.ts';
import type { MarkovChannelWeights } from './markov.rules.ts';
import {
  defaultAttributionOptions,
  type AttributionCredit, type AttributionOptions, type DealModel, type Journey,
} from './journey.types.ts';

/**
 * Credits of one opportunity under one model: one credit per touch with a positive share, summing
 * exactly to the amount, or a single `unattributed` credit of the full amount when no touch in the
 * look-back window qualifies. For bulk work reuse an {@link AttributionWorkspace} instead.
 * @example attribute(journey, 'u_shaped') // [{ touchId: 't1', role: 'first', cents: 4000, ... }, ...]
 */
export function attribute(
  journey: Journey, model: DealModel,
  options: Partial<AttributionOptions> = {}, markov: MarkovChannelWeights | null = null,
): AttributionCredit[] {
  const workspace = new AttributionWorkspace({ ...defaultAttributionOptions, ...options }, markov, journey.touches.length || 1);
  workspace.load(journey);
  workspace.attribute(model);
  return workspace.credits();
}

/** Credits of one opportunity under several models, model by model (no double counting within a model). */
export function attributeModels(
  journey: Journey, models: readonly DealModel[],
  options: Partial<AttributionOptions> = {}, markov: MarkovChannelWeights | null = null,
): AttributionCredit[] {
  const workspace = new AttributionWorkspace({ ...defaultAttributionOptions, ...options }, markov, journey.touches.length || 1);
  workspace.load(journey);
  const out: AttributionCredit[] = [];
  for (const model of models) {
    workspace.attribute(model);
    for (const credit of workspace.credits()) out.push(credit);
  }
  return out;
}
