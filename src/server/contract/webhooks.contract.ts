import { z } from 'zod';
import { webhookEventTypeNames, webhookEventTypes } from '../../core/webhooks/event-types.ts';
import type { Webhook, WebhookDelivery } from '../../storage/webhooks.repo.ts';

const eventTypes = z.array(z.enum(webhookEventTypeNames)).min(1).max(webhookEventTypeNames.length)
  .describe(`Event types to receive: ${webhookEventTypeNames.join(', ')}. Slack endpoints take alert.created only.`);
const url = z.string().min(1).max(2000)
  .describe('Where deliveries go (http or https). It is resolved when saved and again at every delivery: loopback, private, link-local and metadata addresses are refused unless the operator allows them (LEADLOOP_OUTBOUND_ALLOW).');

export const webhookInput = z.strictObject({
  name: z.string().min(1).max(200), kind: z.enum(['slack', 'json']), url,
  event_types: eventTypes.optional().describe('Default: ["alert.created"] (rep alerts only).'),
});
export const webhookPatch = z.strictObject({
  name: z.string().min(1).max(200).optional(), url: url.optional(), active: z.boolean().optional(), event_types: eventTypes.optional(),
});
export const rotateSecretInput = z.strictObject({
  overlap_hours: z.number().int().min(0).max(168).optional()
    .describe('How long the old secret keeps signing beside the new one (both in webhook-signature). Default 24; 0 drops it now (a leaked secret).'),
  reason: z.string().max(500).optional().describe('Why (kept in the audit log), e.g. "scheduled rotation" or "secret leaked in a ticket".'),
});

export const webhookDto = z.object({
  id: z.string(), name: z.string(), kind: z.string(), url: z.string(), active: z.boolean(), created_at: z.string(),
  event_types: z.array(z.string()),
  secret: z.string().optional().describe('Signing secret (whsec_…), shown only when the webhook is created or its secret rotated.'),
  signature_scheme: z.literal('standard-webhooks-v1').describe('Deliveries carry webhook-id, webhook-timestamp and webhook-signature (https://www.standardwebhooks.com).'),
  previous_secret_expires_at: z.string().nullable().describe('While set and in the future, deliveries are signed with the old secret too.'),
  secret_rotated_at: z.string().nullable(),
}).meta({ id: 'Webhook' });

const iso = (d: Date | null) => (d ? d.toISOString() : null);
export const toWebhookDto = (w: Webhook, withSecret = false, now?: Date): z.infer<typeof webhookDto> => ({
  id: w.id, name: w.name, kind: w.kind, url: w.url, active: w.active, created_at: w.createdAt.toISOString(), event_types: w.eventTypes,
  ...(withSecret ? { secret: w.secret } : {}), signature_scheme: 'standard-webhooks-v1',
  previous_secret_expires_at: w.previousSecret && (!now || (w.previousSecretExpiresAt?.getTime() ?? 0) > now.getTime()) ? iso(w.previousSecretExpiresAt) : null,
  secret_rotated_at: iso(w.secretRotatedAt),
});

export const deliveryDto = z.object({
  id: z.string(), webhook_id: z.string(),
  alert_id: z.string().nullable().describe('Set for alert deliveries.'),
  event_id: z.string().nullable().describe('Set for lifecycle events: the webhook-id header of every attempt and replay.'),
  attempt: z.number(), status: z.string(), response_code: z.number().nullable(),
  duration_ms: z.number(), error: z.string().nullable(), at: z.string(),
  response_snippet: z.string().nullable().describe("The start of the receiver's answer (at most 500 characters; untrusted text)."),
});
export const toDeliveryDto = (d: WebhookDelivery): z.infer<typeof deliveryDto> => ({
  id: d.id, webhook_id: d.webhookId, alert_id: d.alertId, event_id: d.eventId, attempt: d.attempt, status: d.status, response_code: d.responseCode,
  duration_ms: d.durationMs, error: d.error, at: d.at.toISOString(), response_snippet: d.responseSnippet,
});

export const eventTypeDto = z.object({ type: z.string(), description: z.string() });
export const eventTypeList = Object.entries(webhookEventTypes).map(([type, description]) => ({ type, description }));
