/**
 * The lifecycle events a webhook endpoint can subscribe to. Names are `<object>.<what happened>`,
 * stable once published (receivers switch on them). Payloads are thin: ids and the facts of the
 * change, never a copy of the person, so an erased contact leaves nothing behind in queued events;
 * receivers read the record through the API when they need more. (`contact.updated` follows changes
 * made through the contacts API; trait changes from ingestion show in the contacts change feed,
 * `GET /api/v1/contacts?updated_since=`.)
 */
export const webhookEventTypes = {
  'contact.created': 'A person was created (first seen with an identity, added by hand or imported).',
  'contact.updated': "A person's traits changed through the API (which fields: name, title, consent, account, attributes).",
  'contact.merged': 'Two records were found to be one person; the loser now points at the winner.',
  'contact.erased': "A person's personal data was erased on request.",
  'lead.opened': 'A new buying cycle opened (a lead at inquiry).',
  'lead.stage_changed': 'A lead moved through the lifecycle (every transition: from, to, who, why).',
  'lead.assigned': "A lead's owner changed (routing, reassignment, escalation, hand-back).",
  'lead.mql': 'A lead became marketing-qualified (sales-ready under the active definition).',
  'opportunity.won': 'A deal was won.',
  'opportunity.lost': 'A deal was lost.',
  'alert.created': 'A rep alert (new sales-ready lead, SLA reminder or breach, high intent). Slack endpoints get only these.',
} as const;

export type WebhookEventType = keyof typeof webhookEventTypes;
export const webhookEventTypeNames = Object.keys(webhookEventTypes) as [WebhookEventType, ...WebhookEventType[]];

export function isWebhookEventType(name: string): name is WebhookEventType {
  return Object.hasOwn(webhookEventTypes, name);
}

/**
 * The JSON body of one lifecycle event, as Standard Webhooks recommends (`type`, `timestamp`, `data`).
 * `timestamp` is when the fact happened (business time), not when this attempt was sent (that is the
 * signed `webhook-timestamp` header).
 */
export type WebhookEventBody = { type: WebhookEventType; timestamp: string; data: Record<string, unknown> };

/** Endpoint kinds: Slack incoming webhooks take alert messages only; JSON endpoints take any event type. */
export function subscribableBy(kind: 'slack' | 'json'): readonly WebhookEventType[] {
  return kind === 'slack' ? ['alert.created'] : webhookEventTypeNames;
}
