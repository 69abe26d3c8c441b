#!/usr/bin/env node
// Runs the TypeScript sources directly through tsx's loader: no build step between a clone and `npm start`.
import { register } from 'tsx/esm/api';
register();
const { runCli } = await import('../src/cli/main.ts');
await runCli(process.argv);
