import type { ColumnType } from 'kysely';

/** Row types of the privacy tables (migration 2026-12-04-20-privacy), merged into Database. */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
type Defaulted<T> = ColumnType<T, T | undefined, T>;

export interface PrivacySaltTable {
  workspace_id: string;
  salt: Defaulted<string>;
}

export interface PrivacySuppressionTable {
  workspace_id: string;
  kind: string;
  hash: string;
  created_at: Defaulted<Date>;
}

export interface ConsentEventTable {
  workspace_id: string;
  id: string;
  contact_id: string;
  purpose: string;
  status: string;
  source: string;
  basis: string;
  at: Timestamp;
  recorded_at: Defaulted<Date>;
}

/** Migration 2026-12-05-10-consent-confirmation: a double opt-in confirmation asked of a person. */
export interface ConsentRequestTable {
  workspace_id: string;
  id: string;
  contact_id: string;
  purpose: Defaulted<string>;
  source: string;
  requested_at: Timestamp;
  expires_at: Timestamp;
  sent_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  send_error: ColumnType<string | null, string | null | undefined, string | null>;
  confirmed_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

declare module './schema.ts' {
  interface Database {
    privacy_salt: PrivacySaltTable;
    privacy_suppression: PrivacySuppressionTable;
    consent_event: ConsentEventTable;
    consent_request: ConsentRequestTable;
  }
}
