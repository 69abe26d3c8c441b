import { createReadStream, createWriteStream, readFileSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { Session } from 'node:inspector/promises';
import { writeFile } from 'node:fs/promises';
import pg from 'pg';
import { systemClock } from '../src/app/context.ts';
import { installDefaultDefinition } from '../src/app/definitions/install-default-definition.ts';
import { importCsv } from '../src/app/import/csv-import.ts';
import { createUser, createWorkspace } from '../src/app/workspaces.ts';
import { migrateJobQueue } from '../src/jobs/worker.ts';
import { createDb, createPool, quoteIdent, startEmbeddedPostgres } from '../src/storage/db.ts';
import { migrateToLatest } from '../src/storage/migrate.ts';
import { composeApp } from '../src/app/compose.ts';

/**
 * `npm run bench -- import [--rows N] [--chunk N] [--no-score] [--fk-triggers] [--profile] [--explain FILE] [--cpu-prof FILE] [--keep-db]`
 * Generates a HubSpot contacts export (N rows, default 1,000,000: lifecycle stage, lead status,
 * "Became a ... Date" columns, companies shared by ~20 contacts each, a bad optional cell every
 * 1,000 rows), imports it through the CSV importer (contacts, accounts, leads with dated
 * histories, scoring under the active starter definition) and, in the same run, COPYs the same
 * file into a plain table of text columns: the raw baseline. Prints rows/s of both and the peak
 * RSS of this process (sampled; the import streams, so it must stay flat whatever N).
 * --fk-triggers: the per-row foreign-key checks run (as for a non-superuser or with --qualify) instead of the chunk's own.
 * Database: BENCH_DATABASE_URL or TEST_DATABASE_URL (a fresh database is created there), else an
 * embedded PostgreSQL in a temporary folder.
 */
function option(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(`--${name}`);
  const v = i >= 0 ? Number(args[i + 1]) : fallback;
  if (!Number.isInteger(v) || v <= 0) throw new Error(`--${name} must be a positive integer`);
  return v;
}

const HEADER = ['Record ID', 'First Name', 'Last Name', 'Email', 'Job Title', 'Company Name', 'Website URL', 'Industry', 'Number of Employees', 'Country/Region',
  'Lifecycle Stage', 'Lead Status', 'Became a Lead Date', 'Became a Marketing Qualified Lead Date', 'Create Date', 'Original Source'];
const stagesMix = ['Lead', 'Lead', 'Lead', 'Subscriber', 'Marketing Qualified Lead', 'Sales Qualified Lead', 'Opportunity', 'Customer', 'Other', 'Lead'];
const statusMix = ['NEW', 'OPEN', 'IN_PROGRESS', '', 'ATTEMPTED_TO_CONTACT', 'CONNECTED', 'BAD_TIMING', 'UNQUALIFIED', 'OPEN_DEAL', ''];
const titles = ['VP Marketing', 'Marketing Manager', 'Head of Sales', 'Analyst', 'CTO', 'Director of RevOps', 'Engineer', 'Student'];
const industries = ['Software', 'Retail', 'Finance', 'Manufacturing', 'Internet'];
const sources = ['ORGANIC_SEARCH', 'PAID_SEARCH', 'SOCIAL_MEDIA', 'EMAIL_MARKETING', 'REFERRALS', 'DIRECT_TRAFFIC', 'OFFLINE'];

/** Row i of the generated export (deterministic). */
function row(i: number): string {
  const company = Math.floor(i / 20);
  const day = new Date(Date.UTC(2025, 0, 1) + (i % 600) * 86_400_000);
  const ymd = (d: Date) => d.toISOString().slice(0, 10);
  const stage = stagesMix[i % stagesMix.length]!;
  const mqlDate = stage === 'Lead' || stage === 'Subscriber' || stage === 'Other' ? '' : ymd(new Date(day.getTime() + 5 * 86_400_000));
  const employees = i % 1000 === 999 ? 'seventy' : String(10 + (company * 37) % 2000);
  return [100000 + i, `First${i}`, `Last${i}`, `person${i}@company${company}.example`, titles[i % titles.length], `Company ${company}`, `company${company}.example`,
    industries[company % industries.length], employees, i % 3 ? 'United States' : 'Germany', stage, statusMix[(i * 7) % statusMix.length], ymd(day), mqlDate,
    `${ymd(day)} 09:30`, sources[i % sources.length]].join(',');
}

async function writeExport(file: string, rows: number): Promise<void> {
  const out = createWriteStream(file);
  out.write(HEADER.join(',') + '\r\n');
  let buf: string[] = [];
  for (let i = 0; i < rows; i++) {
    buf.push(row(i));
    if (buf.length === 5000 || i === rows - 1) {
      if (!out.write(buf.join('\r\n') + '\r\n')) await new Promise<void>((r) => out.once('drain', () => r()));
      buf = [];
    }
  }
  await new Promise<void>((r) => out.end(() => r()));
}

export async function run(args: string[]): Promise<void> {
  const rows = option(args, 'rows', 1_000_000);
  const chunk = option(args, 'chunk', 2000);
  const score = !args.includes('--no-score');
  const log = (m: string) => console.error(`[bench import] ${m}`);
  let serverUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  let stopEmbedded = async () => {};
  const dataDir = await mkdtemp(path.join(tmpdir(), 'leadloop-bench-import-'));
  if (!serverUrl) {
    const embedded = await startEmbeddedPostgres(path.join(dataDir, 'pg'), 56000 + (process.pid % 4000));
    serverUrl = embedded.url;
    stopEmbedded = embedded.stop;
  }
  const dbName = `leadloop_bench_import_${process.pid}`;
  const admin = new pg.Client({ connectionString: withDatabase(serverUrl, 'postgres') });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(dbName)}`);
  await admin.query(`CREATE DATABASE ${quoteIdent(dbName)}`);
  const pool = createPool(withDatabase(serverUrl, dbName), 4, () => {});
  // --profile: wall time and the backend's CPU time per statement kind (its first words), to see where an
  // import chunk goes. CPU comes from /proc/<backend pid>/schedstat (ns; only when PostgreSQL runs here):
  // on a shared machine the wall time is mostly waiting for a core.
  const profile = new Map<string, { n: number; ms: number; cpuMs: number }>();
  if (args.includes('--profile')) {
    pool.on('connect', (client) => {
      const pid = (client as unknown as { processID?: number }).processID;
      const query = client.query.bind(client) as (...a: unknown[]) => Promise<unknown>;
      (client as unknown as { query: (...a: unknown[]) => unknown }).query = (...a: unknown[]) => {
        const text = typeof a[0] === 'string' ? a[0] : (a[0] as { text?: string })?.text ?? (a[0] as { label?: string })?.label ?? '?';
        const key = text.replace(/\s+/g, ' ').slice(0, 90);
        const t = performance.now();
        const c = pid ? backendCpuNs(pid) : 0;
        const done = () => {
          const e = profile.get(key) ?? { n: 0, ms: 0, cpuMs: 0 };
          e.n++; e.ms += performance.now() - t; e.cpuMs += pid ? (backendCpuNs(pid) - c) / 1e6 : 0; profile.set(key, e);
        };
        const p = query(...a);
        if (p && typeof (p as Promise<unknown>).then === 'function') (p as Promise<unknown>).then(done, done);
        return p;
      };
    });
  }
  // --explain FILE: every statement over 5 ms with its plan, timings and trigger times (auto_explain, per session).
  const explainAt = args.indexOf('--explain');
  if (explainAt >= 0) {
    const out = createWriteStream(args[explainAt + 1]!);
    pool.on('connect', (client) => {
      client.on('notice', (n) => out.write(`${n.message}\n\n`));
      void client.query(`LOAD 'auto_explain'; SET auto_explain.log_min_duration = 5; SET auto_explain.log_analyze = on; SET auto_explain.log_triggers = on;
        SET auto_explain.log_nested_statements = on; SET auto_explain.log_level = 'notice'`);
    });
  }
  // CPU seconds, not only wall time: on a shared machine the wall clock measures the neighbours too.
  // The backends' CPU is read from /proc (when PostgreSQL runs on this machine) by their process ids.
  const backends = new Map<number, number>();
  pool.on('connect', (client) => { const pid = (client as unknown as { processID?: number }).processID; if (pid) backends.set(pid, 0); });
  const sampleBackends = () => { for (const pid of backends.keys()) { const s = backendCpuSeconds(pid); if (s !== null) backends.set(pid, s); } };
  const db = createDb(pool);
  composeApp();
  const deps = { db, clock: systemClock };
  try {
    await migrateToLatest(db);
    await migrateJobQueue(pool);
    const ws = await createWorkspace(deps, { name: 'Bench import' });
    if (!ws.ok) throw new Error(ws.message);
    const marketing = await createUser(deps, ws.value.id, { email: 'marketing@bench.test', role: 'marketing' });
    const sales = await createUser(deps, ws.value.id, { email: 'sales@bench.test', role: 'sales' });
    if (!marketing.ok || !sales.ok) throw new Error('could not create the signers');
    const definition = await installDefaultDefinition(deps, ws.value.id, { marketingUserId: marketing.value.id, salesUserId: sales.value.id });
    if (!definition.ok) throw new Error(definition.message);

    const file = path.join(dataDir, 'hubspot-contacts.csv');
    const g0 = performance.now();
    await writeExport(file, rows);
    log(`generated ${rows.toLocaleString('en-US')} HubSpot contact rows (${((await stat(file)).size / 1e6).toFixed(0)} MB) in ${((performance.now() - g0) / 1000).toFixed(1)} s`);

    let peakRss = process.memoryUsage().rss;
    const sampler = setInterval(() => { peakRss = Math.max(peakRss, process.memoryUsage().rss); }, 100);
    const rssBefore = process.memoryUsage().rss;
    let lastLog = 0;
    sampleBackends();
    const backendsBefore = [...backends.values()].reduce((a, v) => a + v, 0);
    const cpuSampler = setInterval(sampleBackends, 1000);
    const cpuBefore = process.cpuUsage();
    // --cpu-prof FILE: a V8 CPU profile of this process during the import only (open it in Chrome DevTools).
    const profAt = args.indexOf('--cpu-prof');
    const inspector = profAt >= 0 ? new Session() : null;
    if (inspector) { inspector.connect(); await inspector.post('Profiler.enable'); await inspector.post('Profiler.start'); }
    const t0 = performance.now();
    const result = await importCsv(deps, ws.value.id, () => createReadStream(file), {
      entity: 'contacts', preset: 'hubspot', fileName: 'hubspot-contacts.csv', chunkSize: chunk, score, chunkChecks: !args.includes('--fk-triggers'),
      onProgress: (done, total) => {
        if (performance.now() - lastLog < 10_000) return;
        lastLog = performance.now();
        log(`${done.toLocaleString('en-US')} / ${total.toLocaleString('en-US')} rows, ${Math.round(done / ((lastLog - t0) / 1000))} rows/s, rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`);
      },
    });
    const importMs = performance.now() - t0;
    if (inspector) { const { profile } = await inspector.post('Profiler.stop'); await writeFile(args[profAt + 1]!, JSON.stringify(profile)); inspector.disconnect(); }
    const nodeCpu = process.cpuUsage(cpuBefore);
    clearInterval(cpuSampler);
    sampleBackends();
    const nodeCpuS = (nodeCpu.user + nodeCpu.system) / 1e6;
    const pgCpuS = [...backends.values()].reduce((a, v) => a + v, 0) - backendsBefore;
    clearInterval(sampler);
    if (!result.ok) throw new Error(result.message);
    const s = result.value;
    const rowsPerS = rows / (importMs / 1000);
    log(`import: ${(importMs / 1000).toFixed(1)} s, ${Math.round(rowsPerS)} rows/s; inserted ${s.stats.inserted}, skipped ${s.stats.skipped}, errors ${s.stats.errors}, warnings ${s.warnings}; ` +
      `${JSON.stringify(s.related)}; scored ${s.scoring.scored}, qualified ${s.scoring.qualified}`);
    log(`CPU: this process ${nodeCpuS.toFixed(1)} s (${Math.round((nodeCpuS * 1e6) / rows)} µs/row), PostgreSQL backends ${pgCpuS.toFixed(1)} s (${Math.round((pgCpuS * 1e6) / rows)} µs/row)${backends.size && pgCpuS > 0 ? '' : ' (not readable: server not on this machine)'}`);
    if (profile.size) log(`time in statements: ${[...profile.values()].reduce((a, v) => a + v.ms, 0).toFixed(0)} ms wall, ${[...profile.values()].reduce((a, v) => a + v.cpuMs, 0).toFixed(0)} ms backend CPU (the rest of the import is this process's own work)`);
    for (const [k, v] of [...profile].sort((a, b) => b[1].cpuMs - a[1].cpuMs || b[1].ms - a[1].ms).slice(0, 25)) log(`  ${v.cpuMs.toFixed(0)} ms CPU, ${v.ms.toFixed(0)} ms wall in ${v.n}× ${k}`);
    log(`peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MiB (before the import ${(rssBefore / 2 ** 20).toFixed(0)} MiB)`);

    const copyMs = await copyBaseline(pool, file);
    const copyRowsPerS = rows / (copyMs / 1000);
    log(`COPY baseline (same file into a plain table of text columns): ${(copyMs / 1000).toFixed(1)} s, ${Math.round(copyRowsPerS)} rows/s; machine load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
    console.log(JSON.stringify({
      bench: 'import', rows, chunk, score, fk_triggers: args.includes('--fk-triggers'), rows_per_s: Math.round(rowsPerS), copy_rows_per_s: Math.round(copyRowsPerS), ratio: Number((rowsPerS / copyRowsPerS).toFixed(3)),
      node_cpu_us_per_row: Math.round((nodeCpuS * 1e6) / rows), pg_cpu_us_per_row: Math.round((pgCpuS * 1e6) / rows),
      peak_rss_mib: Math.round(peakRss / 2 ** 20), load_avg_1m: Number(loadavg()[0]!.toFixed(1)), inserted: s.stats.inserted, warnings: s.warnings, scored: s.scoring.scored, leads: s.related.leads_opened ?? 0,
    }));
  } finally {
    await db.destroy();
    // --keep-db: leave the database for EXPLAIN ANALYZE / pg_stat_statements (its name is logged).
    if (args.includes('--keep-db')) log(`kept database ${dbName}`);
    else await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(dbName)} WITH (FORCE)`);
    await admin.end();
    await stopEmbedded();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** CPU time of a local process in nanoseconds (schedstat), 0 when it is not readable. */
function backendCpuNs(pid: number): number {
  try {
    return Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]);
  } catch {
    return 0;
  }
}

