import { sql, type Kysely } from 'kysely';

/**
 * Frozen. A rep's follow-up tasks ("call back Tuesday"), on a lead or a contact, with a due time.
 * The inbox lists a user's open tasks by due time, hence the partial index on open ones.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
CREATE TABLE sales_task (
  workspace_id uuid NOT NULL REFERENCES workspace (id) ON DELETE CASCADE,
  id uuid NOT NULL,
  contact_id uuid NOT NULL,
  lead_id uuid,
  owner_id uuid NOT NULL,
  title text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
  due_at timestamptz NOT NULL,
  done_at timestamptz,
  created_by uuid,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, contact_id) REFERENCES contact (workspace_id, id) ON DELETE CASCADE,
  FOREIGN KEY (workspace_id, lead_id) REFERENCES lead (workspace_id, id) ON DELETE CASCADE,
  FOREIGN KEY (workspace_id, owner_id) REFERENCES app_user (workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX sales_task_open_by_owner ON sales_task (workspace_id, owner_id, due_at) WHERE done_at IS NULL;
CREATE INDEX sales_task_by_contact ON sales_task (workspace_id, contact_id);
`.execute(db);
}
