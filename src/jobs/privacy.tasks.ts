import { createMailer } from '../app/mailer.ts';
import { sendConsentConfirmations } from '../app/privacy/double-opt-in.ts';
import { runRetentionEverywhere } from '../app/privacy/retention.ts';
import type { JobHandlers } from './catalogue.ts';
import type { JobDeps } from './handoff.tasks.ts';

/** Cron (daily): delete what each workspace's retention settings say has expired, and log the counts; double opt-in emails. */
export function privacyHandlers(deps: JobDeps): Pick<JobHandlers, 'privacy-retention' | 'consent-confirmation'> {
  return {
    'privacy-retention': async (_payload, _job, helpers) => {
      for (const o of await runRetentionEverywhere(deps)) {
        const { workspaceId, ...counts } = o;
        if (Object.values(counts).some((n) => n > 0)) helpers?.logger.info(`privacy-retention ${workspaceId}: ${JSON.stringify(counts)}`);
      }
    },
    // Without SMTP configured the mailer refuses (permanently): the request keeps the reason, nothing retries.
    'consent-confirmation': async (p) => {
      const unconfigured = createMailer(undefined, '');
      const mailer = deps.mailer ?? { ...unconfigured, send: async (mail: Parameters<typeof unconfigured.send>[0]) => ({ ...(await unconfigured.send(mail)), permanent: true }) };
      await sendConsentConfirmations({ ...deps, mailer, publicUrl: deps.publicUrl ?? 'http://127.0.0.1:3000' }, p.workspaceId, p.requestIds);
    },
  };
}

export const privacyCrontab = ['41 2 * * * privacy-retention ?max=1&fill=1d'];
