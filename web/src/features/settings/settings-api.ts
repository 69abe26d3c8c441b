// Settings screens' API shapes (from the server's zod contract and the core schemas) and queries.
import { useQuery } from '@tanstack/react-query';
import type { z } from 'zod';
import type { RoutingRule } from '../../../../src/core/routing/routing-rules.schema.ts';
import type { BusinessCalendar } from '../../../../src/core/sla/business-calendar.schema.ts';
import type { SlaPolicy } from '../../../../src/core/sla/sla-policy.schema.ts';
import type {
  repSettingsDto, routingDto, slaPolicyDto, teamDto,
} from '../../../../src/server/contract/handoff.contract.ts';
import type { deliveryDto, webhookDto } from '../../../../src/server/contract/webhooks.contract.ts';
import { get, qs } from '../../api/client.ts';
import { fetchAll } from '../../api/queries.ts';

export type { BusinessCalendar, RoutingRule, SlaPolicy };
export type RoutingConfig = Omit<z.infer<typeof routingDto>, 'rules'> & { rules: RoutingRule[] };
export type RepSettings = z.infer<typeof repSettingsDto>;
export type Team = z.infer<typeof teamDto>;
export type SlaInForce = Omit<z.infer<typeof slaPolicyDto>, 'policy' | 'calendar'> & { policy: SlaPolicy; calendar: BusinessCalendar };
export type Webhook = z.infer<typeof webhookDto>;
export type Delivery = z.infer<typeof deliveryDto>;

export const settingsKeys = {
  routing: ['routing'] as const,
  routingVersions: ['routing', 'versions'] as const,
  repSettings: ['rep-settings'] as const,
  teams: ['teams'] as const,
  sla: (team: string | null) => ['sla-policy', team] as const,
  webhooks: ['webhooks'] as const,
  deliveries: (id: string) => ['webhooks', id, 'deliveries'] as const,
};

export const useRouting = () => useQuery({ queryKey: settingsKeys.routing, queryFn: () => get<RoutingConfig>('/api/v1/routing') });
export const useRoutingVersions = () => useQuery({
  queryKey: settingsKeys.routingVersions, queryFn: () => fetchAll<RoutingConfig>('/api/v1/routing/versions', {}),
});
export const useRepSettings = () => useQuery({
  queryKey: settingsKeys.repSettings, queryFn: () => fetchAll<RepSettings>('/api/v1/rep-settings', {}),
});
export const useTeams = () => useQuery({ queryKey: settingsKeys.teams, queryFn: () => fetchAll<Team>('/api/v1/teams', {}) });
export const useSlaInForce = (team: string | null) => useQuery({
  queryKey: settingsKeys.sla(team), queryFn: () => get<SlaInForce>(`/api/v1/sla-policy${qs({ team })}`),
});
export const useWebhooks = () => useQuery({ queryKey: settingsKeys.webhooks, queryFn: () => fetchAll<Webhook>('/api/v1/webhooks', {}) });
/** Polls while open: deliveries and replays run in the background worker. */
export const useDeliveries = (id: string) => useQuery({
  queryKey: settingsKeys.deliveries(id), refetchInterval: 3000,
  queryFn: async () => (await get<{ data: Delivery[] }>(`/api/v1/webhooks/${id}/deliveries`)).data,
});
