import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { mockingFiles } from '../mocking-files.ts';

/**
 * Integration and e2e files share loaded modules within a worker (vitest.config.ts, isolate: false), so a
 * vi.mock in one of them would silently not apply when an earlier file already loaded the real module.
 * Such files must be listed in test/mocking-files.ts, whose files run isolated.
 */
describe('vitest projects', () => {
  it('lists every integration or e2e file that mocks a module among the isolated ones', () => {
    const missing: string[] = [];
    for (const dir of ['test/integration', 'test/e2e']) {
      for (const file of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
        if (!file.endsWith('.test.ts')) continue;
        const rel = path.posix.join(dir, file.split(path.sep).join('/'));
        if (/\bvi\.(do)?mock\(/.test(readFileSync(rel, 'utf8')) && !mockingFiles.includes(rel)) missing.push(rel);
      }
    }
    expect(missing, 'add these to test/mocking-files.ts').toEqual([]);
  });
});
