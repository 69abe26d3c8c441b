import { consentFromImportColumns, type ConsentChange } from '../../core/consent.rules.ts';
import { withoutErasedEmails } from '../privacy/suppression.ts';
import type { Trx } from '../../storage/db.ts';
import { findContactIdsByIdentity, insertContactsBulk, insertIdentitiesBulk, lockReferencedRows, type ContactInsert, type IdentityInsert } from '../../storage/import-bulk.repo.ts';
import { findContactsByEmails, updateContactsBulk, type ContactUpdate } from '../../storage/import-match.repo.ts';
import { newId } from '../../storage/ids.ts';
import { recordContactConsents } from '../consent.ts';
import { companyDomain, resolveAccounts } from './accounts.importer.ts';
import { hubspotStage, hubspotStageDates } from './crm-stages.ts';
import { addRelated, emptyOutcome, lastRowPerKey, rowError, writeInOrder, type ChunkOutcome, type ImportContext, type ImportRow } from './import-context.ts';
import { applyLeadTargets, type LeadTarget } from './lead-targets.ts';
import { externalIdOf } from './import-presets.ts';
import { finishImportedScoring, rateImportedPeople } from './score-imported.ts';

export type Person = {
  row: number; raw: string[]; email?: string; externalId?: string; firstName?: string; lastName?: string; title?: string; phone?: string;
  country?: string; company?: string; website?: string; industry?: string; employeeCount?: number; source?: string; createdAt?: Date;
  accountExternalId?: string; attributes: Record<string, unknown>; consent?: ConsentChange[];
};

/** A contacts or leads row as the person it describes (external ids prefixed by the preset). */
export function personOf(ctx: ImportContext, r: ImportRow<'contacts'> | ImportRow<'leads'>): Person {
  const v = r.values;
  const attributes: Record<string, unknown> = { ...r.attributes };
  if (v.lifecycle_stage) attributes.lifecycle_stage = v.lifecycle_stage;
  // Consent columns (HubSpot/Salesforce opt-outs, consent_<purpose>) are consent, not profile attributes.
  const consent = consentFromImportColumns(attributes, { at: ctx.now, source: `csv:${ctx.preset}`, grantAt: v.created_at ?? null });
  return {
    consent: consent.changes,
    row: r.row, raw: r.raw, email: v.email, externalId: v.external_id ? externalIdOf(ctx.preset, v.external_id) : undefined,
    firstName: v.first_name, lastName: v.last_name, title: v.title, phone: v.phone, country: v.country, company: v.company, website: v.website,
    industry: v.industry, employeeCount: v.employee_count, source: v.source, createdAt: v.created_at,
    accountExternalId: v.account_external_id ? externalIdOf(ctx.preset, v.account_external_id) : undefined, attributes: consent.rest,
  };
}

/**
 * Finds or creates the contact of each person: by external id (contact_identity 'external_id'),
 * else by normalized email. A person whose email belongs to another contact than its external id
 * is refused (two known people are never merged by an import). Answers row number → contact id.
 * `counted` says whether contacts are the import's entity or created on the side.
 */
