import type { ActivityType } from './activity.ts';

/** Normalizes a URL for content matching: no scheme, query, fragment, `www.` or trailing slash. */
export function contentUrlKey(url: string | null | undefined): string | null {
  if (!url) return null;
  const trimmed = url.trim().toLowerCase().replace(/^[a-z][a-z0-9+.-]*:\/\//, '').replace(/[?#].*$/, '').replace(/^www\./, '').replace(/\/+$/, '');
  return trimmed || null;
}

// Event names are matched case- and punctuation-insensitively ("Content Downloaded", "content_downloaded").
const eventTypes: Record<string, ActivityType> = {
  'content downloaded': 'content_download', 'file downloaded': 'content_download', 'asset downloaded': 'content_download',
  'whitepaper downloaded': 'content_download', 'ebook downloaded': 'content_download', 'download': 'content_download',
  'content viewed': 'content_view',
  'form submitted': 'form_submit', 'form submit': 'form_submit',
  'email sent': 'email_sent', 'email delivered': 'email_sent', 'email opened': 'email_open', 'email clicked': 'email_click',
  'email link clicked': 'email_click', 'email bounced': 'email_bounce', 'email unsubscribed': 'unsubscribe', 'unsubscribed': 'unsubscribe',
  'meeting booked': 'meeting', 'meeting scheduled': 'meeting', 'demo scheduled': 'meeting', 'demo booked': 'meeting',
  'event registered': 'event_registered', 'webinar registered': 'event_registered', 'event attended': 'event_attended',
  'webinar attended': 'webinar_attended',
};

export function normalizeEventName(event: string): string {
  return event.trim().toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim();
}

export type MappedActivity = { type: ActivityType; contentId: string | null };

const contentTypes = new Set<ActivityType>(['content_download', 'content_view']);

/**
 * Maps a Segment message to the activity vocabulary. `contentByUrl` resolves a URL key (see
 * contentUrlKey) to a content asset id; `isContentId` says whether a property names a known asset.
 * Example: page at https://acme.com/guide/ with an asset at acme.com/guide → content_view.
 */
export function mapActivity(
  msg: { type: 'track' | 'page' | 'screen'; event?: string; url: string | null; properties: Record<string, unknown> },
  contentByUrl: (key: string) => string | undefined,
  isContentId: (id: string) => boolean,
): MappedActivity {
  const propContent = typeof msg.properties.content_id === 'string' && isContentId(msg.properties.content_id) ? msg.properties.content_id : null;
  const propUrl = typeof msg.properties.url === 'string' ? msg.properties.url : null;
  const byUrl = (u: string | null) => { const k = contentUrlKey(u); return k ? contentByUrl(k) ?? null : null; };
  if (msg.type === 'screen') return { type: 'screen_view', contentId: null };
  if (msg.type === 'page') {
    const contentId = propContent ?? byUrl(msg.url);
    return { type: contentId ? 'content_view' : 'page_view', contentId };
  }
  const type = eventTypes[normalizeEventName(msg.event ?? '')] ?? 'custom';
  if (contentTypes.has(type)) return { type, contentId: propContent ?? byUrl(propUrl) ?? byUrl(msg.url) };
  return { type, contentId: propContent };
}
