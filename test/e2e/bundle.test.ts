import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { webDist } from '../../web/ensure-build.ts';

/**
 * The login screen and the inbox load the entry bundle only. Chart code (ECharts) is loaded with the screens
 * that draw charts; one static import of it from an entry screen tripled the entry bundle once.
 * (The e2e global setup has just built web/dist from the current sources.)
 */
describe('web entry bundle', () => {
  it('carries no chart library and stays under 450 KB', async () => {
    const html = await readFile(path.join(webDist, 'index.html'), 'utf8');
    const entry = /<script type="module"[^>]*src="\/assets\/([^"]+\.js)"/.exec(html)?.[1];
    expect(entry, 'index.html names its entry script').toBeTruthy();
    const code = await readFile(path.join(webDist, 'assets', entry!), 'utf8');
    expect(code).not.toMatch(/echarts/i);
    expect(Buffer.byteLength(code)).toBeLessThan(450_000);
  });
});
