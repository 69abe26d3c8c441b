import { createBacktest, type BacktestReport } from '../../core/definitions/backtest.ts';
import type { ActivityCriteria, LeadDefinition } from '../../core/definitions/definition-schema.ts';
import { fail, ok, type Result } from '../../core/result.ts';
import {
  contactOutcomes, contentFacts, countWorkspaceContacts, salesRepCount, streamActivities,
} from '../../storage/backtest-source.repo.ts';
import type { Db } from '../../storage/db.ts';
import { insertDefinitionEvent, updateDefinition } from '../../storage/definition-versions.repo.ts';
import { getActiveDefinition, getDefinition } from '../../storage/definitions.repo.ts';
import type { AppDeps } from '../context.ts';
import { definitionOf } from '../scoring/scoring-facts.ts';

export type BacktestWindow = { from?: Date | null; to?: Date | null };
export type BacktestComparison = {
  from: Date | null; to: Date | null; ranAt: Date; repCount: number; seconds: number;
  proposal: BacktestReport & { definitionId: string | null; version: number | null };
  /** The active definition over the same history; null when there is none (or it is the one tested). */
  active: (BacktestReport & { definitionId: string; version: number }) | null;
};
export type BacktestProgress = (contactsDone: number, contactsTotal: number, activities: number) => void;

/** Activity types whose properties some rule reads (custom-event and form properties cost jsonb parsing). */
function typesReadingProperties(definitions: LeadDefinition[]): Set<string> | 'all' {
  const types = new Set<string>();
  const rules: ActivityCriteria[] = definitions.flatMap((d) => [...d.engagement.rules, ...d.mql.handRaises]);
  for (const r of rules) {
    if (!r.properties) continue;
    if (r.type === undefined) return 'all';
    for (const t of Array.isArray(r.type) ? r.type : [r.type]) types.add(t);
  }
  return types;
}

/**
 * Replays the workspace's recorded activities under `proposal` and the active definition in one
 * pass (read-only, deterministic: same data, same report). Fit uses today's contact facts;
 * outcomes are what really happened (stage history, won opportunities).
 */
export async function backtestAgainstActive(
  db: Db, workspaceId: string, proposal: { definition: LeadDefinition; id: string | null; version: number | null }, window: BacktestWindow,
  ranAt: Date, onProgress?: BacktestProgress,
): Promise<BacktestComparison> {
  const started = performance.now();
  const activeRecord = await getActiveDefinition(db, workspaceId);
  const active = activeRecord && activeRecord.id !== proposal.id ? { record: activeRecord, definition: definitionOf(activeRecord) } : null;
  const [content, outcomes, repCount, contactsTotal] = await Promise.all([
    contentFacts(db, workspaceId), contactOutcomes(db, workspaceId), salesRepCount(db, workspaceId), countWorkspaceContacts(db, workspaceId),
  ]);
  const options = { from: window.from ?? null, to: window.to ?? null, repCount, content: (id: string) => content.get(id) };
  const definitions = active ? [proposal.definition, active.definition] : [proposal.definition];
  const runs = definitions.map((d) => createBacktest(d, options));
  let contactsDone = 0;
  let activities = 0;
  let current = '';
  let known = false;
  for await (const page of streamActivities(db, workspaceId, { to: window.to ?? null, propertiesFor: typesReadingProperties(definitions) })) {
    for (const a of page.activities) {
      if (a.contactId !== current) {
        current = a.contactId;
        const facts = page.contacts.get(current);
        known = facts !== undefined;
        if (facts) {
          contactsDone++;
          const outcome = outcomes.get(current) ?? null;
          for (const run of runs) run.contact(facts.contact, facts.account, outcome);
        }
      }
      if (known) for (const run of runs) run.activity(a);
    }
    activities += page.activities.length;
    onProgress?.(contactsDone, Math.max(contactsTotal, contactsDone), activities);
  }
  const [proposalReport, activeReport] = runs.map((r) => r.finish());
  return {
    from: options.from, to: options.to, ranAt, repCount, seconds: (performance.now() - started) / 1000,
    proposal: { ...proposalReport!, definitionId: proposal.id, version: proposal.version },
    active: active && activeReport ? { ...activeReport, definitionId: active.record.id, version: active.record.version } : null,
  };
}

/** Backtests a stored version against the active one and keeps the result with the version. */
export async function backtestStoredDefinition(deps: AppDeps, workspaceId: string, id: string, window: BacktestWindow, userId: string | null): Promise<Result<BacktestComparison>> {
  if (window.from && window.to && window.from >= window.to) {
    return fail('ValidationFailed', '`from` must be before `to`.', [{ path: 'body.to', message: 'must be after from' }]);
  }
  const record = await getDefinition(deps.db, workspaceId, id);
  if (!record) return fail('NotFound', `Definition ${id} not found in this workspace.`);
  const ranAt = deps.clock.now();
  const result = await backtestAgainstActive(deps.db, workspaceId, { definition: definitionOf(record), id: record.id, version: record.version }, window, ranAt);
  const stored = JSON.parse(JSON.stringify(result)) as Record<string, unknown>;
  await deps.db.transaction().execute(async (trx) => {
    await updateDefinition(trx, workspaceId, id, { backtest: stored });
    await insertDefinitionEvent(trx, workspaceId, {
      definitionId: id, at: ranAt, kind: 'backtested', userId,
      role: null, comment: `${result.proposal.mqls} MQLs${result.active ? ` (active v${result.active.version}: ${result.active.mqls})` : ''}`,
    });
  });
  return ok(result);
}
