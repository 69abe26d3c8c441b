import { createBacktest, type BacktestOptions, type BacktestReport, type ContactOutcome } from '../../core/definitions/backtest.ts';
import { createColumnReplay, shapeFieldsRead, ShapeClassifier } from '../../core/definitions/backtest-columns.ts';
import type { ActivityCriteria, LeadDefinition } from '../../core/definitions/definition-schema.ts';
import { fail, ok, type Result } from '../../core/result.ts';
import {
  contactFacts, contactOutcomes, contentFacts, countWorkspaceContacts, estimateActivities, salesRepCount, streamActivities,
} from '../../storage/backtest-source.repo.ts';
import { readActivityColumns } from '../../storage/backtest-columns.repo.ts';
import type { Db } from '../../storage/db.ts';
import { insertDefinitionEvent, updateDefinition } from '../../storage/definition-versions.repo.ts';
import { getActiveDefinition, getDefinition } from '../../storage/definitions.repo.ts';
import { recordAudit } from '../audit.ts';
import type { AppDeps, Principal } from '../context.ts';
import { withTransaction } from '../transaction.ts';
import { definitionOf, loadPredictionFacts } from '../definition-facts.ts';
import { modelVersionsByIds, predictionCoverage } from '../../storage/predictions.repo.ts';
import type { ContactFact } from '../../core/activity.ts';

export type BacktestWindow = { from?: Date | null; to?: Date | null };
export type BacktestComparison = {
  from: Date | null; to: Date | null; ranAt: Date; repCount: number; seconds: number;
  proposal: BacktestReport & { definitionId: string | null; version: number | null };
  /** The active definition over the same history; null when there is none (or it is the one tested). */
  active: (BacktestReport & { definitionId: string; version: number }) | null;
  /** What the reader should know about how the replay got its facts (e.g. where predicted probabilities came from). */
  notes: string[];
};
/**
 * Progress in two phases: 'reading' (done = activities read of about `total`, the planner's
 * estimate) then 'replaying' (done = contacts replayed of `total`); `activities` read so far.
 */
export type BacktestProgress = (done: number, total: number, activities: number, phase: 'reading' | 'replaying') => void;

/** Activity types whose properties some rule reads (custom-event and form properties cost jsonb parsing). */
function typesReadingProperties(definitions: LeadDefinition[]): Set<string> | 'all' {
  const types = new Set<string>();
  const rules: ActivityCriteria[] = definitions.flatMap((d) => [...d.engagement.rules, ...d.mql.handRaises, ...d.inquiry.activities]);
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
  const definitions = active ? [proposal.definition, active.definition] : [proposal.definition];
  const predictions = await loadPredictionFacts(db, workspaceId, definitions);
  const options: ReplayOptions = {
    from: window.from ?? null, to: window.to ?? null, repCount, content: (id) => content.get(id), outcome: (id) => outcomes.get(id) ?? null,
    predictions: (id) => predictions.get(id),
  };
  const progress = (done: number, activities: number) => onProgress?.(done, Math.max(contactsTotal, done), activities, 'replaying');
  const expected = await estimateActivities(db, workspaceId, options.to);
  const read = (n: number) => onProgress?.(n, Math.max(n, expected), n, 'reading');
  const reports = await replayColumns(db, workspaceId, definitions, options, expected, read, progress)
    ?? await replayStream(db, workspaceId, definitions, options, progress);
  const [proposalReport, activeReport] = reports;
  return {
    from: options.from, to: options.to, ranAt, repCount, seconds: (performance.now() - started) / 1000,
    proposal: { ...proposalReport!, definitionId: proposal.id, version: proposal.version },
    active: active && activeReport ? { ...activeReport, definitionId: active.record.id, version: active.record.version } : null,
    notes: await predictionNotes(db, workspaceId, definitions),
  };
}

type ReplayOptions = BacktestOptions & {
  from: Date | null; to: Date | null; outcome: (contactId: string) => ContactOutcome | null;
  predictions: (contactId: string) => ContactFact['predictions'];
};

/** How predicted rules got their probabilities in this replay, per model named (said in the report, never hidden). */
async function predictionNotes(db: Db, workspaceId: string, definitions: LeadDefinition[]): Promise<string[]> {
  const models = [...new Set(definitions.flatMap((d) => (d.predicted ?? []).map((r) => r.model)))];
  if (models.length === 0) return [];
  const versions = await modelVersionsByIds(db, workspaceId, models);
  const notes: string[] = [];
  for (const id of models) {
    const coverage = await predictionCoverage(db, workspaceId, id);
    const name = versions.has(id) ? `model v${versions.get(id)!.version}` : `model ${id}`;
    notes.push(`Predicted rules used each person's stored prediction of ${name} (${coverage.people.toLocaleString('en-US')} people${coverage.newest ? `, computed up to ${coverage.newest.toISOString().slice(0, 16).replace('T', ' ')} UTC` : ''}), `
      + 'one probability per person for the whole replay: a predicted MQL condition that holds qualifies at the person\'s first activity in the window. '
      + 'These probabilities were computed from the person as they are today (later activity included), so the replay flatters the model; '
      + 'people without a stored prediction get no predicted points and no predicted MQL.');
  }
  return notes;
}

