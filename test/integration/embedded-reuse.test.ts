import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startEmbeddedPostgres } from '../../src/storage/db.ts';
import { freeServerPort } from '../helpers/ports.ts';

describe('embedded PostgreSQL on a folder already in use', () => {
  // `npm start` with LEADLOOP_EMBEDDED_PORT=A, then `leadloop report …` without it (port B): the CLI used to
  // start a second server on the same folder, which failed with an unexplained `undefined`.
  it('a second process connects to the running server on the port in its postmaster.pid, whatever port it was given', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'leadloop-reuse-'));
    const portA = await freeServerPort();
    const first = await startEmbeddedPostgres(dir, portA);
    try {
      expect(first.startedHere).toBe(true);
      const second = await startEmbeddedPostgres(dir, await freeServerPort());
      expect(second.startedHere).toBe(false);
      expect(new URL(second.url).port).toBe(String(portA));
    } finally {
      await first.stop();
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
