import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { backtestAgainstActive } from '../src/app/definitions/backtest-definition.ts';
import { installDefaultDefinition } from '../src/app/definitions/install-default-definition.ts';
import { systemClock, type AppDeps } from '../src/app/context.ts';
import { createUser, createWorkspace } from '../src/app/workspaces.ts';
import { defaultDefinition } from '../src/core/definitions/default-definition.ts';
import type { LeadDefinition } from '../src/core/definitions/definition-schema.ts';
import { createDb, createPool, startEmbeddedPostgres } from '../src/storage/db.ts';
import { migrateToLatest } from '../src/storage/migrate.ts';
import { migrateJobQueue } from '../src/jobs/worker.ts';
import { composeApp } from '../src/app/compose.ts';

/**
 * Backtest benchmark: 100k contacts and 10M activities generated inside PostgreSQL, then one
 * backtest pass (proposal + active definition) against a plain count(*) scan of the same table.
 * Embedded PostgreSQL in a temp dir unless BENCH_DATABASE_URL is set. `--data DIR` keeps the embedded
 * server's folder and the generated workspace, so later runs at the same scale skip the generation.
 */
export async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { scale: { type: 'string', default: '1' }, data: { type: 'string' } } });
  const scale = Number(values.scale);
  if (!(scale > 0)) throw new Error('--scale must be a positive number');
  const contacts = Math.round(100_000 * scale);
  const activities = Math.round(10_000_000 * scale);

  let url = process.env.BENCH_DATABASE_URL;
  let stop = async () => {};
  let dir: string | null = null;
  const keep = values.data ? path.resolve(values.data) : null;
  if (!url) {
    dir = keep ?? await mkdtemp(path.join(tmpdir(), 'leadloop-bench-'));
    const pg = await startEmbeddedPostgres(dir, 56000 + (process.pid % 4000));
    url = pg.url;
    stop = pg.stop;
  }
  const pool = createPool(url, 4);
  const db = createDb(pool);
  try {
    await migrateToLatest(db);
    await migrateJobQueue(pool);
    const marker = keep ? path.join(keep, `backtest-${contacts}-${activities}.json`) : null;
    const kept = marker && existsSync(marker) ? JSON.parse(await readFile(marker, 'utf8')) as { workspaceId: string } : null;
    const wsId = kept ? kept.workspaceId : await setUp(db, pool, contacts, activities);
    if (marker && !kept) await writeFile(marker, JSON.stringify({ workspaceId: wsId }));
    if (kept) {
      console.log(`reusing workspace ${wsId} in ${keep}`);
      // A restarted server reads the table from disk once; a fresh generation has just read it (VACUUM ANALYZE).
      await pool.query('SELECT count(*) FROM activity WHERE workspace_id = $1', [wsId]);
    }

    let t = performance.now();
    const count = await pool.query('SELECT count(*) AS n FROM activity WHERE workspace_id = $1', [wsId]);
    const scanSeconds = (performance.now() - t) / 1000;
    console.log(`baseline scan: count(*) = ${count.rows[0].n} in ${scanSeconds.toFixed(2)} s`);

    const proposal: LeadDefinition = structuredClone(defaultDefinition);
    proposal.name = 'Stricter proposal';
    proposal.engagement.levels = [{ level: 1, min: 70 }, { level: 2, min: 40 }, { level: 3, min: 5 }, { level: 4 }];
    const pgCpu0 = serverCpuSeconds(dir);
    const cpu0 = process.cpuUsage();
    t = performance.now();
    // The progress phases split the time: reading (COPY + decoding) until the first 'replaying' report.
    let readSeconds = Number.NaN;
    const result = await backtestAgainstActive(db, wsId, { definition: proposal, id: null, version: null }, {}, new Date(), (_d, _t, _a, phase) => {
      if (phase === 'replaying' && Number.isNaN(readSeconds)) readSeconds = (performance.now() - t) / 1000;
    });
    const seconds = (performance.now() - t) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const pgCpu1 = serverCpuSeconds(dir);
    // The machine is shared: CPU seconds say what the run cost, whatever else was running.
    console.log(`phases: read ${readSeconds.toFixed(2)} s, replay ${(seconds - readSeconds).toFixed(2)} s`);
    console.log(`cpu: node ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s, postgres ${pgCpu0 === null || pgCpu1 === null ? '?' : (pgCpu1 - pgCpu0).toFixed(2)} s (wall ${seconds.toFixed(2)} s)`);
    console.log(`backtest: ${result.proposal.activities} activities, ${result.proposal.contacts} contacts, proposal ${result.proposal.mqls} MQLs vs active ${result.active?.mqls} in ${seconds.toFixed(2)} s`);
    if (process.env.BENCH_REPORT) await writeFile(process.env.BENCH_REPORT, JSON.stringify({ ...result, ranAt: null, seconds: null }, null, 1));
    console.log(JSON.stringify({
      bench: 'backtest', contacts: result.proposal.contacts, activities: result.proposal.activities, seconds: round(seconds),
      activities_per_s: Math.round(result.proposal.activities / seconds), scan_seconds: round(scanSeconds),
    }));
  } finally {
    await db.destroy();
    await stop();
    if (dir && !keep) await rm(dir, { recursive: true, force: true });
  }
}

