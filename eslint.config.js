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

const appForbidden = ['**/server/**', '**/jobs/**', '**/cli/**', 'kysely', 'fastify'];
const appWhy = 'src/app depends on core and storage only; Kysely stays inside src/storage.';
const appRule = (files, patterns, ignores = []) => ({
  files, ignores,
  rules: {
    'no-restricted-imports': ['error', {
      patterns: [...appForbidden.map((group) => ({ group: [group], message: appWhy })), ...patterns],
    }],
  },
});
// Feature folders of src/app. demo/ is not one: it drives the app through its doors like a client.
const features = ['handoff', 'nurture', 'scoring', 'definitions', 'import', 'reports', 'prediction', 'crm', 'webhooks'];
const featureWhy = "A feature does not import another feature's use cases: publish a domain event (src/app/events/domain-events.ts) and subscribe in src/app/compose.ts.";
// Known direct calls still to become events or shared modules (ARCHITECTURE.md, "Domain events").
const featureExceptions = {};
// Shared modules calling a feature's use case (none left; '$^' matches nothing, an empty list would disable the rule).
const kernelExceptions = ['$^'];

const sqlProperties = ['selectFrom', 'insertInto', 'updateTable', 'deleteFrom', 'executeQuery'].map((property) => (
  { property, message: 'Build SQL in src/storage/*.repo.ts and call the repository function.' }));
const transactionProperty = { property: 'transaction', message: 'Open transactions with inTransaction / withTransaction (src/app/transaction.ts); *InTrx functions take the caller\'s trx.' };

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
  layer(['src/app/**'], appForbidden, appWhy),
  // Features never import each other's modules (value imports; types are fine): they publish domain
  // events (src/app/events) and src/app/compose.ts subscribes them. These blocks repeat the app layer
  // patterns because a later no-restricted-imports setting replaces the earlier one for its files.
  ...features.map((feature) => appRule([`src/app/${feature}/**`], [
    { regex: `^\\.\\./(?!${feature}/)(?!${(featureExceptions[feature] ?? ['$^']).join('|')})(${[...features, 'demo'].join('|')})/`, allowTypeImports: true, message: featureWhy },
    { regex: '^\\.\\./compose\\.ts$', message: 'Only the entry points compose the app (src/app/compose.ts).' },
  ])),
  // The shared modules directly in src/app (leads, contacts, deals, ingest, events) call no feature either.
  appRule(['src/app/*.ts'], [
    { regex: `^\\./(?!${kernelExceptions.join('|')})(${[...features, 'demo'].join('|')})/`, allowTypeImports: true, message: featureWhy },
  ], ['src/app/compose.ts']),
  layer(['src/server/**', 'src/jobs/**'], ['**/cli/**', 'kysely'],
    'Entry layers call use cases in src/app; Kysely stays inside src/storage.'),
  layer(['web/src/**'], ['**/src/storage/**', '**/src/app/**', '**/src/jobs/**', '**/src/cli/**', '**/src/server/*.ts', 'node:*', 'kysely', 'fastify', 'pg'],
    'web imports only src/core and the API contract types (src/server/contract).'),
  {
    // Importing Kysely is already refused outside storage; this catches query building through a
    // `db`/`trx` handed in from storage, so every SQL statement keeps one home.
    files: ['src/app/**', 'src/server/**', 'src/jobs/**', 'src/cli/**'],
    rules: { 'no-restricted-properties': ['error', ...sqlProperties, transactionProperty] },
  },
  {
    // One transaction style (src/app/transaction.ts); these files still open theirs directly (to convert).
    files: ['src/app/transaction.ts', 'src/app/import/**'],
    rules: { 'no-restricted-properties': ['error', ...sqlProperties] },
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
