import { readFile, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { StartupError } from './db.ts';

const LOCK_FILE = 'leadloop.pid';

type LockInfo = { pid: number; url: string; startedAt: string };

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to another user.
    return (e as { code?: string }).code === 'EPERM';
  }
}

async function readLock(file: string): Promise<LockInfo | null> {
  try {
    const info = JSON.parse(await readFile(file, 'utf8')) as Partial<LockInfo>;
    return typeof info.pid === 'number' ? { pid: info.pid, url: String(info.url ?? ''), startedAt: String(info.startedAt ?? '') } : null;
  } catch {
    return null;
  }
}

/**
 * One Leadloop server per data folder: `start`/`serve` on the embedded database take `leadloop.pid` in the
 * folder (created exclusively). A second one is refused with where the first runs; a lock left by a process
 * that is gone is taken over. Returns the release function (idempotent).
 */
export async function lockDataFolder(dataDir: string, url: string): Promise<() => Promise<void>> {
  const file = path.join(path.resolve(dataDir), LOCK_FILE);
  const mine: LockInfo = { pid: process.pid, url, startedAt: new Date().toISOString() };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(file, JSON.stringify(mine) + '\n', { flag: 'wx', mode: 0o644 });
      let released = false;
      return async () => {
        if (released) return;
        released = true;
        const now = await readLock(file);
        if (now?.pid === process.pid) await unlink(file).catch(() => {});
      };
    } catch (e) {
      if ((e as { code?: string }).code !== 'EEXIST') {
        throw new StartupError(`Cannot write ${file} (${(e as { code?: string }).code ?? String(e)}). Set LEADLOOP_DATA_DIR to a folder this user can write.`, 3);
      }
      const other = await readLock(file);
      if (other && other.pid !== process.pid && alive(other.pid)) {
        throw new StartupError(`Leadloop is already running on the data folder ${path.dirname(file)} (pid ${other.pid}${other.url ? `, ${other.url}` : ''}). `
          + 'Use that one, stop it (Ctrl+C in its terminal), or set LEADLOOP_DATA_DIR to another folder.', 5);
      }
      // Left behind by a process that is gone (killed, crashed): take it over.
      await unlink(file).catch(() => {});
    }
  }
  throw new StartupError(`Another Leadloop took ${file} at the same moment. Start only one server per data folder.`, 5);
}
