import { diffDefinitions, type DefinitionChange } from '../../core/definitions/definition-diff.ts';
import { signOffStatus, type SignOffGroups, type SignOffStatus } from '../../core/definitions/versioning.ts';
import { fail, ok, type Result } from '../../core/result.ts';
import { listApprovals, listDefinitionEvents, type DefinitionApprovalRecord, type DefinitionEvent } from '../../storage/definition-versions.repo.ts';
import { getActiveDefinition, getDefinition, listDefinitions, pageDefinitionHistory, pageDefinitions, type LeadDefinitionRecord } from '../../storage/definitions.repo.ts';
import type { AppDeps } from '../context.ts';
import { definitionOf } from '../definition-facts.ts';
import { signOffGroupsOf, versionState } from './definition-lifecycle.ts';
import type { Page, PageRequest } from '../../storage/page.ts';

export type DefinitionDetail = {
  record: LeadDefinitionRecord; approvals: DefinitionApprovalRecord[]; signOff: SignOffStatus;
  /** A pending request to retire this active version: its own sign-off round. */
  retirement: { approvals: DefinitionApprovalRecord[]; signOff: SignOffStatus } | null;
};

function detailOf(record: LeadDefinitionRecord, approvals: DefinitionApprovalRecord[], retireApprovals: DefinitionApprovalRecord[], groups: SignOffGroups): DefinitionDetail {
  const state = versionState(record, approvals, retireApprovals);
  return {
    record, approvals, signOff: signOffStatus(state.approvals, groups),
    retirement: state.retirement ? { approvals: retireApprovals, signOff: signOffStatus(state.retirement.approvals, groups) } : null,
  };
}

export async function listDefinitionVersions(deps: AppDeps, workspaceId: string): Promise<DefinitionDetail[]> {
  return detailsOf(deps, workspaceId, await listDefinitions(deps.db, workspaceId));
}

/** A page of definition versions, newest first, with their sign-off state. */
export async function definitionVersionsPage(deps: AppDeps, workspaceId: string, page: PageRequest): Promise<Page<DefinitionDetail>> {
  const records = await pageDefinitions(deps.db, workspaceId, page);
  return { data: await detailsOf(deps, workspaceId, records.data), nextCursor: records.nextCursor };
}

async function detailsOf(deps: AppDeps, workspaceId: string, records: LeadDefinitionRecord[]): Promise<DefinitionDetail[]> {
  const ids = records.map((r) => r.id);
  const approvals = await listApprovals(deps.db, workspaceId, ids);
  const retiring = records.filter((r) => r.retireRequest).map((r) => r.id);
  const retireApprovals = await listApprovals(deps.db, workspaceId, retiring, 'retire');
  const groups = await signOffGroupsOf(deps.db, workspaceId);
  return records.map((record) => detailOf(record, approvals.get(record.id) ?? [], retireApprovals.get(record.id) ?? [], groups));
}

export async function findDefinition(deps: AppDeps, workspaceId: string, id: string): Promise<Result<DefinitionDetail>> {
  const record = await getDefinition(deps.db, workspaceId, id);
  if (!record) return fail('NotFound', `Definition ${id} not found in this workspace.`);
  const approvals = (await listApprovals(deps.db, workspaceId, [id])).get(id) ?? [];
  const retireApprovals = record.retireRequest ? (await listApprovals(deps.db, workspaceId, [id], 'retire')).get(id) ?? [] : [];
  const groups = await signOffGroupsOf(deps.db, workspaceId);
  return ok(detailOf(record, approvals, retireApprovals, groups));
}

export type DefinitionDiff = { from: { id: string; version: number }; to: { id: string; version: number }; changes: DefinitionChange[] };

/** What changed from `against` (a version id, or 'active') to this version, in words. */
export async function diffDefinition(deps: AppDeps, workspaceId: string, id: string, against: string): Promise<Result<DefinitionDiff>> {
  const target = await getDefinition(deps.db, workspaceId, id);
  if (!target) return fail('NotFound', `Definition ${id} not found in this workspace.`);
  const base = against === 'active' ? await getActiveDefinition(deps.db, workspaceId) : await getDefinition(deps.db, workspaceId, against);
  if (!base) {
    return against === 'active'
      ? fail('NotFound', 'There is no active definition to compare with; pass against=<definition id>.', [{ path: 'querystring.against', message: 'no active definition' }])
      : fail('NotFound', `Definition ${against} not found in this workspace.`, [{ path: 'querystring.against', message: 'unknown definition' }]);
  }
  return ok({
    from: { id: base.id, version: base.version }, to: { id: target.id, version: target.version },
    changes: diffDefinitions(definitionOf(base), definitionOf(target)),
  });
}

export type DefinitionHistoryEntry = DefinitionDetail & {
  events: DefinitionEvent[];
  /** What changed from the version before it, in words. */
  changes: DefinitionChange[];
};

/**
 * A page of the versions, oldest first: what changed, when, who agreed, and what its backtest said. The page's first
 * version is compared with the one just before it (read with the page), so a page's diffs do not depend on its size.
 */
export async function definitionHistory(deps: AppDeps, workspaceId: string, page: PageRequest): Promise<Page<DefinitionHistoryEntry>> {
  const records = await pageDefinitionHistory(deps.db, workspaceId, page);
  const versions = await detailsOf(deps, workspaceId, records.data);
  const events = await listDefinitionEvents(deps.db, workspaceId, records.data.map((r) => r.id));
  const data = versions.map((v, i) => {
    const prev = i === 0 ? records.before : versions[i - 1]!.record;
    return {
      ...v,
      events: events.filter((e) => e.definitionId === v.record.id),
      changes: prev ? diffDefinitions(definitionOf(prev), definitionOf(v.record)) : [],
    };
  });
  return { data, nextCursor: records.nextCursor };
}
