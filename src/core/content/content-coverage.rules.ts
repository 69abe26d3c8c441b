/** What coverage and audit rules see of an asset. */
export type AssetFacts = {
  id: string; title: string; stage: string | null; personas: string[]; topics: string[];
  publishedOn: string | null; expiresOn: string | null; createdAt: Date;
  ratingCount: number; ratingAverage: number | null; consumers: number; lastConsumedAt: Date | null;
};

export type CellStatus = 'missing' | 'weak' | 'ok';
export type GapCell = { stage: string; key: string; assets: number; averageRating: number | null; consumers: number; status: CellStatus };
export type GapThresholds = { weakRating: number; minAssets: number };

/** Assets without a persona (or topic) serve everyone: they are counted in this column. */
export const GENERAL = '(general)';

const isLive = (a: AssetFacts, today: string) => !(a.expiresOn && a.expiresOn < today);

/**
 * The coverage grid: buying stage × persona (or topic). A cell is missing without live assets,
 * weak with fewer than `minAssets`, an average rating under `weakRating`, or nobody consuming
 * it; ok otherwise.
 * @example gapMap(assets, ['awareness'], 'persona', ['cfo'], ...) → [{ stage: 'awareness', key: 'cfo', status: 'missing', ... }]
 */
export function gapMap(assets: readonly AssetFacts[], stages: readonly string[], by: 'persona' | 'topic', knownKeys: readonly string[], today: string, t: GapThresholds): GapCell[] {
  const live = assets.filter((a) => isLive(a, today));
  const keysOf = (a: AssetFacts) => { const k = by === 'persona' ? a.personas : a.topics; return k.length ? k : [GENERAL]; };
  const keys = [...new Set([...knownKeys, ...live.flatMap(keysOf)])].sort((a, b) => (a === GENERAL ? 1 : b === GENERAL ? -1 : a.localeCompare(b)));
  const cells: GapCell[] = [];
  for (const stage of stages) {
    for (const key of keys) {
      const inCell = live.filter((a) => a.stage === stage && keysOf(a).includes(key));
      const rated = inCell.filter((a) => a.ratingAverage !== null);
      const ratingSum = rated.reduce((s, a) => s + a.ratingAverage! * a.ratingCount, 0);
      const ratingCount = rated.reduce((s, a) => s + a.ratingCount, 0);
      const averageRating = ratingCount ? Math.round((ratingSum / ratingCount) * 100) / 100 : null;
      const consumers = inCell.reduce((s, a) => s + a.consumers, 0);
      const status: CellStatus = inCell.length === 0 ? 'missing'
        : inCell.length < t.minAssets || (averageRating !== null && averageRating < t.weakRating) || consumers === 0 ? 'weak' : 'ok';
      cells.push({ stage, key, assets: inCell.length, averageRating, consumers, status });
    }
  }
  return cells;
}

export type AuditOptions = { today: string; now: Date; lowRating: number; minRatings: number; unusedDays: number; maxAgeDays: number };
export type ContentAudit = {
  lowRated: { id: string; title: string; averageRating: number; ratingCount: number }[];
  unused: { id: string; title: string; lastConsumedAt: Date | null }[];
  outdated: { id: string; title: string; reason: 'expired' | 'old' }[];
  stageGaps: { stage: string; assets: number }[];
};

const DAY = 86_400_000;
function daysBefore(today: string, days: number): string {
  return new Date(Date.parse(`${today}T00:00:00Z`) - days * DAY).toISOString().slice(0, 10);
}

/**
 * The content audit: low-rated assets (enough ratings to trust the average), assets nobody
 * consumed in `unusedDays` (ignoring ones published or created more recently), outdated ones (expired, or
 * published more than `maxAgeDays` ago) and buying stages with no live asset.
 */
export function auditContent(assets: readonly AssetFacts[], stages: readonly string[], o: AuditOptions): ContentAudit {
  const cutoff = o.now.getTime() - o.unusedDays * DAY;
  const oldBefore = daysBefore(o.today, o.maxAgeDays);
  // An asset is only "unused" once it has been out for the whole window (published, else created).
  const since = (a: AssetFacts) => (a.publishedOn ? Date.parse(`${a.publishedOn}T00:00:00Z`) : a.createdAt.getTime());
  const byTitle = <T extends { title: string }>(xs: T[]) => xs.sort((a, b) => a.title.localeCompare(b.title));
  return {
    lowRated: byTitle(assets.filter((a) => a.ratingAverage !== null && a.ratingCount >= o.minRatings && a.ratingAverage <= o.lowRating)
      .map((a) => ({ id: a.id, title: a.title, averageRating: a.ratingAverage!, ratingCount: a.ratingCount }))),
    unused: byTitle(assets.filter((a) => since(a) <= cutoff && (a.lastConsumedAt === null || a.lastConsumedAt.getTime() < cutoff))
      .map((a) => ({ id: a.id, title: a.title, lastConsumedAt: a.lastConsumedAt }))),
    outdated: byTitle(assets.flatMap((a): ContentAudit['outdated'] => (a.expiresOn && a.expiresOn < o.today ? [{ id: a.id, title: a.title, reason: 'expired' }]
      : a.publishedOn && a.publishedOn < oldBefore ? [{ id: a.id, title: a.title, reason: 'old' }] : []))),
    stageGaps: stages.map((stage) => ({ stage, assets: assets.filter((a) => a.stage === stage && isLive(a, o.today)).length })).filter((g) => g.assets === 0),
  };
}
