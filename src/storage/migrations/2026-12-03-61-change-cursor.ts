import { sql, type Kysely } from 'kysely';

/**
 * Frozen. A commit-safe change position on the records integrations poll (contact, lead, opportunity,
 * account): `change_xid` is the id of the transaction that last wrote the row (set on insert by the
 * default, on update by a trigger that every writer passes through, bulk loaders included: ENABLE
 * ALWAYS). Lists read changes in (change_xid, id) order and only below the oldest transaction still
 * running, so a change that commits late is never skipped by a poller that already moved on.
 * Rows written before this migration get 0 (they sort first, as the oldest changes).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
CREATE FUNCTION leadloop_stamp_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.change_xid := pg_current_xact_id();
  RETURN NEW;
END $$;
`.execute(db);
  for (const table of ['contact', 'lead', 'opportunity', 'account']) {
    await sql`ALTER TABLE ${sql.table(table)} ADD COLUMN change_xid xid8 NOT NULL DEFAULT '0'::xid8`.execute(db);
    await sql`ALTER TABLE ${sql.table(table)} ALTER COLUMN change_xid SET DEFAULT pg_current_xact_id()`.execute(db);
    await sql`CREATE INDEX ${sql.id(`${table}_changes`)} ON ${sql.table(table)} (workspace_id, change_xid, id)`.execute(db);
    await sql`CREATE TRIGGER ${sql.id(`${table}_stamp_change`)} BEFORE UPDATE ON ${sql.table(table)} FOR EACH ROW EXECUTE FUNCTION leadloop_stamp_change()`.execute(db);
    await sql`ALTER TABLE ${sql.table(table)} ENABLE ALWAYS TRIGGER ${sql.id(`${table}_stamp_change`)}`.execute(db);
  }
}
