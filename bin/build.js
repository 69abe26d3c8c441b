// The two builds between a clone and a running Leadloop, each made only when its output is missing or older
// than its sources, so a fresh clone's `npm start` works and a warm start costs a directory walk:
// - the server and CLI (src/**/*.ts) compiled by esbuild into one ES module, dist/server/leadloop.js, with a
//   source map, so `leadloop` runs plain JavaScript instead of a development loader;
// - the web app (web/dist) built by Vite.
// Plain JavaScript on purpose: it runs before anything is compiled, with no loader (types: bin/build.d.ts).
//
//   node bin/build.js            build both now
//   node bin/build.js --if-stale build what is stale (what `npm start` does; `leadloop` checks the server)
//
// esbuild and Vite stay devDependencies: a production image runs `npm run build` and may then drop dev
// dependencies; without them, the builds present are used as they are.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const outDir = path.join(repoRoot, 'dist', 'server');
/** The compiled CLI entry (exports runCli). */
export const serverEntry = path.join(outDir, 'leadloop.js');

// Sources that change the bundle. Dependencies stay external (imported from node_modules at run time),
// so the lockfile is not an input.
const inputs = [path.join(repoRoot, 'src'), path.join(repoRoot, 'tsconfig.json'), path.join(repoRoot, 'package.json'), fileURLToPath(import.meta.url)];

// Files the code reads next to itself through import.meta.url: the bundle sits two levels under the
// repository like src/server/*.ts does, so `../../web/dist/` still resolves, and these are copied beside it.
const assets = [{ from: 'src/server/assets/t.js', to: 'assets/t.js' }];

function newestMtime(entry) {
  if (!existsSync(entry)) return 0;
  const stat = statSync(entry);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const name of readdirSync(entry)) newest = Math.max(newest, newestMtime(path.join(entry, name)));
  return newest;
}

/** True when dist/server/leadloop.js is missing or older than any of its sources. */
export function serverBuildIsStale() {
  if (!existsSync(serverEntry)) return true;
  const built = statSync(serverEntry).mtimeMs;
  return inputs.some((input) => newestMtime(input) > built);
}

// Several processes may start at once from a stale tree (tests spawn CLIs in parallel): each writes its
// files under a private name and renames them into place, the entry last, so a reader never sees half a file.
function writeAtomically(file, contents) {
  mkdirSync(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, contents);
  renameSync(temporary, file);
}

/** Bundles src/cli/main.ts with esbuild into dist/server (linked source map). */
export async function buildServer() {
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    absWorkingDir: repoRoot,
    entryPoints: { leadloop: 'src/cli/main.ts' },
    outdir: outDir,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20.19',
    packages: 'external',
    sourcemap: 'linked',
    write: false,
    logLevel: 'silent',
  });
  const entry = result.outputFiles.find((file) => file.path === serverEntry);
  for (const file of result.outputFiles) if (file !== entry) writeAtomically(file.path, file.contents);
  for (const { from, to } of assets) writeAtomically(path.join(outDir, to), readFileSync(path.join(repoRoot, from)));
  writeAtomically(serverEntry, entry.contents);
}

/**
 * Builds when stale. Without esbuild (a production install without dev dependencies) an existing build is
 * used as shipped; with no build at all, the error says how to make one.
 * @returns {Promise<'fresh' | 'built' | 'shipped'>}
 */
export async function ensureServerBuild() {
  if (!serverBuildIsStale()) return 'fresh';
  try {
    await import('esbuild');
  } catch {
    if (existsSync(serverEntry)) return 'shipped';
    throw new Error('dist/server/leadloop.js is missing and esbuild is not installed: run `npm install && npm run build` first.');
  }
  await buildServer();
  return 'built';
}

const webRoot = path.join(repoRoot, 'web');
/** Where the web app is built (served at / by src/server/web.routes.ts). */
export const webDist = path.join(webRoot, 'dist');
// Everything that ends up in the bundle: the app, its config, and the shared pure core it imports.
const webInputs = [path.join(webRoot, 'src'), path.join(webRoot, 'index.html'), path.join(webRoot, 'vite.config.ts'), path.join(repoRoot, 'src/core')];

/** True when web/dist is missing or older than any of its sources. */
export function webBuildIsStale() {
  const index = path.join(webDist, 'index.html');
  if (!existsSync(index)) return true;
  const built = statSync(index).mtimeMs;
  return webInputs.some((input) => newestMtime(input) > built);
}

/**
 * Builds the web app only when needed. Production installs without dev dependencies keep whatever build
 * they shipped with.
 * @param {(message: string) => void} [log]
 * @returns {Promise<'fresh' | 'built' | 'skipped'>}
 */
export async function ensureWebBuild(log = console.log) {
  if (!webBuildIsStale()) return 'fresh';
  let vite;
  try {
    vite = await import('vite');
  } catch {
    log('web/dist is missing or stale and Vite is not installed (production install?); serving the API only.');
    return 'skipped';
  }
  await buildWeb(vite, log);
  return 'built';
}

async function buildWeb(vite, log) {
  const started = Date.now();
  log('Building the web app (web/dist)…');
  // Vite keeps an inherited NODE_ENV: under Vitest (NODE_ENV=test) it would bundle React's development build
  // (~600 KB entry instead of ~340 KB), and the browser tests would not run what users get.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await vite.build({ configFile: path.join(webRoot, 'vite.config.ts'), logLevel: 'warn', mode: 'production' });
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
  }
  log(`Web app built in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const onlyIfStale = process.argv.includes('--if-stale');
  if (!onlyIfStale || serverBuildIsStale()) {
    const started = Date.now();
    const state = onlyIfStale ? await ensureServerBuild() : (await buildServer(), 'built');
    if (state === 'built') console.log(`Server compiled (dist/server) in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
  }
  if (onlyIfStale) await ensureWebBuild();
  else await buildWeb(await import('vite'), console.log);
}
