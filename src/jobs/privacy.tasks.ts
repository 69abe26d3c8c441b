import type { AppDeps } from '../app/context.ts';
import { runRetentionEverywhere } from '../app/privacy/retention.ts';
import type { JobHandlers } from './catalogue.ts';

/** Cron (daily): delete what each workspace's retention settings say has expired, and log the counts. */
export function privacyHandlers(deps: AppDeps): Pick<JobHandlers, 'privacy-retention'> {
  return {
    'privacy-retention': async (_payload, _job, helpers) => {
      for (const o of await runRetentionEverywhere(deps)) {
        const { workspaceId, ...counts } = o;
        if (Object.values(counts).some((n) => n > 0)) helpers?.logger.info(`privacy-retention ${workspaceId}: ${JSON.stringify(counts)}`);
      }
    },
  };
}

export const privacyCrontab = ['41 2 * * * privacy-retention ?max=1'];
