import type { Task, TaskList } from 'graphile-worker';
import { sendGovernanceMail } from '../app/definitions/governance-notify.ts';
import { purgeExpiredSessions } from '../app/maintenance.ts';
import { recomputeDefinitionTask } from './recompute-definition.task.ts';
import { refreshDecayTask } from './refresh-decay.task.ts';
import { handoffCrontab, handoffDeps, handoffTasks, type JobDeps } from './handoff.tasks.ts';
import { nurtureDepsOf, nurtureEnrollTask, nurtureTickTask } from './nurture.task.ts';

/** Every task the worker runs, and the periodic schedule. Add new *.task.ts handlers here. */
export function taskList(deps: JobDeps): TaskList {
  const tasks: Record<string, Task> = {
    'purge-sessions': async () => { await purgeExpiredSessions(deps); },
    'refresh-decay': refreshDecayTask(deps),
    'recompute-definition': recomputeDefinitionTask(deps),
    ...handoffTasks(deps),
    'nurture-tick': nurtureTickTask(nurtureDepsOf(deps)),
    'nurture-enroll': nurtureEnrollTask(nurtureDepsOf(deps)),
    'governance-notify': async (payload) => { await sendGovernanceMail(handoffDeps(deps), payload); },
  };
  return tasks;
}

/** graphile-worker crontab: minute hour day month weekday task ?options */
export const crontab = [
  '17 3 * * * purge-sessions ?max=1',
  '7 * * * * refresh-decay ?max=1',
  ...handoffCrontab,
  '*/15 * * * * nurture-enroll ?max=1',
].join('\n');
