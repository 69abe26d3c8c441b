import { sql } from 'kysely';
import type { Trx } from './db.ts';
import './schema-imports.ts';

/**
 * Set-based lead ↔ deal linking for imports: one statement resolves a chunk's pairs and writes the
 * links, one reads the linked leads (locked) with their deals, whatever the chunk's size.
 */

/** A deal (by id or external id) and who to link: a lead, or a contact (whose lead is meant). */
export type DealLeadPair = { opportunityId?: string; opportunityExternalId?: string; leadId?: string; contactId?: string };

export type LinkedLead = {
  leadId: string; stage: string; stageEnteredAt: Date; opportunityId: string; status: 'open' | 'won' | 'lost'; createdAt: Date; closedAt: Date | null;
};

/**
 * Links each pair's lead to its deal (existing links are kept) and answers every resolved pair's
 * lead and deal. A contact's lead is its open lead, else its latest lead not yet linked to any
 * deal (a closed history a CRM export ties to the deal afterwards); a contact without one gets no
 * link. Unknown deals or leads are left out of the answer.
 */
export async function linkDealLeads(trx: Trx, workspaceId: string, pairs: DealLeadPair[]): Promise<{ leads: LinkedLead[]; newLinks: number }> {
  if (pairs.length === 0) return { leads: [], newLinks: 0 };
  const json = JSON.stringify(pairs.map((p) => ({ opp: p.opportunityId ?? null, ext: p.opportunityExternalId ?? null, lead: p.leadId ?? null, contact: p.contactId ?? null })));
  const linked = await sql<{ opportunity_id: string; lead_id: string; new_links: string }>`
    WITH p AS (SELECT * FROM jsonb_to_recordset(${json}::jsonb) AS x(opp uuid, ext text, lead uuid, contact uuid)),
    r AS (SELECT
      COALESCE((SELECT o.id FROM opportunity o WHERE o.workspace_id = ${workspaceId} AND o.id = p.opp),
        (SELECT o.id FROM opportunity o WHERE p.opp IS NULL AND o.workspace_id = ${workspaceId} AND o.external_id = p.ext)) AS opportunity_id,
      COALESCE((SELECT l.id FROM lead l WHERE l.workspace_id = ${workspaceId} AND l.id = p.lead),
        (SELECT l.id FROM lead l WHERE p.lead IS NULL AND l.workspace_id = ${workspaceId} AND l.contact_id = p.contact
          AND (l.stage NOT IN ('won','lost','disqualified') OR NOT EXISTS (SELECT 1 FROM opportunity_lead ol WHERE ol.workspace_id = l.workspace_id AND ol.lead_id = l.id))
          ORDER BY (l.stage NOT IN ('won','lost','disqualified')) DESC, l.opened_at DESC, l.id DESC LIMIT 1)) AS lead_id
      FROM p),
    resolved AS (SELECT DISTINCT opportunity_id, lead_id FROM r WHERE opportunity_id IS NOT NULL AND lead_id IS NOT NULL),
    ins AS (INSERT INTO opportunity_lead (workspace_id, opportunity_id, lead_id) SELECT ${workspaceId}, opportunity_id, lead_id FROM resolved
      ON CONFLICT DO NOTHING RETURNING lead_id)
    SELECT opportunity_id, lead_id, (SELECT count(*) FROM ins) AS new_links FROM resolved`.execute(trx);
  if (linked.rows.length === 0) return { leads: [], newLinks: 0 };
  const leadIds = [...new Set(linked.rows.map((r) => r.lead_id))];
  const states = await sql<{ id: string; stage: string; stage_entered_at: Date }>`SELECT id, stage, stage_entered_at FROM lead
    WHERE workspace_id = ${workspaceId} AND id = ANY(${leadIds}::uuid[]) ORDER BY id FOR UPDATE`.execute(trx);
  const deals = await sql<{ id: string; status: string; created_at: Date; closed_at: Date | null }>`SELECT id, status, created_at, closed_at FROM opportunity
    WHERE workspace_id = ${workspaceId} AND id = ANY(${[...new Set(linked.rows.map((r) => r.opportunity_id))]}::uuid[])`.execute(trx);
  const lead = new Map(states.rows.map((r) => [r.id, r]));
  const deal = new Map(deals.rows.map((r) => [r.id, r]));
  const leads = linked.rows.map((r) => {
    const l = lead.get(r.lead_id)!;
    const o = deal.get(r.opportunity_id)!;
    return { leadId: l.id, stage: l.stage, stageEnteredAt: l.stage_entered_at, opportunityId: o.id, status: o.status as LinkedLead['status'], createdAt: o.created_at, closedAt: o.closed_at };
  });
  return { leads, newLinks: Number(linked.rows[0]!.new_links) };
}

/** Converted leads waiting for these deals (import_external_ref keys '<deal external id>|<lead id>'). */
export async function findPendingConversions(trx: Trx, workspaceId: string, entity: string, opportunityExternalIds: string[]): Promise<{ leadId: string; opportunityExternalId: string }[]> {
  if (opportunityExternalIds.length === 0) return [];
  // A key range per deal ('|' sorts just before '}'), so the primary key index answers it.
  const rows = await sql<{ record_id: string; ext: string }>`SELECT r.record_id, e.ext FROM unnest(${opportunityExternalIds}::text[]) AS e(ext)
    JOIN import_external_ref r ON r.workspace_id = ${workspaceId} AND r.entity = ${entity}
      AND r.external_id >= e.ext || '|' AND r.external_id < e.ext || '}'`.execute(trx);
  return rows.rows.map((r) => ({ leadId: r.record_id, opportunityExternalId: r.ext }));
}

/** The leads already linked to these deals, as pairs (a re-imported deal that closed moves them). */
export async function existingDealLeadPairs(trx: Trx, workspaceId: string, opportunityIds: string[]): Promise<DealLeadPair[]> {
  if (opportunityIds.length === 0) return [];
  const rows = await sql<{ opportunity_id: string; lead_id: string }>`SELECT opportunity_id, lead_id FROM opportunity_lead
    WHERE workspace_id = ${workspaceId} AND opportunity_id = ANY(${opportunityIds}::uuid[])`.execute(trx);
  return rows.rows.map((r) => ({ opportunityId: r.opportunity_id, leadId: r.lead_id }));
}
