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

declare module './schema.ts' {
  interface Database {
    period_cost: PeriodCostTable;
  }
}
