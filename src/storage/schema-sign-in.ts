import type { ColumnType, Generated } from 'kysely';

/** Row types of the sign-in tables, merged into Database (schema.ts stays untouched by features). */
type Timestamp = ColumnType<Date, Date | string, Date | string>;

export interface LoginThrottleTable {
  key: string; failures: number; window_started_at: Timestamp; lockouts: number;
  locked_until: Timestamp | null; last_failure_at: Timestamp | null;
}
export interface UserTokenTable {
  workspace_id: string; id: string; user_id: string; kind: 'reset' | 'invite'; token_hash: string;
  created_at: Timestamp; expires_at: Timestamp; used_at: Timestamp | null; created_by: string | null;
}

declare module './schema.ts' {
  interface AppUserTable {
    password_is_demo: Generated<boolean>;
    password_changed_at: Timestamp | null;
  }
  interface Database {
    login_throttle: LoginThrottleTable;
    user_token: UserTokenTable;
  }
}
