import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { systemClock, type AppDeps } from '../src/app/context.ts';
import { runReport } from '../src/app/reports/reports.ts';
import type { ReportName } from '../src/app/reports/report.types.ts';
import { createDb, createPool, quoteIdent, startEmbeddedPostgres } from '../src/storage/db.ts';
import { migrateToLatest } from '../src/storage/migrate.ts';
import { nonConvertingMarkovPaths, nonConvertingMarkovPathsFromHistory } from '../src/storage/reports/attribution.repo.ts';
import { streamDealTouches } from '../src/storage/reports/deal-touches.repo.ts';
import { refreshContactTouches } from '../src/storage/reports/contact-touches.repo.ts';
import { composeApp } from '../src/app/compose.ts';
import { firstActivityJoinFromHistory } from '../src/storage/reports/first-activity.ts';
import { timeToSalesReady } from '../src/storage/reports/process.repo.ts';

/**
 * Reports at scale: 1M leads (one contact each) and 10M activities generated inside PostgreSQL
 * (generate_series INSERT … SELECT, no JS loops), then funnel, sources and attribution (all nine
 * models, Markov included) timed against one sequential scan of the activity table.
 * Options: --scale 0.1 (fewer rows), --keep (leave the database, and the embedded server, for EXPLAIN),
 * --reuse <database url> (time the reports on a database kept by an earlier --keep run of the same
 * scale: no generation, nothing dropped; before/after comparisons on identical data).
 * BENCH_DATABASE_URL: use that server.
 */
export async function run(argv: string[]): Promise<void> {
  const scaleAt = argv.indexOf('--scale');
  const scale = scaleAt >= 0 ? Number(argv[scaleAt + 1]) : 1;
  if (!(scale > 0)) throw new Error('--scale must be a positive number');
  const leads = Math.round(1_000_000 * scale);
  const activities = leads * 10;

  const reuseAt = argv.indexOf('--reuse');
  if (reuseAt >= 0) return timeReports(argv[reuseAt + 1]!, null, leads, activities);
  let serverUrl = process.env.BENCH_DATABASE_URL;
  let stop = async () => {};
  let dataDir: string | null = null;
  if (!serverUrl) {
    dataDir = await mkdtemp(path.join(tmpdir(), 'leadloop-bench-'));
    const embedded = await startEmbeddedPostgres(dataDir, 56000 + (process.pid % 4000));
    serverUrl = embedded.url;
    stop = embedded.stop;
  }
  const dbName = `leadloop_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: withDatabase(serverUrl, 'postgres') });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${quoteIdent(dbName)}`);
  const pool = createPool(withDatabase(serverUrl, dbName), 10);
  const db = createDb(pool);
  try {
    await migrateToLatest(db);
    const t0 = performance.now();
    const workspaceId = await generate(pool, leads, activities);
    log(`generated ${leads} leads, ${activities} activities in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    // The bulk load queued every contact for the attribution touch summary; build it once, as the
    // first attribution report (or a refresh) after a bulk load would, and say what it cost.
    const t1 = performance.now();
    const built = await refreshContactTouches(db, workspaceId);
    await pool.query('ANALYZE contact_touch_summary');
    log(`touch summary built for ${built} contacts in ${((performance.now() - t1) / 1000).toFixed(1)} s (once after a bulk load)`);

    await timeReports(null, { pool, db, workspaceId }, leads, activities);
  } finally {
    await db.destroy();
    const keep = argv.includes('--keep');
    if (keep) log(`kept: ${withDatabase(serverUrl, dbName)}${dataDir ? ` (embedded server left running; data in ${dataDir})` : ''}`);
    else await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(dbName)} WITH (FORCE)`);
    await admin.end();
    if (!keep) {
      await stop();
      if (dataDir) await rm(dataDir, { recursive: true, force: true });
    }
  }
}

