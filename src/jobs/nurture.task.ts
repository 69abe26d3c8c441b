import type { Task } from 'graphile-worker';
import { z } from 'zod';
import { createMailer } from '../app/mailer.ts';
import { sweepNurtureEnrollments } from '../app/nurture/nurture-enrollment.ts';
import { processEnrollment, runDueNurture } from '../app/nurture/run-nurture.ts';
import type { NurtureDeps } from '../app/nurture/nurture-settings.ts';
import type { AppDeps } from '../app/context.ts';
import type { Mailer } from '../app/mailer.ts';

const tickPayload = z.object({ workspaceId: z.uuid(), enrollmentId: z.uuid() });

/** Without SMTP configured, sends are recorded as failed with the reason (the mailer refuses). */
export function nurtureDepsOf(deps: AppDeps & { mailer?: Mailer | null; publicUrl?: string }): NurtureDeps {
  return { ...deps, mailer: deps.mailer ?? createMailer(undefined, ''), publicUrl: deps.publicUrl ?? 'http://127.0.0.1:3000' };
}

/** `nurture-tick`: one enrollment's next step (job_key nurture:<enrollmentId>, run_at = when it is due). */
export function nurtureTickTask(deps: NurtureDeps): Task {
  return async (payload) => {
    const p = tickPayload.parse(payload);
    await processEnrollment(deps, p.workspaceId, p.enrollmentId, deps.clock.now());
  };
}

/** `nurture-enroll` (cron): enroll eligible leads, then run whatever is due in case a tick job was lost. */
export function nurtureEnrollTask(deps: NurtureDeps): Task {
  return async () => {
    const now = deps.clock.now();
    await sweepNurtureEnrollments(deps, now);
    await runDueNurture(deps, now);
  };
}
