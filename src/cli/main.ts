import { Command, InvalidArgumentError } from 'commander';
import { createApiKey, createAuthService, demoPasswordAdminEmails, setUserPassword } from '../app/auth.ts';
import { createMailer } from '../app/mailer.ts';
import { publicUrl } from '../config.ts';
import { ensureDemoWorkspace } from '../app/demo/demo-workspace.ts';
import { DEMO_WORKSPACE_NAME, seedDemoWorkspace } from '../app/demo/seed-demo.ts';
import { createUser, createWorkspace, resolveWorkspace } from '../app/workspaces.ts';
import { isRole, isScope, type Role } from '../core/access.ts';
import { normalizeEmail } from '../core/identity.ts';
import { StartupError } from '../storage/db.ts';
import { findUserByEmail } from '../storage/users.repo.ts';
import { loadConfig, start, type Runtime } from '../main.ts';
import type { Config } from '../config.ts';
import { progressBar } from './progress.ts';
import { withRuntime } from './runtime.ts';
import { registerDefinitionCommands } from './definitions.commands.ts';
import { registerReportCommands } from './report.commands.ts';
import { registerModelCommands } from './model.commands.ts';
import { registerImportCommands } from './import.commands.ts';
import { registerCrmCommands } from './crm.commands.ts';
import { registerPrivacyCommands } from './privacy.commands.ts';
import { printSlaReport } from './handoff.commands.ts';
import { printNurtureReport } from './nurture.commands.ts';

class CliError extends Error {}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('must be a whole number ≥ 0');
  return n;
}

async function workspaceId(rt: Runtime, name: string | undefined): Promise<string> {
  const ws = await resolveWorkspace(rt.deps, name);
  if (!ws.ok) throw new CliError(ws.message);
  return ws.value.id;
}

function printBanner(url: string, config: Config, banner: Awaited<ReturnType<typeof ensureDemoWorkspace>>, databaseLabel: string) {
  const lines = [``, `Leadloop is running at ${url}`, `  API docs:  ${url}/api/docs`, `  Database:  ${databaseLabel}`];
  if (banner) {
    lines.push(``, `${DEMO_WORKSPACE_NAME} — demo data, not real people.`,
      `  Logins (password: ${config.LEADLOOP_DEMO_PASSWORD === 'demo' ? 'demo' : 'from LEADLOOP_DEMO_PASSWORD'}):`,
      `    admin@demo.example      admin`, `    marketing@demo.example  marketing`,
      `    sales@demo.example      sales rep`, `    manager@demo.example    sales manager`);
    if (banner.ingestKey) lines.push(`  Demo ingest key (write-only, safe in web pages): ${banner.ingestKey}`);
  }
  lines.push(``, `Stop with Ctrl+C. Data stays in ${config.DATABASE_URL ? 'your PostgreSQL' : config.LEADLOOP_DATA_DIR}.`, ``);
  console.log(lines.join('\n'));
}

