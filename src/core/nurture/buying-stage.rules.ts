/** A piece of content a person consumed (viewed, downloaded, clicked through), with its stage. */
export type ConsumedContent = { assetId: string; stage: string | null; at: Date };

/**
 * The buying stage a person is in, inferred from what they consumed recently: the furthest stage
 * of any asset they consumed in the lookback window (people read backwards, rarely forwards, so
 * the furthest stage is the best evidence). Nothing consumed: the first stage.
 * @example consumed [awareness, consideration, interest] → 'consideration'
 */
export function inferBuyingStage(consumed: readonly ConsumedContent[], stages: readonly string[], now: Date, lookbackDays = 180): string {
  const since = now.getTime() - lookbackDays * 86_400_000;
  let furthest = 0;
  for (const c of consumed) {
    if (c.at.getTime() < since || c.at.getTime() > now.getTime() || c.stage === null) continue;
    furthest = Math.max(furthest, stages.indexOf(c.stage));
  }
  return stages[furthest] ?? stages[0] ?? 'awareness';
}

export type CandidateAsset = { id: string; title: string; url: string | null; stage: string | null; personas: string[]; expiresOn: string | null };

/**
 * The next asset to feature for a person: never one they consumed or were recently sent, never an
 * expired one or one without a link; their inferred stage first, then the following stages in
 * order (move them forward), then earlier ones. Within a stage, assets written for their persona
 * come first, then general ones; assets for other personas are left out. Ties: oldest first (ids
 * are time-ordered), so the choice is stable.
 * @example stage 'interest', interest assets all consumed → the first unconsumed consideration asset
 */
export function chooseNextAsset<A extends CandidateAsset>(candidates: readonly A[], input: {
  stage: string; stages: readonly string[]; consumed: ReadonlySet<string>; recentlySent: ReadonlySet<string>;
  persona: string | null; today: string;
}): A | null {
  const at = Math.max(0, input.stages.indexOf(input.stage));
  const order = [...input.stages.slice(at), ...input.stages.slice(0, at).reverse()];
  const personaRank = (a: A) => (a.personas.length === 0 ? 1 : input.persona !== null && a.personas.includes(input.persona) ? 0 : 2);
  const usable = candidates.filter((a) => a.url && !input.consumed.has(a.id) && !input.recentlySent.has(a.id)
    && !(a.expiresOn && a.expiresOn < input.today) && (input.persona === null || personaRank(a) < 2));
  for (const stage of order) {
    const inStage = usable.filter((a) => a.stage === stage)
      .sort((a, b) => (input.persona === null ? 0 : personaRank(a) - personaRank(b)) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    if (inStage[0]) return inStage[0];
  }
  return null;
}
