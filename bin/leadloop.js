#!/usr/bin/env node
// Runs the compiled CLI (dist/server/leadloop.js), not the TypeScript sources through a loader: bin/build.js
// compiles src/ with esbuild when the build is missing or older than a source, silently (stdout may be JSON).
// Source maps are on before the bundle loads, so stack traces name src/**/*.ts lines.
import { pathToFileURL } from 'node:url';
import { ensureServerBuild, serverEntry } from './build.js';

process.setSourceMapsEnabled(true);
try {
  await ensureServerBuild();
} catch (error) {
  console.error(`Error: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(2);
}
const { runCli } = await import(pathToFileURL(serverEntry).href);
await runCli(process.argv);