const withPredictions = (contact: ContactFact, options: ReplayOptions): ContactFact => {
  const predictions = options.predictions(contact.id);
  return predictions ? { ...contact, predictions } : contact;
};

/**
 * The fast path: the history as columns (one binary COPY), then contact by contact in id order,
 * contact facts fetched a batch ahead. Null when the database handle cannot COPY (a transaction).
 */
async function replayColumns(
  db: Db, workspaceId: string, definitions: LeadDefinition[], options: ReplayOptions, expectedRows: number,
  read: (activities: number) => void, progress: (done: number, activities: number) => void,
): Promise<BacktestReport[] | null> {
  const classifier = new ShapeClassifier(definitions, options.content);
  const columns = await readActivityColumns(db, workspaceId, {
    to: options.to, fields: shapeFieldsRead(definitions), classify: (shape) => classifier.classify(shape), onRows: read, expectedRows,
  });
  if (!columns) return null;
  progress(0, columns.count);
  const replay = createColumnReplay(columns, classifier, options);
  const batch = 10_000;
  const idsOf = (from: number) => Array.from(replay.order.subarray(from, from + batch), (o) => columns.contactIds[o]!);
  let pending = replay.order.length ? contactFacts(db, workspaceId, idsOf(0)) : null;
  let done = 0;
  for (let from = 0; pending; from += batch) {
    const facts = await pending;
    pending = from + batch < replay.order.length ? contactFacts(db, workspaceId, idsOf(from + batch)) : null;
    for (const ordinal of replay.order.subarray(from, from + batch)) {
      const id = columns.contactIds[ordinal]!;
      const f = facts.get(id);
      if (!f) continue;
      replay.contact(ordinal, withPredictions(f.contact, options), f.account, options.outcome(id));
      done++;
    }
    progress(done, columns.count);
  }
  return replay.finish();
}

/** The reference path: activity objects in (contact, time, id) order through createBacktest. */
async function replayStream(
  db: Db, workspaceId: string, definitions: LeadDefinition[], options: ReplayOptions, progress: (done: number, activities: number) => void,
): Promise<BacktestReport[]> {
  const runs = definitions.map((d) => createBacktest(d, options));
  let contactsDone = 0;
  let activities = 0;
  let current = '';
  let known = false;
  for await (const page of streamActivities(db, workspaceId, { to: options.to ?? null, propertiesFor: typesReadingProperties(definitions) })) {
    for (const a of page.activities) {
      if (a.contactId !== current) {
        current = a.contactId;
        const facts = page.contacts.get(current);
        known = facts !== undefined;
        if (facts) {
          contactsDone++;
          const contact = withPredictions(facts.contact, options);
          for (const run of runs) run.contact(contact, facts.account, options.outcome(current));
        }
      }
      if (known) for (const run of runs) run.activity(a);
    }
    activities += page.activities.length;
    progress(contactsDone, activities);
  }
  return runs.map((r) => r.finish());
}

/** Backtests a stored version against the active one and keeps the result with the version. */
export async function backtestStoredDefinition(deps: AppDeps, p: Principal, id: string, window: BacktestWindow): Promise<Result<BacktestComparison & { revision: number }>> {
  const workspaceId = p.workspaceId;
  if (window.from && window.to && window.from >= window.to) {
    return fail('ValidationFailed', '`from` must be before `to`.', [{ path: 'body.to', message: 'must be after from' }]);
  }
  const record = await getDefinition(deps.db, workspaceId, id);
  if (!record) return fail('NotFound', `Definition ${id} not found in this workspace.`);
  const ranAt = deps.clock.now();
  const result = await backtestAgainstActive(deps.db, workspaceId, { definition: definitionOf(record), id: record.id, version: record.version }, window, ranAt);
  // The revision replayed: an edit while it ran leaves the draft at a newer revision, which then needs its own backtest.
  const stored = JSON.parse(JSON.stringify({ ...result, revision: record.revision })) as Record<string, unknown>;
  const comment = `${result.proposal.mqls} MQLs${result.active ? ` (active v${result.active.version}: ${result.active.mqls})` : ''}`;
  await withTransaction(deps, async (trx) => {
    await updateDefinition(trx, workspaceId, id, { backtest: stored, backtestRevision: record.revision });
    await insertDefinitionEvent(trx, workspaceId, { definitionId: id, at: ranAt, kind: 'backtested', userId: p.userId, role: null, comment });
    await recordAudit(trx, {
      workspaceId, actor: p, action: 'definition.backtested', object: { type: 'definition', id }, at: ranAt,
      after: { version: record.version, revision: record.revision, from: result.from, to: result.to, proposalMqls: result.proposal.mqls, activeMqls: result.active?.mqls ?? null },
    });
  });
  return ok({ ...result, revision: record.revision });
}
