import { campaignReturns, type CampaignReturns } from '../core/campaign-returns.rules.ts';
import { fail, ok, type Result } from '../core/result.ts';
import {
  addCampaignMembers, campaignFunnel, countCampaignActivities, deleteCampaign, deleteCampaignCosts, existingContactIds, listCampaignMembers, lockCampaign,
  removeCampaignMember, updateCampaign, type CampaignFunnel, type CampaignMember, type CampaignPatch,
} from '../storage/campaign-work.repo.ts';
import { getCampaign, listCampaignCosts, upsertCampaignCosts, type Campaign, type CampaignCost } from '../storage/campaigns.repo.ts';
import { isUniqueViolation } from '../storage/errors.ts';
import { recordAudit } from './audit.ts';
import type { AppDeps } from './context.ts';
import { inTransaction } from './transaction.ts';
import type { Page, PageRequest } from '../storage/page.ts';

/**
 * The campaigns screen's use cases: edit (fields and costs per month), delete, members, performance.
 * Budgets and costs are part of what marketing answers for, so every change is audit-logged.
 */
export type CampaignChange = CampaignPatch & { costs?: { periodStart: string; amount: number | null; currency: string }[] };

export async function changeCampaign(deps: AppDeps, workspaceId: string, id: string, change: CampaignChange): Promise<Result<Campaign & { costs: CampaignCost[] }>> {
  const now = deps.clock.now();
  try {
    return await inTransaction(deps, async (trx) => {
      if (!(await lockCampaign(trx, workspaceId, id))) return fail('NotFound', `Campaign ${id} not found in this workspace.`);
      const before = { ...(await getCampaign(trx, workspaceId, id))!, costs: await listCampaignCosts(trx, workspaceId, id) };
      const startsOn = change.startsOn !== undefined ? change.startsOn : before.startsOn;
      const endsOn = change.endsOn !== undefined ? change.endsOn : before.endsOn;
      if (startsOn && endsOn && endsOn < startsOn) return fail('ValidationFailed', `ends_on (${endsOn}) is before starts_on (${startsOn}).`, [{ path: 'body.ends_on', message: 'before starts_on' }]);
      await updateCampaign(trx, workspaceId, id, change);
      // A cost with amount null removes that month; the others are set (months not listed stay).
      const costs = change.costs ?? [];
      await deleteCampaignCosts(trx, workspaceId, id, costs.filter((c) => c.amount === null).map((c) => c.periodStart));
      await upsertCampaignCosts(trx, workspaceId, costs.filter((c) => c.amount !== null).map((c) => ({ campaignId: id, periodStart: c.periodStart, amount: c.amount!, currency: c.currency })));
      const after = { ...(await getCampaign(trx, workspaceId, id))!, costs: await listCampaignCosts(trx, workspaceId, id) };
      await recordAudit(trx, { workspaceId, action: 'campaign.changed', object: { type: 'campaign', id }, before, after, at: now });
      return ok(after);
    });
  } catch (e) {
    if (isUniqueViolation(e)) return fail('Conflict', `A campaign named '${change.name}' already exists.`, [{ path: 'body.name', message: 'taken' }]);
    throw e;
  }
}

/** Deletes a campaign no activity names (history keeps its campaign); its costs and members go with it. */
export async function removeCampaign(deps: AppDeps, workspaceId: string, id: string): Promise<Result<{ id: string }>> {
  return inTransaction(deps, async (trx) => {
    if (!(await lockCampaign(trx, workspaceId, id))) return fail('NotFound', `Campaign ${id} not found in this workspace.`);
    const used = await countCampaignActivities(trx, workspaceId, id);
    if (used > 0) return fail('Conflict', `${used} recorded activities name this campaign; deleting it would orphan them. Set its end date instead.`, [{ path: 'id', message: 'in use by activities' }]);
    const before = { ...(await getCampaign(trx, workspaceId, id))!, costs: await listCampaignCosts(trx, workspaceId, id) };
    await deleteCampaign(trx, workspaceId, id);
    await recordAudit(trx, { workspaceId, action: 'campaign.deleted', object: { type: 'campaign', id }, before, at: deps.clock.now() });
    return ok({ id });
  });
}

export async function addMembers(deps: AppDeps, workspaceId: string, id: string, members: readonly { contactId: string; status: string }[]): Promise<Result<{ added: number }>> {
  const known = await existingContactIds(deps.db, workspaceId, members.map((m) => m.contactId));
  const unknown = members.map((m, i) => ({ m, i })).filter(({ m }) => !known.has(m.contactId));
  if (unknown.length) return fail('ValidationFailed', `${unknown.length} contact(s) not found in this workspace; nothing was added.`, unknown.slice(0, 20).map(({ i }) => ({ path: `body.members[${i}].contact_id`, message: 'unknown contact' })));
  return inTransaction(deps, async (trx) => {
    if (!(await lockCampaign(trx, workspaceId, id))) return fail('NotFound', `Campaign ${id} not found in this workspace.`);
    const added = await addCampaignMembers(trx, workspaceId, id, members, deps.clock.now());
    await recordAudit(trx, { workspaceId, action: 'campaign.members_added', object: { type: 'campaign', id }, after: { contact_ids: members.map((m) => m.contactId) }, at: deps.clock.now() });
    return ok({ added });
  });
}

export async function removeMember(deps: AppDeps, workspaceId: string, id: string, contactId: string): Promise<Result<{ removed: true }>> {
  return inTransaction(deps, async (trx) => {
    if (!(await removeCampaignMember(trx, workspaceId, id, contactId))) return fail('NotFound', `Contact ${contactId} is not a member of campaign ${id}.`);
    await recordAudit(trx, { workspaceId, action: 'campaign.member_removed', object: { type: 'campaign', id }, before: { contact_id: contactId }, at: deps.clock.now() });
    return ok({ removed: true as const });
  });
}

export async function membersOf(deps: AppDeps, workspaceId: string, id: string, page: PageRequest): Promise<Result<Page<CampaignMember>>> {
  if (!(await getCampaign(deps.db, workspaceId, id))) return fail('NotFound', `Campaign ${id} not found in this workspace.`);
  return ok(await listCampaignMembers(deps.db, workspaceId, id, page));
}

export async function campaignPerformance(deps: AppDeps, workspaceId: string, id: string): Promise<Result<CampaignFunnel & CampaignReturns>> {
  if (!(await getCampaign(deps.db, workspaceId, id))) return fail('NotFound', `Campaign ${id} not found in this workspace.`);
  const funnel = await campaignFunnel(deps.db, workspaceId, id);
  return ok({ ...funnel, ...campaignReturns(funnel) });
}
