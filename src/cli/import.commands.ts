import type { Command } from 'commander';
import { importOlist, OLIST_WORKSPACE_NAME } from '../app/import/olist-import.ts';
import type { Config } from '../config.ts';
import { openRuntime, type Runtime } from '../main.ts';
import { progressBar } from './progress.ts';

/** An expected failure: printed as one line, exit code 1, no stack. */
function failWith(message: string): never {
  console.error(`Error: ${message}`);
  process.exit(1);
}

async function withRuntime<T>(config: Config, work: (rt: Runtime) => Promise<T>): Promise<T> {
  const runtime = await openRuntime(config, { poolSize: 5 });
  try {
    return await work(runtime);
  } finally {
    await runtime.close();
  }
}

/** Progress with a rate: imports run long enough that rows/s is the number people watch. */
function rateBar(label: string) {
  const bar = progressBar(label);
  const t0 = Date.now();
  return {
    update(done: number, total: number, what: string) {
      const seconds = Math.max((Date.now() - t0) / 1000, 0.001);
      bar.update(done, total, `${what} | ${Math.round(done / seconds).toLocaleString('en-US')} rows/s`);
    },
    stop() { bar.stop(); },
  };
}

/** `leadloop import ...`: CSV files and CRM exports, and the Olist data set. */
export function registerImportCommands(program: Command, config: () => Config): void {
  const imports = program.command('import').description('Import CSV files (Salesforce / HubSpot exports) or the Olist data set');

  imports.command('olist').argument('<dir>', 'folder with the Olist marketing funnel CSV files')
    .description(`Load the Olist marketing funnel (default workspace '${OLIST_WORKSPACE_NAME}', created if missing)`)
    .option('-w, --workspace <name>', 'workspace to load into')
    .action(async (dir: string, opts: { workspace?: string }) => {
      const workspaceName = opts.workspace ?? program.opts().workspace;
      await withRuntime(config(), async (rt) => {
        const bar = rateBar('Olist');
        const t0 = Date.now();
        const result = await importOlist(rt.deps, dir, { workspaceName, onProgress: (d, t, p) => bar.update(d, t, p) });
        bar.stop();
        if (!result.ok) failWith(result.message);
        const r = result.value;
        console.log(`Olist loaded in ${((Date.now() - t0) / 1000).toFixed(1)} s into workspace ${r.workspaceId}: ${r.mqls} MQLs, ${r.deals} won deals, ${r.skipped} rows skipped.`);
      });
    });
}
