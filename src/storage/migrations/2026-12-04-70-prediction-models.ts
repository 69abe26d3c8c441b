import { sql, type Kysely } from 'kysely';

/**
 * Frozen. Trained conversion models (versioned per workspace, with their training report) and the latest
 * prediction per contact and model, with its explanation. Predictions are a cache: recomputed from the model and
 * the person's data, so they go with the contact (and the model).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
CREATE TABLE prediction_model (
  workspace_id uuid NOT NULL REFERENCES workspace (id) ON DELETE CASCADE,
  id uuid NOT NULL,
  version int NOT NULL,
  target_stage text NOT NULL CHECK (target_stage IN ('sql', 'opportunity', 'won')),
  horizon_days int NOT NULL CHECK (horizon_days BETWEEN 1 AND 3650),
  model jsonb NOT NULL,
  report jsonb NOT NULL,
  created_by uuid,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (workspace_id, id),
  UNIQUE (workspace_id, version)
);
CREATE TABLE contact_prediction (
  workspace_id uuid NOT NULL,
  contact_id uuid NOT NULL,
  model_id uuid NOT NULL,
  lead_id uuid,
  probability double precision NOT NULL CHECK (probability >= 0 AND probability <= 1),
  explanation jsonb NOT NULL,
  computed_at timestamptz NOT NULL,
  PRIMARY KEY (workspace_id, contact_id, model_id),
  FOREIGN KEY (workspace_id, contact_id) REFERENCES contact (workspace_id, id) ON DELETE CASCADE,
  FOREIGN KEY (workspace_id, model_id) REFERENCES prediction_model (workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX contact_prediction_by_model ON contact_prediction (workspace_id, model_id, probability DESC);
`.execute(db);
}