export async function upsertPeople(trx: Trx, ctx: ImportContext, input: Person[], outcome: ChunkOutcome, counted: 'entity' | 'related'): Promise<Map<number, { contactId: string; accountId: string | null }>> {
  const unique = lastRowPerKey(ctx, input, (p) => [...(p.email ? [`email:${p.email}`] : []), ...(p.externalId ? [`external id:${p.externalId}`] : [])], 'email', outcome);
  const people = await withoutErasedEmails(trx, ctx.workspaceId, unique, (p) => p.email, (p) => { outcome.skipped++; outcome.errors.push(rowError(ctx, p, null, 'an erased person (suppressed until they consent again); not imported')); });
  const byExt = await findContactIdsByIdentity(trx, ctx.workspaceId, 'external_id', people.flatMap((p) => (p.externalId ? [p.externalId] : [])));
  const byEmail = await findContactsByEmails(trx, ctx.workspaceId, people.flatMap((p) => (p.email ? [p.email] : [])));
  const matched: { person: Person; contactId: string | null }[] = [];
  for (const p of people) {
    const a = p.externalId ? byExt.get(p.externalId) : undefined;
    const b = p.email ? byEmail.get(p.email)?.id : undefined;
    if (a && b && a !== b) {
      outcome.skipped++;
      outcome.errors.push(rowError(ctx, p, 'email', `${p.email} belongs to another contact than external id ${p.externalId}; not merged`));
      continue;
    }
    matched.push({ person: p, contactId: a ?? b ?? null });
  }
  const accounts = await resolveAccounts(trx, ctx, matched.map(({ person: p }) => ({
    key: p.row, externalId: p.accountExternalId, domain: companyDomain(p.website, p.email), company: p.company,
    industry: p.industry, employeeCount: p.employeeCount, country: p.country,
  })), outcome);
  if (ctx.chunkChecks) {
    // Everything below references these (or rows it inserts itself): lock them as foreign-key checks would.
    await lockReferencedRows(trx, ctx.workspaceId, {
      accounts: [...accounts.values(), ...matched.flatMap(({ person: p }) => (p.email && byEmail.get(p.email)?.accountId ? [byEmail.get(p.email)!.accountId!] : []))],
      contacts: matched.flatMap((m) => (m.contactId ? [m.contactId] : [])),
    });
  }

  const ids = new Map<number, { contactId: string; accountId: string | null }>();
  const inserts: ContactInsert[] = [];
  const updates: ContactUpdate[] = [];
  const identities: IdentityInsert[] = [];
  for (const { person: p, contactId } of matched) {
    const id = contactId ?? newId((p.createdAt ?? ctx.now).getTime());
    ids.set(p.row, { contactId: id, accountId: accounts.get(p.row) ?? (p.email ? byEmail.get(p.email)?.accountId ?? null : null) });
    const fields = {
      id, email: p.email ?? null, firstName: p.firstName ?? null, lastName: p.lastName ?? null, title: p.title ?? null, phone: p.phone ?? null,
      country: p.country ?? null, accountId: accounts.get(p.row) ?? null, attributes: p.attributes, firstTouchAt: p.createdAt ?? null, firstSource: p.source ?? null,
    };
    if (contactId) updates.push(fields);
    // Known to the CRM by its id even without an email: not an anonymous visitor.
    else inserts.push({ ...fields, status: 'known', createdAt: p.createdAt ?? ctx.now });
    if (p.email) identities.push({ kind: 'email', value: p.email, contactId: id });
    if (p.externalId) identities.push({ kind: 'external_id', value: p.externalId, contactId: id });
  }
  // Queued in this order: the identities are encoded while the contacts are written.
  const [inserted, , changed] = await writeInOrder([
    insertContactsBulk(trx, ctx.workspaceId, inserts), insertIdentitiesBulk(trx, ctx.workspaceId, identities), updateContactsBulk(trx, ctx.workspaceId, updates),
  ]);
  for (const c of inserts) outcome.newContactIds.add(c.id);
  const consents = await recordContactConsents(trx, ctx.workspaceId, new Map(matched.flatMap(({ person: p }) => (p.consent?.length ? [[ids.get(p.row)!.contactId, p.consent]] : []))),
    // Thousands of people a chunk: the enroll sweep (every 15 min) enrols those who now allow email, not one event each.
    { now: ctx.now, announce: false });
  // The new contacts as stored (no statement after the insert changes them but consent), for scoring.
  outcome.newContacts ??= new Map();
  for (const c of inserts) {
    const consent = consents.get(c.id);
    outcome.newContacts.set(c.id, {
      id: c.id, email: c.email, firstName: c.firstName, lastName: c.lastName, title: c.title, seniority: null, department: null, phone: c.phone,
      country: c.country, accountId: c.accountId, ownerId: null, status: c.status, mergedIntoId: null, attributes: c.attributes,
      consent: consent?.consent ?? {}, unsubscribedAt: consent?.unsubscribedAt ?? null,
      firstTouch: { at: c.firstTouchAt, source: c.firstSource, medium: null, campaign: null },
      latestTouch: { at: c.firstTouchAt, source: c.firstSource, medium: null, campaign: null }, createdAt: c.createdAt, updatedAt: c.createdAt,
    });
  }
  if (counted === 'entity') {
    outcome.inserted += inserted;
    outcome.updated += changed;
    outcome.unchanged += updates.length - changed;
  } else {
    addRelated(outcome, 'contacts_created', inserted);
    addRelated(outcome, 'contacts_updated', changed);
  }
  return ids;
}

/**
 * Contacts file. A row with a lifecycle stage or lead status (HubSpot) also opens or moves the
 * person's lead to the stage they describe, dated by the "Became a ... Date" columns.
 */
export async function importContacts(trx: Trx, ctx: ImportContext, rows: ImportRow<'contacts'>[]): Promise<ChunkOutcome> {
  const outcome = emptyOutcome();
  const ids = await upsertPeople(trx, ctx, rows.map((r) => personOf(ctx, r)), outcome, 'entity');
  outcome.contactIds.push(...[...ids.values()].map((c) => c.contactId));
  // Rated before the leads are written, so a new lead is inserted with its score snapshot.
  const rated = ctx.score ? await rateImportedPeople(trx, ctx.workspaceId, outcome.contactIds, { ...ctx.score, now: ctx.now, created: outcome.newContactIds, createdContacts: outcome.newContacts }) : null;
  const targets: LeadTarget[] = [];
  for (const r of rows) {
    const person = ids.get(r.row);
    const crm = person ? hubspotStage(r.values.lifecycle_stage, r.values.lead_status) : null;
    if (!person || !crm) continue;
    if ('error' in crm) { outcome.errors.push({ ...rowError(ctx, r, crm.error.field, `${crm.error.message}; the contact is imported without a lead`), warning: true }); continue; }
    targets.push({
      row: r.row, raw: r.raw, contactId: person.contactId, accountId: person.accountId, externalId: null, stage: crm.stage, via: crm.via,
      createdAt: r.values.created_at ?? null, source: r.values.source ?? null, stageDates: hubspotStageDates(r.values), statusField: 'lifecycle_stage',
    });
  }
  // The person's latest lead, even closed: a re-imported customer finds its won lead instead of opening a second one.
  const leads = await applyLeadTargets(trx, ctx, targets, outcome, 'contacts', rated?.snapshots);
  addRelated(outcome, 'leads_opened', leads.opened);
  addRelated(outcome, 'leads_moved', leads.moved);
  if (rated) {
    // A contact this chunk created has no lead but the one it just got: inserted with its snapshot, or closed, or none.
    await finishImportedScoring(trx, ctx.workspaceId, rated, { now: ctx.now, snapshotted: new Set([...leads.snapshotted, ...outcome.newContactIds]) });
    outcome.scoring = rated.scoring;
  }
  return outcome;
}
