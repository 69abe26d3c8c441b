// Lint rules that matter here: strict TypeScript hygiene and the one-way dependency
// rule of ARCHITECTURE.md (core ← storage ← app ← {server, jobs, cli}).
import tseslint from 'typescript-eslint';

const layer = (files, forbidden, why) => ({
  files,
  rules: {
    'no-restricted-imports': ['error', {
      patterns: forbidden.map((group) => ({ group: [group], message: why })),
    }],
  },
});

export default tseslint.config(
  { ignores: ['node_modules', 'dist', 'web/dist', '.leadloop', 'coverage', 'test-artifacts'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'off',
      'no-restricted-syntax': ['error', { selector: 'ExportDefaultDeclaration', message: 'Named exports only.' }],
    },
  },
  // Tool configs and ambient module declarations must use default exports.
  { files: ['**/*.config.{js,ts}', '**/*.d.ts'], rules: { 'no-restricted-syntax': 'off' } },
  layer(['src/core/**'], ['**/storage/**', '**/app/**', '**/server/**', '**/jobs/**', '**/cli/**', 'node:*', 'fs', 'pg', 'kysely', 'fastify', 'graphile-worker'],
    'src/core is pure: no I/O, no Node APIs, no outer layers.'),
  layer(['src/storage/**'], ['**/app/**', '**/server/**', '**/jobs/**', '**/cli/**'],
    'src/storage may only depend on src/core.'),
  layer(['src/app/**'], ['**/server/**', '**/jobs/**', '**/cli/**', 'kysely', 'fastify'],
    'src/app depends on core and storage only; Kysely stays inside src/storage.'),
  layer(['src/server/**', 'src/jobs/**'], ['**/cli/**', 'kysely'],
    'Entry layers call use cases in src/app; Kysely stays inside src/storage.'),
  layer(['web/src/**'], ['**/src/storage/**', '**/src/app/**', '**/src/jobs/**', '**/src/cli/**', '**/src/server/*.ts', 'node:*', 'kysely', 'fastify', 'pg'],
    'web imports only src/core and the API contract types (src/server/contract).'),
  {
    // Importing Kysely is already refused outside storage; this catches query building through a
    // `db`/`trx` handed in from storage, so every SQL statement keeps one home.
    files: ['src/app/**', 'src/server/**', 'src/jobs/**', 'src/cli/**'],
    rules: {
      'no-restricted-properties': ['error', ...['selectFrom', 'insertInto', 'updateTable', 'deleteFrom', 'executeQuery'].map((property) => (
        { property, message: 'Build SQL in src/storage/*.repo.ts and call the repository function.' }))],
    },
  },
  {
    files: ['src/core/**'],
    rules: {
      'no-restricted-globals': ['error', { name: 'process', message: 'core is pure' }, { name: 'fetch', message: 'core is pure' }],
      'no-restricted-properties': ['error',
        { object: 'Date', property: 'now', message: 'core takes now as a parameter' },
        { object: 'Math', property: 'random', message: 'core is deterministic' }],
    },
  },
);
