/**
 * `npm run bench -- <name> [options]`: runs bench/<name>.bench.ts. Each benchmark prints a JSON
 * line last, with a ratio against a baseline measured in the same run.
 */
const [name, ...args] = process.argv.slice(2);
const benches: Record<string, () => Promise<{ run: (args: string[]) => Promise<void> }>> = {
  ingest: () => import('./ingest.bench.ts'),
};
const load = name ? benches[name] : undefined;
if (!load) {
  console.error(`Usage: npm run bench -- <${Object.keys(benches).join('|')}> [options]`);
  process.exit(2);
}
await (await load()).run(args);
