import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { createAuthService } from '../../src/app/auth.ts';
import { createServer } from '../../src/server/create-server.ts';
import { createDb, createPool, type Db } from '../../src/storage/db.ts';
import { startStandby, type Standby } from '../helpers/standby.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

// REPORTS_DATABASE_URL: reports read a streaming standby of the primary, and say so with the standby's lag.
let standby: Standby;
let t: TestApp;
let replicaPool: pg.Pool;
let replicaDb: Db;
let serverWithReplica: Awaited<ReturnType<typeof createServer>>;

const day = '2026-03-02';
const json = (r: { body: string }) => JSON.parse(r.body);

beforeAll(async () => {
  standby = await startStandby(inject('pgServerUrl'));
  // The test database is created after the base backup: the standby gets it, as every later write, by streaming.
  t = await createTestApp();
  const database = new URL(t.url).pathname.slice(1);
  replicaPool = createPool(standby.url(database), 3);
  replicaDb = createDb(replicaPool);
  await waitFor(async () => {
    try {
      return (await replicaPool.query('SELECT 1 FROM workspace WHERE id = $1', [t.workspace.id])).rowCount === 1;
    } catch {
      return false; // the database is not on the standby yet
    }
  });
  serverWithReplica = await createServer({
    app: t.deps, reports: { ...t.deps, db: replicaDb }, auth: createAuthService(t.deps, { sessionTtlHours: 24 }),
    publicUrl: 'http://localhost:3000', logLevel: 'silent', sessionTtlHours: 24, secureCookies: false,
  });
  await serverWithReplica.ready();
}, 180_000);

afterAll(async () => {
  await serverWithReplica?.close();
  await replicaDb?.destroy();
  await t?.close();
  await standby?.stop();
});

const asAdmin = (url: string) => serverWithReplica.inject({ method: 'GET', url, headers: { authorization: `Bearer ${t.keys.admin}` } });

async function openLeads(emails: string[]): Promise<void> {
  for (const email of emails) {
    const contact = await t.api('POST', '/api/v1/contacts', { email });
    expect(contact.statusCode, contact.body).toBe(201);
    const lead = await t.api('POST', '/api/v1/leads', { contact_id: json(contact).id });
    expect(lead.statusCode, lead.body).toBe(201);
  }
}

async function primaryWalPosition(): Promise<string> {
  const c = await t.pool.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn');
  return c.rows[0]!.lsn;
}

/** Waits until the standby has replayed the primary's WAL up to now. */
async function caughtUp(): Promise<void> {
  const target = await primaryWalPosition();
  await waitFor(async () => {
    const r = await replicaPool.query<{ done: boolean }>('SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS done', [target]);
    return r.rows[0]!.done;
  });
}

/**
 * The funnel from a caught-up standby, once it reports a lag under a second. Not exactly 0, and asked again
 * if need be: the standby streams the whole cluster, and other test files keep writing to their own
 * databases, so WAL is often received and not yet replayed when the report asks (the lag is then the age of
 * the last replayed transaction). A standby that never said it was current would fail here.
 */
async function currentFunnelTotal(): Promise<Awaited<ReturnType<typeof funnelTotal>>> {
  await caughtUp();
  let last = await funnelTotal();
  await waitFor(async () => {
    last = await funnelTotal();
    return last.source.replica_lag_seconds !== null && last.source.replica_lag_seconds < 1;
  });
  expect(last.source.database).toBe('replica');
  return last;
}

const funnelTotal = async () => {
  const r = await asAdmin(`/api/v1/reports/funnel?from=${day}&to=${day}`);
  expect(r.statusCode, r.body).toBe(200);
  const body = json(r);
  return { leads: body.rows.find((x: { group: string }) => x.group === 'total')?.leads ?? 0, source: body.data_source };
};

