import { createHash } from 'node:crypto';
import type { Trx } from '../../storage/db.ts';
import { findContactIdsByIdentity, insertActivitiesBulk, type ActivityInsert } from '../../storage/import-bulk.repo.ts';
import { newId } from '../../storage/ids.ts';
import { upsertPeople } from './contacts.importer.ts';
import { emptyOutcome, rowError, type ChunkOutcome, type ImportContext, type ImportRow } from './import-context.ts';
import { externalIdOf } from './import-presets.ts';

type Row = ImportRow<'activities'>;

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
    inserts.push({
      id: newId(occurredAt.getTime()), contactId, type: v.type.type, occurredAt, source: v.source ?? null, medium: v.medium ?? null,
      utmCampaign: v.campaign ?? null, url: v.url ?? null, eventName: v.type.eventName,
      properties: { ...r.attributes, ...(v.subject ? { subject: v.subject } : {}), imported_from: ctx.preset }, idempotencyKey: key,
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
