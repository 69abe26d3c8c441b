/** Values a nurture email template can use; links are already tracked (signed) URLs. */
export type TemplateVars = {
  firstName: string | null; assetTitle: string; assetLink: string; unsubscribeLink: string; preferencesLink: string; openPixel: string;
};

export type RenderedEmail = { subject: string; text: string; html: string };

const htmlEscapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => htmlEscapes[c]!);
}

function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{\{\s*([a-z_]+)\s*\}\}/g, (whole, key: string) => values[key] ?? whole);
}

/**
 * Renders a nurture email. The template is marketing's plain text; the HTML version escapes
 * everything (asset titles and names are untrusted) and turns only the known link placeholders
 * into anchors. Every email carries the unsubscribe and preference links, whether or not the
 * template mentions them (the law and RFC 8058 expect it).
 * @example renderEmail('{{asset_title}}', 'Hi {{first_name}}, read {{asset_link}}', vars)
 */
export function renderEmail(subjectTemplate: string, bodyTemplate: string, v: TemplateVars): RenderedEmail {
  const plain = { first_name: v.firstName ?? 'there', asset_title: v.assetTitle, asset_link: v.assetLink, unsubscribe_link: v.unsubscribeLink, preferences_link: v.preferencesLink };
  // Subjects are one header line: no line breaks from untrusted titles.
  const subject = fill(subjectTemplate, plain).replace(/[\r\n\t]+/g, ' ').trim();
  const footer = `\n\n--\nUnsubscribe: ${v.unsubscribeLink}\nEmail preferences: ${v.preferencesLink}\n`;
  const text = fill(bodyTemplate, plain) + footer;
  const a = (href: string, label: string) => `<a href="${escapeHtml(href)}">${escapeHtml(label)}</a>`;
  const htmlValues = {
    first_name: escapeHtml(plain.first_name), asset_title: escapeHtml(v.assetTitle), asset_link: a(v.assetLink, v.assetTitle),
    unsubscribe_link: a(v.unsubscribeLink, 'unsubscribe'), preferences_link: a(v.preferencesLink, 'email preferences'),
  };
  // Escape the template first, then substitute: placeholders contain no escapable characters.
  const body = fill(escapeHtml(bodyTemplate), htmlValues).replace(/\r?\n/g, '<br>\n');
  const html = `<!doctype html><html><body>${body}<hr><p style="font-size:12px">${a(v.unsubscribeLink, 'Unsubscribe')} · ${a(v.preferencesLink, 'Email preferences')}</p>`
    + `<img src="${escapeHtml(v.openPixel)}" width="1" height="1" alt=""></body></html>`;
  return { subject, text, html };
}
