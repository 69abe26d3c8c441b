import { readRetention, retentionCutoffs, type RetentionPolicy } from '../../core/privacy/retention.rules.ts';
import { deleteExpired, expiredUnsubscribed, workspaceIds, type RetentionCounts } from '../../storage/privacy-retention.repo.ts';
import { getWorkspace, mergeWorkspaceSettings } from '../../storage/workspaces.repo.ts';
import { recordAudit } from '../audit.ts';
import type { AppDeps, Principal } from '../context.ts';
import { withTransaction } from '../transaction.ts';
import { erasePersonInTrx } from './erase-person.ts';

export async function retentionPolicy(deps: AppDeps, workspaceId: string): Promise<RetentionPolicy> {
  const ws = await getWorkspace(deps.db, workspaceId);
  return readRetention(ws?.settings.retention);
}

/** Changes some retention periods (admin); audited with the periods before and after. */
export async function changeRetention(deps: AppDeps, principal: Principal, patch: Partial<RetentionPolicy>): Promise<RetentionPolicy> {
  return withTransaction(deps, async (trx) => {
    const ws = await getWorkspace(trx, principal.workspaceId);
    const before = readRetention(ws?.settings.retention);
    const after = readRetention({ ...before, ...patch });
    await mergeWorkspaceSettings(trx, principal.workspaceId, { retention: after });
    await recordAudit(trx, { workspaceId: principal.workspaceId, actor: principal, action: 'workspace.retention_changed', object: { type: 'workspace', id: principal.workspaceId }, before, after, at: deps.clock.now() });
    return after;
  });
}

export type RetentionOutcome = RetentionCounts & { workspaceId: string; unsubscribed_erased: number };

/** Unsubscribed contacts erased per workspace and run: a backlog drains over a few days, never one huge transaction. */
const UNSUBSCRIBED_PER_RUN = 500;

/**
 * Deletes what has expired in one workspace (one transaction) and reports the counts; a run that
 * deleted something leaves an audit entry with the counts (never what was deleted).
 */
export async function runRetention(deps: AppDeps, workspaceId: string): Promise<RetentionOutcome> {
  const now = deps.clock.now();
  const policy = await retentionPolicy(deps, workspaceId);
  const cut = retentionCutoffs(policy, now);
  return withTransaction(deps, async (trx) => {
    const counts = await deleteExpired(trx, workspaceId, cut);
    let erased = 0;
    if (cut.unsubscribed_contact_days) {
      for (const id of await expiredUnsubscribed(trx, workspaceId, cut.unsubscribed_contact_days, UNSUBSCRIBED_PER_RUN)) {
        const r = await erasePersonInTrx(trx, workspaceId, { contactId: id }, { kind: 'system', label: 'retention' }, now);
        if (r.ok && r.value.status === 'erased') erased++;
      }
    }
    const outcome = { workspaceId, ...counts, unsubscribed_erased: erased };
    const total = Object.values(counts).reduce((a, b) => a + b, 0) + erased;
    if (total > 0) {
      await recordAudit(trx, { workspaceId, actor: { kind: 'system', label: 'retention' }, action: 'privacy.retention_ran', object: { type: 'workspace', id: workspaceId }, after: { ...counts, unsubscribed_erased: erased, policy }, at: now });
    }
    return outcome;
  });
}

/** The daily job: every workspace, one after the other. */
export async function runRetentionEverywhere(deps: AppDeps): Promise<RetentionOutcome[]> {
  const out: RetentionOutcome[] = [];
  for (const id of await workspaceIds(deps.db)) out.push(await runRetention(deps, id));
  return out;
}
