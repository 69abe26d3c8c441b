import { sql, type Kysely } from 'kysely';

/**
 * Frozen. Governance of the agreement:
 * - `revision` counts a draft's saved documents, and `backtest_revision` says which revision the kept
 *   backtest replayed: proposing needs a backtest of exactly the revision proposed.
 * - `owner_side` is the side (marketing or sales) whose draft it is; a refused proposal returns to it.
 * - Retiring the active version is a change of what is active: it is requested (`retire_requested_*`)
 *   and signed by both sides, in its own sign-off round (`definition_approval.purpose = 'retire'`).
 * - definition_event gains the retirement and emergency-stop kinds.
 * Existing approvals keep sales_manager/sales as the sales side (the side is derived when read).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
ALTER TABLE lead_definition
  ADD COLUMN revision integer NOT NULL DEFAULT 1,
  ADD COLUMN backtest_revision integer,
  ADD COLUMN owner_side text CHECK (owner_side IN ('marketing','sales')),
  ADD COLUMN retire_requested_at timestamptz,
  ADD COLUMN retire_requested_by uuid,
  ADD COLUMN retire_reason text;
UPDATE lead_definition SET backtest_revision = 1 WHERE backtest IS NOT NULL;

ALTER TABLE definition_approval ADD COLUMN purpose text NOT NULL DEFAULT 'adopt' CHECK (purpose IN ('adopt','retire'));
ALTER TABLE definition_approval DROP CONSTRAINT definition_approval_pkey;
ALTER TABLE definition_approval ADD PRIMARY KEY (workspace_id, definition_id, purpose, user_id);

ALTER TABLE definition_event DROP CONSTRAINT definition_event_kind_check;
ALTER TABLE definition_event ADD CONSTRAINT definition_event_kind_check CHECK (kind IN (
  'created','edited','proposed','withdrawn','approved','refused','activated','retired','backtested',
  'retirement_requested','retirement_approved','retirement_refused','retirement_withdrawn','emergency_stopped'));
`.execute(db);
}
