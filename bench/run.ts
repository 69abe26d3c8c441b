/**
 * `npm run bench -- NAME [options]`: runs one benchmark by name. Each benchmark prints its
 * measurements and, last, one JSON line for machines.
 */
const benches: Record<string, () => Promise<{ run: (argv: string[]) => Promise<void> }>> = {
  reports: () => import('./reports.bench.ts'),
};

const [name, ...rest] = process.argv.slice(2);
if (!name || !benches[name]) {
  console.error(`Usage: npm run bench -- <${Object.keys(benches).join('|')}> [options]`);
  process.exit(2);
}
const bench = await benches[name]!();
await bench.run(rest);