describe('reports on a streaming replica (REPORTS_DATABASE_URL)', () => {
  it('read the replica, which answers the same as the primary once caught up, and say so with a lag under a second', async () => {
    t.clock.set(new Date(`${day}T10:00:00Z`));
    await openLeads(['ada@replica.example', 'ben@replica.example']);
    expect((await currentFunnelTotal()).leads).toBe(2);
    // The primary's own server (no REPORTS_DATABASE_URL) gives the same numbers and says it read the primary.
    const primary = json(await t.api('GET', `/api/v1/reports/funnel?from=${day}&to=${day}`));
    expect(primary.rows.find((x: { group: string }) => x.group === 'total').leads).toBe(2);
    expect(primary.data_source).toEqual({ database: 'primary', replica_lag_seconds: null });
  });

  it('while the replica is behind, the report shows its older numbers and how far behind it is', async () => {
    await replicaPool.query('SELECT pg_wal_replay_pause()');
    try {
      await new Promise((r) => setTimeout(r, 1100)); // the last replayed change is now over a second old
      await openLeads(['cy@replica.example']);
      const target = await primaryWalPosition();
      // The standby has received the new lead's WAL but not replayed it.
      await waitFor(async () => (await replicaPool.query<{ got: boolean }>('SELECT pg_last_wal_receive_lsn() >= $1::pg_lsn AS got', [target])).rows[0]!.got);
      const behind = await funnelTotal();
      expect(behind.leads).toBe(2);
      expect(behind.source.database).toBe('replica');
      expect(behind.source.replica_lag_seconds).toBeGreaterThanOrEqual(1);
    } finally {
      await replicaPool.query('SELECT pg_wal_replay_resume()');
    }
    expect((await currentFunnelTotal()).leads).toBe(3);
  });

  it('every report and the attribution paths run on the read-only standby (no report writes)', async () => {
    for (const name of ['funnel', 'time-to-sales-ready', 'sources', 'cpod', 'attribution', 'interactions', 'leakage']) {
      const r = await asAdmin(`/api/v1/reports/${name}?from=${day}&to=${day}`);
      expect(r.statusCode, `${name}: ${r.body}`).toBe(200);
      expect(json(r).data_source.database, name).toBe('replica');
    }
    const paths = await asAdmin(`/api/v1/reports/attribution/paths?from=${day}&to=${day}`);
    expect(paths.statusCode, paths.body).toBe(200);
  });

  it('attribution on the standby equals the primary\'s, whether its touch summary is current or contacts are still queued', async () => {
    // A touched, won deal: page views with UTM through the REST door, then the deal API.
    const contact = json(await t.api('POST', '/api/v1/contacts', { email: 'dee@replica.example' }));
    for (const [source, at] of [['google', '09:00'], ['linkedin', '09:30']] as const) {
      const r = await t.api('POST', '/api/v1/activities', { contact_id: contact.id, type: 'page_view', occurred_at: `${day}T${at}:00Z`, url: `https://acme.test/?utm_source=${source}&utm_medium=cpc`, source, medium: 'cpc' }, t.keys.write);
      expect(r.statusCode, r.body).toBe(201);
    }
    const created = await t.api('POST', '/api/v1/opportunities', { name: 'Dee', amount: 5000, stage: 'Discovery', contact_roles: [{ contact_id: contact.id, role: 'decision_maker' }] });
    expect(created.statusCode, created.body).toBe(201);
    const won = await t.api('PATCH', `/api/v1/opportunities/${json(created).id}`, { stage: 'Closed Won', status: 'won' });
    expect(won.statusCode, won.body).toBe(200);
    const attribution = async (ask: (url: string) => Promise<{ statusCode: number; body: string }>) => {
      const r = await ask(`/api/v1/reports/attribution?from=${day}&to=${day}`);
      expect(r.statusCode, r.body).toBe(200);
      return json(r).rows;
    };
    const queuedOnStandby = async () => (await replicaPool.query<{ n: number }>(
      'SELECT (SELECT count(*) FROM contact_touch_dirty)::int + (SELECT count(*) FROM lead_touch_dirty)::int + (SELECT count(*) FROM deal_touch_dirty)::int AS n',
    )).rows[0]!.n;
    await caughtUp();
    expect(await queuedOnStandby()).toBeGreaterThan(0); // the standby cannot refresh: it reads the history
    const fromHistory = await attribution(asAdmin);
    const onPrimary = await attribution((url) => t.api('GET', url)); // refreshes the summary on the primary
    expect(fromHistory).toEqual(onPrimary);
    expect(JSON.stringify(onPrimary)).toContain('google');
    await caughtUp();
    expect(await queuedOnStandby()).toBe(0); // now the standby reads the replayed summary
    expect(await attribution(asAdmin)).toEqual(onPrimary);
  });
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('timed out waiting for the standby');
}
