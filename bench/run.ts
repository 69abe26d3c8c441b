/**
 * `npm run bench -- <name> [options]`: runs one benchmark by name. Each prints human lines, then one
 * JSON line last (the number to track), with a baseline measured in the same run.
 */
type Bench = { main?: (argv: string[]) => Promise<void>; run?: (argv: string[]) => Promise<void> };
const benches: Record<string, () => Promise<Bench>> = {
  ingest: () => import('./ingest.bench.ts'),
  alert: () => import('./alert.bench.ts'),
  backtest: () => import('./backtest.bench.ts'),
  reports: () => import('./reports.bench.ts'),
  dashboard: () => import('./dashboard.bench.ts'),
  import: () => import('./import.bench.ts'),
  login: () => import('./login.bench.ts'),
  predict: () => import('./predict.bench.ts'),
  lists: () => import('./lists.bench.ts'),
};

const [name, ...rest] = process.argv.slice(2);
const load = name ? benches[name] : undefined;
if (!load) {
  console.error(`Usage: npm run bench -- <${Object.keys(benches).join('|')}> [options]`);
  process.exit(2);
}
const bench = await load();
await (bench.main ?? bench.run)!(rest);
