import type { TestProject } from 'vitest/node';
import { ensureWebBuild } from '../../web/ensure-build.ts';
import { setup as setupDatabase } from '../helpers/global-setup.ts';

/** Browser tests need the built web app (built once here when stale) and the shared test PostgreSQL. */
export async function setup(project: TestProject) {
  await ensureWebBuild((m) => console.log(`[e2e] ${m}`));
  return setupDatabase(project);
}
