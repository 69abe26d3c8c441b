/**
 * `npm run bench -- <name> [options]`: runs one benchmark. Each prints human lines, then one JSON
 * line last (the number to track), with a baseline measured in the same run.
 */
const benches: Record<string, () => Promise<{ main: (argv: string[]) => Promise<void> }>> = {
  backtest: () => import('./backtest.bench.ts'),
};

const [name, ...rest] = process.argv.slice(2);
const load = name ? benches[name] : undefined;
if (!load) {
  console.error(`Usage: npm run bench -- <${Object.keys(benches).join('|')}> [--scale N]`);
  process.exit(2);
}
await (await load()).main(rest);
