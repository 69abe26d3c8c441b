import type { Task, TaskList } from 'graphile-worker';
import type { AppDeps } from '../app/context.ts';
import { purgeExpiredSessions } from '../app/maintenance.ts';
import type { Mailer } from '../app/mailer.ts';
import { nurtureDepsOf, nurtureEnrollTask, nurtureTickTask } from './nurture.task.ts';

/** What tasks may use beyond AppDeps: the one mailer and the public base URL for links in emails. */
export type TaskDeps = AppDeps & { mailer?: Mailer; publicUrl?: string };

/** Every task the worker runs, and the periodic schedule. Add new *.task.ts handlers here. */
export function taskList(deps: TaskDeps): TaskList {
  const tasks: Record<string, Task> = {
    'purge-sessions': async () => { await purgeExpiredSessions(deps); },
    'nurture-tick': nurtureTickTask(nurtureDepsOf(deps)),
    'nurture-enroll': nurtureEnrollTask(nurtureDepsOf(deps)),
  };
  return tasks;
}

/** graphile-worker crontab: minute hour day month weekday task ?options */
export const crontab = [
  '17 3 * * * purge-sessions ?max=1',
  '*/15 * * * * nurture-enroll ?max=1',
].join('\n');
