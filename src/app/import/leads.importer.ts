import { historyPath, type HistoryStep } from '../../core/lead-history.rules.ts';
import { closedStages, type Stage } from '../../core/lifecycle.ts';
import type { Trx } from '../../storage/db.ts';
import { insertExternalRefsBulk, insertLeadsBulk, insertTransitionsBulk, type LeadInsert, type TransitionInsert } from '../../storage/import-bulk.repo.ts';
import { findExternalRefs, findLeadStates, setLeadStagesBulk, type LeadStageSet } from '../../storage/import-match.repo.ts';
import { newId } from '../../storage/ids.ts';
import { personOf, upsertPeople } from './contacts.importer.ts';
import { emptyOutcome, lastRowPerKey, rowError, type ChunkOutcome, type ImportContext, type ImportRow } from './import-context.ts';

const REF_ENTITY = 'lead';

/**
 * Leads file: the person (contact + account) and one lead per row at the stage its status maps to.
 * A lead is found again by its external id (import_external_ref), else it is the contact's open
 * lead. New histories walk the lifecycle from inquiry, dated at the row's created date; a status
 * change on re-import walks from the stored stage, dated now. Every move obeys the lifecycle table.
 */
export async function importLeads(trx: Trx, ctx: ImportContext, input: ImportRow<'leads'>[]): Promise<ChunkOutcome> {
  const outcome = emptyOutcome();
  const contactIds = await upsertPeople(trx, ctx, input.map((r) => personOf(ctx, r)), outcome, 'related');
  const rows = lastRowPerKey(ctx, input.filter((r) => contactIds.has(r.row)), (r) => [`contact:${contactIds.get(r.row)!.contactId}`], 'email', outcome);
  const extOf = (r: ImportRow<'leads'>) => personOf(ctx, r).externalId ?? null;
  const refs = await findExternalRefs(trx, ctx.workspaceId, REF_ENTITY, rows.flatMap((r) => (extOf(r) ? [extOf(r)!] : [])));
  const states = await findLeadStates(trx, ctx.workspaceId, [...refs.values()], rows.map((r) => contactIds.get(r.row)!.contactId));

  const leads: LeadInsert[] = [];
  const moves: LeadStageSet[] = [];
  const transitions: TransitionInsert[] = [];
  const newRefs: { externalId: string; recordId: string }[] = [];
  const note = `imported from ${ctx.preset} CSV`;
  const write = (leadId: string, steps: (Omit<HistoryStep, 'from'> & { from: Stage | null })[], at: Date, stepNote: string) => {
    for (const s of steps) {
      transitions.push({ id: newId(at.getTime()), leadId, from: s.from, to: s.to, at, actorType: 'system', actorId: null, reasonCode: s.reasonCode, note: stepNote, isRecycle: false });
    }
  };
  for (const r of rows) {
    const { contactId, accountId } = contactIds.get(r.row)!;
    const ext = extOf(r);
    const refLead = ext ? refs.get(ext) : undefined;
    const current = (refLead ? states.byId.get(refLead) : undefined) ?? states.openByContact.get(contactId);
    const target: Stage = r.values.status ?? (current?.stage as Stage | undefined) ?? 'inquiry';
    if (current) {
      if (ext && !refLead) newRefs.push({ externalId: ext, recordId: current.id });
      if (current.stage === target) { outcome.unchanged++; continue; }
      const path = historyPath(current.stage as Stage, target, ctx.taxonomy);
      if (!path.ok) {
        outcome.skipped++;
        outcome.errors.push(rowError(ctx, r, 'status', `lead ${current.id} is at ${current.stage}; ${path.message}`));
        continue;
      }
      write(current.id, path.value, ctx.now, `${note}: status changed in the source`);
      moves.push(stageSet(current.id, target, path.value, ctx.now));
      outcome.updated++;
      continue;
    }
    const path = historyPath('inquiry', target, ctx.taxonomy);
    if (!path.ok) {
      outcome.skipped++;
      outcome.errors.push(rowError(ctx, r, 'status', path.message));
      continue;
    }
    const at = r.values.created_at ?? ctx.now;
    const id = newId(at.getTime());
    const reachesMql = path.value.some((s) => s.to === 'mql');
    leads.push({
      id, contactId, accountId, stage: target, ownerId: null, openedAt: at, stageEnteredAt: at, closedAt: closedStages.includes(target) ? at : null,
      mqlAt: reachesMql ? at : null, source: r.values.source ?? null, firstTouchAt: r.values.created_at ?? null,
    });
    write(id, [{ from: null, to: 'inquiry', reasonCode: null }, ...path.value], at,
      path.value.length ? `${note}; only the current status is known, so every stage is dated at the created date` : note);
    if (ext) newRefs.push({ externalId: ext, recordId: id });
    outcome.inserted++;
  }
  await insertLeadsBulk(trx, ctx.workspaceId, leads);
  await setLeadStagesBulk(trx, ctx.workspaceId, moves);
  await insertTransitionsBulk(trx, ctx.workspaceId, transitions);
  await insertExternalRefsBulk(trx, ctx.workspaceId, REF_ENTITY, newRefs);
  return outcome;
}

function stageSet(id: string, stage: Stage, steps: HistoryStep[], at: Date): LeadStageSet {
  return {
    id, stage, at, closes: closedStages.includes(stage), reachesMql: steps.some((s) => s.to === 'mql'), recycles: 0,
    reasonCode: [...steps].reverse().find((s) => s.reasonCode)?.reasonCode ?? null,
  };
}
