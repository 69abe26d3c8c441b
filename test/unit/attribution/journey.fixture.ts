import type { AttributionTouch, Journey, OpportunityStatus } from '../../../src/core/attribution/journey.types.ts';

/** Noon UTC on day `n` of January 2024 (day 0 = 31 Dec 2023, negative days go further back). */
export const day = (n: number): Date => new Date(Date.UTC(2024, 0, n, 12));

export const touch = (id: string, at: number, channel: string, extra: Partial<AttributionTouch> = {}): AttributionTouch => ({
  id, at: day(at), channel, source: `${channel}-src`, campaign: null, contentId: null, ...extra,
});

export function journey(
  touches: AttributionTouch[],
  opts: { amount?: number; lead?: number | null; created?: number; closed?: number | null; status?: OpportunityStatus } = {},
): Journey {
  const status = opts.status ?? 'won';
  return {
    opportunity: {
      id: 'opp-1',
      amountCents: opts.amount ?? 10_000,
      createdAt: day(opts.created ?? 10),
      closedAt: opts.closed === null || status === 'open' ? null : day(opts.closed ?? 20),
      status,
    },
    leadCreatedAt: opts.lead === null ? null : day(opts.lead ?? 5),
    touches,
  };
}

export { prng } from '../../helpers/prng.ts';
