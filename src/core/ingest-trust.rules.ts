import type { Permission } from './access.ts';
import { readConsent, type ConsentChange } from './consent.rules.ts';

/**
 * What an ingestion key may change about a person it reaches.
 *
 * A `public` key (scope `ingest`) sits in web pages, so anyone can read it and send anything with
 * it: it adds activities and fills traits nobody set, but it never changes a known contact's
 * identity traits (name, title, email, company), a consent choice another channel recorded, or an
 * owner. A `server` key (scope `ingest:server`) lives on the customer's servers (backend Segment
 * SDKs, CDP forwarding, imports): its traits overwrite, as Segment's identify does.
 */
export type IngestTrust = 'public' | 'server';

export function ingestTrustOf(permissions: ReadonlySet<Permission>): IngestTrust {
  return permissions.has('ingest:server') ? 'server' : 'public';
}

/** How identify/group traits land on a contact or account: given values replace, or only fill what is empty. */
export function traitWriteMode(trust: IngestTrust): 'overwrite' | 'fill_empty' {
  return trust === 'server' ? 'overwrite' : 'fill_empty';
}

/**
 * The channel of a consent source: `form:webinar` → `form`, `segment:identify` → `segment`. A grant
 * confirmed by double opt-in keeps its door's channel (`confirmed:form:ebook` → `form`), so what that
 * door may later change does not depend on whether the workspace asks for confirmation.
 */
export const consentChannelOf = (source: string) => source.replace(/^confirmed:/, '').split(':', 1)[0]!;

/**
 * The consent changes a door may record on a contact holding `stored`. Server doors: all of them.
 * A public door: its records are sourced by its own channel (a page cannot claim `csv:` or another
 * form's name), and a purpose another channel granted stays as it is — a page cannot withdraw (or
 * re-state) what the person granted elsewhere. Withdrawals go through the signed unsubscribe link
 * and preference page, or a server key. Answers what was kept and what was ignored (for counting).
 * @example consentChangesFor('public', 'segment', { email_marketing: granted by csv:hubspot }, [refused by segment:identify]) → kept [], ignored [that refusal]
 */
export function consentChangesFor(trust: IngestTrust, channel: string, stored: unknown, changes: readonly ConsentChange[]): { kept: ConsentChange[]; ignored: ConsentChange[] } {
  if (trust === 'server' || changes.length === 0) return { kept: [...changes], ignored: [] };
  const current = readConsent(stored);
  const kept: ConsentChange[] = [];
  const ignored: ConsentChange[] = [];
  for (const change of changes) {
    const own = consentChannelOf(change.source) === channel ? change : { ...change, source: `${channel}:identify` };
    const record = current[change.purpose];
    if (record?.status === 'granted' && consentChannelOf(record.source) !== channel) ignored.push(own);
    else kept.push(own);
  }
  return { kept, ignored };
}
