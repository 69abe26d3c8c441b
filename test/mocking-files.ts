/**
 * Integration files that replace app modules with vi.mock. Integration and e2e files share loaded modules within a
 * worker (vitest.config.ts, isolate: false), where a mock would silently not apply once an earlier file loaded the
 * real module: these run isolated, in the `integration-mocks` project. test/unit/test-projects.test.ts fails when a
 * file that mocks a module is missing here.
 */
export const mockingFiles = [
  'test/integration/lead-summary.test.ts', 'test/integration/contact-touch-summary.test.ts', 'test/integration/contact-first-activity.test.ts',
];
