import { parseSecretKey } from '../app/crm/credentials.ts';
import { syncAllCrm, syncCrm } from '../app/crm/crm.ts';
import { eraseInCrm } from '../app/crm/erase-in-crm.ts';
import type { JobHandlers } from './catalogue.ts';
import type { JobDeps } from './handoff.tasks.ts';

export function crmHandlers(deps: JobDeps): Pick<JobHandlers, 'crm-push' | 'crm-sync' | 'crm-erase'> {
  return {
    /**
     * Pushes what changed in Leadloop. A run that could not reach the CRM throws, so graphile-worker
     * retries with backoff; per-record failures are in the sync log and retried by the next push or sync.
     */
    'crm-push': async (p) => {
      const r = await syncCrm(deps, p.workspaceId, p.provider, { dryRun: false, scope: 'push', secret: parseSecretKey(deps.crmSecretKey) });
      if (r.ok && r.value.outcome === 'failed') throw new Error(r.value.message ?? 'CRM push failed');
    },
    'crm-sync': async () => { await syncAllCrm(deps, parseSecretKey(deps.crmSecretKey)); },
    /** Erasure in the CRM; anything not erased yet throws, so the worker retries with backoff. */
    'crm-erase': async (p) => { await eraseInCrm(deps, p, parseSecretKey(deps.crmSecretKey)); },
  };
}
