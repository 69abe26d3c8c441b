import { InvalidArgumentError, type Command } from 'commander';
import { parseSecretKey } from '../app/crm/credentials.ts';
import { listConnections, syncCrm, type SyncReport } from '../app/crm/crm.ts';
import { resolveWorkspace } from '../app/workspaces.ts';
import type { Config } from '../config.ts';
import { withRuntime } from './runtime.ts';

function provider(value: string): 'salesforce' | 'hubspot' {
  if (value !== 'salesforce' && value !== 'hubspot') throw new InvalidArgumentError('must be salesforce or hubspot');
  return value;
}

function fail(message: string): void {
  console.error(`Error: ${message}`);
  process.exitCode = 1;
}

/** One line per record, then the counts: what the run did (or, with --dry-run, would do). */
export function formatSyncReport(r: SyncReport): string {
  const label = r.provider === 'salesforce' ? 'Salesforce' : 'HubSpot';
  const lines = [`${label} sync${r.dryRun ? ' (dry run: nothing was written here or in the CRM)' : ''}: ${r.outcome}${r.message ? ` — ${r.message}` : ''}`];
  for (const e of r.entries) {
    const mark = { changed: '✔', would_change: '→', unchanged: '=', failed: '✘', skipped: '-' }[e.outcome];
    lines.push(`  ${mark} ${e.direction} ${e.objectType}${e.externalId ? ` ${e.externalId}` : ''}${e.localId ? ` (lead ${e.localId})` : ''}: ${e.action}${e.error ? ` — ${e.error} (attempt ${e.attempt})` : ''}`);
  }
  const c = r.counts;
  lines.push(`  ${r.dryRun ? `would change ${c.would_change}` : `changed ${c.changed}`}, unchanged ${c.unchanged}, failed ${c.failed}, not Leadloop's ${c.ignored}`
    + (r.apiUsage ? `; API ${r.apiUsage.used}/${r.apiUsage.limit}` : ''));
  return lines.join('\n');
}

/** `leadloop crm status | crm sync [--dry-run] [--backfill] [--provider P]`. */
export function registerCrmCommands(program: Command, config: () => Config): void {
  const crm = program.command('crm').description('CRM connectors (Salesforce, HubSpot): status and sync');
  crm.command('status').description('Connections: active or paused (and why), last sync, cursors')
    .action(async () => withRuntime(config(), async (rt) => {
      const ws = await resolveWorkspace(rt.deps, program.opts().workspace);
      if (!ws.ok) return fail(ws.message);
      const conns = await listConnections(rt.deps, ws.value.id);
      if (!conns.length) { console.log('No CRM connected (Settings › Integrations, or POST /api/v1/integrations/{salesforce|hubspot}/connect).'); return; }
      for (const c of conns) {
        console.log(`${c.provider}: ${c.status}${c.pausedReason ? ` — ${c.pausedReason}` : ''}; as ${c.account ?? '?'}; mapping v${c.mappingVersion}; last sync ${c.lastSyncAt?.toISOString() ?? 'never'}; cursors ${JSON.stringify(c.cursors)}`);
      }
    }));
  crm.command('sync').description('Push MQLs and stage changes, then pull status, conversions and deals; --dry-run shows what would change')
    .option('--provider <provider>', 'salesforce or hubspot (default: every connected CRM)', provider)
    .option('--dry-run', 'show what would change; write nothing here or in the CRM')
    .option('--backfill', 'pull every record again from the beginning (idempotent)')
    .option('--json', 'print the reports as JSON')
    .action(async (opts: { provider?: 'salesforce' | 'hubspot'; dryRun?: boolean; backfill?: boolean; json?: boolean }) => withRuntime(config(), async (rt) => {
      const ws = await resolveWorkspace(rt.deps, program.opts().workspace);
      if (!ws.ok) return fail(ws.message);
      const providers = opts.provider ? [opts.provider] : (await listConnections(rt.deps, ws.value.id)).map((c) => c.provider);
      if (!providers.length) return fail('No CRM is connected in this workspace. Connect one in Settings › Integrations first.');
      const secret = parseSecretKey(config().LEADLOOP_SECRET_KEY);
      for (const p of providers) {
        const r = await syncCrm(rt.deps, ws.value.id, p, { dryRun: Boolean(opts.dryRun), backfill: Boolean(opts.backfill), secret });
        if (!r.ok) { fail(r.message); continue; }
        console.log(opts.json ? JSON.stringify(r.value) : formatSyncReport(r.value));
        if (r.value.outcome === 'failed' || r.value.outcome === 'paused') process.exitCode = 1;
      }
    }));
}
