import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createApiKey, createAuthService } from '../src/app/auth.ts';
import { systemClock } from '../src/app/context.ts';
import { installDefaultDefinition } from '../src/app/definitions/install-default-definition.ts';
import { createIngestPipeline } from '../src/app/ingest-pipeline.ts';
import { createUser, createWorkspace } from '../src/app/workspaces.ts';
import { migrateJobQueue } from '../src/jobs/worker.ts';
import { createServer } from '../src/server/create-server.ts';
import { createDb, createPool, quoteIdent, startEmbeddedPostgres } from '../src/storage/db.ts';
import { newId } from '../src/storage/ids.ts';
import { migrateToLatest } from '../src/storage/migrate.ts';
import { benchEvent, EVENTS_PER_VISITOR } from './ingest-events.ts';
import { composeApp } from '../src/app/compose.ts';
import { installBenchModel } from './ingest-model.ts';
import { startStatisticsKeeper } from '../src/app/statistics-keeper.ts';

/**
 * `npm run bench -- ingest [--events N] [--batch N] [--concurrency N] [--pool N] [--no-scoring] [--with-model] [--profile]`
 * Sends N Segment events through POST /v1/batch from a forked client process against a real
 * listening server (persisted, identity-resolved and scored under the workspace's active default
 * definition, one transaction per request), counts what was stored and the MQLs it produced, then
 * measures the baseline: PostgreSQL COPY of the same rows into a plain table.
 * `--no-scoring` runs without an active definition, so the scoring subscriber scores nothing (to measure its overhead);
 * `--with-model` stores a conversion model the active definition reads (bench/ingest-model.ts), so every batch
 * re-predicts its people inside the transaction (the cost of in-transaction prediction);
 * `--profile` prints time per ingest stage and statements per batch.
 * Database: BENCH_DATABASE_URL or TEST_DATABASE_URL (a fresh database is created there), else an
 * embedded PostgreSQL in a temporary folder.
 */
function option(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(`--${name}`);
  const v = i >= 0 ? Number(args[i + 1]) : fallback;
  if (!Number.isInteger(v) || v <= 0) throw new Error(`--${name} must be a positive integer`);
  return v;
}