/** A workspace with users, the default definition active, and the generated history; returns its id. */
async function setUp(db: ReturnType<typeof createDb>, pool: ReturnType<typeof createPool>, contacts: number, activities: number): Promise<string> {
  composeApp();
  const deps: AppDeps = { db, clock: systemClock };
  const ws = await createWorkspace(deps, { name: `bench-${Date.now()}` });
  if (!ws.ok) throw new Error(ws.message);
  const wsId = ws.value.id;
  const users = [];
  for (const [email, role] of [['m@bench.test', 'marketing'], ['s1@bench.test', 'sales'], ['s2@bench.test', 'sales'], ['s3@bench.test', 'sales']] as const) {
    const u = await createUser(deps, wsId, { email, role });
    if (!u.ok) throw new Error(u.message);
    users.push(u.value);
  }
  const installed = await installDefaultDefinition(deps, wsId, { marketingUserId: users[0]!.id, salesUserId: users[1]!.id });
  if (!installed.ok) throw new Error(installed.message);

  const t = performance.now();
  await generate(pool, wsId, contacts, activities);
  const genSeconds = (performance.now() - t) / 1000;
  console.log(`generated ${contacts} contacts, ${activities} activities in ${genSeconds.toFixed(1)} s`);
  return wsId;
}

/** CPU seconds used so far by the embedded server's processes (Linux /proc; null elsewhere or for BENCH_DATABASE_URL). */
function serverCpuSeconds(dir: string | null): number | null {
  if (!dir) return null;
  try {
    const postmaster = readFileSync(path.join(dir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]!.trim();
    const tick = 100;
    let total = 0;
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      let stat: string;
      try { stat = readFileSync(`/proc/${pid}/stat`, 'utf8'); } catch { continue; }
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // Fields after the command: state ppid … utime (12th) stime (13th) cutime cstime.
      if (pid !== postmaster && f[1] !== postmaster) continue;
      total += (Number(f[11]) + Number(f[12])) / tick;
    }
    return total;
  } catch {
    return null;
  }
}

const round = (n: number) => Math.round(n * 1000) / 1000;

/** Everything is generated by PostgreSQL itself (INSERT … SELECT generate_series): no rows cross the wire. */
export async function generate(rawPool: ReturnType<typeof createPool>, ws: string, contacts: number, activities: number): Promise<void> {
  // One dedicated connection: the temp tables and session settings below must be seen by every statement.
  const client = await rawPool.connect();
  try {
    try {
      // The rows are consistent by construction: skip the per-row foreign-key triggers when allowed (superuser).
      await client.query('SET session_replication_role = replica');
    } catch {
      console.error('  (not a superuser: foreign keys are checked row by row, generation is slower)');
    }
    await fill(client, ws, contacts, activities);
  } finally {
    await client.query('RESET session_replication_role').catch(() => {});
    client.release();
  }
}

