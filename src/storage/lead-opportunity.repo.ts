import type { Trx } from './db.ts';

/** Adds a contact to an opportunity's roles unless it is already there (its role is then kept). */
export async function addContactRoleIfMissing(trx: Trx, workspaceId: string, opportunityId: string, contactId: string, role: string, isPrimary: boolean): Promise<void> {
  await trx.insertInto('opportunity_contact_role').values({ workspace_id: workspaceId, opportunity_id: opportunityId, contact_id: contactId, role, is_primary: isPrimary })
    .onConflict((oc) => oc.doNothing()).execute();
}

/** Ids of the leads linked to an opportunity that sit in `stage`, locked, oldest first. */
export async function lockLinkedLeadsInStage(trx: Trx, workspaceId: string, opportunityId: string, stage: string): Promise<string[]> {
  const rows = await trx.selectFrom('lead')
    .innerJoin('opportunity_lead', (j) => j.onRef('opportunity_lead.workspace_id', '=', 'lead.workspace_id').onRef('opportunity_lead.lead_id', '=', 'lead.id'))
    .select('lead.id').where('lead.workspace_id', '=', workspaceId).where('opportunity_lead.opportunity_id', '=', opportunityId)
    .where('lead.stage', '=', stage).orderBy('lead.id').forUpdate().execute();
  return rows.map((r) => r.id);
}
