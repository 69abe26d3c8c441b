import type { Trx } from '../../storage/db.ts';
import { findContactIdsByIdentity, insertContactRolesBulk } from '../../storage/import-bulk.repo.ts';
import { findContactsByEmails, findOpportunitiesByExternalIds } from '../../storage/import-match.repo.ts';
import { addRelated, emptyOutcome, rowError, type ChunkOutcome, type ImportContext, type ImportRow } from './import-context.ts';
import { externalIdOf } from './import-presets.ts';
import { linkLeadsToDeals } from './lead-links.ts';

type Row = ImportRow<'contact_roles'>;

/** Salesforce role labels and HubSpot association labels, kept readable; blank means a plain contact role. */
const roleOf = (role: string | undefined) => (role ? role.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_|_$/g, '').slice(0, 100) || 'contact' : 'contact');

/**
 * Deal ↔ contact files (Salesforce OpportunityContactRole, HubSpot deal–contact associations):
 * each row adds the contact's role on the deal and links the contact's lead to it, which moves the
 * lead by the lead↔deal rule (see linkLeadsToDeals). The deal and the contact must already be
 * imported (by their CRM ids, or the contact by email); a row naming an unknown one is refused.
 */
export async function importContactRoles(trx: Trx, ctx: ImportContext, rows: Row[]): Promise<ChunkOutcome> {
  const outcome = emptyOutcome();
  const oppExt = (r: Row) => externalIdOf(ctx.preset, r.values.opportunity_external_id);
  const contactExt = (r: Row) => (r.values.contact_external_id ? externalIdOf(ctx.preset, r.values.contact_external_id) : null);
  const deals = await findOpportunitiesByExternalIds(trx, ctx.workspaceId, rows.map(oppExt));
  const byExt = await findContactIdsByIdentity(trx, ctx.workspaceId, 'external_id', rows.flatMap((r) => (contactExt(r) ? [contactExt(r)!] : [])));
  const byEmail = await findContactsByEmails(trx, ctx.workspaceId, rows.flatMap((r) => (r.values.contact_email ? [r.values.contact_email] : [])));
  const roles: { opportunityId: string; contactId: string; role: string; isPrimary: boolean }[] = [];
  for (const r of rows) {
    const deal = deals.get(oppExt(r));
    const contactId = (contactExt(r) && byExt.get(contactExt(r)!)) || (r.values.contact_email && byEmail.get(r.values.contact_email)?.id) || null;
    if (!deal) { outcome.skipped++; outcome.errors.push(rowError(ctx, r, 'opportunity_external_id', 'no imported opportunity has this id; import the opportunities file first')); continue; }
    if (!contactId) { outcome.skipped++; outcome.errors.push(rowError(ctx, r, r.values.contact_external_id ? 'contact_external_id' : 'contact_email', 'no imported contact has this id or email; import the contacts (or leads) file first')); continue; }
    roles.push({ opportunityId: deal.id, contactId, role: roleOf(r.values.role), isPrimary: r.values.is_primary ?? false });
  }
  outcome.inserted += await insertContactRolesBulk(trx, ctx.workspaceId, roles);
  outcome.unchanged += roles.length - outcome.inserted;
  const links = await linkLeadsToDeals(trx, ctx, { pairs: roles.map((r) => ({ opportunityId: r.opportunityId, contactId: r.contactId })) });
  addRelated(outcome, 'leads_linked', links.linked);
  addRelated(outcome, 'leads_moved', links.moved);
  return outcome;
}