async function fill(raw: { query: (q: string, p?: unknown[]) => Promise<unknown> }, ws: string, contacts: number, activities: number): Promise<void> {
  const pool = { query: async (q: string, p?: unknown[]) => { const t0 = performance.now(); const r = await raw.query(q, p); if (process.env.BENCH_VERBOSE) console.error(`  ${((performance.now() - t0) / 1000).toFixed(2)} s  ${q.trim().slice(0, 40)}`); return r; } };
  await pool.query(`
    INSERT INTO account (workspace_id, id, name, domain, industry, employee_count, region)
    SELECT $1, gen_random_uuid(), 'Company ' || i, 'company' || i || '.example',
      (ARRAY['software','saas','manufacturing','retail','finance','internet'])[1 + i % 6], 20 + (i * 37) % 3000, (ARRAY['NA','EMEA','APAC'])[1 + i % 3]
    FROM generate_series(1, 2000) AS i`, [ws]);
  await pool.query(`
    INSERT INTO contact (workspace_id, id, email, title, department, account_id, status)
    SELECT $1, gen_random_uuid(), 'person' || i || '@company' || (1 + i % 2000) || '.example',
      (ARRAY['VP Marketing','Marketing Manager','Director of Sales','Engineer','CEO','Student','Head of RevOps','Analyst'])[1 + i % 8],
      (ARRAY['marketing','sales','engineering','revenue operations'])[1 + i % 4],
      (SELECT id FROM account a WHERE a.workspace_id = $1 AND a.domain = 'company' || (1 + i % 2000) || '.example'), 'known'
    FROM generate_series(1, $2::int) AS i`, [ws, contacts]);
  await pool.query(`
    INSERT INTO content_asset (workspace_id, id, title, format, buying_stage)
    SELECT $1, gen_random_uuid(), 'Asset ' || i, (ARRAY['case_study','ebook','whitepaper','webinar','article'])[1 + i % 5],
      (ARRAY['awareness','consideration','decision'])[1 + i % 3]
    FROM generate_series(1, 40) AS i`, [ws]);
  await pool.query(`CREATE TEMP TABLE bench_contact AS SELECT row_number() OVER (ORDER BY id) - 1 AS n, id FROM contact WHERE workspace_id = $1`, [ws]);
  await pool.query(`CREATE TEMP TABLE bench_content AS SELECT row_number() OVER (ORDER BY id) - 1 AS n, id FROM content_asset WHERE workspace_id = $1`, [ws]);
  // Without keys and statistics the planner nests loops over the temp tables (minutes instead of seconds).
  await pool.query('ALTER TABLE bench_contact ADD PRIMARY KEY (n); ALTER TABLE bench_content ADD PRIMARY KEY (n); ANALYZE bench_contact; ANALYZE bench_content');
  // Building the activity indexes once after the load is far faster than maintaining them per row.
  await pool.query('DROP INDEX activity_contact_time, activity_time');
  const chunk = 1_000_000;
  for (let from = 0; from < activities; from += chunk) {
    const to = Math.min(activities, from + chunk) - 1;
    // A 12-bucket hash of i picks the type; contacts get activities in proportion to a skewed hash.
    await pool.query(`
      INSERT INTO activity (workspace_id, id, contact_id, type, occurred_at, url, content_id, properties, source, medium)
      SELECT $1, gen_random_uuid(), c.id, k.type,
        date_trunc('milliseconds', timestamptz '2026-01-01' - (((i * 7919) % 31536000000)::bigint * interval '1 millisecond')),
        CASE WHEN k.type = 'page_view' THEN (ARRAY['/pricing','/blog/post','/product','/careers','/demo','/compare/x','/docs'])[1 + (i / 7) % 7] END,
        CASE WHEN k.type IN ('content_download','content_view') THEN (SELECT id FROM bench_content b WHERE b.n = (i / 13) % 40) END,
        CASE WHEN k.type = 'form_submit' THEN jsonb_build_object('formId', (ARRAY['demo-request','newsletter','contact-sales'])[1 + (i / 3) % 3]) ELSE '{}'::jsonb END,
        (ARRAY['google','linkedin','newsletter',NULL])[1 + i % 4], (ARRAY['cpc','social','email',NULL])[1 + i % 4]
      FROM generate_series($2::bigint, $3::bigint) AS i
      JOIN bench_contact c ON c.n = ((i * 2654435761) % $4::bigint)
      CROSS JOIN LATERAL (SELECT (ARRAY['page_view','page_view','page_view','page_view','page_view','email_open','email_open','email_click',
        'content_download','content_view','webinar_attended','form_submit'])[1 + (i * 31) % 12] AS type) k`, [ws, from, to, contacts]);
    process.stderr.write(`  activities ${to + 1}/${activities}\n`);
  }
  await pool.query(`CREATE INDEX activity_contact_time ON activity (workspace_id, contact_id, occurred_at);
    CREATE INDEX activity_time ON activity (workspace_id, occurred_at)`);
  // VACUUM as autovacuum would eventually (visibility map, hint bits); each on its own: VACUUM refuses a multi-statement query.
  await pool.query('VACUUM ANALYZE activity');
  await pool.query('ANALYZE contact');
  await pool.query('ANALYZE account');
}
