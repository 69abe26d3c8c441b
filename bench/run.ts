// `npm run bench -- <name>`: runs bench/<name>.bench.ts, whose run() prints a JSON line last.
const name = process.argv[2];
if (!name || !/^[a-z0-9-]+$/.test(name)) {
  console.error('usage: npm run bench -- <name>   (e.g. alert)');
  process.exit(2);
}
const mod = (await import(`./${name}.bench.ts`)) as { run: () => Promise<void> };
try {
  await mod.run();
  process.exit(0);
} catch (e) {
  console.error(e);
  process.exit(1);
}
