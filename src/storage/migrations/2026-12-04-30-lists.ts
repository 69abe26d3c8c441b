import { sql, type Kysely } from 'kysely';

/**
 * Frozen. What the list screens need to stay fast at 100k rows:
 * - trigram indexes (pg_trgm, a trusted contrib extension) on the text a search box matches, so
 *   `ILIKE '%part%'` on people, accounts and opportunities is an index scan, not a sequential one;
 * - one btree per sort order, ending in `id`, so every page is a keyset probe `(sort, id) < (last)`.
 *   Nullable sort columns are sorted through coalesce() (nulls last) and indexed on that expression.
 * - `saved_view`: filters saved under a name, shared with the creator's team (or everyone).
 * - `user_session.linked_accounts`: the other workspaces' accounts whose password the sign-in proved,
 *   so the workspace switcher can move between them without asking again.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE INDEX contact_search_trgm ON contact USING gin (lower(coalesce(email, '') || ' ' || coalesce(first_name, '') || ' ' || coalesce(last_name, '')) gin_trgm_ops);
CREATE INDEX account_search_trgm ON account USING gin (lower(name || ' ' || coalesce(domain, '')) gin_trgm_ops);
CREATE INDEX opportunity_search_trgm ON opportunity USING gin (lower(name) gin_trgm_ops);

CREATE INDEX contact_list_updated ON contact (workspace_id, updated_at, id);
CREATE INDEX contact_list_touch ON contact (workspace_id, (coalesce(latest_touch_at, '-infinity'::timestamptz)), id);
CREATE INDEX contact_list_name ON contact (workspace_id, (lower(coalesce(last_name, '') || ' ' || coalesce(first_name, ''))), id);
CREATE INDEX lead_list_opened ON lead (workspace_id, opened_at, id);
CREATE INDEX lead_list_updated ON lead (workspace_id, updated_at, id);
CREATE INDEX lead_list_score ON lead (workspace_id, (coalesce(engagement_score, '-Infinity'::numeric)), id);
CREATE INDEX account_list_name ON account (workspace_id, (lower(name)), id);
CREATE INDEX account_list_updated ON account (workspace_id, updated_at, id);
CREATE INDEX opportunity_list_amount ON opportunity (workspace_id, amount, id);
CREATE INDEX opportunity_list_close ON opportunity (workspace_id, (coalesce(close_date, 'infinity'::date)), id);
CREATE INDEX opportunity_list_updated ON opportunity (workspace_id, updated_at, id);
CREATE INDEX opportunity_account ON opportunity (workspace_id, account_id) WHERE account_id IS NOT NULL;
CREATE INDEX lead_account ON lead (workspace_id, account_id) WHERE account_id IS NOT NULL;

CREATE TABLE saved_view (
  workspace_id uuid NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
  id uuid NOT NULL,
  entity text NOT NULL CHECK (entity IN ('people', 'leads', 'accounts', 'opportunities')),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 80),
  team text,
  query text NOT NULL CHECK (length(query) <= 2000),
  created_by uuid NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, created_by) REFERENCES app_user(workspace_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX saved_view_name ON saved_view (workspace_id, entity, coalesce(team, ''), lower(name));

ALTER TABLE user_session ADD COLUMN linked_accounts jsonb NOT NULL DEFAULT '[]';
`.execute(db);
}
