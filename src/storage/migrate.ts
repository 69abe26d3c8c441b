import { Migrator, type Kysely } from 'kysely';
import { migrations } from './migrations/migrations.ts';

export type MigrationOutcome = { applied: string[] };

/** Applies pending migrations; throws with the failing migration's name when one fails. */
export async function migrateToLatest(db: Kysely<any>): Promise<MigrationOutcome> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    migrationTableName: 'leadloop_migration',
    migrationLockTableName: 'leadloop_migration_lock',
    // Features land in parallel; each migration is independent of its siblings' order.
    allowUnorderedMigrations: true,
  });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    const name = failed?.migrationName ?? 'unknown';
    throw new Error(`Migration ${name} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  return { applied: (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName) };
}
