import { createHmac } from 'node:crypto';
import { z } from 'zod';
import { mayContact } from '../../core/consent.rules.ts';
import { slackAlertMessage } from '../../core/slack-text.rules.ts';
import { getContact } from '../../storage/contacts.repo.ts';
import { getLead } from '../../storage/leads.repo.ts';
import { getAlert, markAlertDelivered, setAlertEmailStatus, type Alert } from '../../storage/alerts.repo.ts';
import { getUser } from '../../storage/users.repo.ts';
import { getWebhook, insertWebhookDelivery, type Webhook } from '../../storage/webhooks.repo.ts';
import { describeFailure, postToTarget } from '../outbound/safe-target.ts';
import { signingSecrets, standardWebhookHeaders } from '../outbound/signing.ts';
import { systemClock } from '../context.ts';
import { withTransaction } from '../transaction.ts';
import { DEFAULT_WEBHOOK_TIMEOUT_MS, type HandoffDeps } from './handoff-deps.ts';

export const deliverAlertPayload = z.discriminatedUnion('channel', [
  z.object({ workspaceId: z.string(), alertId: z.string(), channel: z.literal('webhook'), webhookId: z.string(), replay: z.boolean().optional() }),
  z.object({ workspaceId: z.string(), alertId: z.string(), channel: z.literal('email') }),
]);
export type DeliverAlertPayload = z.infer<typeof deliverAlertPayload>;

/** Thrown to make graphile-worker retry the job with its exponential backoff. */
export class DeliveryFailed extends Error {}

/** `X-Leadloop-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "t.body">` (Stripe's scheme: the timestamp defeats replays). */
export function signatureHeader(secret: string, body: string, at: Date): string {
  const t = Math.floor(at.getTime() / 1000);
  return `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`;
}

function link(deps: HandoffDeps, alert: Alert): string {
  return `${deps.publicUrl.replace(/\/$/, '')}${String(alert.context.path ?? `/leads/${alert.leadId}`)}`;
}

/** Slack incoming-webhook JSON, or the generic signed JSON document. */
export function webhookBody(deps: HandoffDeps, webhook: Pick<Webhook, 'kind'>, alert: Alert): string {
  const url = link(deps, alert);
  if (webhook.kind === 'slack') {
    return JSON.stringify(slackAlertMessage({ title: alert.title, body: alert.body, url }));
  }
  return JSON.stringify({
    type: 'leadloop.alert', schema_version: 1, id: alert.id, kind: alert.kind, lead_id: alert.leadId, user_id: alert.userId,
    title: alert.title, body: alert.body, url, context: alert.context, created_at: alert.createdAt.toISOString(),
  });
}

async function deliverWebhook(deps: HandoffDeps, p: Extract<DeliverAlertPayload, { channel: 'webhook' }>, attempt: number): Promise<void> {
  // The alert and its webhook in parallel: the only round trips before the POST.
  const [alert, webhook] = await Promise.all([getAlert(deps.db, p.workspaceId, p.alertId), getWebhook(deps.db, p.workspaceId, p.webhookId)]);
  if (!alert) return;
  // A webhook switched off or deleted after the alert was queued gets nothing (a replay is explicit).
  if (!webhook || (!webhook.active && !p.replay)) return;
  if (!p.replay && !webhook.eventTypes.includes('alert.created')) return;
  const body = webhookBody(deps, webhook, alert);
  const started = performance.now();
  let responseCode: number | null = null;
  let error: string | null = null;
  let responseSnippet: string | null = null;
  const timeoutMs = deps.webhookTimeoutMs ?? DEFAULT_WEBHOOK_TIMEOUT_MS;
  try {
    // Redirects are not followed (the configured address is the only one that gets the signed alert),
    // and the address is judged again as the socket connects (internal targets refused).
    const outcome = await postToTarget(webhook.url, {
      body, timeoutMs, allow: deps.outbound,
      headers: {
        'content-type': 'application/json', 'user-agent': 'Leadloop-Webhook/1', 'x-leadloop-alert-id': alert.id,
        ...(webhook.kind === 'json' ? {
          // Standard Webhooks (webhook-id = the alert's id), and the older Stripe-style header for receivers built on it.
          ...standardWebhookHeaders(signingSecrets(webhook, deps.clock.now()), alert.id, systemClock.now(), body),
          'x-leadloop-signature': signatureHeader(webhook.secret, body, deps.clock.now()),
        } : {}),
      },
    });
    responseCode = outcome.status;
    responseSnippet = outcome.snippet;
    if (outcome.status < 200 || outcome.status > 299) error = `receiver answered HTTP ${outcome.status}`;
  } catch (e) {
    error = describeFailure(e, timeoutMs);
  }
  const at = deps.clock.now();
  const delivery = {
    webhookId: webhook.id, alertId: alert.id, eventId: null, attempt, status: error ? 'failed' as const : 'success' as const, responseCode,
    durationMs: Math.round(performance.now() - started), error, at, responseSnippet,
  };
  if (error) {
    await insertWebhookDelivery(deps.db, p.workspaceId, delivery);
    throw new DeliveryFailed(`webhook ${webhook.name}: ${error}`);
  }
  // The log line and the delivered mark in one commit (one WAL flush), freeing the worker slot sooner.
  await withTransaction(deps, async (trx) => {
    await insertWebhookDelivery(trx, p.workspaceId, delivery);
    await markAlertDelivered(trx, p.workspaceId, alert.id, at);
  });
}

