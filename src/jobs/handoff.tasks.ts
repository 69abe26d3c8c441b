import type { Task } from 'graphile-worker';
import { z } from 'zod';
import type { AppDeps } from '../app/context.ts';
import { deliverAlert } from '../app/handoff/alert-delivery.ts';
import type { HandoffDeps } from '../app/handoff/handoff-deps.ts';
import { runSlaCheck, sweepOverdueClocks } from '../app/handoff/sla-check.ts';
import type { Mailer } from '../app/mailer.ts';

/** What the worker gets: AppDeps plus, when the composition root provides them, the mailer and public URL. */
export type JobDeps = AppDeps & { mailer?: Mailer | null; publicUrl?: string; webhookTimeoutMs?: number };

export type JobInfo = { attempts: number; maxAttempts: number };
/** A task body independent of graphile-worker, so tests can run due jobs with a simulated clock. */
export type JobHandler = (payload: unknown, job: JobInfo) => Promise<void>;

const slaCheckPayload = z.object({ workspaceId: z.string(), leadId: z.string() });

export function handoffDeps(deps: JobDeps): HandoffDeps {
  return { ...deps, mailer: deps.mailer ?? null, publicUrl: deps.publicUrl ?? 'http://127.0.0.1:3000' };
}

export function handoffHandlers(deps: JobDeps): Record<string, JobHandler> {
  const hd = handoffDeps(deps);
  return {
    'sla-check': async (payload) => {
      const p = slaCheckPayload.parse(payload);
      await runSlaCheck(hd, p.workspaceId, p.leadId);
    },
    'deliver-alert': (payload, job) => deliverAlert(hd, payload, job),
    'sla-sweep': async () => { await sweepOverdueClocks(hd); },
  };
}

/** The same handlers as graphile-worker tasks. */
export function handoffTasks(deps: JobDeps): Record<string, Task> {
  return Object.fromEntries(Object.entries(handoffHandlers(deps)).map(([name, handler]) => [
    name, ((payload, helpers) => handler(payload, { attempts: helpers.job.attempts, maxAttempts: helpers.job.max_attempts })) satisfies Task,
  ]));
}

/** Safety net for timers lost to a restore or a manual queue purge. */
export const handoffCrontab = ['*/10 * * * * sla-sweep ?max=1'];
