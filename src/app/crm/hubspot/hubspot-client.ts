import { Client } from '@hubspot/api-client';
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

export function hubspotClient(c: HubspotCredentials): Client {
  return new Client({ accessToken: c.accessToken, ...(c.basePath ? { basePath: c.basePath } : {}), numberOfApiCallRetries: 3 });
}

export type HubspotApi = { client: Client; check: () => Promise<string> };

export function connectHubspot(c: HubspotCredentials): HubspotApi {
  const client = hubspotClient(c);
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
