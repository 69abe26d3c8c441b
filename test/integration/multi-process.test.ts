import { spawn, type ChildProcess } from 'node:child_process';
import { createServer as createHttpServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServer as createNetServer } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../src/app/auth.ts';
import { createWorkspace } from '../../src/app/workspaces.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/test-db.ts';
import { must } from '../helpers/test-app.ts';

// Production runs `leadloop serve` and `leadloop work` as several processes on one PostgreSQL. Two of each here,
// real processes through the CLI, traffic sent to both servers: each message is stored once, each alert and each
// lifecycle event is delivered once, whichever worker takes it.
const bin = path.resolve('bin/leadloop.js');
let t: TestDatabase;
let receiver: Server;
let base: string;
const received: { path: string; headers: IncomingHttpHeaders; body: string }[] = [];
const processes: { name: string; child: ChildProcess; output: string[] }[] = [];
const servers: string[] = [];
let adminKey: string;
let ingestKey: string;

beforeAll(async () => {
  t = await createTestDatabase();
  const workspace = must(await createWorkspace(t.deps, { name: 'Two of each' }));
  adminKey = must(await createApiKey(t.deps, workspace.id, { name: 'ops', scopes: ['admin'] })).key;
  ingestKey = must(await createApiKey(t.deps, workspace.id, { name: 'site', scopes: ['ingest'] })).key;
  receiver = createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;

  const env = {
    ...process.env, DATABASE_URL: t.url, LEADLOOP_DEMO: '0', LOG_LEVEL: 'warn', HOST: '127.0.0.1',
    LEADLOOP_OUTBOUND_ALLOW: '127.0.0.1', LEADLOOP_RATE_LIMITS: 'ingest=100000', LEADLOOP_WORKER_CONCURRENCY: '4',
  };
  for (const name of ['serve-a', 'serve-b']) {
    const port = await freePort();
    start(name, ['serve'], { ...env, PORT: String(port) });
    servers.push(`http://127.0.0.1:${port}`);
  }
  for (const name of ['work-a', 'work-b']) start(name, ['work'], env);
  for (const url of servers) await waitFor(async () => (await fetch(`${url}/health/ready`).catch(() => null))?.ok === true, 90_000, `${url} ready`);
}, 180_000);

afterAll(async () => {
  for (const p of processes) p.child.kill('SIGTERM');
  await Promise.all(processes.map((p) => new Promise((r) => (p.child.exitCode !== null ? r(null) : p.child.once('exit', r)))));
  receiver?.closeAllConnections();
  await new Promise((r) => receiver?.close(r));
  await t?.close();
}, 60_000);

function start(name: string, args: string[], env: NodeJS.ProcessEnv): void {
  const child = spawn(process.execPath, [bin, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  child.stdout!.on('data', (d: Buffer) => output.push(d.toString()));
  child.stderr!.on('data', (d: Buffer) => output.push(d.toString()));
  processes.push({ name, child, output });
}

const call = async (server: string, method: string, url: string, body?: unknown) => {
  const r = await fetch(`${server}${url}`, {
    method, headers: { authorization: `Bearer ${adminKey}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  if (r.status >= 300) throw new Error(`${method} ${url} on ${server}: HTTP ${r.status} ${text}`);
  return text ? JSON.parse(text) : null;
};

describe('two servers and two workers on one database', () => {
  it('a batch sent to both servers at once (a retry landing on the other instance) is stored once', async () => {
    const batch = Array.from({ length: 100 }, (_, i) => [
      { type: 'identify', userId: `u${i}`, messageId: `multi-id-${i}`, timestamp: new Date().toISOString(), traits: { email: `person${i}@twoofeach.example`, first_name: `P${i}` } },
      { type: 'track', userId: `u${i}`, messageId: `multi-tr-${i}`, timestamp: new Date().toISOString(), event: 'Pricing Viewed', properties: { plan: 'team' } },
    ]).flat();
    const send = (server: string) => fetch(`${server}/v1/batch`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`${ingestKey}:`).toString('base64')}` },
      body: JSON.stringify({ batch }),
    });
    const answers = await Promise.all([send(servers[0]!), send(servers[1]!), send(servers[1]!), send(servers[0]!)]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
    const activities = await t.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM activity WHERE event_name = 'Pricing Viewed'`);
    expect(activities.rows[0]!.n).toBe(100);
    const contacts = await call(servers[1]!, 'GET', '/api/v1/contacts?limit=200');
    expect(contacts.data).toHaveLength(100);
  });

  it('each alert and each lifecycle event is delivered once, whichever worker takes it', async () => {
    const rep = await call(servers[0]!, 'POST', '/api/v1/users', { email: 'rep@twoofeach.example', name: 'Rep', role: 'sales', team: 'EMEA' });
    await call(servers[1]!, 'PUT', '/api/v1/routing', { rules: [{ kind: 'round_robin', team: 'EMEA' }, { kind: 'fallback_queue', queue: 'unassigned' }] });
    await call(servers[0]!, 'POST', '/api/v1/webhooks', { name: 'alerts', kind: 'json', url: `${base}/alerts` });
    const hook = await call(servers[1]!, 'POST', '/api/v1/webhooks', { name: 'lifecycle', kind: 'json', url: `${base}/lifecycle`, event_types: ['lead.stage_changed'] });
    expect(hook.event_types).toEqual(['lead.stage_changed']);
    const contacts = (await call(servers[0]!, 'GET', '/api/v1/contacts?limit=20')).data.slice(0, 12) as { id: string }[];
    // Leads opened on one server and moved to MQL on the other, all at once.
    await Promise.all(contacts.map(async (c, i) => {
      const lead = await call(servers[i % 2]!, 'POST', '/api/v1/leads', { contact_id: c.id });
      await call(servers[(i + 1) % 2]!, 'POST', `/api/v1/leads/${lead.id}/transitions`, { to: 'mql' });
    }));
    const alerts = () => received.filter((r) => r.path === '/alerts');
    const lifecycle = () => received.filter((r) => r.path === '/lifecycle');
    await waitFor(async () => alerts().length >= 12 && lifecycle().length >= 12, 60_000, 'deliveries');
    // Anything delivered twice would arrive within the workers' poll interval (1 s) of the first: wait past it.
    await new Promise((r) => setTimeout(r, 3000));
    const lifecycleIds = lifecycle().map((r) => r.headers['webhook-id']);
    expect(new Set(lifecycleIds).size).toBe(lifecycleIds.length);
    expect(lifecycle().map((r) => JSON.parse(r.body).data.to).sort()).toEqual(Array(12).fill('mql'));
    const alertLeads = alerts().map((r) => JSON.stringify(JSON.parse(r.body)));
    expect(new Set(alertLeads).size).toBe(alertLeads.length);
    expect(alerts()).toHaveLength(12);
    const owners = await t.pool.query<{ owner_id: string }>('SELECT DISTINCT owner_id FROM lead');
    expect(owners.rows).toEqual([{ owner_id: rep.id }]);
    // Both workers were alive throughout.
    for (const p of processes.filter((x) => x.name.startsWith('work'))) expect(p.child.exitCode, p.output.join('')).toBeNull();
  });
});

async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  const logs = processes.map((p) => `--- ${p.name} (exit ${p.child.exitCode})\n${p.output.join('').slice(-2000)}`).join('\n');
  throw new Error(`timed out waiting for ${what}; received ${received.length}\n${logs}`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createNetServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const address = s.address() as AddressInfo;
      s.close(() => resolve(address.port));
    });
  });
}