export async function run(args: string[]): Promise<void> {
  const events = option(args, 'events', 1_000_000);
  const batchSize = option(args, 'batch', 500);
  const concurrency = option(args, 'concurrency', 6);
  const poolSize = option(args, 'pool', 20);
  const scoring = !args.includes('--no-scoring');
  const withModel = args.includes('--with-model');
  if (withModel && !scoring) throw new Error('--with-model needs scoring: the model is read by the active definition');
  const profile = args.includes('--profile');
  const log = (m: string) => console.error(`[bench ingest] ${m}`);

  let serverUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  let stopEmbedded = async () => {};
  let dataDir: string | null = null;
  if (!serverUrl) {
    dataDir = await mkdtemp(path.join(tmpdir(), 'leadloop-bench-'));
    // With --explain, slow statements' plans (auto_explain) come out of the server log.
    const explain = args.includes('--explain');
    const embedded = await startEmbeddedPostgres(dataDir, 56000 + (process.pid % 4000), explain ? (m) => { if (/duration|->|Trigger|Insert|Update|Execution|Query Text/.test(m)) console.error(m.trimEnd()); } : undefined);
    serverUrl = embedded.url;
    stopEmbedded = embedded.stop;
  }
  const dbName = `leadloop_bench_${process.pid}`;
  const admin = new pg.Client({ connectionString: withDatabase(serverUrl, 'postgres') });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(dbName)}`);
  await admin.query(`CREATE DATABASE ${quoteIdent(dbName)}`);
  const url = withDatabase(serverUrl, dbName);
  // Connections are cut when the bench database is dropped at the end; that is expected.
  const pool = createPool(url, poolSize, () => {});
  // Statements sent by the server (counted with --profile): pg clients of this pool.
  let statements = 0;
  const byStatement = new Map<string, { n: number; ms: number }>();
  if (profile) {
    const explainMs = args.includes('--explain') ? Number(args[args.indexOf('--explain') + 1]) || 0 : null;
    pool.on('connect', (client) => {
      if (explainMs !== null) {
        void client.query(`LOAD 'auto_explain'; SET auto_explain.log_min_duration = '${explainMs}ms'; SET auto_explain.log_analyze = on;
          SET auto_explain.log_triggers = on; SET auto_explain.log_buffers = on; SET auto_explain.log_nested_statements = on;
          SET auto_explain.log_parameter_max_length = 0`);
      }
      const query = client.query.bind(client) as (...a: unknown[]) => unknown;
      (client as unknown as { query: (...a: unknown[]) => unknown }).query = (...a: unknown[]) => {
        statements++;
        const result = query(...a);
        // Per statement text: how many were sent and the wall time until each answered (client side).
        const text = typeof a[0] === 'string' ? a[0] : (a[0] as { text?: string } | null)?.text ?? '?';
        const key = text.replace(/\s+/g, ' ').replace(/\$\d+(, \$\d+)*/g, '$n').slice(0, 110);
        const s = byStatement.get(key) ?? { n: 0, ms: 0 };
        byStatement.set(key, s);
        s.n++;
        const t0 = performance.now();
        if (result instanceof Promise) void result.then(() => { s.ms += performance.now() - t0; }, () => {});
        return result;
      };
    });
  }
  const db = createDb(pool);
  composeApp();
  const deps = { db, clock: systemClock };
  try {
    await migrateToLatest(db);
    await migrateJobQueue(pool);
    const ws = await createWorkspace(deps, { name: 'Bench' });
    if (!ws.ok) throw new Error(ws.message);
    const key = await createApiKey(deps, ws.value.id, { name: 'bench', scopes: ['ingest'] });
    if (!key.ok) throw new Error(key.message);
    // Realistic lookups: content assets at some of the URLs the traffic visits, accounts for some domains.
    for (let i = 0; i < 10; i++) {
      await db.insertInto('content_asset').values({ workspace_id: ws.value.id, id: newId(), title: `Guide ${i}`, url: `https://acme.example/resources/guide-${i}`, format: 'case_study', attributes: '{}' }).execute();
    }
    for (let i = 0; i < 200; i++) {
      await db.insertInto('account').values({ workspace_id: ws.value.id, id: newId(), name: `Company ${i}`, domain: `company${i}.example`, industry: 'software', employee_count: 500, attributes: '{}' }).execute();
    }
    // The starter definition, signed and active: scoring runs on every event (unless --no-scoring).
    const marketing = await createUser(deps, ws.value.id, { email: 'marketing@bench.test', role: 'marketing' });
    const sales = await createUser(deps, ws.value.id, { email: 'sales@bench.test', role: 'sales' });
    if (!marketing.ok || !sales.ok) throw new Error('could not create the signers');
    // Scoring is an ActivitiesStored subscriber (src/app/compose.ts): without an active definition it scores nothing.
    if (scoring) {
      const definition = await installDefaultDefinition(deps, ws.value.id, { marketingUserId: marketing.value.id, salesUserId: sales.value.id });
      if (!definition.ok) throw new Error(definition.message);
      if (withModel) log(`model ${await installBenchModel(db, ws.value.id)} read by the active definition: batches re-predict their people in the transaction`);
    }
    const ingest = createIngestPipeline({ profile });
    const auth = createAuthService(deps, { sessionTtlHours: 1 });
    const server = await createServer({ app: deps, auth, publicUrl: 'http://127.0.0.1', logLevel: 'silent', sessionTtlHours: 1, secureCookies: false, ingest, rateLimits: { ingest: 1e9 } }); // throughput, not the per-address limit, is measured
    await server.listen({ host: '127.0.0.1', port: 0 });
    // As `leadloop serve` does: with the server's autovacuum off, the growing tables are analyzed as they grow.
    const keeper = startStatisticsKeeper(db, { warn: (m) => log(m) });
    const address = server.server.address();
    if (!address || typeof address === 'string') throw new Error('server has no address');
    const runId = randomUUID().slice(0, 8);

    log(`sending ${events} events in batches of ${batchSize}, ${concurrency} in flight, pool ${poolSize}, scoring ${scoring ? 'on' : 'off'}, from a forked client...`);
    statements = 0;
    byStatement.clear();
    const cpuBefore = { node: process.cpuUsage(), pg: await backendCpuMs(pool, dbName) };
    const child = fork(new URL('./ingest-sender.ts', import.meta.url), [], { execArgv: ['--import', 'tsx'] });
    const result = await new Promise<{ ms: number; failedRequests: number; stored: number; duplicates: number; invalid: number; error?: string }>((resolve, reject) => {
      child.once('message', (m) => resolve(m as never));
      child.once('error', reject);
      child.send({ url: `http://127.0.0.1:${address.port}`, key: key.value.key, events, batchSize, concurrency, run: runId });
    });
    if (result.error) throw new Error(result.error);
    const sentStatements = statements;
    // CPU time per 1,000 events (survives a noisy machine better than events/s): this server process, and
    // PostgreSQL's backends serving the bench database (from /proc, when the server runs on this machine).
    const nodeCpu = process.cpuUsage(cpuBefore.node);
    const pgAfter = await backendCpuMs(pool, dbName);
    const pgCpuMs = pgAfter === null || cpuBefore.pg === null ? null
      : [...pgAfter].reduce((sum, [pid, ms]) => sum + ms - (cpuBefore.pg!.get(pid) ?? 0), 0);
    const perK = (ms: number) => ((ms * 1000) / events).toFixed(1);
    const cpuPerK = { server_ms: Number(perK((nodeCpu.user + nodeCpu.system) / 1000)), postgres_ms: pgCpuMs === null ? null : Number(perK(pgCpuMs)) };
    log(`CPU per 1,000 events: server process ${perK((nodeCpu.user + nodeCpu.system) / 1000)} ms` +
      `${pgCpuMs === null ? '' : `, PostgreSQL backends ${perK(pgCpuMs)} ms`} (the client process not counted)`);
    await server.close();
    await keeper.stop();
    if (profile) {
      const batches = Math.ceil(events / batchSize);
      const p = ingest.profile ?? {};
      const total = Object.values(p).reduce((a, b) => a + b, 0);
      log(`profile (ms per batch, summed over ${batches} batches, in-process wall time): ` +
        Object.entries(p).map(([k, v]) => `${k} ${(v / batches).toFixed(2)} (${((100 * v) / total).toFixed(0)}%)`).join(', '));
      log(`statements per batch: ${(sentStatements / batches).toFixed(1)}; by text (per batch: count, ms until answered):`);
      for (const [text, st] of [...byStatement].sort((x, y) => y[1].ms - x[1].ms).slice(0, 25)) {
        log(`  ${(st.n / batches).toFixed(2).padStart(6)} × ${(st.ms / batches).toFixed(2).padStart(7)} ms  ${text}`);
      }
      const tables = await pool.query(`SELECT relname, seq_scan, seq_tup_read, idx_scan, n_tup_ins, n_tup_upd, n_tup_hot_upd, n_dead_tup, autovacuum_count, autoanalyze_count
        FROM pg_stat_user_tables WHERE n_tup_ins + n_tup_upd > 0 ORDER BY seq_tup_read DESC LIMIT 12`);
      for (const t of tables.rows) log(`  table ${JSON.stringify(t)}`);
    }

    const counts = await pool.query(`SELECT
      (SELECT count(*) FROM activity WHERE workspace_id = $1) AS activities,
      (SELECT count(DISTINCT idempotency_key) FROM activity WHERE workspace_id = $1) AS distinct_keys,
      (SELECT count(*) FROM processed_message WHERE workspace_id = $1) AS identities,
      (SELECT count(*) FROM contact WHERE workspace_id = $1 AND status <> 'merged') AS contacts,
      (SELECT count(*) FROM contact WHERE workspace_id = $1 AND status = 'known') AS known,
      (SELECT count(*) FROM contact_identity WHERE workspace_id = $1) AS bindings,
      (SELECT count(*) FROM dead_letter WHERE workspace_id = $1) AS dead,
      (SELECT count(*) FROM contact_score WHERE workspace_id = $1) AS scored_contacts,
      (SELECT count(*) FROM score_event WHERE workspace_id = $1) AS score_events,
      (SELECT count(*) FROM stage_transition WHERE workspace_id = $1 AND to_stage = 'mql') AS mqls,
      (SELECT count(*) FROM contact_prediction WHERE workspace_id = $1) AS predictions`, [ws.value.id]);
    const c = counts.rows[0];
    const stored = c.activities + c.identities;
    const duplicates = c.activities - c.distinct_keys;
    const eventsPerS = events / (result.ms / 1000);
    log(`ingest: ${result.ms.toFixed(0)} ms, ${eventsPerS.toFixed(0)} events/s; stored ${c.activities} activities + ${c.identities} identify; ` +
      `${c.contacts} contacts (${c.known} known, expected ${Math.ceil(events / EVENTS_PER_VISITOR)} visitors), ${c.bindings} identities, ${c.dead} dead letters, ` +
      `${result.failedRequests} failed requests retried, ${result.duplicates} duplicates answered; ` +
      `scoring ${scoring ? 'on' : 'off'}: ${c.scored_contacts} contacts scored, ${c.score_events} score events, ${c.mqls} MQLs; ${c.predictions} people predicted`);

    const copyMs = await copyBaseline(pool, ws.value.id, events, runId);
    const copyRowsPerS = events / (copyMs / 1000);
    log(`COPY baseline: ${copyMs.toFixed(0)} ms, ${copyRowsPerS.toFixed(0)} rows/s`);
    console.log(JSON.stringify({
      bench: 'ingest', scoring, with_model: withModel, events, stored, duplicates, mqls: c.mqls, events_per_s: Math.round(eventsPerS), copy_rows_per_s: Math.round(copyRowsPerS),
      ratio: Number((eventsPerS / copyRowsPerS).toFixed(3)), cpu_per_1k_events: cpuPerK,
    }));
  } finally {
    await db.destroy();
    await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(dbName)} WITH (FORCE)`);
    await admin.end();
    await stopEmbedded();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  }
}

/** CPU milliseconds (user + system) of each PostgreSQL backend connected to `database`, by pid; null when /proc cannot tell (a remote server). */
async function backendCpuMs(pool: pg.Pool, database: string): Promise<Map<number, number> | null> {
  const { rows } = await pool.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1', [database]);
  const out = new Map<number, number>();
  try {
    for (const { pid } of rows) {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      // utime and stime are fields 14 and 15 of /proc/<pid>/stat (11 and 12 after the command), in clock ticks (100/s).
      out.set(pid, ((Number(fields[11]) + Number(fields[12])) * 1000) / 100);
    }
  } catch {
    return null;
  }
  return out;
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

const tsv = (v: string | null) => (v === null ? '\\N' : v.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n'));

/** COPY of the same events, as activity-shaped rows, into a plain table (no keys, no indexes). */
async function copyBaseline(pool: pg.Pool, workspaceId: string, events: number, runId: string): Promise<number> {
  const client = await pool.connect();
  try {
    await client.query(`CREATE TABLE copy_baseline (workspace_id uuid, id uuid, contact_id uuid, type text, occurred_at timestamptz,
      source text, medium text, url text, event_name text, properties jsonb, idempotency_key text)`);
    const chunks: Buffer[] = [];
    let lines: string[] = [];
    const visitorIds = new Map<number, string>();
    for (let i = 0; i < events; i++) {
      const e = benchEvent(i, runId);
      const visitor = Math.floor(i / EVENTS_PER_VISITOR);
      let contactId = visitorIds.get(visitor);
      if (!contactId) { visitorIds.clear(); contactId = randomUUID(); visitorIds.set(visitor, contactId); }
      const props = e.type === 'identify' ? { email: e.email } : { url: e.url };
      lines.push([workspaceId, newId(Date.parse(e.timestamp)), contactId, e.type, e.timestamp, e.utm ? 'linkedin' : 'google', e.utm ? 'paid_social' : 'organic',
        e.url ?? null, e.event ?? null, JSON.stringify(props), e.messageId].map(tsv).join('\t'));
      if (lines.length === 5000) { chunks.push(Buffer.from(lines.join('\n') + '\n')); lines = []; }
    }
    if (lines.length) chunks.push(Buffer.from(lines.join('\n') + '\n'));
    const started = performance.now();
    const copied = await copyFrom(client, 'COPY copy_baseline FROM STDIN', chunks);
    const ms = performance.now() - started;
    if (copied !== events) throw new Error(`COPY stored ${copied} rows, expected ${events}`);
    return ms;
  } finally {
    client.release();
  }
}

/**
 * COPY FROM STDIN with pg's own protocol support (a custom submittable), so the baseline needs no
 * extra dependency (pg-copy-streams does the same with streams).
 */
function copyFrom(client: pg.PoolClient, text: string, chunks: Buffer[]): Promise<number> {
  return new Promise((resolve, reject) => {
    let rows = 0;
    let error: Error | null = null;
    const submittable = {
      submit: (connection: any) => connection.query(text),
      handleCopyInResponse: async (connection: any) => {
        for (const chunk of chunks) {
          connection.sendCopyFromChunk(chunk);
          if (connection.stream.writableNeedDrain) await new Promise((r) => connection.stream.once('drain', r));
        }
        connection.endCopyFrom();
      },
      handleCommandComplete: (msg: { text: string }) => { rows = Number(msg.text.split(' ')[1]); },
      handleReadyForQuery: () => (error ? reject(error) : resolve(rows)),
      handleError: (e: Error) => { error = e; },
      handleRowDescription: () => {}, handleDataRow: () => {}, handleEmptyQuery: () => {}, handlePortalSuspended: () => {}, handleCopyData: () => {},
    };
    client.query(submittable as any);
  });
}
