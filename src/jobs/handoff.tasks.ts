import type { AppDeps } from '../app/context.ts';
import { deliverAlert } from '../app/handoff/alert-delivery.ts';
import type { HandoffDeps } from '../app/handoff/handoff-deps.ts';
import { runSlaCheck, sweepOverdueClocks } from '../app/handoff/sla-check.ts';
import type { Mailer } from '../app/mailer.ts';
import type { JobHandlers } from './catalogue.ts';

/** What the worker gets: AppDeps plus, when the composition root provides them, the mailer and public URL. */
export type JobDeps = AppDeps & { mailer?: Mailer | null; publicUrl?: string; webhookTimeoutMs?: number };

export type HandoffJob = 'sla-check' | 'deliver-alert' | 'sla-sweep';

export function handoffDeps(deps: JobDeps): HandoffDeps {
  return { ...deps, mailer: deps.mailer ?? null, publicUrl: deps.publicUrl ?? 'http://127.0.0.1:3000' };
}

/** The hand-off's jobs (SLA timers, alert deliveries, the sweep), typed by the catalogue. */
export function handoffHandlers(deps: JobDeps): Pick<JobHandlers, HandoffJob> {
  const hd = handoffDeps(deps);
  return {
    'sla-check': async (p) => { await runSlaCheck(hd, p.workspaceId, p.leadId); },
    'deliver-alert': (p, job) => deliverAlert(hd, p, job),
    'sla-sweep': async () => { await sweepOverdueClocks(hd); },
  };
}

/** Safety net for timers lost to a restore or a manual queue purge. */
export const handoffCrontab = ['*/10 * * * * sla-sweep ?max=1'];
