import { createHash } from 'node:crypto';
import { canonicalActivity } from '../../core/activity-vocabulary.rules.ts';
import { contentUrlKey } from '../../core/event-mapping.rules.ts';
import type { Trx } from '../../storage/db.ts';
import { loadIngestLookups } from '../../storage/ingest.repo.ts';
import { findContactIdsByIdentity, insertActivitiesBulk, type ActivityInsert } from '../../storage/import-bulk.repo.ts';
import { newId } from '../../storage/ids.ts';
import { upsertPeople } from './contacts.importer.ts';
import { emptyOutcome, rowError, type ChunkOutcome, type ImportContext, type ImportRow } from './import-context.ts';
import { externalIdOf } from './import-presets.ts';

type Row = ImportRow<'activities'>;
type ContentResolver = { resolve: (id: unknown, url: string | null) => string | null };

/** Links an imported activity to its content asset by id, else by URL, as /v1/track does. */
async function contentResolver(trx: Trx, workspaceId: string): Promise<ContentResolver> {
  const { content } = await loadIngestLookups(trx, workspaceId);
  const ids = new Set(content.map((c) => c.id));
  const byUrl = new Map(content.flatMap((c) => [c.url, ...c.urls].flatMap((u) => { const k = contentUrlKey(u); return k ? [[k, c.id] as const] : []; })));
  return {
    resolve: (id, url) => (typeof id === 'string' && ids.has(id) ? id : byUrl.get(contentUrlKey(url) ?? '') ?? null),
  };
}

/**
 * Activities file: append-only, each row keyed 'import:<sha1>' of its external id, or of its whole
 * content when it has none, so the same file imported twice stores each activity once. The contact
 * is found by contact id (external id) or email; an unknown email creates the contact.
 */
export async function importActivities(trx: Trx, ctx: ImportContext, rows: Row[]): Promise<ChunkOutcome> {
  const outcome = emptyOutcome();
  const extOf = (r: Row) => (r.values.contact_external_id ? externalIdOf(ctx.preset, r.values.contact_external_id) : null);
  const byExt = await findContactIdsByIdentity(trx, ctx.workspaceId, 'external_id', rows.flatMap((r) => (extOf(r) ? [extOf(r)!] : [])));
  const needEmail = rows.filter((r) => !(extOf(r) && byExt.has(extOf(r)!)) && r.values.contact_email);
  // Several activities of one person in a chunk are normal: look each email up once.
  const firstPerEmail = [...new Map(needEmail.map((r) => [r.values.contact_email!, r])).values()];
  const people = await upsertPeople(trx, ctx, firstPerEmail.map((r) => ({ row: r.row, raw: r.raw, email: r.values.contact_email, attributes: {} })), outcome, 'related');
  const byEmail = new Map(firstPerEmail.flatMap((r) => (people.has(r.row) ? [[r.values.contact_email!, people.get(r.row)!.contactId] as const] : [])));

  const inserts: ActivityInsert[] = [];
  // Content assets are looked up once per chunk, and only when a row needs them.
  let assets: Promise<ContentResolver> | null = null;
  const content = () => (assets ??= contentResolver(trx, ctx.workspaceId));
  for (const r of rows) {
    const v = r.values;
    const contactId = (extOf(r) && byExt.get(extOf(r)!)) || (v.contact_email && byEmail.get(v.contact_email)) || null;
    if (!contactId) {
      outcome.skipped++;
      outcome.errors.push(rowError(ctx, r, v.contact_external_id ? 'contact_external_id' : 'contact_email', 'no contact with this id or email in the workspace'));
      continue;
    }
    const identity = v.external_id ? ['id', ctx.preset, v.external_id] : ['row', ctx.preset, ...r.raw];
    const key = `import:${createHash('sha1').update(JSON.stringify(['activity', ...identity])).digest('hex').slice(0, 40)}`;
    const occurredAt = v.occurred_at!;
    // The activity vocabulary: a 'Form ID' or 'formId' column is `form_id`, as from every other door.
    const shaped = canonicalActivity({
      properties: { ...r.attributes, ...(v.subject ? { subject: v.subject } : {}), imported_from: ctx.preset },
      source: v.source ?? null, medium: v.medium ?? null, utmCampaign: v.campaign ?? null, url: v.url ?? null,
    });
    inserts.push({
      id: newId(occurredAt.getTime()), contactId, type: v.type.type, occurredAt, source: shaped.source, medium: shaped.medium,
      utmCampaign: shaped.utmCampaign, url: shaped.url, eventName: v.type.eventName, properties: shaped.properties, idempotencyKey: key,
      contentId: shaped.properties.content_id !== undefined || shaped.url ? (await content()).resolve(shaped.properties.content_id, shaped.url) : null,
    });
  }
  // A key seen twice in one chunk (duplicate rows) is stored once, like across runs.
  const unique = [...new Map(inserts.map((a) => [a.idempotencyKey, a])).values()];
  const inserted = await insertActivitiesBulk(trx, ctx.workspaceId, unique);
  outcome.inserted += inserted;
  outcome.unchanged += inserts.length - inserted;
  outcome.contactIds.push(...new Set(unique.map((a) => a.contactId)));
  return outcome;
}
