/** Where a touch came from: UTM tags first, otherwise the referrer; direct visits are not touches. */
export type TouchSource = { source: string; medium: string | null; campaign: string | null };

const searchEngines = ['google', 'bing', 'duckduckgo', 'yahoo', 'baidu', 'yandex', 'ecosia', 'qwant', 'startpage'];
const socialHosts: Record<string, string> = {
  'linkedin.com': 'linkedin', 'lnkd.in': 'linkedin', 'facebook.com': 'facebook', 'fb.com': 'facebook', 'twitter.com': 'twitter',
  't.co': 'twitter', 'x.com': 'twitter', 'instagram.com': 'instagram', 'youtube.com': 'youtube', 'reddit.com': 'reddit',
};

export function hostOf(url: string | null | undefined): string | null {
  if (!url) return null;
  const m = /^[a-z][a-z0-9+.-]*:\/\/([^/?#:]+)/i.exec(url.trim());
  return m ? m[1]!.toLowerCase().replace(/^www\./, '') : null;
}

/** Parses utm_* parameters from a landing URL (used when the sender did not fill context.campaign). */
export function utmFromUrl(url: string | null | undefined): { source?: string; medium?: string; name?: string } {
  if (!url || !url.includes('utm_')) return {};
  const query = url.split('#')[0]!.split('?')[1] ?? '';
  const out: { source?: string; medium?: string; name?: string } = {};
  for (const pair of query.split('&')) {
    const [k, v = ''] = pair.split('=');
    let value: string;
    try { value = decodeURIComponent(v.replace(/\+/g, ' ')); } catch { value = v; }
    if (k === 'utm_source') out.source = value;
    else if (k === 'utm_medium') out.medium = value;
    else if (k === 'utm_campaign') out.name = value;
  }
  return out;
}

/**
 * The touch an event represents. Example: no UTM, referrer https://www.google.com/ →
 * { source: 'google', medium: 'organic', campaign: null }; same-site referrers are not touches.
 */
export function deriveTouch(input: {
  campaign?: { source?: string; medium?: string; name?: string } | undefined; referrer?: string | null; url?: string | null;
}): TouchSource | null {
  const utm = input.campaign?.source ? input.campaign : utmFromUrl(input.url);
  const clean = (v: string | undefined) => (v && v.trim() ? v.trim().toLowerCase().slice(0, 200) : null);
  if (utm.source && clean(utm.source)) {
    return { source: clean(utm.source)!, medium: clean(utm.medium), campaign: utm.name?.trim() ? utm.name.trim().slice(0, 200) : null };
  }
  const ref = hostOf(input.referrer);
  if (!ref || ref === hostOf(input.url)) return null;
  const engine = searchEngines.find((e) => ref === `${e}.com` || ref.startsWith(`${e}.`) || ref.includes(`.${e}.`));
  if (engine) return { source: engine, medium: 'organic', campaign: null };
  const social = socialHosts[ref] ?? Object.entries(socialHosts).find(([h]) => ref.endsWith(`.${h}`))?.[1];
  if (social) return { source: social, medium: 'social', campaign: null };
  return { source: ref, medium: 'referral', campaign: null };
}

/**
 * Segment's clock-skew correction: the device clock is off by (sentAt - timestamp) relative to
 * when it sent, so the event happened at receivedAt - (sentAt - timestamp).
 */
export function correctedTimestamp(receivedAt: Date, timestamp: Date | undefined, sentAt: Date | undefined): Date {
  if (!timestamp) return receivedAt;
  if (!sentAt) return timestamp;
  return new Date(receivedAt.getTime() - (sentAt.getTime() - timestamp.getTime()));
}

/** The times a message carries (Segment spec names); `receivedAt` only when a CDP forwarded it. */
export type MessageTimes = { timestamp?: Date; originalTimestamp?: Date; sentAt?: Date; receivedAt?: Date };

/**
 * When the event happened. Skew correction is applied once, and only when the sender told when it
 * sent (`sentAt`, its own or the batch's):
 * - a message that already went through a CDP keeps its `timestamp`: Segment and RudderStack
 *   corrected it when they received it, and mark that by adding `receivedAt` (or by keeping the
 *   device's time apart as `originalTimestamp`). Correcting it again against our clock moved an
 *   event forwarded 30 days late to "now".
 * - a CDP message without a final `timestamp` is corrected against the CDP's `receivedAt`;
 * - a direct SDK call is corrected against our reception time;
 * - no `sentAt` (imports, the HTTP API with an explicit timestamp): the timestamp as sent.
 * Example: timestamp 2026-01-01T10:00Z, sentAt 10:00:05Z, received 10:00:00Z → 09:59:55Z.
 */
export function eventTime(receivedAt: Date, m: MessageTimes, batchSentAt?: Date): Date {
  const alreadyCorrected = Boolean(m.receivedAt) || Boolean(m.timestamp && m.originalTimestamp);
  if (alreadyCorrected && m.timestamp) return m.timestamp;
  return correctedTimestamp(m.receivedAt ?? receivedAt, m.originalTimestamp ?? m.timestamp, m.sentAt ?? batchSentAt);
}
