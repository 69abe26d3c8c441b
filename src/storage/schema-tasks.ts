import type { ColumnType } from 'kysely';

/** Row type of sales follow-up tasks (migration 2026-12-04-40-sales-tasks), merged into Database. */
type Timestamp = ColumnType<Date, Date | string, Date | string>;

export interface SalesTaskTable {
  workspace_id: string;
  id: string;
  contact_id: string;
  lead_id: string | null;
  owner_id: string;
  title: string;
  due_at: Timestamp;
  done_at: ColumnType<Date | null, Date | string | null, Date | string | null>;
  created_by: string | null;
  created_at: Timestamp;
}

declare module './schema.ts' {
  interface Database {
    sales_task: SalesTaskTable;
  }
}

/** Campaign members (migration 2026-12-04-41-campaign-members). */
export interface CampaignMemberTable {
  workspace_id: string;
  campaign_id: string;
  contact_id: string;
  status: ColumnType<string, string | undefined, string>;
  added_at: Timestamp;
}

declare module './schema.ts' {
  interface Database {
    campaign_member: CampaignMemberTable;
  }
}
