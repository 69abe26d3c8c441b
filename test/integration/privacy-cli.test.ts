import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../src/app/auth.ts';
import { createWorkspace } from '../../src/app/workspaces.ts';
import { createStandardIngestPipeline } from '../../src/app/ingest-steps.ts';
import { submitForm } from '../../src/app/forms.ts';
import { must } from '../helpers/test-app.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/test-db.ts';

/** `leadloop privacy export | erase | retention`: output, files and exit codes (0 done, 1 refused, 2 bad usage). */
let t: TestDatabase;
let workspaceId = '';
const run = (args: string[]) => new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
  execFile('node', ['bin/leadloop.js', '--workspace', 'CLI Privacy', ...args], { env: { ...process.env, DATABASE_URL: t.url }, timeout: 90_000, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
    resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
  });
});

beforeAll(async () => {
  t = await createTestDatabase();
  workspaceId = must(await createWorkspace(t.deps, { name: 'CLI Privacy' })).id;
  must(await createApiKey(t.deps, workspaceId, { name: 'k', scopes: ['ingest'] }));
  must(await submitForm(t.deps, createStandardIngestPipeline(), workspaceId, 'contact-us', { fields: { email: 'cli.person@privacy.example', first_name: 'Clio', message: 'call me' }, trust: 'public' }));
});
afterAll(async () => { await t?.close(); });

describe('leadloop privacy', () => {
  it('export writes the JSON document and one CSV per table; erase needs --yes, then erases; twice is a no-op; unknown is exit 1', async () => {
    const id = (await t.pool.query(`SELECT id FROM contact WHERE email = 'cli.person@privacy.example'`)).rows[0].id as string;
    const dir = await mkdtemp(path.join(tmpdir(), 'privacy-cli-'));
    const exported = await run(['privacy', 'export', '--contact', id, '--out', path.join(dir, 'person.json'), '--csv', path.join(dir, 'csv')]);
    expect(exported.code, exported.stderr).toBe(0);
    const doc = JSON.parse(await readFile(path.join(dir, 'person.json'), 'utf8'));
    expect(doc).toMatchObject({ format: 'leadloop.person-export.v1', contact_id: id });
    expect(await readdir(path.join(dir, 'csv'))).toEqual(expect.arrayContaining(['contact.csv', 'activity.csv', 'contact_identity.csv']));
    expect(await readFile(path.join(dir, 'csv', 'contact.csv'), 'utf8')).toContain('cli.person@privacy.example');

    const unconfirmed = await run(['privacy', 'erase', '--email', 'cli.person@privacy.example']);
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stderr).toContain('--yes');
    const erased = await run(['privacy', 'erase', '--email', 'cli.person@privacy.example', '--yes', '--reason', 'ticket-9']);
    expect(erased.code, erased.stderr).toBe(0);
    expect(erased.stdout).toContain(`Erased contact ${id}`);
    const again = await run(['privacy', 'erase', '--contact', id, '--yes']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('Already erased');
    const unknown = await run(['privacy', 'erase', '--email', 'nobody@privacy.example', '--yes']);
    expect(unknown.code).toBe(1);
    const retention = await run(['privacy', 'retention']);
    expect(retention.stdout).toContain('anonymous_activity_days: 395 days');
  }, 240_000);
});
