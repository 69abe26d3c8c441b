/**
 * Text that goes to Slack. Slack reads `<...>` as control sequences (`<!channel>` pings everyone,
 * `<https://evil|Open lead>` disguises a link) and `&` starts an entity, so lead-supplied text is
 * escaped (`&amp;` `&lt;` `&gt;`, the only three Slack asks for) everywhere it is sent. Slack also
 * refuses or cuts blocks past their limits, so every field is cut to its limit, with an ellipsis,
 * on the escaped text and never inside an entity or a surrogate pair.
 * Pure: no I/O.
 */

/** Slack's documented limits (Block Kit reference, chat.postMessage). */
export const SLACK_LIMITS = {
  /** Top-level `text` (the notification and fallback): Slack truncates past 40,000, recommends 4,000. */
  text: 4000,
  /** `header` block: plain_text, 150 characters. */
  header: 150,
  /** `section` block text: 3,000 characters. */
  section: 3000,
  /** Button label: 75 characters. */
  buttonText: 75,
  /** Button url: 3,000 characters. */
  buttonUrl: 3000,
  /** Blocks per message. */
  blocks: 50,
} as const;

const ELLIPSIS = '…';

/** Escapes the three characters Slack treats as control characters; also defuses bare @channel/@here/@everyone. */
export function escapeSlackText(raw: string): string {
  return raw
    // Control characters other than newline and tab have no place in a message (and NUL breaks JSON consumers).
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '')
    .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
    // A zero-width space keeps the word readable but never a broadcast mention, whatever the app's parse setting.
    .replace(/@(channel|here|everyone)\b/gi, '@\u200b$1');
}

/**
 * Cuts escaped text to `max` characters (UTF-16 units, as Slack counts), ending with an ellipsis
 * when cut. Never splits an entity (`&amp;`) or a surrogate pair.
 */
export function truncateSlackText(escaped: string, max: number): string {
  if (escaped.length <= max) return escaped;
  let end = Math.max(0, max - ELLIPSIS.length);
  // Do not leave half an entity: back up to its '&' when the cut falls inside '&amp;' / '&lt;' / '&gt;'.
  const amp = escaped.lastIndexOf('&', end);
  if (amp !== -1 && amp < end) {
    const semi = escaped.indexOf(';', amp);
    if (semi >= end && semi - amp <= 4) end = amp;
  }
  // Do not leave a lone high surrogate.
  const code = escaped.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  return escaped.slice(0, end) + ELLIPSIS;
}

/** Escaped and cut to a limit in one step. */
export function slackText(raw: string, max: number): string {
  return truncateSlackText(escapeSlackText(raw), max);
}

export type SlackAlertInput = { title: string; body: string; url: string };

/**
 * The incoming-webhook JSON of one alert: a header (title), a section (body) and an "Open lead"
 * button, with a plain `text` fallback for notifications. Title and body may hold lead-supplied
 * text (names, companies, form answers): both are escaped and cut; the url is Leadloop's own link.
 */
export function slackAlertMessage(input: SlackAlertInput): { text: string; blocks: unknown[] } {
  const title = escapeSlackText(input.title);
  const body = escapeSlackText(input.body);
  // The link is ours, but a '|' or '>' in it would still end the link early: Slack needs them escaped too.
  const url = input.url.slice(0, SLACK_LIMITS.buttonUrl);
  const linkTarget = url.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\|/g, '%7C');
  const suffix = `\n<${linkTarget}>`;
  const fallback = truncateSlackText(`${title}\n${body}`, SLACK_LIMITS.text - suffix.length) + suffix;
  return {
    text: fallback,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: truncateSlackText(title || ' ', SLACK_LIMITS.header) } },
      { type: 'section', text: { type: 'mrkdwn', text: truncateSlackText(body || ' ', SLACK_LIMITS.section) } },
      { type: 'actions', elements: [{ type: 'button', text: { type: 'plain_text', text: 'Open lead' }, url }] },
    ],
  };
}
