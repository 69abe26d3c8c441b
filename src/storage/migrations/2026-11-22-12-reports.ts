import { sql, type Kysely } from 'kysely';

/**
 * Frozen. Closed-loop reports: the period cost table (sales and marketing costs that belong to no
 * campaign: salaries, tools, agencies) and the indexes the set-based report queries need.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
CREATE TABLE period_cost (
  workspace_id uuid NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
  period_start date NOT NULL CHECK (extract(day FROM period_start) = 1),
  category text NOT NULL CHECK (category IN ('marketing','sales')),
  amount numeric(18,2) NOT NULL CHECK (amount >= 0),
  currency text NOT NULL DEFAULT 'USD',
  note text,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, period_start, category)
);

-- Cohorts: leads by the moment they entered the funnel.
CREATE INDEX lead_opened ON lead (workspace_id, opened_at);
-- "Which definition versions are in scope": few definitions, looked up by existence.
CREATE INDEX lead_definition_used ON lead (workspace_id, definition_id, opened_at) WHERE definition_id IS NOT NULL;
CREATE INDEX stage_transition_definition_used ON stage_transition (workspace_id, definition_id, at) WHERE definition_id IS NOT NULL;
-- Attribution scopes: pipeline created in a period, revenue closed in a period.
CREATE INDEX opportunity_created ON opportunity (workspace_id, created_at);
CREATE INDEX opportunity_closed ON opportunity (workspace_id, status, closed_at);
`.execute(db);
}
