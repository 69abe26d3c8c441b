import { execFile } from 'node:child_process';
import { chmod, chown, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freeServerPort } from './ports.ts';
import pg from 'pg';

const run = promisify(execFile);

export type Standby = { url: (database: string) => string; stop: () => Promise<void> };

/**
 * A streaming-replication standby of the PostgreSQL server at `primaryUrl`, made as an operator would:
 * pg_basebackup -R from the primary, then the same major version's `postgres` on a free port. It runs as the
 * `postgres` user when we are root (PostgreSQL refuses root). The primary must accept replication connections
 * from 127.0.0.1 (pg_hba.conf: `host replication all 127.0.0.1/32 trust`; .ci/run adds it).
 */
export async function startStandby(primaryUrl: string): Promise<Standby> {
  const primary = new URL(primaryUrl);
  const client = new pg.Client({ connectionString: primaryUrl });
  await client.connect();
  // A hot standby refuses to start with fewer of these than its primary has.
  const settings = await client.query<{ name: string; setting: string }>(
    `SELECT name, setting FROM pg_settings WHERE name IN ('max_connections', 'max_worker_processes', 'max_wal_senders', 'max_prepared_transactions', 'max_locks_per_transaction', 'server_version_num')`);
  await client.end();
  const get = (name: string) => settings.rows.find((r) => r.name === name)!.setting;
  const major = Math.floor(Number(get('server_version_num')) / 10000);
  const bin = `/usr/lib/postgresql/${major}/bin`;
  const dir = await mkdtemp(path.join(tmpdir(), 'leadloop-standby-'));
  const port = await freeServerPort();
  const asRoot = process.getuid?.() === 0;
  const pgUser = asRoot ? await run('id', ['-u', 'postgres']).then((r) => Number(r.stdout.trim())) : null;
  const pgGroup = asRoot ? await run('id', ['-g', 'postgres']).then((r) => Number(r.stdout.trim())) : null;
  const asPostgres = (file: string, args: string[]) => (asRoot ? run('runuser', ['-u', 'postgres', '--', file, ...args]) : run(file, args));
  const data = path.join(dir, 'data');
  try {
    if (asRoot) await chown(dir, pgUser!, pgGroup!);
    await asPostgres(`${bin}/pg_basebackup`, ['-h', primary.hostname, '-p', primary.port || '5432', '-U', decodeURIComponent(primary.username || 'postgres'),
      '-D', data, '-R', '-X', 'stream', '-c', 'fast']);
    // Debian keeps postgresql.conf and pg_hba.conf in /etc: the copy has none, so it gets its own.
    const conf = [
      `port = ${port}`, "listen_addresses = '127.0.0.1'", `unix_socket_directories = '${dir}'`, 'hot_standby = on',
      'shared_buffers = 32MB', 'fsync = off', 'logging_collector = off',
      ...['max_connections', 'max_worker_processes', 'max_wal_senders', 'max_prepared_transactions', 'max_locks_per_transaction'].map((n) => `${n} = ${get(n)}`),
    ].join('\n');
    await writeFile(path.join(data, 'postgresql.conf'), `${conf}\n`);
    await writeFile(path.join(data, 'pg_hba.conf'), 'local all all trust\nhost all all 127.0.0.1/32 trust\n');
    if (asRoot) {
      for (const f of ['postgresql.conf', 'pg_hba.conf']) await chown(path.join(data, f), pgUser!, pgGroup!);
    }
    await chmod(data, 0o700);
    await asPostgres(`${bin}/pg_ctl`, ['-D', data, '-l', path.join(dir, 'standby.log'), '-w', '-t', '60', 'start']);
  } catch (e) {
    await rm(dir, { recursive: true, force: true });
    const detail = e instanceof Error ? e.message : String(e);
    throw new Error(`Could not start a standby of ${primary.host}: ${detail}\n`
      + 'The primary must allow replication from 127.0.0.1: add `host replication all 127.0.0.1/32 trust` to its pg_hba.conf and reload.');
  }
  const url = (database: string) => {
    const u = new URL(primaryUrl);
    u.port = String(port);
    u.pathname = `/${database}`;
    return u.toString();
  };
  return {
    url,
    stop: async () => {
      await asPostgres(`${bin}/pg_ctl`, ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => {});
      await rm(dir, { recursive: true, force: true });
    },
  };
}

