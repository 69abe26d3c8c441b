import type { AppDeps } from '../context.ts';
import type { Mailer } from '../mailer.ts';

/**
 * What the hand-off jobs need beyond AppDeps: the mailer, the public URL for links in alerts,
 * and the webhook timeout (a receiver that hangs must not hold a worker slot for long).
 */
export type HandoffDeps = AppDeps & {
  /** null when SMTP_URL is not set: email deliveries are recorded as not configured. */
  mailer: Mailer | null;
  publicUrl: string;
  webhookTimeoutMs?: number;
};

export const DEFAULT_WEBHOOK_TIMEOUT_MS = 5000;
/** At most one alert per (user, lead, kind) in this window: ten page views in a minute are one alert. */
export const ALERT_DEDUPE_MS = 10 * 60_000;
/** Attempts per webhook delivery; graphile-worker backs off exponentially between them. */
export const WEBHOOK_MAX_ATTEMPTS = 8;
export const EMAIL_MAX_ATTEMPTS = 5;
