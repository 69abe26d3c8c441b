import { defineConfig } from 'vitest/config';

// Two projects: pure unit tests (no database) and integration tests, which share one PostgreSQL
// per run (embedded, or TEST_DATABASE_URL) and get a fresh database per file cloned from a template.
export default defineConfig({
  test: {
    env: { TZ: 'UTC' },
    // Vitest's default on this 2-core machine is one worker (cores - 1), so every file ran alone while most of a
    // file's time is spent waiting on PostgreSQL, child processes or Chromium. Three files at once: the same
    // 10 integration files took 158-167 s instead of 214-247 s (interleaved runs, load 13-17), and the e2e project
    // passed 85/85 with three browsers at load 24. LEADLOOP_TEST_WORKERS overrides it.
    maxWorkers: Number(process.env.LEADLOOP_TEST_WORKERS) || 3,
    minWorkers: 1,
    projects: [
      {
        test: { name: 'unit', include: ['test/unit/**/*.test.ts'], env: { TZ: 'UTC' } },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/helpers/global-setup.ts'],
          env: { TZ: 'UTC' },
          testTimeout: 30_000,
          hookTimeout: 60_000,
          pool: 'forks',
        },
      },
      // Browser journeys (web app): a real server on a free port + Debian's Chromium via playwright-core.
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
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
