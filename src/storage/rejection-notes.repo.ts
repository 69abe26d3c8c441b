import { sql } from 'kysely';
import type { DbOrTrx } from './db.ts';
import { decodeSortCursor } from '../core/lists.rules.ts';
import { keysetPage, type Keyset, type Page, type PageRequest } from './page.ts';

export type RejectionNote = {
  transitionId: string; leadId: string; contactId: string; personName: string; email: string | null; at: Date;
  fromStage: string; toStage: string; reasonCode: string; reasonLabel: string | null; outcome: string | null; note: string | null;
  recheckAt: Date | null; source: string | null; campaign: string | null; definitionVersion: number | null; repName: string | null;
};

/**
 * Rejections and hand-backs in a window, newest first, with what marketing needs to act on them:
 * the reason, the rep's note, the lead's source and campaign, and the definition version that made it
 * an MQL (its latest `→ mql` before the rejection, as the rejections report counts it).
 */
export async function listRejectionNotes(db: DbOrTrx, workspaceId: string, w: { from: Date; to: Date }, options: { withNoteOnly: boolean }, page: PageRequest): Promise<Page<RejectionNote>> {
  // Keyset (st.at, st.id), newest first: the cursor is srt1 [at as text, id] (storage/page.ts).
  const after = page.cursor ? decodeSortCursor(page.cursor) : null;
  const r = await sql<{
    id: string; lead_id: string; contact_id: string; first_name: string | null; last_name: string | null; email: string | null; at: Date; from_stage: string; to_stage: string;
    reason_code: string; label: string | null; outcome: string | null; note: string | null; recheck_at: Date | null; source: string | null; campaign: string | null;
    version: number | null; rep: string | null; keyset_sort: string;
  }>`
    SELECT st.id, st.lead_id, l.contact_id, c.first_name, c.last_name, c.email, st.at, st.from_stage, st.to_stage, st.reason_code, rc.label, rc.outcome, st.note,
      l.recheck_at, l.source, l.campaign, d.version, u.name AS rep, st.at::text AS keyset_sort
    FROM stage_transition st
    JOIN lead l ON l.workspace_id = st.workspace_id AND l.id = st.lead_id
    JOIN contact c ON c.workspace_id = l.workspace_id AND c.id = l.contact_id
    LEFT JOIN LATERAL (SELECT m.definition_id FROM stage_transition m
      WHERE m.workspace_id = st.workspace_id AND m.lead_id = st.lead_id AND m.to_stage = 'mql' AND (m.at, m.id) < (st.at, st.id)
      ORDER BY m.at DESC, m.id DESC LIMIT 1) decided ON true
    LEFT JOIN lead_definition d ON d.workspace_id = st.workspace_id AND d.id = decided.definition_id
    LEFT JOIN reason_code rc ON rc.workspace_id = st.workspace_id AND rc.code = st.reason_code
    LEFT JOIN app_user u ON u.workspace_id = st.workspace_id AND u.id = st.actor_id AND st.actor_type = 'user'
    WHERE st.workspace_id = ${workspaceId} AND st.from_stage IN ('mql', 'sal', 'sql') AND st.to_stage IN ('nurture', 'disqualified')
      AND st.reason_code IS NOT NULL AND st.at >= ${w.from} AND st.at < ${w.to}
      AND (${!options.withNoteOnly} OR coalesce(btrim(st.note), '') <> '')
      AND (${after === null} OR (st.at, st.id) < (cast(${after?.value ?? null} AS timestamptz), cast(${after?.id ?? null} AS uuid)))
    ORDER BY st.at DESC, st.id DESC
    LIMIT ${page.limit + 1}`.execute(db);
  return keysetPage(r.rows, rejectionKeyset, page.limit, (x) => ({
    transitionId: x.id, leadId: x.lead_id, contactId: x.contact_id, personName: [x.first_name, x.last_name].filter(Boolean).join(' ') || x.email || 'Unnamed person',
    email: x.email, at: new Date(x.at), fromStage: x.from_stage, toStage: x.to_stage, reasonCode: x.reason_code, reasonLabel: x.label, outcome: x.outcome, note: x.note,
    recheckAt: x.recheck_at ? new Date(x.recheck_at) : null, source: x.source, campaign: x.campaign, definitionVersion: x.version, repName: x.rep,
  }));
}

const rejectionKeyset: Keyset<{ id: string }> = { id: 'st.id', idOf: (r) => r.id, direction: 'desc', sort: { column: 'st.at', type: 'timestamptz' } };
