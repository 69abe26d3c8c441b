import { createMailer } from '../app/mailer.ts';
import { sweepNurtureEnrollments } from '../app/nurture/nurture-enrollment.ts';
import { processEnrollment, runDueNurture } from '../app/nurture/run-nurture.ts';
import { sendTestEmail } from '../app/nurture/nurture-segments.ts';
import type { NurtureDeps } from '../app/nurture/nurture-settings.ts';
import type { AppDeps } from '../app/context.ts';
import type { Mailer } from '../app/mailer.ts';
import type { JobHandlers } from './catalogue.ts';

/** Without SMTP configured, sends are recorded as failed with the reason (the mailer refuses). */
export function nurtureDepsOf(deps: AppDeps & { mailer?: Mailer | null; publicUrl?: string }): NurtureDeps {
  return { ...deps, mailer: deps.mailer ?? createMailer(undefined, ''), publicUrl: deps.publicUrl ?? 'http://127.0.0.1:3000' };
}

export function nurtureHandlers(deps: NurtureDeps): Pick<JobHandlers, 'nurture-tick' | 'nurture-enroll' | 'nurture-test-send'> {
  return {
    /** One enrollment's next step (job_key nurture:<enrollmentId>, run_at = when it is due). */
    'nurture-tick': async (p) => { await processEnrollment(deps, p.workspaceId, p.enrollmentId, deps.clock.now()); },
    /** Cron: enroll eligible leads, then run whatever is due in case a tick job was lost. */
    'nurture-enroll': async () => {
      const now = deps.clock.now();
      await sweepNurtureEnrollments(deps, now);
      await runDueNurture(deps, now);
    },
    /** A marketer's test email (no tracking, not counted in any report). */
    'nurture-test-send': async (p) => { await sendTestEmail(deps.mailer, deps.publicUrl, p); },
  };
}
