import { existsSync } from 'node:fs';
import type { TestProject } from 'vitest/node';
import { ensureWebBuild } from '../../web/ensure-build.ts';
import { setup as setupDatabase } from '../helpers/global-setup.ts';

/** Browser tests need the built web app (built once here when stale) and the shared test PostgreSQL. */
export async function setup(project: TestProject) {
  // Locally a missing browser skips the journeys with a warning; in CI it would hide every browser test.
  if (process.env.CI && !existsSync('/usr/bin/chromium')) throw new Error('CI=true but /usr/bin/chromium is missing: .ci/run must install Debian\'s chromium before the browser journeys run.');
  await ensureWebBuild((m) => console.log(`[e2e] ${m}`));
  return setupDatabase(project);
}
