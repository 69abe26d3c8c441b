import { attributionModels, type AttributionCredit, type AttributionModel, type AttributionTouch } from './journey.types.ts';

export const rollUpDimensions = ['channel', 'source', 'campaign', 'content'] as const;
export type RollUpDimension = (typeof rollUpDimensions)[number];

/**
 * Credited cents of one model for one key. `key` is null for touches without that dimension
 * (no campaign, say); the explicit unattributed amount of touchless journeys is its own row with
 * `unattributed: true` (and key null), so the rows of a model always add up to the revenue.
 */
export type RollUpRow = {
  model: AttributionModel;
  key: string | null;
  unattributed: boolean;
  cents: number;
  /** How many credits (touch × opportunity) went into the row. */
  credits: number;
};

/** The value of a roll-up dimension on a touch or credit. */
export function dimensionOf(
  touch: Pick<AttributionTouch, 'source' | 'campaign' | 'contentId'> & { channel: string | null }, by: RollUpDimension,
): string | null {
  switch (by) {
    case 'channel': return touch.channel;
    case 'source': return touch.source;
    case 'campaign': return touch.campaign;
    case 'content': return touch.contentId;
  }
}

type Cell = { cents: number; credits: number };
type Cells = { keyed: Map<string | null, Cell>; unattributed: Cell };
const modelOrdinal = Object.fromEntries(attributionModels.map((m, i) => [m, i])) as Record<AttributionModel, number>;

/** Streams credits (or raw cents from an AttributionWorkspace) into per-model, per-key sums. */
export class RollUpAccumulator {
  private readonly byModel: (Cells | undefined)[] = [];

  constructor(readonly by: RollUpDimension) {}

  add(model: AttributionModel, key: string | null, cents: number): void {
    const cells = this.cellsOf(model);
    const cell = cells.keyed.get(key);
    if (cell) {
      cell.cents += cents;
      cell.credits++;
    } else {
      cells.keyed.set(key, { cents, credits: 1 });
    }
  }

  addUnattributed(model: AttributionModel, cents: number): void {
    const cell = this.cellsOf(model).unattributed;
    cell.cents += cents;
    cell.credits++;
  }

  /** As `credits` calls of {@link add} that sum to `cents` (a pre-summed roll-up: dense-rollup.rules.ts). */
  addSum(model: AttributionModel, key: string | null, cents: number, credits: number): void {
    const cells = this.cellsOf(model);
    const cell = cells.keyed.get(key);
    if (cell) {
      cell.cents += cents;
      cell.credits += credits;
    } else {
      cells.keyed.set(key, { cents, credits });
    }
  }

  /** As `credits` calls of {@link addUnattributed} that sum to `cents`. */
  addUnattributedSum(model: AttributionModel, cents: number, credits: number): void {
    const cell = this.cellsOf(model).unattributed;
    cell.cents += cents;
    cell.credits += credits;
  }

  addCredit(credit: AttributionCredit): void {
    if (credit.touchId === null) this.addUnattributed(credit.model, credit.cents);
    else this.add(credit.model, dimensionOf(credit, this.by), credit.cents);
  }

  /** Rows in model order, then by cents descending, key ascending (null last), unattributed last. */
  rows(): RollUpRow[] {
    const out: RollUpRow[] = [];
    for (const model of attributionModels) {
      const cells = this.byModel[modelOrdinal[model]];
      if (!cells) continue;
      const rows: RollUpRow[] = [];
      for (const [key, cell] of cells.keyed) rows.push({ model, key, unattributed: false, cents: cell.cents, credits: cell.credits });
      rows.sort((a, b) => b.cents - a.cents || compareKeys(a.key, b.key));
      out.push(...rows);
      if (cells.unattributed.credits > 0) {
        out.push({ model, key: null, unattributed: true, cents: cells.unattributed.cents, credits: cells.unattributed.credits });
      }
    }
    return out;
  }

  private cellsOf(model: AttributionModel): Cells {
    const ordinal = modelOrdinal[model];
    let cells = this.byModel[ordinal];
    if (!cells) {
      cells = { keyed: new Map(), unattributed: { cents: 0, credits: 0 } };
      this.byModel[ordinal] = cells;
    }
    return cells;
  }
}

function compareKeys(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a < b ? -1 : 1;
}

/**
 * Sums credits per model and per channel, source, campaign or content asset.
 * @example rollUp(credits, 'channel') // [{ model: 'linear', key: 'webinar', cents: 120000, credits: 3, unattributed: false }, ...]
 */
export function rollUp(credits: Iterable<AttributionCredit>, by: RollUpDimension): RollUpRow[] {
  const acc = new RollUpAccumulator(by);
  for (const credit of credits) acc.addCredit(credit);
  return acc.rows();
}
