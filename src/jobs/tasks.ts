import type { TaskList } from 'graphile-worker';
import { purgeExpiredSessions, refreshTouchSummaries } from '../app/maintenance.ts';
import { toTaskList, type JobHandlers } from './catalogue.ts';
import { recomputeDefinitionHandler } from './recompute-definition.task.ts';
import { refreshDecayHandler } from './refresh-decay.task.ts';
import { handoffCrontab, handoffHandlers, type JobDeps } from './handoff.tasks.ts';
import { nurtureDepsOf, nurtureHandlers } from './nurture.task.ts';
import { crmHandlers } from './crm.tasks.ts';
import { webhookHandlers } from './webhooks.tasks.ts';
import { governanceHandlers } from './governance.tasks.ts';
import { predictionCrontab, predictionHandlers } from './prediction.tasks.ts';
import { privacyCrontab, privacyHandlers } from './privacy.tasks.ts';

/** Every catalogue job's handler (typed: a job missing here, or a payload read wrongly, fails typecheck). */
export function jobHandlers(deps: JobDeps): JobHandlers {
  return {
    'purge-sessions': async () => { await purgeExpiredSessions(deps); },
    'refresh-touch-summaries': async (_payload, _job, helpers) => {
      for (const { workspaceId, contacts } of await refreshTouchSummaries(deps)) helpers?.logger.debug(`refresh-touch-summaries ${workspaceId}: ${contacts} contacts`);
    },
    'refresh-decay': refreshDecayHandler(deps),
    'recompute-definition': recomputeDefinitionHandler(deps),
    ...handoffHandlers(deps),
    ...webhookHandlers(deps),
    ...nurtureHandlers(nurtureDepsOf(deps)),
    ...crmHandlers(deps),
    ...governanceHandlers(deps),
    ...predictionHandlers(deps),
    ...privacyHandlers(deps),
  };
}

/** Every task the worker runs (payloads validated against the catalogue first). */
export function taskList(deps: JobDeps): TaskList {
  return toTaskList(jobHandlers(deps));
}

/**
 * graphile-worker crontab: minute hour day month weekday task ?options. Every worker runs the schedule; a tick
 * becomes one job whichever workers see it (graphile-worker claims it in `_private_known_crontabs`, proven with
 * two workers in test/integration/multi-process.test.ts). `fill` backfills a tick missed while no worker ran (a
 * deploy at 02:41 would otherwise skip a day of retention): daily and hourly jobs only, a 10- or 15-minute job's
 * next tick comes soon enough.
 */
export const crontab = [
  '17 3 * * * purge-sessions ?max=1&fill=1d',
  '7 * * * * refresh-decay ?max=1&fill=1h',
  '*/10 * * * * refresh-touch-summaries ?max=1',
  ...handoffCrontab,
  '*/15 * * * * nurture-enroll ?max=1',
  '*/15 * * * * crm-sync ?max=1',
  ...predictionCrontab,
  ...privacyCrontab,
].join('\n');
