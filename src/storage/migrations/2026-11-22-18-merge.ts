import { sql, type Kysely } from 'kysely';

/**
 * Frozen. Contact merges rebuild the winner's score from its whole (merged) history and record
 * that as a score event of its own cause, 'merge'. The new CHECK only widens the old one, so it is
 * added NOT VALID and left so: every existing row already passed the narrower check, and validating
 * would scan the whole score history under the exclusive lock (migrations run in one transaction).
 * New rows are checked as usual.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
ALTER TABLE score_event DROP CONSTRAINT score_event_cause_check;
ALTER TABLE score_event ADD CONSTRAINT score_event_cause_check
  CHECK (cause IN ('activity','attributes','decay','recompute','merge')) NOT VALID;
`.execute(db);
}
