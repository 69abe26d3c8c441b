import { defineConfig } from 'vitest/config';

// Two projects: pure unit tests (no database) and integration tests, which share one PostgreSQL
// per run (embedded, or TEST_DATABASE_URL) and get a fresh database per file cloned from a template.
export default defineConfig({
  test: {
    env: { TZ: 'UTC' },
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
      {
        // Real Chromium (Debian's /usr/bin/chromium) driven by playwright-core; skipped when it is missing.
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          globalSetup: ['test/helpers/global-setup.ts'],
          env: { TZ: 'UTC' },
          testTimeout: 60_000,
          hookTimeout: 60_000,
          pool: 'forks',
        },
      },
    ],
  },
});
