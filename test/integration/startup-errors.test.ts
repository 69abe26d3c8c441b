import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { freeServerPort } from '../helpers/ports.ts';
import { afterAll, describe, expect, it } from 'vitest';

// Start-up failures explain themselves through the CLI, as an operator sees them: one line with the cause
// and the fix on stderr, a non-zero exit code per kind, no stack trace, no hang (each run has a timeout).
const base = { ...process.env, DATABASE_URL: '', LEADLOOP_DEMO: '0', LOG_LEVEL: 'warn' };
const embeddedPort = await freeServerPort();
const secondEmbeddedPort = await freeServerPort();
const cleanup: string[] = [];
afterAll(async () => { for (const dir of cleanup) await rm(dir, { recursive: true, force: true }); });

const run = (env: Record<string, string>) => new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
  execFile('node', ['bin/leadloop.js', 'start'], { env: { ...base, ...env }, timeout: 90_000 }, (err, stdout, stderr) => {
    resolve({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, stdout, stderr });
  });
});

function expectOneLine(stderr: string, pattern: RegExp) {
  const lines = stderr.trim().split('\n');
  expect(lines, stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^Error: /);
  expect(lines[0]).toMatch(pattern);
  expect(stderr).not.toMatch(/^\s+at /m);
}

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'leadloop-start-'));
  cleanup.push(dir);
  return dir;
}

describe('start-up that explains itself', () => {
  it('a data folder the database cannot reach: one line naming the folder and the fix, exit 3', async () => {
    const parent = await tempDir();
    const dataDir = path.join(parent, 'closed', 'data');
    // Closed to everyone else: as root, the embedded PostgreSQL's 'postgres' user cannot pass it; as a
    // normal user, nothing can be created in it.
    await (await import('node:fs/promises')).mkdir(path.join(parent, 'closed'));
    await chmod(path.join(parent, 'closed'), userInfo().uid === 0 ? 0o700 : 0o500);
    const r = await run({ LEADLOOP_DATA_DIR: dataDir, LEADLOOP_EMBEDDED_PORT: String(embeddedPort), PORT: String(await freeServerPort()) });
    expect(r.code).toBe(3);
    expectOneLine(r.stderr, new RegExp(`Cannot use the data folder ${dataDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}.*Set LEADLOOP_DATA_DIR`));
  }, 120_000);

  it('a file where the data folder should be: exit 3 with the fix', async () => {
    const file = path.join(await tempDir(), 'not-a-folder');
    await writeFile(file, 'x');
    const r = await run({ LEADLOOP_DATA_DIR: file, LEADLOOP_EMBEDDED_PORT: String(embeddedPort), PORT: String(await freeServerPort()) });
    expect(r.code).toBe(3);
    expectOneLine(r.stderr, /a file is in the way.*LEADLOOP_DATA_DIR/);
  }, 120_000);

  it('a busy HTTP port: one line naming the port and the fix, exit 4, before the database starts', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    const dataDir = path.join(await tempDir(), 'data');
    try {
      const r = await run({ LEADLOOP_DATA_DIR: dataDir, LEADLOOP_EMBEDDED_PORT: String(embeddedPort), PORT: String(port) });
      expect(r.code).toBe(4);
      expectOneLine(r.stderr, new RegExp(`Port ${port} on 127\\.0\\.0\\.1 is already in use.*Set PORT to a free port`));
      expect(existsSync(path.join(dataDir, 'pg'))).toBe(false);
    } finally {
      await new Promise((r) => blocker.close(r));
    }
  }, 120_000);

  it('a second instance on the same data folder is refused (exit 5, naming the first); Ctrl+C stops the first quietly', async () => {
    const dataDir = await tempDir();
    const port = await freeServerPort();
    const env = { ...base, LEADLOOP_DATA_DIR: dataDir, LEADLOOP_EMBEDDED_PORT: String(secondEmbeddedPort), PORT: String(port) };
    const first = spawn('node', ['bin/leadloop.js', 'start'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    first.stdout.on('data', (c) => { out += c; });
    first.stderr.on('data', (c) => { err += c; });
    const exited = new Promise<number | null>((resolve) => first.on('exit', (code) => resolve(code)));
    try {
      // Nothing is printed before "Ready in" (LOG_LEVEL=warn): a fresh folder's initdb and migrations took over 90 s
      // once in CI, beside the integration suite on 2 cores. An early exit shows its code and what it printed.
      await expect.poll(() => (first.exitCode === null ? out : `exited with ${first.exitCode}: ${err || out}`), { timeout: 150_000, interval: 200 }).toContain('Ready in');
      expect(existsSync(path.join(dataDir, 'leadloop.pid'))).toBe(true);

      const second = await run({ LEADLOOP_DATA_DIR: dataDir, LEADLOOP_EMBEDDED_PORT: String(secondEmbeddedPort), PORT: String(await freeServerPort()) });
      expect(second.code).toBe(5);
      expectOneLine(second.stderr, new RegExp(`Leadloop is already running on the data folder .*\\(pid ${first.pid}, http://127\\.0\\.0\\.1:${port}\\).*LEADLOOP_DATA_DIR`));

      first.kill('SIGINT');
      expect(await exited).toBe(0);
      expect(err).toBe('');
      expect(out).toContain('Stopping Leadloop…');
      expect(out).not.toMatch(/error/i);
      expect(existsSync(path.join(dataDir, 'leadloop.pid'))).toBe(false);
    } finally {
      if (first.exitCode === null) first.kill('SIGKILL');
    }
  }, 240_000);
});
