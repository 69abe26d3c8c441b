import { z } from 'zod';

const names = z.array(z.string().min(1)).min(1);

/** All given conditions must hold; within a list any value matches (case-insensitive). */
export const territoryConditionSchema = z
  .object({
    countries: names.optional(),
    regions: names.optional(),
    industries: names.optional(),
    /** Inclusive band of the account's employee count. */
    employeeCount: z
      .object({ min: z.number().int().min(0).optional(), max: z.number().int().min(0).optional() })
      .refine((b) => b.min !== undefined || b.max !== undefined, 'give min, max or both')
      .refine((b) => b.min === undefined || b.max === undefined || b.min <= b.max, 'min must not exceed max')
      .optional(),
    /** Matches when the lead is interested in any of these products. */
    productInterests: names.optional(),
  })
  .refine((c) => Object.values(c).some((v) => v !== undefined), 'a territory needs at least one condition');
export type TerritoryCondition = z.infer<typeof territoryConditionSchema>;

export const routingRuleSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('account_owner'),
    /** Account continuity usually beats load balancing, so capacity is ignored unless asked. */
    respectCapacity: z.boolean().default(false),
  }),
  z.object({
    kind: z.literal('territory'),
    name: z.string().min(1),
    when: territoryConditionSchema,
    assign: z.union([z.object({ team: z.string().min(1) }).strict(), z.object({ rep: z.string().min(1) }).strict()]),
  }),
  z.object({ kind: z.literal('round_robin'), team: z.string().min(1) }),
  z.object({ kind: z.literal('fallback_queue'), queue: z.string().min(1).default('unassigned') }),
]);
export type RoutingRule = z.infer<typeof routingRuleSchema>;

/**
 * Ordered routing rules; the first rule that yields an available owner wins. A rule set is
 * versioned like a lead definition, and ends with a fallback queue so every lead gets an answer.
 * @example { version: 3, rules: [{ kind: 'account_owner' }, { kind: 'territory', name: 'DACH', when: { countries: ['DE', 'AT', 'CH'] },
 *   assign: { team: 'DACH' } }, { kind: 'round_robin', team: 'EMEA' }, { kind: 'fallback_queue', queue: 'unassigned' }] }
 */
export const routingRuleSetSchema = z
  .object({
    version: z.number().int().positive(),
    rules: z.array(routingRuleSchema).min(1),
  })
  .refine((s) => s.rules.at(-1)?.kind === 'fallback_queue', { path: ['rules'], message: 'the last rule must be a fallback_queue' })
  .refine((s) => s.rules.filter((r) => r.kind === 'fallback_queue').length === 1, {
    path: ['rules'], message: 'exactly one fallback_queue (rules after it could never apply)',
  });
export type RoutingRuleSet = z.infer<typeof routingRuleSetSchema>;
