import type { ColumnType, Generated } from 'kysely';

/** Row types as PostgreSQL returns them through `pg` (snake_case). Only src/storage sees these. */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
type Defaulted<T> = ColumnType<T, T | undefined, T>;
type Json = ColumnType<Record<string, unknown>, string | Record<string, unknown> | undefined, string | Record<string, unknown>>;
/** numeric comes back as a string from pg; we convert in the mappers. */
type Numeric = ColumnType<string, number | string, number | string>;

export interface WorkspaceTable {
  id: string;
  name: string;
  is_demo: Defaulted<boolean>;
  settings: Json;
  created_at: Generated<Date>;
}

export interface AppUserTable {
  workspace_id: string;
  id: string;
  email: string;
  name: string;
  role: string;
  password_hash: string | null;
  team: string | null;
  manager_id: string | null;
  out_of_office_until: Timestamp | null;
  created_at: Generated<Date>;
  disabled_at: Timestamp | null;
}

export interface UserSessionTable {
  token_hash: string;
  workspace_id: string;
  user_id: string;
  created_at: Generated<Date>;
  expires_at: Timestamp;
}

export interface ApiKeyTable {
  workspace_id: string;
  id: string;
  name: string;
  prefix: string;
  key_hash: string;
  scopes: string[];
  user_id: string | null;
  created_at: Generated<Date>;
  last_used_at: Timestamp | null;
  revoked_at: Timestamp | null;
}

export interface FieldDefinitionTable {
  workspace_id: string;
  entity: string;
  key: string;
  label: string;
  type: string;
}