/** utime + stime of a local process in seconds (null when it is not readable, e.g. a remote server). */
function backendCpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/** COPY of the export file itself (streamed) into a table of text columns: no keys, no indexes, no parsing of values. */
async function copyBaseline(pool: pg.Pool, file: string): Promise<number> {
  const client = await pool.connect();
  try {
    await client.query(`CREATE TABLE copy_baseline (${HEADER.map((_, i) => `c${i} text`).join(', ')})`);
    const started = performance.now();
    await new Promise<void>((resolve, reject) => {
      let error: Error | null = null;
      const submittable = {
        submit: (connection: any) => connection.query('COPY copy_baseline FROM STDIN (FORMAT csv, HEADER true)'),
        handleCopyInResponse: async (connection: any) => {
          for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
            connection.sendCopyFromChunk(chunk);
            if (connection.stream.writableNeedDrain) await new Promise((r) => connection.stream.once('drain', r));
          }
          connection.endCopyFrom();
        },
        handleCommandComplete: () => {}, handleReadyForQuery: () => (error ? reject(error) : resolve()), handleError: (e: Error) => { error = e; },
        handleRowDescription: () => {}, handleDataRow: () => {}, handleEmptyQuery: () => {}, handlePortalSuspended: () => {}, handleCopyData: () => {},
      };
      client.query(submittable as any);
    });
    return performance.now() - started;
  } finally {
    client.release();
  }
}
