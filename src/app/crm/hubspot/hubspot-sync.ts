import type { HubspotMapping } from '../../../core/crm/crm-mapping.rules.ts';
import { CrmApiError } from '../salesforce/salesforce-client.ts';
import type { SyncContext } from '../sync-context.ts';
import type { HubspotApi } from './hubspot-client.ts';

export async function syncHubspot(_ctx: SyncContext, _api: HubspotApi, _m: HubspotMapping): Promise<void> {
  throw new CrmApiError('unavailable', 'NOT_BUILT', 'the HubSpot sync is not built yet');
}
