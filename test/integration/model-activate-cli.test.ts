import { execFile } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

/** `leadloop model activate`: writes a definition DRAFT using the model, never activates it, and says what comes next. */
let t: TestApp;
let modelId = '';
const run = (args: string[]) => new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
  execFile('node', ['bin/leadloop.js', '--workspace', 'Acme Test', ...args], { env: { ...process.env, DATABASE_URL: t.url }, timeout: 120_000 }, (err, stdout, stderr) => {
    resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
  });
});

beforeAll(async () => {
  t = await createTestApp();
  const lines = ['email,title,created_at,lifecycle_stage,lead_status,tier'];
  for (let i = 0; i < 200; i++) {
    const enterprise = i % 2 === 0;
    const converted = enterprise ? i % 10 !== 0 : i % 10 === 1;
    lines.push([`p${i}@b${i}.example`, enterprise ? 'VP Sales' : 'Analyst', new Date(Date.UTC(2025, 0, 1) + i * 86_400_000).toISOString().slice(0, 10), converted ? 'opportunity' : 'lead', converted ? '' : 'Unqualified', enterprise ? 'enterprise' : 'smb'].join(','));
  }
  const boundary = '----cli-boundary';
  const payload = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="entity"\r\n\r\ncontacts\r\n--${boundary}\r\nContent-Disposition: form-data; name="preset"\r\n\r\ngeneric\r\n`
    + `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="h.csv"\r\nContent-Type: text/csv\r\n\r\n${lines.join('\n')}\n\r\n--${boundary}--\r\n`);
  const r = await t.app.inject({ method: 'POST', url: '/api/v1/imports', payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, authorization: `Bearer ${t.keys.write}` } });
  expect(r.statusCode, r.body).toBeLessThan(300);
  const trained = await t.api('POST', '/api/v1/models', { target_stage: 'opportunity', horizon_days: 90 });
  expect(trained.statusCode, trained.body).toBe(201);
  modelId = JSON.parse(trained.body).id;
}, 120_000);
afterAll(async () => { await t?.close(); });

describe('leadloop model activate', () => {
  it('creates a draft with the predicted rule (and inbox order), activates nothing, prints the next steps; bad input is refused', async () => {
    const bad = await run(['model', 'activate', 'latest', '--threshold', '1.5']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('--threshold must be a probability from 0 to 1');
    const done = await run(['model', 'activate', 'latest', '--threshold', '0.4', '--inbox', '--as', 'marketing@acme.test']);
    expect(done.code, done.stderr).toBe(0);
    expect(done.stdout).toMatch(/^Draft v1 created/);
    expect(done.stdout).toContain('MQL when the probability of reaching opportunity is at least 40%; the inbox sorted by its probability');
    expect(done.stdout).toContain('this command never activates');
    expect(done.stdout).toContain('Next steps:');
    const defs = JSON.parse((await t.api('GET', '/api/v1/definitions')).body).data;
    expect(defs.map((d: { status: string }) => d.status)).toEqual(['draft']);
    expect(defs[0].owner_side).toBe('marketing');
    expect(defs[0].document.predicted).toEqual([{ id: 'model-v1-mql', model: modelId, use: 'mql', minProbability: 0.4 }]);
    expect(defs[0].document.inbox).toEqual({ sort: 'predicted', model: modelId });
  }, 240_000);
});