async function runServer(config: Config, roles: { serve: boolean; work: boolean }) {
  const started = Date.now();
  let banner: Awaited<ReturnType<typeof ensureDemoWorkspace>> | null = null;
  await start(config, {
    ...roles,
    // The demo lives its year on a simulated clock before the worker starts: a live worker would run
    // the simulation's queued nurture ticks and alerts in the middle of it.
    prepare: async (runtime) => {
      if (!config.LEADLOOP_DEMO || !roles.serve) return;
      const bar = progressBar('Loading demo data');
      banner = await ensureDemoWorkspace(runtime.deps, {
        password: config.LEADLOOP_DEMO_PASSWORD, contacts: config.LEADLOOP_DEMO_CONTACTS, onProgress: (d, t, p) => bar.update(d, t, p),
      });
      bar.stop();
    },
    onReady: async (runtime, url) => {
      if (roles.serve) printBanner(url, config, banner, runtime.databaseLabel);
      const demoAdmins = roles.serve ? await demoPasswordAdminEmails(runtime.deps) : [];
      if (demoAdmins.length) {
        console.warn(`WARNING: ${demoAdmins.join(', ')} still ${demoAdmins.length === 1 ? 'signs' : 'sign'} in with the demo password. Anyone who can reach ${url} can sign in as an administrator.\n  Change it in the web app (your name in the top bar → Change password) or: leadloop users set-password --email ${demoAdmins[0]}\n`);
      }
      else console.log(`Leadloop worker running on ${runtime.databaseLabel}.`);
      console.log(`Ready in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
    },
  });
}

export function buildProgram(config: () => Config): Command {
  const program = new Command('leadloop')
    .description('Leadloop — the closed-loop lead system of record')
    .showHelpAfterError('(run leadloop --help for usage)')
    .option('-w, --workspace <name>', 'workspace to act on (default: the only one, or the demo one)');

  program.command('start').description('Run the HTTP server and the job worker in one process (what npm start runs)')
    .action(() => runServer(config(), { serve: true, work: true }));
  program.command('serve').description('Run only the HTTP server').action(() => runServer(config(), { serve: true, work: false }));
  program.command('work').description('Run only the job worker').action(() => runServer(config(), { serve: false, work: true }));

  program.command('migrate').description('Apply pending database migrations').action(async () => {
    await withRuntime(config(), async (rt) => console.log(`Database is up to date (${rt.databaseLabel}).`));
  });

  program.command('demo').description('Create the demo workspace with generated data')
    .option('--contacts <n>', 'number of contacts to generate', positiveInt, 2000)
    .option('--seed <n>', 'random seed (same seed, same data)', positiveInt, 42)
    .action(async (opts: { contacts: number; seed: number }) => {
      const cfg = config();
      await withRuntime(cfg, async (rt) => {
        const bar = progressBar('Generating demo data');
        const t0 = Date.now();
        const result = await seedDemoWorkspace(rt.deps, { password: cfg.LEADLOOP_DEMO_PASSWORD, contacts: opts.contacts, seed: opts.seed, onProgress: (d, t, p) => bar.update(d, t, p) });
        bar.stop();
        console.log(`Created '${result.workspace.name}' in ${((Date.now() - t0) / 1000).toFixed(1)} s:`);
        for (const [table, n] of Object.entries(result.counts)) console.log(`  ${table.padEnd(28)} ${n}`);
        console.log(`Ingest key: ${result.ingestKey}`);
      });
    });

  const workspaces = program.command('workspaces').description('Manage workspaces');
  workspaces.command('create').argument('<name>', 'workspace name').description('Create a workspace').action(async (name: string) => {
    await withRuntime(config(), async (rt) => {
      const ws = await createWorkspace(rt.deps, { name });
      if (!ws.ok) throw new CliError(ws.message);
      console.log(`Created workspace '${ws.value.name}' (${ws.value.id}).`);
    });
  });

  const users = program.command('users').description('Manage users');
  users.command('create').description('Create a user')
    .requiredOption('--email <email>', 'login email')
    .requiredOption('--role <role>', 'admin | marketing | sales | sales_manager | viewer')
    .option('--name <name>', 'display name')
    .option('--password <password>', 'password (or set LEADLOOP_NEW_USER_PASSWORD)')
    .action(async (opts: { email: string; role: string; name?: string; password?: string }) => {
      if (!isRole(opts.role)) throw new CliError(`Unknown role '${opts.role}'. Use one of admin, marketing, sales, sales_manager, viewer.`);
      await withRuntime(config(), async (rt) => {
        const ws = await workspaceId(rt, program.opts().workspace);
        const password = opts.password ?? process.env.LEADLOOP_NEW_USER_PASSWORD ?? null;
        const user = await createUser(rt.deps, ws, { email: opts.email, name: opts.name, role: opts.role as Role, password });
        if (!user.ok) throw new CliError(user.message);
        console.log(`Created ${user.value.role} ${user.value.email} (${user.value.id}).${password ? '' : ' It has no password yet: send an invitation with `leadloop users invite`, or set one with `leadloop users set-password`.'}`);
      });
    });

  users.command('set-password').description('Set a user\'s password (at least 12 characters, not a common one); ends all their sessions')
    .requiredOption('--email <email>', 'login email')
    .option('--password <password>', 'new password (or set LEADLOOP_NEW_USER_PASSWORD, which keeps it out of the shell history)')
    .action(async (opts: { email: string; password?: string }) => {
      const password = opts.password ?? process.env.LEADLOOP_NEW_USER_PASSWORD;
      if (!password) throw new CliError('Give the new password with --password or LEADLOOP_NEW_USER_PASSWORD.');
      await withRuntime(config(), async (rt) => {
        const ws = await workspaceId(rt, program.opts().workspace);
        const user = await findUserByEmail(rt.db, ws, normalizeEmail(opts.email) ?? opts.email);
        if (!user) throw new CliError(`No user ${opts.email} in this workspace. Create one with: leadloop users create --email ${opts.email} --role ROLE`);
        const changed = await setUserPassword(rt.deps, ws, user.id, password);
        if (!changed.ok) throw new CliError(changed.message);
        console.log(`Password of ${user.email} changed; their sessions have ended.`);
      });
    });

  users.command('invite').description('Invite a user by email: they choose their password through a single-use link (7 days)')
    .requiredOption('--email <email>', 'login email')
    .requiredOption('--role <role>', 'admin | marketing | sales | sales_manager | viewer')
    .option('--name <name>', 'display name')
    .action(async (opts: { email: string; role: string; name?: string }) => {
      if (!isRole(opts.role)) throw new CliError(`Unknown role '${opts.role}'. Use one of admin, marketing, sales, sales_manager, viewer.`);
      const cfg = config();
      await withRuntime(cfg, async (rt) => {
        const ws = await workspaceId(rt, program.opts().workspace);
        const mailer = cfg.SMTP_URL ? createMailer(cfg.SMTP_URL, cfg.SMTP_FROM) : undefined;
        try {
          const auth = createAuthService(rt.deps, { sessionTtlHours: cfg.LEADLOOP_SESSION_TTL_HOURS, mailer, publicUrl: publicUrl(cfg) });
          const principal = { workspaceId: ws, kind: 'api_key' as const, userId: null, apiKeyId: null, role: null, permissions: new Set<never>() };
          const invited = await auth.inviteUser(principal, { email: opts.email, name: opts.name, role: opts.role as Role }, { kind: 'system', label: 'command line' });
          if (!invited.ok) throw new CliError(invited.message);
          console.log(`Invited ${invited.value.user.role} ${invited.value.user.email} (${invited.value.user.id}). ${invited.value.emailDetail}`);
          if (invited.value.inviteUrl) console.log(invited.value.inviteUrl);
        } finally {
          mailer?.close();
        }
      });
    });

  const keys = program.command('keys').description('Manage API keys');
  keys.command('create').description('Create an API key (printed once)')
    .requiredOption('--scopes <list>', 'comma-separated: ingest (browser key), ingest:server, read, write, admin, metrics (scrapes /metrics only)')
    .option('--name <name>', 'a label for the key', 'CLI key')
    .option('--user <email>', 'make it a personal key acting as this user')
    .option('--json', 'print one JSON object with a key field on the last line')
    .action(async (opts: { scopes: string; name: string; user?: string; json?: boolean }) => {
      const scopes = opts.scopes.split(',').map((s) => s.trim()).filter(Boolean);
      const bad = scopes.filter((s) => !isScope(s));
      if (scopes.length === 0 || bad.length) throw new CliError(`--scopes must list ingest, ingest:server, read, write, admin or metrics${bad.length ? `; unknown: ${bad.join(', ')}` : ''}.`);
      await withRuntime(config(), async (rt) => {
        const ws = await workspaceId(rt, program.opts().workspace);
        let userId: string | null = null;
        if (opts.user) {
          const user = await findUserByEmail(rt.db, ws, normalizeEmail(opts.user) ?? opts.user);
          if (!user) throw new CliError(`No user ${opts.user} in this workspace. Create one with: leadloop users create --email ${opts.user} --role ROLE`);
          userId = user.id;
        }
        const created = await createApiKey(rt.deps, ws, { name: opts.name, scopes, userId });
        if (!created.ok) throw new CliError(created.message);
        const k = created.value;
        if (opts.json) console.log(JSON.stringify({ key: k.key, id: k.apiKey.id, scopes: k.apiKey.scopes, user_id: k.apiKey.userId, workspace_id: ws }));
        else console.log(`${k.key}\n(scopes: ${k.apiKey.scopes.join(', ')}${userId ? `; acts as ${opts.user}` : ''}. Store it now: it is not shown again.)`);
      });
    });
  registerReportCommands(program, config, { sla: printSlaReport, nurture: printNurtureReport });

  registerDefinitionCommands(program, config);
  registerImportCommands(program, config);
  registerCrmCommands(program, config);
  registerModelCommands(program, config);
  registerPrivacyCommands(program, config);
  return program;
}

export async function runCli(argv: string[]): Promise<void> {
  const program = buildProgram(() => loadConfig());
  program.exitOverride();
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CliError) {
      console.error(`Error: ${e.message}`);
      process.exit(1);
    }
    // A cause the operator can fix: one line, no stack trace, an exit code per kind (see StartupError).
    if (e instanceof StartupError) {
      console.error(`Error: ${e.message}`);
      process.exit(e.exitCode);
    }
    const code = (e as { code?: string; exitCode?: number } | null | undefined)?.code;
    if (code?.startsWith('commander.')) {
      process.exit(code === 'commander.helpDisplayed' || code === 'commander.version' ? 0 : (e as { exitCode?: number }).exitCode ?? 1);
    }
    console.error(e instanceof Error ? e.stack ?? e.message : String(e));
    process.exit(1);
  }
}