/**
 * Times scan, funnel, sources, time to sales-ready and attribution (best of 2 each) and prints the JSON
 * line. Beside the attribution report, its non-converting Markov path query and its deal-touch stream
 * both ways in the same run: from the activity history (the reference, what the report ran before) and
 * from the touch summary.
 */
async function timeReports(reuseUrl: string | null, given: { pool: pg.Pool; db: ReturnType<typeof createDb>; workspaceId: string } | null, leads: number, activities: number): Promise<void> {
  const pool = given?.pool ?? createPool(reuseUrl!, 10);
  const db = given?.db ?? createDb(pool);
  const workspaceId = given?.workspaceId ?? '00000000-0000-7000-8000-000000000001';
  try {
    composeApp();
    const deps: AppDeps = { db, clock: systemClock };
    const query = { from: '2025-01-01', to: '2025-12-31' };
    const time = async (label: string, work: () => Promise<unknown>) => {
      const runs: number[] = [];
      for (let i = 0; i < 2; i++) {
        const s = performance.now();
        await work();
        runs.push((performance.now() - s) / 1000);
      }
      log(`${label.padEnd(12)} ${runs.map((r) => r.toFixed(3)).join(' s, ')} s (the best of 2 counts)`);
      return Math.min(...runs);
    };
    const report = (name: ReportName, by?: 'source') => async () => {
      const r = await runReport(deps, workspaceId, name, { ...query, by });
      if (!r.ok) throw new Error(r.message);
      return r.value;
    };
    const scan = await time('scan', () => pool.query('SELECT count(*), sum(length(type)) FROM activity'));
    const funnel = await time('funnel', report('funnel'));
    const sources = await time('sources', report('sources', 'source'));
    const salesReady = await time('sales-ready', report('time-to-sales-ready', 'source'));
    const salesScope = { workspaceId, from: new Date('2025-01-01T00:00:00Z'), to: new Date('2026-01-01T00:00:00Z'), by: 'source' as const };
    const salesReadyHistory = await time('ready/hist', () => timeToSalesReady(db, salesScope, firstActivityJoinFromHistory));
    log(`time to sales-ready: ${salesReadyHistory.toFixed(3)} s probing each lead's first activity in the history (before), ${salesReady.toFixed(3)} s from the lead row's copy of it (after)`);
    const attribution = await time('attribution', report('attribution'));
    const scope = { workspaceId, from: new Date('2025-01-01T00:00:00Z'), to: new Date('2026-01-01T00:00:00Z'), lookbackDays: 365 };
    const pathsHistory = await time('paths/hist', () => nonConvertingMarkovPathsFromHistory(db, scope));
    const pathsSummary = await time('paths/sum', () => nonConvertingMarkovPaths(db, scope));
    log(`non-converting Markov paths: ${pathsHistory.toFixed(3)} s from the activity history (before), ${pathsSummary.toFixed(3)} s from the touch summary (after)`);
    const dealsHistory = await time('deals/hist', () => streamDealTouches(db, scope, 'history', () => {}));
    const dealsSummary = await time('deals/sum', () => streamDealTouches(db, scope, 'summary', () => {}));
    log(`deal touches (all in-scope deals, chunks of 5,000): ${dealsHistory.toFixed(3)} s from the activity history, ${dealsSummary.toFixed(3)} s from the touch summary`);
    for (const [k, v] of Object.entries({ funnel, sources, 'time-to-sales-ready': salesReady, attribution })) {
      log(`${k}: ${(v / scan).toFixed(2)}× the scan${v > 2 ? `, ${(v - 2).toFixed(2)} s over the 2 s target` : ', within the 2 s target'}`);
    }
    console.log(JSON.stringify({
      bench: 'reports', leads, activities, funnel_s: round(funnel), sources_s: round(sources), time_to_sales_ready_s: round(salesReady),
      attribution_s: round(attribution), time_to_sales_ready_history_s: round(salesReadyHistory), paths_history_s: round(pathsHistory), paths_summary_s: round(pathsSummary),
      deal_touches_history_s: round(dealsHistory), deal_touches_summary_s: round(dealsSummary), scan_s: round(scan),
    }));
  } finally {
    if (!given) await db.destroy();
  }
}

