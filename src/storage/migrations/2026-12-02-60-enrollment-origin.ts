import { sql, type Kysely } from 'kysely';

/**
 * Frozen. Why a lead entered a nurture track: `live_inquiry` (the inquiry rule opened it from live
 * traffic), `recycle` (sales handed it back), `sweep` (the periodic enroll sweep) or `manual` (API).
 * Older enrollments stay null: their origin was not recorded.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE nurture_enrollment ADD COLUMN origin text`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE nurture_enrollment DROP COLUMN origin`.execute(db);
}
