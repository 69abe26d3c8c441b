import { createHmac } from 'node:crypto';
import type { Runner } from 'graphile-worker';
import type { Browser } from 'playwright-core';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorker } from '../../src/jobs/worker.ts';
import { seedSettings, startReceiver } from './seed-settings.ts';
import { csrfHeaders, dialogWatcher, hasChromium, launchBrowser, loginAs, screenshot, startWebServer, type WebServer } from './web-server.ts';

if (!hasChromium) console.log('[e2e] chromium missing: the settings journeys are skipped.');

describe.skipIf(!hasChromium)('settings: routing, SLA, webhooks (Chromium)', () => {
  let web: WebServer;
  let browser: Browser;
  let worker: Runner;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  const { dialogs, watch } = dialogWatcher();

  beforeAll(async () => {
    web = await startWebServer(14);
    await seedSettings(web.deps, web.seed);
    receiver = await startReceiver();
    // The background worker, as `leadloop start` runs it: alert deliveries and replays are its jobs.
    worker = await startWorker(web.pool, { ...web.deps, publicUrl: web.baseUrl, webhookTimeoutMs: 2000 }, 2);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await worker?.stop();
    await receiver?.close();
    await web?.close();
  });

  it('an admin reads the routing rules in words, adds and reorders a rule, saves a version, and it survives a reload', async () => {
    const page = watch(await loginAs(browser, web.baseUrl, 'admin@web.test'));
    await page.getByRole('link', { name: 'Settings', exact: true }).click();
    await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Routing' }).click();
    const rules = page.getByRole('region', { name: 'Routing rules' });
    await rules.getByText('Accounts with an owner → the account owner').waitFor();
    await rules.getByText('Otherwise → queue “unassigned”').waitFor();
    await rules.getByText('Built-in default (never edited).').waitFor();

    await rules.getByRole('button', { name: 'Edit rules' }).click();
    await rules.getByRole('button', { name: 'Add rule' }).click();
    await rules.getByLabel('Rule 2 name').fill('Enterprise');
    await rules.getByLabel('Rule 2 employees at least').fill('500');
    await rules.getByLabel('Rule 2 team').fill('Enterprise');
    await rules.getByRole('group', { name: 'Rule 2' }).getByText('Enterprise: employees ≥ 500 → team Enterprise (round robin)').waitFor();
    await rules.getByRole('button', { name: 'Move rule 2 up' }).click();
    await rules.getByRole('group', { name: 'Rule 1' }).getByText('Enterprise: employees ≥ 500 → team Enterprise (round robin)').waitFor();
    await screenshot(page, 'settings-routing-editor');

    // The JSON view shows the API's validation errors in place and saves nothing.
    await rules.getByRole('button', { name: 'JSON' }).click();
    const json = rules.getByLabel('Routing rules (JSON)');
    const text = await json.inputValue();
    await json.fill(JSON.stringify(JSON.parse(text).slice(0, 2), null, 2));
    await rules.getByRole('button', { name: 'Save as new version' }).click();
    await rules.getByRole('alert').getByText('the last rule must be a fallback_queue').waitFor();
    expect((await (await page.request.get('/api/v1/routing')).json()).version).toBeNull();
    await json.fill(text);
    await rules.getByRole('button', { name: 'Form' }).click();
    await rules.getByRole('group', { name: 'Rule 3' }).waitFor();
    await rules.getByRole('button', { name: 'Save as new version' }).click();
    await rules.getByText('Saved as version 1.').waitFor();
    await rules.getByRole('listitem').filter({ hasText: 'Enterprise: employees ≥ 500 → team Enterprise (round robin)' }).waitFor();

    // Inline rep settings.
    await page.getByLabel('Capacity of Sam Seller').fill('5');
    await page.getByLabel('Weight of Sam Seller').fill('2');
    await page.getByRole('button', { name: 'Save settings of Sam Seller' }).click();
    await expect.poll(async () => (await (await page.request.get('/api/v1/rep-settings')).json()).data)
      .toContainEqual({ user_id: web.seed.users.sales.id, weight: 2, capacity: 5 });

    await page.reload();
    await page.getByRole('region', { name: 'Routing rules' }).getByText('Enterprise: employees ≥ 500 → team Enterprise (round robin)').waitFor();
    await page.getByRole('region', { name: 'Version history' }).getByRole('cell', { name: 'Alex Admin' }).waitFor();
    expect(await page.getByLabel('Capacity of Sam Seller').inputValue()).toBe('5');
    const routing = await (await page.request.get('/api/v1/routing')).json();
    expect(routing).toMatchObject({
      version: 1, created_by: web.seed.users.admin.id,
      rules: [
        { kind: 'territory', name: 'Enterprise', when: { employeeCount: { min: 500 } }, assign: { team: 'Enterprise' } },
        { kind: 'account_owner' }, { kind: 'fallback_queue', queue: 'unassigned' },
      ],
    });
    await screenshot(page, 'settings-routing');
    await page.context().close();
  });

  it("an admin changes a team's business hours and time zone, and its SLA summary follows", async () => {
    const page = watch(await loginAs(browser, web.baseUrl, 'admin@web.test'));
    await page.goto('/settings/sla');
    await page.getByRole('region', { name: 'SLA targets in force' }).getByText('workspace default').waitFor();
    const team = page.getByRole('region', { name: 'Enterprise' });
    const summary = team.getByLabel('SLA summary, Enterprise');
    await summary.getByText('Enterprise: accept within 4 business hours, first touch within 24 business hours, opportunity decision within 14 days; Mon–Fri 09:00–17:00 UTC').waitFor();
    expect(await summary.textContent()).toContain('escalation: at the breach notify the manager, then 2 business hours after the breach reassign to the next rep');

    await team.getByLabel('Time zone').fill('Europe/Berlin');
    await team.getByLabel('Business hours end').fill('16:00');
    await team.getByRole('checkbox', { name: 'Fri' }).uncheck();
    await team.getByLabel('Holidays (YYYY-MM-DD, one per line)').fill('2026-12-24\n2026-12-25');
    await team.getByLabel('Manager').selectOption({ label: 'Morgan Manager' });
    await team.getByRole('button', { name: 'Save Enterprise' }).click();
    await summary.getByText('Mon–Thu 09:00–16:00 Europe/Berlin (2 holidays off)').waitFor();
    await summary.getByText('Manager: Morgan Manager.').waitFor();
    const teams = (await (await page.request.get('/api/v1/teams')).json()).data;
    expect(teams.find((t: { name: string }) => t.name === 'Enterprise')).toMatchObject({
      manager_id: web.seed.users.manager.id, calendar: { timeZone: 'Europe/Berlin', days: [1, 2, 3, 4], start: '09:00', end: '16:00', holidays: ['2026-12-24', '2026-12-25'] },
    });
    // The other team keeps the policy's calendar.
    await page.getByLabel('SLA summary, Mid-market').getByText('Mon–Fri 09:00–17:00 UTC').waitFor();

    // A server-side refusal shows in place.
    await team.getByLabel('Business hours start').fill('18:00');
    await team.getByRole('button', { name: 'Save Enterprise' }).click();
    await team.getByRole('alert').getByText('end must be after start').waitFor();
    await team.getByRole('button', { name: 'Discard changes' }).click();

    await page.reload();
    await page.getByLabel('SLA summary, Enterprise').getByText('Mon–Thu 09:00–16:00 Europe/Berlin').waitFor();
    await screenshot(page, 'settings-sla');
    await page.context().close();
  });

  it('an admin adds a webhook, an MQL fires it at a real receiver, the delivery is logged, and a replay sends it again', async () => {
    const page = watch(await loginAs(browser, web.baseUrl, 'admin@web.test'));
    await page.goto('/settings/webhooks');
    await page.getByLabel('Webhook name').fill('CRM inbox');
    await page.getByLabel('URL').fill(receiver.url);
    await page.getByLabel('Format').selectOption({ label: 'JSON (Standard Webhooks)' });
    // Alerts are pre-selected; lifecycle events can be chosen beside them (later, below).
    const events = page.getByRole('group', { name: 'Events for the new webhook' });
    expect(await events.getByRole('checkbox', { name: /alert\.created/ }).isChecked()).toBe(true);
    expect(await events.getByRole('checkbox', { name: /lead\.mql/ }).isChecked()).toBe(false);
    await page.getByRole('button', { name: 'Add webhook' }).click();
    const secret = (await page.getByLabel('Signing secret').textContent()) ?? '';
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const list = page.getByRole('region', { name: 'Webhooks' });
    await list.getByRole('cell', { name: receiver.url }).waitFor();

    // An inquiry becomes an MQL: its owner is alerted, and the alert goes to every active webhook.
    const ws = web.seed.workspace.id;
    const lead = await web.deps.db.selectFrom('lead').select('id').where('workspace_id', '=', ws).where('stage', '=', 'inquiry').limit(1).executeTakeFirstOrThrow();
    const moved = await page.request.post(`/api/v1/leads/${lead.id}/transitions`, { headers: await csrfHeaders(page), data: { to: 'mql', note: 'settings e2e' } });
    expect(moved.status()).toBe(201);
    await expect.poll(() => receiver.received.length, { timeout: 15_000 }).toBe(1);
    const first = receiver.received[0]!;
    expect(JSON.parse(first.body).lead_id).toBe(lead.id);
    const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(first.headers['x-leadloop-signature'])) ?? [];
    expect(createHmac('sha256', secret).update(`${t}.${first.body}`).digest('hex')).toBe(v1);
    // The same delivery verifies as Standard Webhooks (webhook-id is the alert's id).
    const verify = (key: string, r: { headers: Record<string, unknown>; body: string }) => new StandardWebhook(key).verify(r.body, {
      'webhook-id': String(r.headers['webhook-id']), 'webhook-timestamp': String(r.headers['webhook-timestamp']), 'webhook-signature': String(r.headers['webhook-signature']),
    });
    expect(verify(secret, first)).toMatchObject({ lead_id: lead.id });

    await list.getByRole('button', { name: 'Delivery log of CRM inbox' }).click();
    const log = page.getByRole('table', { name: 'Deliveries of CRM inbox' });
    await log.getByRole('cell', { name: 'success' }).waitFor();
    await log.getByRole('cell', { name: '200', exact: true }).waitFor();
    // The receiver's answer is shown as text, never as markup.
    await log.getByText('<b>ok</b>').waitFor();
    expect(await log.locator('b').count()).toBe(0);
    await log.getByRole('button', { name: /^Replay delivery/ }).click();
    await page.getByText('Replay queued').waitFor();
    await expect.poll(() => receiver.received.length, { timeout: 15_000 }).toBe(2);
    expect(JSON.parse(receiver.received[1]!.body).lead_id).toBe(lead.id);
    // The replay is logged too (the log polls).
    await expect.poll(() => log.getByRole('cell', { name: 'success' }).count(), { timeout: 10_000 }).toBe(2);

    // Rotation with the default 24-hour overlap: the new secret is shown once, the list says until when the old one signs.
    await list.getByRole('button', { name: 'Rotate secret of CRM inbox' }).click();
    const rotateDialog = page.getByRole('dialog', { name: 'Rotate the secret of CRM inbox' });
    await rotateDialog.getByLabel('Reason (audit log)').fill('quarterly rotation');
    await rotateDialog.getByRole('button', { name: 'Rotate secret' }).click();
    const rotated = (await rotateDialog.getByLabel('Signing secret').textContent()) ?? '';
    expect(rotated).toMatch(/^whsec_/);
    expect(rotated).not.toBe(secret);
    await rotateDialog.getByText(/signed with both the old and this secret/).waitFor();
    await rotateDialog.getByRole('button', { name: 'Done' }).click();
    await list.getByText(/old secret signs until/).waitFor();
    // Events can be changed later.
    await list.getByRole('button', { name: 'Events of CRM inbox' }).click();
    const eventsDialog = page.getByRole('dialog', { name: 'Events sent to CRM inbox' });
    await eventsDialog.getByRole('checkbox', { name: /lead\.stage_changed/ }).check();
    await eventsDialog.getByRole('button', { name: 'Save events' }).click();
    await list.getByText('lead.stage_changed').waitFor();
    await page.getByRole('region', { name: 'How deliveries are signed' }).getByText('webhook-signature').first().waitFor();

    await list.getByRole('button', { name: 'Pause CRM inbox' }).click();
    await list.getByText('paused').waitFor();
    await screenshot(page, 'settings-webhooks');
    await list.getByRole('button', { name: 'Resume CRM inbox' }).click();
    await list.getByText('active').waitFor();
    const hooks = (await (await page.request.get('/api/v1/webhooks')).json()).data;
    expect(hooks).toMatchObject([{ name: 'CRM inbox', kind: 'json', url: receiver.url, active: true, event_types: ['alert.created', 'lead.stage_changed'] }]);
    expect(hooks[0].secret).toBeUndefined();
    expect(dialogs).toEqual([]);
    await page.context().close();
  });

  it('a sales manager sees routing and SLA read-only, and no webhooks or API keys', async () => {
    const page = watch(await loginAs(browser, web.baseUrl, 'manager@web.test'));
    await page.getByRole('link', { name: 'Settings', exact: true }).click();
    const nav = page.getByRole('navigation', { name: 'Settings' });
    await nav.getByRole('link', { name: 'Routing' }).click();
    await page.getByRole('region', { name: 'Routing rules' }).getByText('Enterprise: employees ≥ 500 → team Enterprise (round robin)').waitFor();
    expect(await page.getByRole('button', { name: 'Edit rules' }).count()).toBe(0);
    expect(await nav.getByRole('link', { name: 'Webhooks' }).count()).toBe(0);
    expect(await nav.getByRole('link', { name: 'API keys' }).count()).toBe(0);
    await nav.getByRole('link', { name: 'SLA & reasons' }).click();
    await page.getByLabel('SLA summary, Enterprise').waitFor();
    expect(await page.getByRole('button', { name: 'Save Enterprise' }).count()).toBe(0);
    await page.context().close();
  });
});
