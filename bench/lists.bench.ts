import pg from 'pg';
import { systemClock } from '../src/app/context.ts';
import { listAccountsPage, listLeadsPage, listPeoplePage, type ListFilter, type ListRequest } from '../src/app/lists.ts';
import { searchEverything } from '../src/app/lists.ts';
import { createWorkspace } from '../src/app/workspaces.ts';
import { encodeSortCursor, decodeSortCursor } from '../src/core/lists.rules.ts';
import { percentile } from '../src/core/stats/descriptive.rules.ts';
import { createDb, createPool, quoteIdent } from '../src/storage/db.ts';
import { listLeads } from '../src/storage/leads.repo.ts';
import { migrateToLatest } from '../src/storage/migrate.ts';

/**
 * `DATABASE_URL=postgres://… npm run bench -- lists [--rows 100000] [--n 7]`: the list screens at
 * scale. Loads `rows` people (a tenth as many accounts) and one lead each into a scratch database,
 * then times first pages, a deep page (keyset cursor 60% down), searches and filters. Baseline: the
 * existing newest-first `GET /api/v1/leads` page (listLeads) measured in the same run.
 */
export async function main(argv: string[]): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('Set DATABASE_URL to a PostgreSQL server (a scratch database is created on it).');
  const arg = (k: string, d: number) => Number(argv[argv.indexOf(k) + 1] ?? d) || d;
  const rows = argv.includes('--rows') ? arg('--rows', 100_000) : 100_000;
  const n = argv.includes('--n') ? arg('--n', 7) : 7;
  const name = `leadloop_bench_lists_${process.pid}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${quoteIdent(name)}`);
  const u = new URL(url);
  u.pathname = `/${name}`;
  const pool = createPool(u.toString(), 4);
  const db = createDb(pool);
  try {
    await migrateToLatest(db);
    const deps = { db, clock: systemClock };
    const ws = await createWorkspace(deps, { name: 'Bench' });
    if (!ws.ok) throw new Error(ws.message);
    const w = ws.value.id;
    const t0 = Date.now();
    // Set-based generation; ids are UUIDv7-shaped (time-ordered) like the app's.
    const uuid7 = (seq: string) => `(lpad(to_hex(1700000000000 + ${seq}), 12, '0') || '7000' || '8' || lpad(to_hex(${seq}), 15, '0'))::uuid`;
    await pool.query(`INSERT INTO account (workspace_id, id, name, domain, industry, country)
      SELECT $1, ${uuid7('g')}, 'Company ' || g, 'company' || g || '.example', (ARRAY['SaaS','Retail','Manufacturing'])[1 + g % 3], 'US'
      FROM generate_series(1, $2::int) g`, [w, Math.ceil(rows / 10)]);
    await pool.query(`INSERT INTO contact (workspace_id, id, email, first_name, last_name, account_id, status, latest_touch_at, latest_source, consent)
      SELECT $1, ${uuid7('1000000 + g')}, 'person' || g || '@company' || (1 + g % $3::int) || '.example', (ARRAY['Ada','Grace','Alan','Linus','Radia'])[1 + g % 5], 'Surname' || g,
        (SELECT id FROM account a WHERE a.workspace_id = $1 AND a.domain = 'company' || (1 + g % $3::int) || '.example'), 'known',
        now() - (g % 400) * interval '1 day', (ARRAY['google','linkedin','webinar'])[1 + g % 3],
        CASE WHEN g % 7 = 0 THEN '{"email_marketing":{"status":"refused","source":"bench","at":"2026-01-01T00:00:00Z","basis":"consent"}}'::jsonb ELSE '{}'::jsonb END
      FROM generate_series(1, $2::int) g`, [w, rows, Math.ceil(rows / 10)]);
    await pool.query(`INSERT INTO lead (workspace_id, id, contact_id, account_id, stage, opened_at, stage_entered_at, source, rating, engagement_score)
      SELECT c.workspace_id, ${uuid7('2000000 + row_number() OVER ()')}, c.id, c.account_id, (ARRAY['inquiry','mql','sal','sql','nurture','won','lost'])[1 + (row_number() OVER ()) % 7],
        now() - ((row_number() OVER ()) % 500) * interval '1 day', now(), c.latest_source, (ARRAY['A1','A2','B1','B2','C3'])[1 + (row_number() OVER ()) % 5], (row_number() OVER ()) % 100
      FROM contact c WHERE c.workspace_id = $1`, [w]);
    await pool.query('ANALYZE');
    console.log(`Loaded ${rows} people, ${Math.ceil(rows / 10)} accounts, ${rows} leads in ${((Date.now() - t0) / 1000).toFixed(1)} s.`);

    const time = async (label: string, work: () => Promise<unknown>) => {
      await work();
      const ms: number[] = [];
      for (let i = 0; i < n; i++) {
        const s = process.hrtime.bigint();
        await work();
        ms.push(Number(process.hrtime.bigint() - s) / 1e6);
      }
      const p50 = percentile(ms, 0.5) ?? 0;
      console.log(`${label.padEnd(58)} p50 ${p50.toFixed(1).padStart(7)} ms   max ${Math.max(...ms).toFixed(1).padStart(7)} ms`);
      return p50;
    };
    const page = (f: ListFilter, r: Partial<ListRequest> = {}) => ({ sort: 'newest', limit: 50, ...r, ...f }) as ListRequest;
    // A cursor 60% down each sort: what a keyset page deep in the list costs.
    const deep = async (table: string, expr: string, dir: string) => {
      const r = await pool.query(`SELECT (${expr})::text AS v, id FROM ${table} WHERE workspace_id = $1 ORDER BY ${expr} ${dir}, id ${dir} OFFSET ${Math.floor(rows * 0.6)} LIMIT 1`, [w]);
      return decodeSortCursor(encodeSortCursor({ value: r.rows[0].v, id: r.rows[0].id }));
    };
    const baseline = await time('baseline: GET /api/v1/leads first page (listLeads)', () => listLeads(db, w, {}, { limit: 50 }));
    const results: Record<string, number> = {};
    results.peopleFirst = await time('people, newest, first page', () => listPeoplePage(deps, w, {}, page({})));
    const deepName = await deep('contact', "lower(coalesce(last_name, '') || ' ' || coalesce(first_name, ''))", 'asc');
    const deepScore = await deep('lead', "coalesce(engagement_score, '-Infinity'::numeric)", 'desc');
    results.peopleDeepName = await time('people by name, page 60% down (keyset)', () => listPeoplePage(deps, w, {}, page({}, { sort: 'name', after: deepName })));
    results.leadsDeepScore = await time('leads by score, page 60% down (keyset)', () => listLeadsPage(deps, w, {}, page({}, { sort: 'score', after: deepScore })));
    results.searchEmail = await time('people search "person54321@" (trigram)', () => listPeoplePage(deps, w, { q: 'person54321@' }, page({})));
    results.searchCompany = await time('leads search "company777.example" (company domain)', () => listLeadsPage(deps, w, { q: 'company777.example' }, page({})));
    results.leadsFiltered = await time('leads stage=mql rating=A1 source=google consent refused', () => listLeadsPage(deps, w, { stage: ['mql'], rating: ['A1'], source: 'google', consent: { purpose: 'email_marketing', status: 'refused' } }, page({})));
    results.accountsName = await time('accounts by name, first page', () => listAccountsPage(deps, w, {}, page({}, { sort: 'name' })));
    results.headerSearch = await time('header search, exact email', () => searchEverything(deps, w, 'person4242@company4243.example'));
    const worst = Math.max(...Object.values(results));
    console.log(JSON.stringify({ bench: 'lists', rows, baseline_ms: Number(baseline.toFixed(2)), worst_ms: Number(worst.toFixed(2)), worst_vs_baseline: Number((worst / baseline).toFixed(1)), ...Object.fromEntries(Object.entries(results).map(([k, v]) => [k, Number(v.toFixed(2))])) }));
  } finally {
    await db.destroy();
    await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
    await admin.end();
  }
}