const round = (s: number) => Math.round(s * 1000) / 1000;
const log = (m: string) => process.stderr.write(`[bench reports] ${m}\n`);
function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = '/' + database;
  return u.toString();
}

/** Deterministic ids: sequence number → UUID (version nibble 7), so rows join without lookups. */
const uid = (prefix: string, expr: string) => `('${prefix}' || lpad(to_hex(${expr}), 12, '0'))::uuid`;
const oppOfLead = (leadId: string) => uid('00000000-0000-7000-8005-', `('x' || substr(${leadId}::text, 25, 12))::bit(48)::bigint`);

/**
 * One year of leads (opened uniformly over 2025), a waterfall with drop-offs (60 % MQL, 35 % SAL,
 * 20 % SQL, 10 % opportunity, 4 % won, 4 % lost, 5 % disqualified), ten activities per contact
 * around its lead (60 % with a source, 6 % via a campaign).
 * Durations vary as real ones do: a lead moves a stage every 12-95 hours (its own pace) give or take up
 * to 11 hours per step, and each activity comes up to a day late. With every stay exactly 2 days and
 * every first touch 22 days before MQL (the generator before 2026-12-04), the reports' percentiles
 * sorted runs of equal values and looked cheaper than on any real history.
 */
async function generate(pool: pg.Pool, leads: number, activities: number): Promise<string> {
  const ws = '00000000-0000-7000-8000-000000000001';
  const client = await pool.connect();
  try {
    // The rows are consistent by construction: skip per-row foreign-key triggers when allowed (superuser).
    await client.query('SET session_replication_role = replica');
  } catch {
    log('  (not a superuser: foreign keys are checked row by row, generation is slower)');
  }
  const q = async (label: string, text: string, params: unknown[] = []) => {
    const s = performance.now();
    await client.query(text, params);
    log(`  ${label} ${((performance.now() - s) / 1000).toFixed(1)} s`);
  };
  try {
    await fill(q, ws, leads, activities);
  } finally {
    client.release();
  }
  return ws;
}

type Q = (label: string, text: string, params?: unknown[]) => Promise<void>;

/** When lead number n (its opening at `opened`) takes the k-th step of its path (k = 1: inquiry, at opening). */
const stepAt = (n: string, k: string | number, opened: string) =>
  `(${opened} + (${k} - 1) * (12 + ${n} % 84) * interval '1 hour' + ((${n} * 2654435761 + ${k} * 40503) % 39600) * interval '1 second')`;
