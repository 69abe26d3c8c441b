import type { ColumnType } from 'kysely';

/** Lead–deal link log (migration 2026-12-02-71), added to the Database interface by augmentation. */
type Timestamp = ColumnType<Date, Date | string, Date | string>;

export interface OpportunityLeadEventTable {
  workspace_id: string;
  id: string;
  opportunity_id: string;
  lead_id: string;
  action: 'linked' | 'unlinked';
  note: string | null;
  at: Timestamp;
  actor_type: string;
  actor_id: string | null;
}

declare module './schema.ts' {
  interface Database {
    opportunity_lead_event: OpportunityLeadEventTable;
  }
}
