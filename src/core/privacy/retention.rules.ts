/**
 * How long a workspace keeps what it does not need forever (`workspace.settings.retention`), and the
 * cut-off instants the daily `privacy-retention` job deletes before. Days; null keeps forever.
 * Defaults (documented in PRIVACY.md):
 * - anonymous visitors' activity: 395 days (13 months, the usual cookie-consent horizon); the visitor
 *   goes with its last activity.
 * - dead letters: 30 days (refused messages, kept to debug a sender).
 * - webhook delivery logs and CRM sync logs: 90 days.
 * - import error reports: 90 days.
 * - unsubscribed contacts: 730 days after they unsubscribed they are erased (tombstoned like an erasure request).
 * - unconfirmed double opt-in requests: 30 days after their link expired (the consent history keeps the pending grant).
 */
export const retentionKeys = ['anonymous_activity_days', 'dead_letter_days', 'webhook_log_days', 'sync_log_days', 'import_error_days', 'unsubscribed_contact_days', 'consent_request_days'] as const;
export type RetentionKey = (typeof retentionKeys)[number];
export type RetentionPolicy = Record<RetentionKey, number | null>;

export const defaultRetention: RetentionPolicy = {
  anonymous_activity_days: 395,
  dead_letter_days: 30,
  webhook_log_days: 90,
  sync_log_days: 90,
  import_error_days: 90,
  unsubscribed_contact_days: 730,
  consent_request_days: 30,
};

export const MAX_RETENTION_DAYS = 3650;

/** The stored settings over the defaults; anything malformed falls back to the default. */
export function readRetention(raw: unknown): RetentionPolicy {
  const out: RetentionPolicy = { ...defaultRetention };
  if (typeof raw !== 'object' || raw === null) return out;
  for (const k of retentionKeys) {
    const v = (raw as Record<string, unknown>)[k];
    if (v === null) out[k] = null;
    else if (typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= MAX_RETENTION_DAYS) out[k] = v;
  }
  return out;
}

export type RetentionCutoffs = Record<RetentionKey, Date | null>;

/** The instant before which each kind of data has expired at `now`. */
export function retentionCutoffs(policy: RetentionPolicy, now: Date): RetentionCutoffs {
  const out = {} as RetentionCutoffs;
  for (const k of retentionKeys) {
    const days = policy[k];
    out[k] = days === null ? null : new Date(now.getTime() - days * 86_400_000);
  }
  return out;
}
