import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { erasePerson, type ErasureTarget } from '../app/privacy/erase-person.ts';
import { exportAsCsvFiles, exportPerson } from '../app/privacy/export-person.ts';
import { runRetention, retentionPolicy } from '../app/privacy/retention.ts';
import { resolveWorkspace } from '../app/workspaces.ts';
import type { Config } from '../config.ts';
import { withRuntime } from './runtime.ts';

function fail(message: string, code = 1): void {
  console.error(`Error: ${message}`);
  process.exitCode = code;
}

const cli = { kind: 'system', label: 'cli' } as const;

/**
 * `leadloop privacy erase --contact ID | --email E --yes`, `privacy export --contact ID [--out F] [--csv DIR]`,
 * `privacy retention [--run]`. Exit codes: 0 done (or already erased), 1 refused (unknown person),
 * 2 bad usage (no target, or erase without --yes).
 */
export function registerPrivacyCommands(program: Command, config: () => Config): void {
  const privacy = program.command('privacy').description('Privacy requests: erase or export a person; retention');

  privacy.command('erase').description('Erase a person (all personal data, in one transaction; identifiers suppressed; audit receipt)')
    .option('--contact <id>', 'the contact id').option('--email <email>', 'or the email').option('--reason <text>', 'request reference for the audit receipt (no personal data)')
    .option('--yes', 'confirm: erasure cannot be undone')
    .action(async (opts: { contact?: string; email?: string; reason?: string; yes?: boolean }) => {
      if (Boolean(opts.contact) === Boolean(opts.email)) return fail('give exactly one of --contact <id> or --email <email>', 2);
      if (!opts.yes) return fail('erasure cannot be undone: add --yes to confirm', 2);
      await withRuntime(config(), async (rt) => {
        const ws = await resolveWorkspace(rt.deps, program.opts().workspace);
        if (!ws.ok) return fail(ws.message);
        const target: ErasureTarget = opts.contact ? { contactId: opts.contact } : { email: opts.email! };
        const r = await erasePerson(rt.deps, ws.value.id, target, cli, opts.reason ?? null);
        if (!r.ok) return fail(r.message);
        const v = r.value;
        if (v.status === 'already_erased') { console.log(`Already erased${v.contactId ? ` (contact ${v.contactId}, ${v.erasedAt?.toISOString()})` : ''}: nothing to do.`); return; }
        console.log(`Erased contact ${v.contactId} at ${v.erasedAt?.toISOString()}; ${v.suppressed} identifiers suppressed.`);
        for (const [what, n] of Object.entries(v.counts)) if (n > 0) console.log(`  ${what}: ${n}`);
      });
    });

  privacy.command('export').description("Export everything stored about a person: JSON (stdout or --out) and/or one CSV per table (--csv DIR)")
    .requiredOption('--contact <id>', 'the contact id').option('--out <file>', 'write the JSON document here instead of stdout')
    .option('--csv <dir>', 'also write one CSV file per table into this folder')
    .action(async (opts: { contact: string; out?: string; csv?: string }) => withRuntime(config(), async (rt) => {
      const ws = await resolveWorkspace(rt.deps, program.opts().workspace);
      if (!ws.ok) return fail(ws.message);
      const r = await exportPerson(rt.deps, ws.value.id, opts.contact, cli);
      if (!r.ok) return fail(r.message);
      const json = JSON.stringify(r.value, null, 2);
      if (opts.out) await writeFile(opts.out, json);
      else if (!opts.csv) console.log(json);
      if (opts.csv) {
        await mkdir(opts.csv, { recursive: true });
        for (const [name, text] of Object.entries(exportAsCsvFiles(r.value))) await writeFile(join(opts.csv, name), text);
      }
      if (opts.out || opts.csv) {
        const rows = Object.values(r.value.tables).reduce((n, t) => n + t.length, 0);
        console.error(`Exported ${rows} rows from ${Object.keys(r.value.tables).length} tables${opts.out ? ` to ${opts.out}` : ''}${opts.csv ? ` (CSV in ${opts.csv})` : ''}.`);
      }
    }));

  privacy.command('retention').description('Show the retention periods; --run deletes what has expired now')
    .option('--run', 'delete what has expired and print the counts')
    .action(async (opts: { run?: boolean }) => withRuntime(config(), async (rt) => {
      const ws = await resolveWorkspace(rt.deps, program.opts().workspace);
      if (!ws.ok) return fail(ws.message);
      const policy = await retentionPolicy(rt.deps, ws.value.id);
      for (const [k, v] of Object.entries(policy)) console.log(`${k}: ${v === null ? 'forever' : `${v} days`}`);
      if (opts.run) {
        const { workspaceId: _, ...counts } = await runRetention(rt.deps, ws.value.id);
        console.log(`Deleted: ${Object.entries(counts).map(([k, n]) => `${k} ${n}`).join(', ')}`);
      }
    }));
}
