import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const webRoot = fileURLToPath(new URL('.', import.meta.url));
const repoRoot = path.resolve(webRoot, '..');
export const webDist = path.join(webRoot, 'dist');

// Everything that ends up in the bundle: the app, its config, and the shared pure core it imports.
const inputs = [path.join(webRoot, 'src'), path.join(webRoot, 'index.html'), path.join(webRoot, 'vite.config.ts'), path.join(repoRoot, 'src/core')];

function newestMtime(entry: string): number {
  if (!existsSync(entry)) return 0;
  const stat = statSync(entry);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const name of readdirSync(entry)) newest = Math.max(newest, newestMtime(path.join(entry, name)));
  return newest;
}

/** True when web/dist is missing or older than any of its sources. */
export function webBuildIsStale(): boolean {
  const index = path.join(webDist, 'index.html');
  if (!existsSync(index)) return true;
  const built = statSync(index).mtimeMs;
  return inputs.some((input) => newestMtime(input) > built);
}

/**
 * Builds the web app only when needed, so a fresh clone's `npm start` works and a warm restart is
 * instant. Production installs without dev dependencies keep whatever build they shipped with.
 */
export async function ensureWebBuild(log: (m: string) => void = console.log): Promise<'fresh' | 'built' | 'skipped'> {
  if (!webBuildIsStale()) return 'fresh';
  let vite: typeof import('vite');
  try {
    vite = await import('vite');
  } catch {
    log('web/dist is missing or stale and Vite is not installed (production install?); serving the API only.');
    return 'skipped';
  }
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
  return 'built';
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  await ensureWebBuild();
}
