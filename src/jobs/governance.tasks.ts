import { sendGovernanceMail } from '../app/definitions/governance-notify.ts';
import type { JobHandlers } from './catalogue.ts';
import { handoffDeps, type JobDeps } from './handoff.tasks.ts';

/** Mails both sides' approvers about a retirement request or an emergency stop (queued in the deciding transaction). */
export function governanceHandlers(deps: JobDeps): Pick<JobHandlers, 'governance-notify'> {
  return { 'governance-notify': async (payload) => { await sendGovernanceMail(handoffDeps(deps), payload); } };
}