export interface AccountTable {
  workspace_id: string;
  id: string;
  name: string;
  domain: string | null;
  industry: string | null;
  employee_count: number | null;
  country: string | null;
  region: string | null;
  annual_revenue: Numeric | null;
  owner_id: string | null;
  external_id: string | null;
  attributes: Json;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface CampaignTable {
  workspace_id: string;
  id: string;
  name: string;
  channel: string;
  utm_source: string | null;
  utm_medium: string | null;
  utm_campaign: string | null;
  starts_on: ColumnType<string | null, string | null | undefined, string | null>;
  ends_on: ColumnType<string | null, string | null | undefined, string | null>;
  budget: Numeric | null;
  attributes: Json;
  created_at: Generated<Date>;
}

export interface CampaignCostTable {
  workspace_id: string;
  campaign_id: string;
  period_start: string;
  amount: Numeric;
  currency: Defaulted<string>;
}

export interface ContentAssetTable {
  workspace_id: string;
  id: string;
  title: string;
  url: string | null;
  urls: Defaulted<string[]>;
  format: Defaulted<string>;
  buying_stage: string | null;
  personas: Defaulted<string[]>;
  topics: Defaulted<string[]>;
  owner_id: string | null;
  published_on: ColumnType<string | null, string | null | undefined, string | null>;
  expires_on: ColumnType<string | null, string | null | undefined, string | null>;
  gated: Defaulted<boolean>;
  attributes: Json;
  created_at: Generated<Date>;
}

export interface ContactTable {
  workspace_id: string;
  id: string;
  email: string | null;
  first_name: string | null;
  last_name: string | null;
  title: string | null;
  seniority: string | null;
  department: string | null;
  phone: string | null;
  country: string | null;
  account_id: string | null;
  owner_id: string | null;
  status: Defaulted<string>;
  merged_into_id: string | null;
  attributes: Json;
  consent: Json;
  erased_at: Timestamp | null;
  unsubscribed_at: Timestamp | null;
  first_touch_at: Timestamp | null;
  first_source: string | null;
  first_medium: string | null;
  first_campaign: string | null;
  latest_touch_at: Timestamp | null;
  latest_source: string | null;
  latest_medium: string | null;
  latest_campaign: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface ContactIdentityTable {
  workspace_id: string;
  kind: string;
  value: string;
  contact_id: string;
  created_at: Generated<Date>;
}

export interface ContactMergeTable {
  workspace_id: string;
  id: string;
  winner_id: string;
  loser_id: string;
  cause: string;
  details: Json;
  at: Generated<Date>;
}

export interface ActivityTable {
  workspace_id: string;
  id: string;
  contact_id: string;
  type: string;
  occurred_at: Timestamp;
  received_at: Generated<Date>;
  source: string | null;
  medium: string | null;
  campaign_id: string | null;
  utm_campaign: string | null;
  content_id: string | null;
  url: string | null;
  referrer: string | null;
  event_name: string | null;
  properties: Json;
  actor_user_id: string | null;
  idempotency_key: string | null;
}

export interface LeadDefinitionTable {
  workspace_id: string;
  id: string;
  version: number;
  name: string;
  status: string;
  document: Json;
  schema_version: Defaulted<number>;
  created_by: string | null;
  created_at: Generated<Date>;
  proposed_at: Timestamp | null;
  approved_at: Timestamp | null;
  activated_at: Timestamp | null;
  retired_at: Timestamp | null;
  backtest: ColumnType<Record<string, unknown> | null, string | null | undefined, string | null>;
  revision: Defaulted<number>;
  backtest_revision: number | null;
  owner_side: string | null;
  retire_requested_at: Timestamp | null;
  retire_requested_by: string | null;
  retire_reason: string | null;
}

export interface DefinitionApprovalTable {
  workspace_id: string;
  definition_id: string;
  user_id: string;
  role: string;
  decision: string;
  comment: string | null;
  at: Generated<Date>;
  purpose: Defaulted<string>;
}

export interface ReasonCodeTable {
  workspace_id: string;
  code: string;
  label: string;
  outcome: string;
}

export interface LeadTable {
  workspace_id: string;
  id: string;
  contact_id: string;
  account_id: string | null;
  stage: string;
  owner_id: string | null;
  opened_at: Timestamp;
  stage_entered_at: Timestamp;
  closed_at: Timestamp | null;
  mql_at: Timestamp | null;
  recycle_count: Defaulted<number>;
  last_reason_code: string | null;
  recheck_at: Timestamp | null;
  source: string | null;
  campaign: string | null;
  first_touch_at: Timestamp | null;
  latest_source: string | null;
  latest_campaign: string | null;
  fit_score: Numeric | null;
  engagement_score: Numeric | null;
  rating: string | null;
  definition_id: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  /** The stage history's summary, copied from lead_stage_summary by its triggers (migration 2026-12-08-20); never written by the app. */
  history_reached: Defaulted<number>;
  history_mql_events: Defaulted<number>;
  history_disqualified: Defaulted<boolean>;
  history_nurtured: Defaulted<boolean>;
  history_mql_at: Defaulted<Date | null>;
  history_sal_at: Defaulted<Date | null>;
  history_won_at: Defaulted<Date | null>;
  history_after_sal_at: Defaulted<Date | null>;
}

export interface StageTransitionTable {
  workspace_id: string;
  id: string;
  lead_id: string;
  from_stage: string | null;
  to_stage: string;
  at: Timestamp;
  actor_type: string;
  actor_id: string | null;
  reason_code: string | null;
  note: string | null;
  definition_id: string | null;
  is_recycle: Defaulted<boolean>;
}

export interface OpportunityTable {
  workspace_id: string;
  id: string;
  name: string;
  account_id: string | null;
  amount: Numeric;
  currency: Defaulted<string>;
  stage: string;
  status: Defaulted<string>;
  close_date: ColumnType<string | null, string | null | undefined, string | null>;
  owner_id: string | null;
  external_id: string | null;
  attributes: Json;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  closed_at: Timestamp | null;
}

export interface OpportunityContactRoleTable {
  workspace_id: string;
  opportunity_id: string;
  contact_id: string;
  role: Defaulted<string>;
  is_primary: Defaulted<boolean>;
}

export interface OpportunityLeadTable {
  workspace_id: string;
  opportunity_id: string;
  lead_id: string;
}

export interface OpportunityStageChangeTable {
  workspace_id: string;
  id: string;
  opportunity_id: string;
  from_stage: string | null;
  to_stage: string;
  from_status: string | null;
  to_status: string;
  amount: Numeric;
  at: Timestamp;
  actor_type: string;
  actor_id: string | null;
}

export interface Database {
  workspace: WorkspaceTable;
  app_user: AppUserTable;
  user_session: UserSessionTable;
  api_key: ApiKeyTable;
  field_definition: FieldDefinitionTable;
  account: AccountTable;
  campaign: CampaignTable;
  campaign_cost: CampaignCostTable;
  content_asset: ContentAssetTable;
  contact: ContactTable;
  contact_identity: ContactIdentityTable;
  contact_merge: ContactMergeTable;
  activity: ActivityTable;
  lead_definition: LeadDefinitionTable;
  definition_approval: DefinitionApprovalTable;
  reason_code: ReasonCodeTable;
  lead: LeadTable;
  stage_transition: StageTransitionTable;
  opportunity: OpportunityTable;
  opportunity_contact_role: OpportunityContactRoleTable;
  opportunity_lead: OpportunityLeadTable;
  opportunity_stage_change: OpportunityStageChangeTable;
}