/**
 * The alert still reaches the rep (it is about the lead, sent to a colleague), but when the person
 * refused or withdrew sales email (`mayContact(…, 'sales_email')`, read when the alert goes out) it
 * opens with a "do not email" line saying who recorded the choice and when; calls are not affected.
 */
export async function doNotEmailNote(deps: Pick<HandoffDeps, 'db'>, workspaceId: string, alert: Pick<Alert, 'leadId'>): Promise<string> {
  const lead = alert.leadId ? await getLead(deps.db, workspaceId, alert.leadId) : null;
  const contact = lead ? await getContact(deps.db, workspaceId, lead.contactId) : null;
  if (!contact) return '';
  const d = mayContact(contact.consent, 'sales_email');
  if (d.allowed) return '';
  const verb = { refused: 'refused', withdrawn: 'withdrew consent to', opt_in_required: 'gave no opt-in for' }[d.reason as string] ?? 'refused';
  const why = d.reason === 'bounced' ? 'their address bounced' : `they ${verb} sales email${d.record ? ` (${d.record.source}, ${d.record.at.slice(0, 10)})` : ''}`;
  return `DO NOT EMAIL this person: ${why}. Reach them another way if they allow it.\n\n`;
}

async function deliverEmail(deps: HandoffDeps, p: Extract<DeliverAlertPayload, { channel: 'email' }>, alert: Alert, final: boolean): Promise<void> {
  if (alert.emailStatus === 'sent') return;
  if (!deps.mailer) {
    await setAlertEmailStatus(deps.db, p.workspaceId, alert.id, 'not_configured', 'SMTP_URL is not set; the alert is in the in-app feed and webhooks only.');
    return;
  }
  const user = await getUser(deps.db, p.workspaceId, alert.userId);
  if (!user || user.disabledAt) {
    await setAlertEmailStatus(deps.db, p.workspaceId, alert.id, 'skipped', 'recipient disabled or gone');
    return;
  }
  const url = link(deps, alert);
  const note = await doNotEmailNote(deps, p.workspaceId, alert);
  const sent = await deps.mailer.send({
    to: user.email, subject: `[Leadloop] ${note ? '[do not email] ' : ''}${alert.title}`, text: `${note}${alert.body}\n\nOpen the lead: ${url}\n`,
    headers: { 'X-Leadloop-Alert-Id': alert.id },
  });
  if (sent.ok) {
    await setAlertEmailStatus(deps.db, p.workspaceId, alert.id, 'sent', sent.value.messageId);
    await markAlertDelivered(deps.db, p.workspaceId, alert.id, deps.clock.now());
    return;
  }
  if (sent.permanent || final) {
    await setAlertEmailStatus(deps.db, p.workspaceId, alert.id, 'failed', sent.message);
    return;
  }
  await setAlertEmailStatus(deps.db, p.workspaceId, alert.id, 'retrying', sent.message);
  throw new DeliveryFailed(sent.message);
}

/** The `deliver-alert` job: one channel of one alert; failures throw so the worker retries with backoff. */
export async function deliverAlert(deps: HandoffDeps, rawPayload: unknown, job: { attempts: number; maxAttempts: number }): Promise<void> {
  const p = deliverAlertPayload.parse(rawPayload);
  if (p.channel === 'webhook') return deliverWebhook(deps, p, job.attempts);
  const alert = await getAlert(deps.db, p.workspaceId, p.alertId);
  if (!alert) return;
  await deliverEmail(deps, p, alert, job.attempts >= job.maxAttempts);
}
