import type { ColumnType } from 'kysely';

/** Row types of the definitions/scoring tables (migration 2026-11-22-13-definitions), merged into Database. */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
type Json = ColumnType<Record<string, unknown>, string | Record<string, unknown> | undefined, string | Record<string, unknown>>;

export interface ContactScoreTable {
  workspace_id: string;
  contact_id: string;
  definition_id: string;
  fit_points: number;
  fit_grade: string;
  fit: Json;
  engagement_state: Json;
  engagement_points: number;
  level: number;
  rating: string;
  cell: string;
  qualifies: boolean;
  explanation: string;
  updated_at: Timestamp;
}

export interface ScoreEventTable {
  workspace_id: string;
  id: string;
  contact_id: string;
  definition_id: string;
  at: Timestamp;
  fit: number;
  engagement: number;
  rating: string;
  cell: string;
  cause: string;
  activity_id: string | null;
  delta: number;
  explanation: string;
}

export interface HighIntentSignalTable {
  workspace_id: string;
  id: string;
  contact_id: string;
  lead_id: string | null;
  activity_id: string;
  definition_id: string;
  via: string;
  detail: string;
  at: Timestamp;
}

export interface DefinitionEventTable {
  workspace_id: string;
  id: string;
  definition_id: string;
  at: Timestamp;
  kind: string;
  user_id: string | null;
  role: string | null;
  comment: string | null;
}

declare module './schema.ts' {
  interface Database {
    contact_score: ContactScoreTable;
    score_event: ScoreEventTable;
    high_intent_signal: HighIntentSignalTable;
    definition_event: DefinitionEventTable;
  }
}
