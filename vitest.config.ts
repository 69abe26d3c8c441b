import { defineConfig } from 'vitest/config';
import { mockingFiles } from './test/mocking-files.ts';

// Two projects: pure unit tests (no database) and integration tests, which share one PostgreSQL
// per run (embedded, or TEST_DATABASE_URL) and get a fresh database per file cloned from a template.
// Integration files that replace app modules with vi.mock (test/mocking-files.ts) need modules of their own (see the projects).

const workers = Number(process.env.LEADLOOP_TEST_WORKERS) || 3;

/** An integration project: one PostgreSQL per run (global setup), a database per file, forked workers. */
const integrationProject = (p: { name: string; include: string[]; exclude?: string[]; isolate: boolean }) => ({
  test: {
    ...p,
    globalSetup: ['test/helpers/global-setup.ts'],
    env: { TZ: 'UTC' },
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks' as const,
  },
});

export default defineConfig({
  test: {
    env: { TZ: 'UTC' },
    // Vitest's default on this 2-core machine is one worker (cores - 1), so every file ran alone while most of a
    // file's time is spent waiting on PostgreSQL, child processes or Chromium. Three files at once: the same
    // 10 integration files took 158-167 s instead of 214-247 s (interleaved runs, load 13-17), and the e2e project
    // passed 85/85 with three browsers at load 24. LEADLOOP_TEST_WORKERS overrides it.
    maxWorkers: workers,
    // As many from the start: with fewer, a worker still starting when the queue drains is torn down by the pool's
    // recycle between projects and the file given to it fails with "Terminating worker thread" (isolate: false).
    minWorkers: workers,
    // Worker processes are reused from file to file (the pool is one for all projects, so this is set here); each
    // project then says whether its files share the loaded modules (`isolate: false`) or start from fresh ones.
    isolate: false,
    projects: [
      {
        test: { name: 'unit', include: ['test/unit/**/*.test.ts'], env: { TZ: 'UTC' } },
      },
      // Integration files share the loaded modules within a worker (`isolate: false`): importing the app (~500
      // modules through Vite's transform) cost each file 2-3 s of CPU before its first test, most of the suite's CPU.
      // Safe because each file gets its own database and its own server (createTestApp), composeApp() is
      // idempotent, the process-wide Prometheus counters are asserted as lower bounds, and the caches kept per
      // process are keyed by immutable ids. Files that vi.mock app modules cannot share them (a module loaded
      // by an earlier file would keep the real code and the mock would silently not apply): they are listed in
      // `test/mocking-files.ts` and run in `integration-mocks`, isolated as before. `--project 'integration*'` runs both.
      integrationProject({ name: 'integration', include: ['test/integration/**/*.test.ts'], exclude: mockingFiles, isolate: false }),
      integrationProject({ name: 'integration-mocks', include: mockingFiles, isolate: true }),
      // Browser journeys (web app): a real server on a free port + Debian's Chromium via playwright-core.
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          // Shares loaded modules between files like the integration project (no e2e file mocks a module).
          isolate: false,
          globalSetup: ['test/e2e/e2e-setup.ts'],
          env: { TZ: 'UTC' },
          testTimeout: 60_000,
          hookTimeout: 180_000,
          pool: 'forks',
        },
      },
      // Reports on a streaming standby of the PostgreSQL server at TEST_DATABASE_URL (made with pg_basebackup of the
      // same major version, so not of the embedded server): only where such a server is given (.ci/run).
      ...(process.env.TEST_DATABASE_URL ? [{
        test: {
          name: 'replica',
          include: ['test/replica/**/*.test.ts'],
          globalSetup: ['test/helpers/global-setup.ts'],
          env: { TZ: 'UTC' },
          testTimeout: 60_000,
          hookTimeout: 180_000,
          pool: 'forks' as const,
        },
      }] : []),
    ],
  },
});
