import { z } from 'zod';
import { isoDateTime, pageQuery } from './common.contract.ts';

/** CRM connectors (Settings › Integrations): connect, mapping versions, sync runs and the per-record sync log. */
export const crmProvider = z.enum(['salesforce', 'hubspot']);
export const providerParams = z.strictObject({ provider: crmProvider });

const pem = z.string().min(64).max(16_000).refine((s) => s.includes('PRIVATE KEY-----'), { message: 'must be a PEM private key (-----BEGIN PRIVATE KEY----- …)' });

export const salesforceConnectInput = z.strictObject({
  login_url: z.url().max(500).describe('https://login.salesforce.com, https://test.salesforce.com (sandbox) or your My Domain URL.'),
  client_id: z.string().min(1).max(500).describe("The connected app's consumer key."),
  username: z.string().min(1).max(320).describe('The integration user the connected app is pre-authorized for.'),
  private_key: pem.describe('PEM private key whose certificate is uploaded to the connected app (JWT bearer flow). Stored encrypted; never returned.'),
  push_since: isoDateTime.optional().describe('Push leads that became MQLs from this time on (default: now).'),
});

export const salesforceAuthorizeInput = z.strictObject({
  login_url: z.url().max(500).describe('https://login.salesforce.com, https://test.salesforce.com (sandbox) or your My Domain URL.'),
  client_id: z.string().min(1).max(500).describe("The connected app's consumer key."),
  client_secret: z.string().min(1).max(500).describe("The connected app's consumer secret. Stored encrypted; never returned."),
  push_since: isoDateTime.optional().describe('Push leads that became MQLs from this time on (default: when the connection completes).'),
});
export const salesforceAuthorizeDto = z.object({
  authorize_url: z.string().describe("Salesforce's sign-in and consent page: send the browser there. It comes back to Settings › Integrations with `code` and `state`."),
  redirect_uri: z.string().describe('The callback URL to register on the connected app (exact match).'),
  expires_at: z.string(),
});
export const salesforceCallbackInput = z.strictObject({
  state: z.string().min(1).max(200).describe('The `state` Salesforce sent back.'),
  code: z.string().min(1).max(2000).optional().describe('The authorization code Salesforce sent back.'),
  error: z.string().min(1).max(200).optional().describe('Sent back instead of a code when access was not granted (e.g. access_denied).'),
  error_description: z.string().max(1000).optional(),
});

export const hubspotConnectInput = z.strictObject({
  access_token: z.string().min(10).max(500).describe('Private app access token. Stored encrypted; never returned.'),
  base_path: z.url().max(500).optional().describe('API base URL (default https://api.hubapi.com); for proxies and test servers.'),
  push_since: isoDateTime.optional(),
});

export const connectionDto = z.object({
  id: z.string(), provider: crmProvider, status: z.enum(['active', 'paused']), paused_reason: z.string().nullable(), paused_at: z.string().nullable(),
  account: z.string().nullable().describe('The Salesforce username or HubSpot portal id the connector acts as.'),
  settings: z.record(z.string(), z.unknown()), mapping: z.record(z.string(), z.unknown()), mapping_version: z.number(),
  cursors: z.record(z.string(), z.string()), push_since: z.string(), last_sync_at: z.string().nullable(),
  api_usage: z.record(z.string(), z.unknown()).nullable(), created_at: z.string(), updated_at: z.string(),
}).meta({ id: 'CrmConnection' });

export const mappingInput = z.strictObject({ mapping: z.record(z.string(), z.unknown()).describe('The whole mapping (see GET …/mapping/versions for the current one); saved as a new version.') });
export const mappingVersionDto = z.object({ version: z.number(), mapping: z.record(z.string(), z.unknown()), created_at: z.string(), actor_type: z.string(), actor_id: z.string().nullable() });

export const syncInput = z.strictObject({
  dry_run: z.boolean().default(false).describe('Show what would change; nothing is written here or in the CRM.'),
  backfill: z.boolean().default(false).describe('Pull every record again from the beginning (idempotent: unchanged records change nothing).'),
});

const counts = z.object({ changed: z.number(), unchanged: z.number(), failed: z.number(), skipped: z.number(), would_change: z.number(), ignored: z.number() });
export const syncLogDto = z.object({
  id: z.string().optional(), run_id: z.string(), direction: z.enum(['push', 'pull']), object_type: z.string(), external_id: z.string().nullable(),
  local_id: z.string().nullable(), action: z.string(), outcome: z.enum(['changed', 'unchanged', 'failed', 'skipped', 'would_change']),
  error: z.string().nullable(), attempt: z.number(), at: z.string(),
}).meta({ id: 'CrmSyncLogEntry' });
export const syncReportDto = z.object({
  run_id: z.string().nullable(), provider: crmProvider, dry_run: z.boolean(), outcome: z.enum(['ok', 'partial', 'failed', 'paused']),
  message: z.string().nullable(), counts, api_usage: z.object({ used: z.number(), limit: z.number() }).nullable(), entries: z.array(syncLogDto),
});
export const syncRunDto = z.object({
  id: z.string(), dry_run: z.boolean(), started_at: z.string(), finished_at: z.string().nullable(), outcome: z.string().nullable(),
  counts: z.record(z.string(), z.number()), error: z.string().nullable(),
});
export const syncLogQuery = z.strictObject({
  ...pageQuery,
  run_id: z.uuid().optional(), outcome: z.enum(['changed', 'unchanged', 'failed', 'skipped', 'would_change']).optional(),
  local_id: z.uuid().optional(), external_id: z.string().max(100).optional(),
});
export const runsQuery = z.strictObject({ ...pageQuery });

export type ConnectionDto = z.infer<typeof connectionDto>;
export type SyncReportDto = z.infer<typeof syncReportDto>;
export type SyncLogDto = z.infer<typeof syncLogDto>;
