import { randomBytes } from 'node:crypto';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import type { Webhook } from '../../storage/webhooks.repo.ts';

/**
 * Standard Webhooks signing (https://www.standardwebhooks.com): `webhook-id` (the event's id, the same
 * on every retry and replay, so receivers dedupe), `webhook-timestamp` (when this attempt was sent,
 * Unix seconds: receivers refuse old ones, which defeats replays by an eavesdropper) and
 * `webhook-signature` (`v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, space-separated when more
 * than one secret signs). Signed by the reference implementation, the same library receivers verify with.
 */

/** A new signing secret in the spec's form: `whsec_` + base64 of 32 random bytes. */
export function newSigningSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/** The secrets that sign at `at`: the current one, and the previous one while its overlap window lasts. */
export function signingSecrets(webhook: Pick<Webhook, 'secret' | 'previousSecret' | 'previousSecretExpiresAt'>, at: Date): string[] {
  const overlap = webhook.previousSecret && webhook.previousSecretExpiresAt && webhook.previousSecretExpiresAt.getTime() > at.getTime();
  return overlap ? [webhook.secret, webhook.previousSecret as string] : [webhook.secret];
}

export function standardWebhookHeaders(secrets: readonly string[], msgId: string, sentAt: Date, body: string): Record<string, string> {
  return {
    'webhook-id': msgId,
    'webhook-timestamp': String(Math.floor(sentAt.getTime() / 1000)),
    'webhook-signature': secrets.map((s) => new StandardWebhook(s).sign(msgId, sentAt, body)).join(' '),
  };
}
