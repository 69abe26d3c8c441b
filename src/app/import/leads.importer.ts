import type { Stage } from '../../core/lifecycle.ts';
import type { Trx } from '../../storage/db.ts';
import { insertExternalRefsBulk, insertIdentitiesBulk } from '../../storage/import-bulk.repo.ts';
import { personOf, upsertPeople } from './contacts.importer.ts';
import { hubspotStage, hubspotStageDates } from './crm-stages.ts';
import { addRelated, emptyOutcome, lastRowPerKey, rowError, type ChunkOutcome, type ImportContext, type ImportRow } from './import-context.ts';
import { externalIdOf } from './import-presets.ts';
import { linkLeadsToDeals, PENDING_CONVERSION_REF } from './lead-links.ts';
import { applyLeadTargets, type LeadTarget } from './lead-targets.ts';

type Row = ImportRow<'leads'>;

/**
 * A converted Salesforce lead (IsConverted / Status "Closed - Converted") became a contact and,
 * usually, an opportunity: it stops at `sql` here, and the link to its opportunity (now, or when
 * the opportunities file comes later) moves it on by the lead↔deal rule, so its path is counted
 * once, as the deal's, never again as a lead without a deal.
 */
function isConverted(ctx: ImportContext, r: Row): boolean {
  const v = r.values;
  if (v.converted !== undefined) return v.converted;
  const statusAt = ctx.plan.fields.get('status');
  return !!v.converted_opportunity_id || !!v.converted_contact_id || (statusAt !== undefined && /convert/i.test(r.raw[statusAt] ?? ''));
}

function targetOf(ctx: ImportContext, r: Row, contactId: string, accountId: string | null, outcome: ChunkOutcome): LeadTarget | null {
  const v = r.values;
  let stage: Stage = v.status ?? 'inquiry';
  let statusField = 'status';
  let via: Stage | undefined;
  if (!v.status && (v.lifecycle_stage || v.lead_status)) {
    const hs = hubspotStage(v.lifecycle_stage, v.lead_status);
    if (hs && 'error' in hs) { outcome.skipped++; outcome.errors.push(rowError(ctx, r, hs.error.field, hs.error.message)); return null; }
    if (hs) { stage = hs.stage; via = hs.via; statusField = 'lifecycle_stage'; }
  }
  // "Closed - Converted" reached sql; the deal link decides what comes after (opportunity, won, lost).
  if (isConverted(ctx, r) && ['inquiry', 'mql', 'sal', 'sql', 'opportunity'].includes(stage)) stage = 'sql';
  return {
    row: r.row, raw: r.raw, contactId, accountId, externalId: personOf(ctx, r).externalId ?? null, stage, createdAt: v.created_at ?? null,
    source: v.source ?? null, stageDates: hubspotStageDates(v), statusField, via,
  };
}

/**
 * Leads file: the person (contact + account) and one lead per row at the stage its status maps to
 * (see applyLeadTargets for matching and history). Converted Salesforce leads also give their
 * contact the converted contact id (so the contacts export finds the same person) and are linked to
 * their converted opportunity.
 */
export async function importLeads(trx: Trx, ctx: ImportContext, input: Row[]): Promise<ChunkOutcome> {
  const outcome = emptyOutcome();
  const contactIds = await upsertPeople(trx, ctx, input.map((r) => personOf(ctx, r)), outcome, 'related');
  const rows = lastRowPerKey(ctx, input.filter((r) => contactIds.has(r.row)), (r) => [`contact:${contactIds.get(r.row)!.contactId}`], 'email', outcome);
  const targets = rows.flatMap((r) => {
    const { contactId, accountId } = contactIds.get(r.row)!;
    const t = targetOf(ctx, r, contactId, accountId, outcome);
    return t ? [t] : [];
  });
  const applied = await applyLeadTargets(trx, ctx, targets, outcome);
  outcome.inserted += applied.opened;
  outcome.updated += applied.moved;
  outcome.unchanged += applied.unchanged;
  outcome.contactIds.push(...[...contactIds.values()].map((c) => c.contactId));

  const converted = rows.filter((r) => applied.leadIds.has(r.row) && isConverted(ctx, r));
  await insertIdentitiesBulk(trx, ctx.workspaceId, converted.flatMap((r) => (r.values.converted_contact_id
    ? [{ kind: 'external_id' as const, value: externalIdOf(ctx.preset, r.values.converted_contact_id), contactId: contactIds.get(r.row)!.contactId }] : [])));
  const pending = converted.flatMap((r) => (r.values.converted_opportunity_id
    ? [{ leadId: applied.leadIds.get(r.row)!, opportunityExternalId: externalIdOf(ctx.preset, r.values.converted_opportunity_id) }] : []));
  // Remembered until the opportunity exists (either file may come first); linked now when it does.
  await insertExternalRefsBulk(trx, ctx.workspaceId, PENDING_CONVERSION_REF, pending.map((p) => ({ externalId: `${p.opportunityExternalId}|${p.leadId}`, recordId: p.leadId })));
  const links = await linkLeadsToDeals(trx, ctx, { byOpportunityExternalId: pending });
  addRelated(outcome, 'converted_leads', converted.filter((r) => applied.leadIds.has(r.row) && applied.changedRows.has(r.row)).length);
  addRelated(outcome, 'leads_linked_to_deals', links.linked);
  return outcome;
}
