import type { ColumnType, Generated } from 'kysely';

/** Row types of the list screens' tables (migration 2026-12-04-30-lists), merged into Database. */
type JsonArray = ColumnType<unknown[], string | undefined, string>;

export interface SavedViewTable {
  workspace_id: string; id: string; entity: string; name: string; team: string | null; query: string;
  created_by: string; created_at: Generated<Date>;
}

declare module './schema.ts' {
  interface UserSessionTable {
    linked_accounts: JsonArray;
  }
  interface Database {
    saved_view: SavedViewTable;
  }
}
