import type { ColumnType } from 'kysely';

/** Row types of the prediction tables (migration 2026-12-04-70-prediction-models), merged into Database. */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
type JsonValue = ColumnType<unknown, string, string>;

export interface PredictionModelTable {
  workspace_id: string;
  id: string;
  version: number;
  target_stage: string;
  horizon_days: number;
  model: JsonValue;
  report: JsonValue;
  created_by: string | null;
  created_at: Timestamp;
}

export interface ContactPredictionTable {
  workspace_id: string;
  contact_id: string;
  model_id: string;
  lead_id: string | null;
  probability: number;
  explanation: JsonValue;
  computed_at: Timestamp;
}

declare module './schema.ts' {
  interface Database {
    prediction_model: PredictionModelTable;
    contact_prediction: ContactPredictionTable;
  }
}
