import { Client } from '@hubspot/api-client';
import type { OutboundAllowlist } from '../../../core/webhooks/target.rules.ts';
import { assertTarget, guardedAgent } from '../../outbound/safe-target.ts';
import { CrmApiError } from '../salesforce/salesforce-client.ts';

/**
 * The HubSpot side, through @hubspot/api-client (the vendor's client): a private-app access token,
 * CRM v3 objects, search (incremental by last-modified date), batch create/update, associations v4,
 * pipelines. The client retries 429 answers itself (numberOfApiCallRetries; it waits per HubSpot's
 * policy name); errors are sorted into auth (pause), limit (stop the run) and record (one fails).
 */
export type HubspotCredentials = {
  /** Private app access token (Settings › Integrations › Private apps), scopes crm.objects.contacts.*, crm.objects.deals.read. */
  accessToken: string;
  /** Only for tests and proxies: the API base (default https://api.hubapi.com). */
  basePath?: string | null;
};

export function classifyHubspotError(e: unknown): CrmApiError {
  if (e instanceof CrmApiError) return e;
  const err = e as { code?: number | string; body?: { category?: string; message?: string }; message?: string };
  const status = typeof err.code === 'number' ? err.code : 0;
  const message = err.body?.message ?? err.message ?? String(e);
  const category = err.body?.category ?? (status ? `HTTP_${status}` : String(err.code ?? 'UNKNOWN'));
  if (status === 401 || status === 403 && category === 'INVALID_AUTHENTICATION') return new CrmApiError('auth', category, message);
  if (status === 429) return new CrmApiError('limit', category, message);
  if (status >= 500 || status === 0) return new CrmApiError('unavailable', category, message);
  return new CrmApiError('record', category, message);
}

export const hubspotDefaultBase = 'https://api.hubapi.com';

/**
 * The client, after the outgoing-address check (src/app/outbound/safe-target.ts, the webhooks' rule):
 * the API base is resolved and judged now (throws TargetRefused: loopback, private, link-local and
 * metadata addresses unless LEADLOOP_OUTBOUND_ALLOW names them), and every request's connection judges
 * its own DNS answer again (a name that rebinds inside later is refused before a byte is sent).
 */
export async function hubspotClient(c: HubspotCredentials, allow: OutboundAllowlist | undefined): Promise<Client> {
  const base = c.basePath ?? hubspotDefaultBase;
  await assertTarget(base, allow, 'body.base_path');
  return new Client({ accessToken: c.accessToken, basePath: base, numberOfApiCallRetries: 3, httpAgent: guardedAgent(base, allow) });
}

export type HubspotApi = { client: Client; check: () => Promise<string> };

/** Throws TargetRefused when the API base is not an allowed outgoing address (see hubspotClient). */
export async function connectHubspot(c: HubspotCredentials, allow: OutboundAllowlist | undefined): Promise<HubspotApi> {
  const client = await hubspotClient(c, allow);
  return {
    client,
    async check() {
      try {
        const res = await client.apiRequest({ method: 'GET', path: '/account-info/v3/details' });
        const body = await res.json() as { portalId?: number; category?: string; message?: string };
        if (res.status >= 400) throw classifyHubspotError({ code: res.status, body });
        return String(body.portalId ?? 'unknown');
      } catch (e) {
        throw classifyHubspotError(e);
      }
    },
  };
}
