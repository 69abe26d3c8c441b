import { sql, type Kysely } from 'kysely';

/**
 * Frozen. The audit log: who (a user, an API key, or the system) changed which governed object, when,
 * from what to what, and why. Append-only by the database itself: a trigger refuses every UPDATE,
 * DELETE and TRUNCATE, whoever asks (ENABLE ALWAYS, so loaders running with
 * session_replication_role = replica cannot skip it either). No foreign keys: the log outlives the
 * users, keys and objects it names, and a row must never stop anything else from being deleted.
 * Ids are UUIDv7 minted from `at`, so "order by id" is time order and the cursor is `id < cursor`.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
CREATE TABLE audit_log (
  workspace_id uuid NOT NULL,
  id uuid NOT NULL,
  at timestamptz NOT NULL,
  actor_kind text NOT NULL CHECK (actor_kind IN ('user','api_key','system')),
  actor_id uuid,
  actor_key_id uuid,
  actor_label text NOT NULL,
  action text NOT NULL CHECK (action ~ '^[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)+$'),
  object_type text NOT NULL,
  object_id text,
  before jsonb,
  after jsonb,
  reason text,
  request_id text,
  ip text,
  PRIMARY KEY (workspace_id, id)
);
CREATE INDEX audit_log_object ON audit_log (workspace_id, object_type, object_id, id);
CREATE INDEX audit_log_actor ON audit_log (workspace_id, actor_id, id);
CREATE INDEX audit_log_action ON audit_log (workspace_id, action, id);
CREATE INDEX audit_log_at ON audit_log (workspace_id, at);

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP
    USING ERRCODE = 'insufficient_privilege', HINT = 'Audit rows are never changed or removed; record a new entry instead.';
END
$$;
CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
ALTER TABLE audit_log ENABLE ALWAYS TRIGGER audit_log_no_update_delete;
ALTER TABLE audit_log ENABLE ALWAYS TRIGGER audit_log_no_truncate;
`.execute(db);
}
