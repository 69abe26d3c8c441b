import type { ColumnType, Generated } from 'kysely';

/** Row types of the content-rating, editorial-calendar and nurture tables (snake_case, storage only). */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
type Json<T> = ColumnType<T, string | undefined, string>;
type DateText = ColumnType<string, string, string>;

export interface ContentRatingTable {
  workspace_id: string;
  id: string;
  asset_id: string;
  rating: number;
  scale: string;
  comment: string | null;
  source: string;
  contact_id: string | null;
  user_id: string | null;
  at: Timestamp;
}

export interface ContentPlanTable {
  workspace_id: string;
  id: string;
  title: string;
  planned_on: DateText;
  owner_id: string | null;
  target_stage: string | null;
  target_persona: string | null;
  target_topic: string | null;
  status: ColumnType<string, string | undefined, string>;
  notes: string | null;
  created_at: Generated<Date>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface NurtureTrackTable {
  workspace_id: string;
  id: string;
  name: string;
  priority: ColumnType<number, number | undefined, number>;
  entry: Json<unknown>;
  steps: Json<unknown>;
  cadence: Json<unknown>;
  exit: Json<unknown>;
  active: ColumnType<boolean, boolean | undefined, boolean>;
  schema_version: ColumnType<number, number | undefined, number>;
  created_at: Generated<Date>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface NurtureEnrollmentTable {
  workspace_id: string;
  id: string;
  track_id: string;
  lead_id: string;
  contact_id: string;
  current_step: ColumnType<number, number | undefined, number>;
  status: string;
  next_run_at: Timestamp | null;
  entered_at: Timestamp;
  paused_at: Timestamp | null;
  exited_at: Timestamp | null;
  exit_reason: string | null;
  /** live_inquiry | recycle | sweep | manual | consent; null on enrollments made before it was recorded. */
  origin: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface NurtureSendTable {
  workspace_id: string;
  id: string;
  enrollment_id: string;
  track_id: string;
  contact_id: string;
  step_index: number;
  asset_id: string | null;
  status: string;
  reason: string | null;
  message_id: string | null;
  at: Timestamp;
  opened_at: Timestamp | null;
  clicked_at: Timestamp | null;
  unsubscribed_at: Timestamp | null;
}

declare module './schema.ts' {
  interface Database {
    content_rating: ContentRatingTable;
    content_plan: ContentPlanTable;
    nurture_track: NurtureTrackTable;
    nurture_enrollment: NurtureEnrollmentTable;
    nurture_send: NurtureSendTable;
  }
}
