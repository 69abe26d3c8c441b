import { sql, type Kysely } from 'kysely';

/**
 * Frozen. Campaign members: the people marketing put in a campaign (an event's invitees, a list
 * bought for a webinar), with a status. A lead counts for a campaign when it came from the campaign
 * (lead.campaign) or its person is a member.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
CREATE TABLE campaign_member (
  workspace_id uuid NOT NULL REFERENCES workspace (id) ON DELETE CASCADE,
  campaign_id uuid NOT NULL,
  contact_id uuid NOT NULL,
  status text NOT NULL DEFAULT 'member' CHECK (status IN ('member', 'invited', 'registered', 'attended', 'responded')),
  added_at timestamptz NOT NULL,
  PRIMARY KEY (workspace_id, campaign_id, contact_id),
  FOREIGN KEY (workspace_id, campaign_id) REFERENCES campaign (workspace_id, id) ON DELETE CASCADE,
  FOREIGN KEY (workspace_id, contact_id) REFERENCES contact (workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX campaign_member_contact ON campaign_member (workspace_id, contact_id);
`.execute(db);
}
