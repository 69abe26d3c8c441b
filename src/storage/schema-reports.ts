import type { ColumnType, Generated } from 'kysely';

/** Tables of the reports feature, added to Database by module augmentation (schema.ts stays shared). */
export interface PeriodCostTable {
  workspace_id: string;
  period_start: ColumnType<string, string, string>;
  category: string;
  amount: ColumnType<string, number | string, number | string>;
  currency: ColumnType<string, string | undefined, string>;
  note: string | null;
  updated_at: Generated<Date>;
}

/** One row per lead with a stage history, kept by triggers on stage_transition (migration 2026-11-22-20-lead-summary). */
export interface LeadStageSummaryTable {
  workspace_id: string;
  lead_id: string;
  reached: number;
  mql_events: number;
  disqualified: boolean;
  nurtured: boolean;
  mql_at: Date | null;
  sal_at: Date | null;
  won_at: Date | null;
  after_sal_at: Date | null;
  /** The lead's opened_at (copied by triggers, migration 2026-12-07-50). */
  opened_at: Date | null;
  stay_stages: string[];
  stay_seconds: number[];
}

declare module './schema.ts' {
  interface Database {
    period_cost: PeriodCostTable;
    lead_stage_summary: LeadStageSummaryTable;
  }
}
