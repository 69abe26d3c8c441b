import { z } from 'zod';
import { periodCostSchema } from '../../app/costs.ts';
import { reportNames } from '../../app/reports/report.types.ts';
import { pageOf, pageParams } from './common.contract.ts';

export const reportParams = z.strictObject({ name: z.enum(reportNames) });

export const costsQuery = z.strictObject({
  ...pageParams({ keyed: ['date', 'text'] }),
  from: z.string().regex(/^\d{4}-\d{2}/, "a month 'YYYY-MM'").optional().describe('First month (YYYY-MM), inclusive.'),
  to: z.string().regex(/^\d{4}-\d{2}/, "a month 'YYYY-MM'").optional().describe('Last month (YYYY-MM), inclusive.'),
});
export const costsInput = z.strictObject({ costs: z.array(periodCostSchema).min(1).max(5000) });
export const costDto = z.object({ period_start: z.string(), category: z.string(), amount: z.number(), currency: z.string(), note: z.string().nullable() }).meta({ id: 'PeriodCost' });
export const costsDto = z.object({ data: z.array(costDto) });
export const costsPageDto = pageOf(costDto);

export const attributionSettingsInput = z.strictObject({
  target: z.number().min(0).max(1).optional().describe("Marketing's agreed share of revenue (0–1)."),
  lookback_days: z.number().int().min(0).max(3650).optional(),
  half_life_days: z.number().positive().max(3650).optional(),
  marketing_channels: z.array(z.string().trim().min(1).max(100)).max(200).optional(),
});
export const attributionSettingsDto = z.object({
  target: z.number(), lookback_days: z.number(), half_life_days: z.number(), marketing_channels: z.array(z.string()),
}).meta({ id: 'AttributionSettings' });

/** The common part of every report (report-specific sections come on top; see the report's notes). */
export const reportDto = z.looseObject({
  report: z.string(),
  period: z.object({ from: z.string(), to: z.string(), to_inclusive: z.string() }),
  filters: z.object({ by: z.string(), model: z.string() }),
  definition_versions: z.array(z.object({ id: z.string(), version: z.number(), name: z.string(), status: z.string() })),
  generated_at: z.string(), notes: z.array(z.string()), definitions: z.record(z.string(), z.string()),
  columns: z.array(z.string()), rows: z.array(z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]))),
}).meta({ id: 'Report' });