async function fill(q: Q, ws: string, leads: number, activities: number): Promise<void> {
  await q('workspace', `INSERT INTO workspace (id, name) VALUES ($1, 'Bench')`, [ws]);
  await q('users', `INSERT INTO app_user (workspace_id, id, email, name, role) SELECT $1, ${uid('00000000-0000-7000-8001-', 'i')},
      'rep' || i || '@bench.example', 'Rep ' || i, 'sales' FROM generate_series(1, 20) i`, [ws]);
  await q('campaigns', `INSERT INTO campaign (workspace_id, id, name, channel) SELECT $1, ${uid('00000000-0000-7000-8002-', 'i')}, 'Campaign ' || i,
      (ARRAY['paid_search','social','email','webinar','display'])[1 + i % 5] FROM generate_series(1, 20) i`, [ws]);
  await q('campaign costs', `INSERT INTO campaign_cost (workspace_id, campaign_id, period_start, amount) SELECT $1, ${uid('00000000-0000-7000-8002-', 'i')},
      make_date(2025, m, 1), 1000 + i * 10 FROM generate_series(1, 20) i, generate_series(1, 12) m`, [ws]);
  await q('contacts', `INSERT INTO contact (workspace_id, id, email) SELECT $1, ${uid('00000000-0000-7000-8003-', 'i')}, 'c' || i || '@bench.example'
      FROM generate_series(1, $2) i`, [ws, leads]);
  // Activities before leads: a lead row copies its contact's first activity when it is inserted (migration
  // 2026-12-09-10); the other way round, the first activities would rewrite every lead row (twice the table).
  // Building the activity indexes once after the load is far faster than maintaining them per row.
  await q('drop activity indexes', 'DROP INDEX activity_contact_time, activity_time');
  // Activity i belongs to contact c = 1 + (i − 1) mod N and is its k-th (k = (i − 1) div N): from 20 days
  // before the lead opened, every 3 days, each moved later by up to a day (so the first touch, and the time
  // from it to MQL or SAL, differs from lead to lead).
  await q('activities', `INSERT INTO activity (workspace_id, id, contact_id, type, occurred_at, source, medium, campaign_id)
    SELECT $1, ${uid('00000000-0000-7000-8006-', 'i')}, ${uid('00000000-0000-7000-8003-', 'c')},
      (ARRAY['page_view','email_open','email_click','content_download','form_submit','webinar_attended','sales_call','meeting','page_view','page_view'])[1 + (i % 10)],
      timestamptz '2025-01-01' + (c % 365) * interval '1 day' + (c % 24) * interval '1 hour' - interval '20 days' + k * interval '3 days'
        + ((i * 40503) % 86400) * interval '1 second',
      CASE WHEN h < 60 THEN (ARRAY['google','google','linkedin','newsletter','bing','partner'])[1 + h % 6] END,
      CASE WHEN h < 60 THEN (ARRAY['cpc','organic','social','email','cpc','referral'])[1 + h % 6] END,
      CASE WHEN h < 6 THEN ${uid('00000000-0000-7000-8002-', '1 + c % 20')} END
    FROM (SELECT i, 1 + (i - 1) % $2 AS c, (i - 1) / $2 AS k, (i * 2654435761) % 100 AS h FROM generate_series(1, $3::bigint) i) s`, [ws, leads, activities]);
  await q('activity indexes', `CREATE INDEX activity_contact_time ON activity (workspace_id, contact_id, occurred_at);
    CREATE INDEX activity_time ON activity (workspace_id, occurred_at)`);
  // r: a well-spread pseudo-random 0..999 per lead that decides how far it gets.
  // Each lead carries its history's summary (history_*), as the importers write it (withStageHistories): the
  // transitions' trigger then finds nothing to change on the lead. Paths: see 'transitions' below (mql is step 2,
  // sal 3, sql 4, won 6; disqualified leads went through mql).
  await q('leads', `INSERT INTO lead (workspace_id, id, contact_id, stage, owner_id, opened_at, stage_entered_at, closed_at, mql_at, source, campaign,
      history_reached, history_mql_events, history_disqualified, history_mql_at, history_sal_at, history_won_at, history_after_sal_at)
    SELECT $1, ${uid('00000000-0000-7000-8004-', 'i')}, ${uid('00000000-0000-7000-8003-', 'i')},
      CASE WHEN r < 40 THEN 'won' WHEN r < 80 THEN 'lost' WHEN r < 100 THEN 'opportunity' WHEN r < 200 THEN 'sql' WHEN r < 350 THEN 'sal'
        WHEN r < 550 THEN 'mql' WHEN r < 600 THEN 'disqualified' ELSE 'inquiry' END,
      ${uid('00000000-0000-7000-8001-', '1 + i % 20')}, opened, opened, CASE WHEN r < 80 OR (r >= 550 AND r < 600) THEN opened + interval '30 days' END,
      CASE WHEN r < 600 THEN opened + interval '1 day' END,
      (ARRAY['paid_search','organic_search','social','email','webinar','referral','display','direct'])[1 + i % 8], 'Campaign ' || (1 + i % 20),
      CASE WHEN r < 40 THEN 6 WHEN r < 100 THEN 5 WHEN r < 200 THEN 4 WHEN r < 350 THEN 3 WHEN r < 600 THEN 2 ELSE 1 END,
      CASE WHEN r < 600 THEN 1 ELSE 0 END, r >= 550 AND r < 600,
      CASE WHEN r < 600 THEN ${stepAt('i', 2, 'opened')} END, CASE WHEN r < 350 THEN ${stepAt('i', 3, 'opened')} END,
      CASE WHEN r < 40 THEN ${stepAt('i', 6, 'opened')} END, CASE WHEN r < 200 THEN ${stepAt('i', 4, 'opened')} END
    FROM (SELECT i, (i::bigint * 7919) % 1000 AS r, timestamptz '2025-01-01' + (i % 365) * interval '1 day' + (i % 24) * interval '1 hour' AS opened
      FROM generate_series(1, $2::bigint) i) s`, [ws, leads]);
  await q('transitions', `INSERT INTO stage_transition (workspace_id, id, lead_id, from_stage, to_stage, at, actor_type)
    SELECT $1, gen_random_uuid(), l.id, CASE WHEN k = 1 THEN NULL ELSE path[k - 1] END, path[k],
      ${stepAt('n', 'k', 'l.opened_at')}, 'system'
    FROM (SELECT id, ('x' || substr(id::text, 25, 12))::bit(48)::bigint AS n, opened_at, CASE stage
        WHEN 'won' THEN ARRAY['inquiry','mql','sal','sql','opportunity','won'] WHEN 'lost' THEN ARRAY['inquiry','mql','sal','sql','opportunity','lost']
        WHEN 'opportunity' THEN ARRAY['inquiry','mql','sal','sql','opportunity'] WHEN 'sql' THEN ARRAY['inquiry','mql','sal','sql']
        WHEN 'sal' THEN ARRAY['inquiry','mql','sal'] WHEN 'mql' THEN ARRAY['inquiry','mql'] WHEN 'disqualified' THEN ARRAY['inquiry','mql','disqualified']
        ELSE ARRAY['inquiry'] END AS path FROM lead WHERE workspace_id = $1) l, generate_subscripts(l.path, 1) k`, [ws]);
  await q('opportunities', `INSERT INTO opportunity (workspace_id, id, name, amount, stage, status, owner_id, created_at, closed_at)
    SELECT workspace_id, ${oppOfLead('id')}, 'Deal', 1000 + (extract(epoch FROM opened_at)::bigint % 50) * 100,
      CASE stage WHEN 'won' THEN 'Closed Won' WHEN 'lost' THEN 'Closed Lost' ELSE 'Proposal' END,
      CASE stage WHEN 'won' THEN 'won' WHEN 'lost' THEN 'lost' ELSE 'open' END, owner_id, opened_at + interval '8 days',
      CASE WHEN stage IN ('won','lost') THEN opened_at + interval '10 days' END
    FROM lead WHERE workspace_id = $1 AND stage IN ('won','lost','opportunity')`, [ws]);
  await q('opportunity links', `WITH o AS (SELECT l.id AS lead_id, l.contact_id, ${oppOfLead('l.id')} AS opp
      FROM lead l WHERE l.workspace_id = $1 AND l.stage IN ('won','lost','opportunity')),
    a AS (INSERT INTO opportunity_lead (workspace_id, opportunity_id, lead_id) SELECT $1, opp, lead_id FROM o)
    INSERT INTO opportunity_contact_role (workspace_id, opportunity_id, contact_id, role, is_primary) SELECT $1, opp, contact_id, 'primary', true FROM o`, [ws]);
  await q('vacuum analyze', 'VACUUM ANALYZE');
}
