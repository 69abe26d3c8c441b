import { sql } from 'kysely';
import type { ConsentChange } from '../core/consent.rules.ts';
import type { DbOrTrx } from './db.ts';
import { newId } from './ids.ts';
import './privacy-schema.ts';
import { decodeSortCursor } from '../core/lists.rules.ts';
import { keysetPage, type Keyset, type Page, type PageRequest } from './page.ts';

export type ConsentEventRow = { id: string; contactId: string; purpose: string; status: string; source: string; basis: string; at: Date; recordedAt: Date };

/** Appends consent choices to the history (one statement for all contacts). */
export async function insertConsentEvents(db: DbOrTrx, workspaceId: string, events: readonly { contactId: string; change: ConsentChange }[]): Promise<void> {
  if (events.length === 0) return;
  const col = <T>(f: (e: { contactId: string; change: ConsentChange }) => T) => events.map(f);
  await sql`INSERT INTO consent_event (workspace_id, id, contact_id, purpose, status, source, basis, at)
    SELECT ${workspaceId}, id, contact_id, purpose, status, source, basis, at
    FROM unnest(${col((e) => newId(Date.parse(e.change.at)))}::uuid[], ${col((e) => e.contactId)}::uuid[], ${col((e) => e.change.purpose)}::text[],
      ${col((e) => e.change.status)}::text[], ${col((e) => e.change.source)}::text[], ${col((e) => e.change.basis)}::text[], ${col((e) => e.change.at)}::timestamptz[])
      AS t(id, contact_id, purpose, status, source, basis, at)`.execute(db);
}

/** A contact's consent history, newest first (merged-in contacts' history moved with the merge). */
const consentKeyset: Keyset<{ id: string }> = { id: 'id', idOf: (r) => r.id, direction: 'desc', sort: { column: 'at', type: 'timestamptz' } };

/** A page of a person's consent choices, newest first: keyset (at, id), the cursor srt1 [at as text, id] (storage/page.ts). */
export async function listConsentEvents(db: DbOrTrx, workspaceId: string, contactId: string, page: PageRequest): Promise<Page<ConsentEventRow>> {
  const after = page.cursor ? decodeSortCursor(page.cursor) : null;
  const r = await sql<{ id: string; contact_id: string; purpose: string; status: string; source: string; basis: string; at: Date; recorded_at: Date; keyset_sort: string }>`
    SELECT id, contact_id, purpose, status, source, basis, at, recorded_at, at::text AS keyset_sort FROM consent_event
    WHERE workspace_id = ${workspaceId} AND contact_id = ${contactId}
      AND (${after === null} OR (at, id) < (cast(${after?.value ?? null} AS timestamptz), cast(${after?.id ?? null} AS uuid)))
    ORDER BY at DESC, id DESC LIMIT ${page.limit + 1}`.execute(db);
  return keysetPage(r.rows, consentKeyset, page.limit,
    (x) => ({ id: x.id, contactId: x.contact_id, purpose: x.purpose, status: x.status, source: x.source, basis: x.basis, at: x.at, recordedAt: x.recorded_at }));
}
