import { randomUUID } from 'node:crypto';
import { secretFieldName } from '../core/activity-vocabulary.rules.ts';
import { consentChanges, recordConsent } from '../core/consent.rules.ts';
import { normalizeEmail } from '../core/identity.ts';
import { fail, ok, type Result } from '../core/result.ts';
import { toStorableString } from '../core/storable.rules.ts';
import type { AppDeps } from './context.ts';
import { ingestMessages } from './ingest-messages.ts';
import type { IngestPipeline } from './ingest-pipeline.ts';
import type { IngestTrust } from '../core/ingest-trust.rules.ts';

export type FormSubmission = {
  fields: Record<string, unknown>; pageUrl?: string | null; referrer?: string | null;
  /** The key's kind: forms on web pages carry the public key, which fills empty traits and keeps other channels' consent. */
  trust: IngestTrust;
};
export type FormOutcome = { contactId: string | null; dropped: boolean; redirect: string | null };

// Control fields a page or the snippet adds; never stored as answers.
const HONEYPOT = '_hp';
const truthy = (v: unknown) => v === true || (typeof v === 'string' && ['on', 'true', '1', 'yes', 'y'].includes(v.trim().toLowerCase()));
const first = (v: unknown) => (Array.isArray(v) ? v[0] : v);
// Cut with toStorableString: a plain slice can leave half an emoji, which jsonb refuses.
const text = (v: unknown, max = 300) => { const f = first(v); return typeof f === 'string' && f.trim() ? toStorableString(f.trim(), max) : undefined; };
// Defence in depth: the snippet never sends password fields, a hand-made form might.
const secretField = secretFieldName;

/** A safe redirect target: an absolute http(s) URL (no javascript:, no protocol-relative tricks). */
export function redirectTarget(raw: unknown): string | null {
  const v = text(raw, 2000);
  if (!v) return null;
  try {
    const u = new URL(v);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.toString() : null;
  } catch {
    return null;
  }
}

/**
 * A form submission is an activity (form_submit) and identifies the visitor: the email field
 * names the contact, the snippet's anonymous id (when sent) joins the visitor's earlier history
 * to it, consent fields (`consent` = email marketing, `consent_<purpose>`: email, marketing, sales,
 * tracking...) are recorded on the contact through the one consent rule, sourced `form:<id>`. A filled
 * honeypot field means a bot: it gets a normal-looking answer and nothing is stored (counted).
 */
export async function submitForm(deps: AppDeps, pipeline: IngestPipeline, workspaceId: string, formId: string, input: FormSubmission): Promise<Result<FormOutcome>> {
  const f = input.fields;
  const redirect = redirectTarget(f._redirect);
  if (text(f[HONEYPOT])) {
    pipeline.countDrop('form honeypot');
    return ok({ contactId: null, dropped: true, redirect });
  }
  const rawEmail = text(f.email, 254);
  const email = rawEmail ? normalizeEmail(rawEmail) : null;
  if (rawEmail && !email) return fail('ValidationFailed', `'${rawEmail}' is not a valid email address.`, [{ path: 'body.email', message: 'invalid email' }]);
  const anonymousId = text(f._anonymous_id, 200) ?? null;
  if (!email && !anonymousId) return fail('ValidationFailed', 'A form submission needs an email field (or the snippet\'s anonymous id).', [{ path: 'body.email', message: 'required' }]);

  const now = deps.clock.now();
  const consentFields: Record<string, unknown> = {};
  const answers: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(f)) {
    if (key.startsWith('_') || key.startsWith('utm_') || secretField.test(key)) continue;
    const m = /^consent(?:[_.-](.+))?$/i.exec(key);
    // A checked box sends "on"; anything that is not a yes is a refusal (the person saw the question).
    if (m) consentFields[m[1] ?? 'marketing'] = truthy(first(value)) ? 'granted' : 'refused';
    else answers[key] = Array.isArray(value) ? value.map(String).slice(0, 50) : typeof value === 'string' ? toStorableString(value, 2000) : value;
  }
  // Records in the core shape (purposes the form does not know are ignored): the identify carries them as they are.
  const consent = recordConsent({}, consentChanges(consentFields, { at: now, source: `form:${formId}` }).changes);
  const pageUrl = text(f._page_url, 2000) ?? input.pageUrl ?? undefined;
  const referrer = text(f._referrer, 2000) ?? input.referrer ?? undefined;
  const campaign = {
    source: text(f.utm_source, 200), medium: text(f.utm_medium, 200), name: text(f.utm_campaign, 200), term: text(f.utm_term, 200), content: text(f.utm_content, 200),
  };
  const context = { page: { url: pageUrl, referrer }, ...(campaign.source ? { campaign } : {}) };
  const ids = { anonymousId: anonymousId ?? `form-${randomUUID()}` };
  const traits = {
    ...(email ? { email } : {}), first_name: text(f.first_name ?? f.firstName), last_name: text(f.last_name ?? f.lastName),
    title: text(f.title), phone: text(f.phone, 50), company: text(f.company), ...(Object.keys(consent).length ? { consent } : {}),
  };
  const messageId = text(f._message_id, 200);
  const messages = [
    { type: 'identify', ...ids, traits: Object.fromEntries(Object.entries(traits).filter(([, v]) => v !== undefined)), timestamp: now.toISOString(), ...(messageId ? { messageId: `${messageId}:identify` } : {}) },
    { type: 'track', ...ids, event: 'Form Submitted', properties: { form_id: formId, fields: answers, ...(pageUrl ? { url: pageUrl } : {}) }, context, timestamp: now.toISOString(), ...(messageId ? { messageId } : {}) },
  ];
  const outcome = await ingestMessages(deps, pipeline, workspaceId, { messages, channel: 'form', trust: input.trust });
  const error = outcome.errors[0];
  if (error) return fail('ValidationFailed', `The submission could not be stored: ${error.message}`, error.details.map((d) => ({ path: `body.${d.path}`, message: d.message })));
  return ok({ contactId: outcome.contactIds[1] ?? outcome.contactIds[0] ?? null, dropped: false, redirect });
}
