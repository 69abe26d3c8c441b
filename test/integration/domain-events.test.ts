import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DomainEvent, DomainEventName, DomainEvents } from '../../src/app/events/domain-events.ts';
import { submitForm } from '../../src/app/forms.ts';
import { createStandardIngestPipeline } from '../../src/app/ingest-steps.ts';
import { installDefaultDefinition } from '../../src/app/definitions/install-default-definition.ts';
import { createDispatcher, observeEvents } from '../../src/app/events/dispatcher.ts';
import { openLeadInTrx } from '../../src/app/leads.ts';
import { inTransaction } from '../../src/app/transaction.ts';
import { ok } from '../../src/core/result.ts';
import { listPendingJobs } from '../../src/storage/job-queue.repo.ts';
import { enqueue } from '../../src/storage/jobs.repo.ts';
import { createTestApp, must, type TestApp } from '../helpers/test-app.ts';

let t: TestApp;
beforeAll(async () => { t = await createTestApp(); });
afterAll(async () => { await t?.close(); });

const json = (r: { body: string }) => JSON.parse(r.body);
const leadCount = async () => (await t.db.selectFrom('lead').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n;

describe('domain events run inside the publishing transaction', () => {
  it("a subscriber's error rolls back the change that published the event and the jobs other subscribers queued", async () => {
    const contact = json(await t.api('POST', '/api/v1/contacts', { email: 'rollback@globex.com' }));
    const leadsBefore = await leadCount();
    const d = createDispatcher();
    d.subscribe('LeadAssigned', 'queues a job', async (trx, e) => {
      await enqueue(trx, 'sla-check', { workspaceId: e.workspaceId, leadId: e.leadId }, { jobKey: `test:${e.leadId}` });
    });
    d.subscribe('LeadAssigned', 'fails', async () => { throw new Error('subscriber failed'); });
    d.seal();
    let leadId = '';
    const run = inTransaction(t.deps, async (trx) => {
      const lead = await openLeadInTrx(trx, t.workspace.id, {
        contactId: contact.id, accountId: null, ownerId: null, at: t.clock.now(), actor: { type: 'system', id: null }, source: null, campaign: null, firstTouchAt: null,
      });
      leadId = lead.id;
      await d.publish(trx, 'LeadAssigned', {
        workspaceId: t.workspace.id, leadId: lead.id, contactId: contact.id, ownerId: t.users.sales.id, previousOwnerId: null,
        reason: 'test', ruleKind: 'manual', actor: { type: 'system', id: null }, at: t.clock.now(),
      });
      return ok(lead);
    });
    await expect(run).rejects.toThrow('subscriber failed');
    expect(leadId).not.toBe('');
    expect(await leadCount()).toBe(leadsBefore);
    expect((await listPendingJobs(t.db)).filter((j) => j.key === `test:${leadId}`)).toEqual([]);
    // The same contact can open its lead afterwards: nothing of the failed attempt is left.
    expect((await t.api('POST', '/api/v1/leads', { contact_id: contact.id })).statusCode).toBe(201);
  });

  it('a refused request leaves no job behind: linking a lead to a lost deal without a lost reason (outbox semantics)', async () => {
    const salesKey = await t.newKey(['write', 'read'], t.users.sales.id);
    const setup = async (email: string) => {
      const contact = json(await t.api('POST', '/api/v1/contacts', { email }));
      const lead = json(await t.api('POST', '/api/v1/leads', { contact_id: contact.id, owner_id: t.users.sales.id }));
      const created = await t.api('POST', '/api/v1/opportunities', { name: `Deal for ${email}`, amount: 5000, currency: 'EUR', stage: 'Closed Lost', status: 'lost' });
      expect(created.statusCode, created.body).toBe(201);
      return { lead, opp: json(created) };
    };
    const jobsFor = async (leadId: string) => (await listPendingJobs(t.db)).filter((j) => JSON.stringify(j.payload).includes(leadId) || j.key?.includes(leadId));
    const alertsFor = async (leadId: string) => json(await t.api('GET', '/api/v1/alerts', undefined, salesKey)).data.filter((a: { lead_id: string }) => a.lead_id === leadId);

    // Linking walks the lead inquiry → mql → … → opportunity (each move alerts the owner and sets SLA timers:
    // jobs queued by the subscribers), then following the lost deal needs a reason: refused.
    const refused = await setup('refused@hooli.com');
    const r = await t.api('POST', `/api/v1/opportunities/${refused.opp.id}/leads`, { lead_id: refused.lead.id });
    expect(r.statusCode, r.body).toBe(422);
    expect(json(r).error.code).toBe('ReasonRequired'); // refused at the end of the walk, after the subscribers ran
    expect(json(await t.api('GET', `/api/v1/leads/${refused.lead.id}`)).stage).toBe('inquiry');
    expect(json(await t.api('GET', `/api/v1/leads/${refused.lead.id}/transitions`)).data).toHaveLength(1);
    expect(await alertsFor(refused.lead.id)).toEqual([]);
    const queued = (await listPendingJobs(t.db)).filter((j) => j.task === 'deliver-alert' || j.task === 'sla-check');
    expect(queued.filter((j) => j.key?.includes(refused.lead.id))).toEqual([]);

    // The control: with the reason the same request commits, and the subscribers' work and jobs are there.
    const accepted = await setup('accepted@hooli.com');
    const a = await t.api('POST', `/api/v1/opportunities/${accepted.opp.id}/leads`, { lead_id: accepted.lead.id, lost_reason_code: 'lost_price' });
    expect(a.statusCode, a.body).toBeLessThan(300);
    expect(json(await t.api('GET', `/api/v1/leads/${accepted.lead.id}`)).stage).toBe('lost');
    expect((await alertsFor(accepted.lead.id)).map((x: { kind: string }) => x.kind)).toContain('mql_assigned');
    expect((await jobsFor(accepted.lead.id)).some((j) => j.task === 'deliver-alert')).toBe(true);
  });
});

describe('what a journey through the REST API publishes', () => {
  it('open, qualify, reassign, win a deal: LeadOpened, LeadTransitioned, LeadAssigned, OpportunityChanged with the facts subscribers need', async () => {
    const managerKey = await t.newKey(['write', 'read'], t.users.manager.id);
    const seen: DomainEvent[] = [];
    const journey = async () => {
      const contact = json(await t.api('POST', '/api/v1/contacts', { email: 'journey@initech.com', first_name: 'Jo' }));
      const lead = json(await t.api('POST', '/api/v1/leads', { contact_id: contact.id, owner_id: t.users.sales.id }));
      expect((await t.api('POST', `/api/v1/leads/${lead.id}/transitions`, { to: 'mql' })).statusCode).toBe(201);
      const moved = await t.api('POST', `/api/v1/leads/${lead.id}/assign`, { owner_id: t.users.manager.id, note: 'covering' }, managerKey);
      expect(moved.statusCode, moved.body).toBe(201);
      t.clock.advance(60_000);
      const deal = json(await t.api('POST', '/api/v1/opportunities', { name: 'Initech rollout', amount: 24000, currency: 'EUR', stage: 'Proposal', lead_ids: [lead.id] }));
      t.clock.advance(60_000);
      expect((await t.api('PATCH', `/api/v1/opportunities/${deal.id}`, { status: 'won', stage: 'Closed Won' })).statusCode).toBe(200);
      return { contact, lead, deal };
    };
    const { contact, lead, deal } = await observeEvents((e) => { seen.push(e); }, journey);
    const of = <K extends DomainEventName>(name: K): DomainEvents[K][] => seen.flatMap((e) => (e.name === name ? [e.payload as DomainEvents[K]] : []));

    expect(of('ContactCreated')).toEqual([expect.objectContaining({ workspaceId: t.workspace.id, contactId: contact.id, email: 'journey@initech.com', origin: 'api' })]);
    expect(of('LeadOpened')).toEqual([expect.objectContaining({ leadId: lead.id, contactId: contact.id, ownerId: t.users.sales.id, origin: 'api', definitionId: null })]);
    expect(of('LeadTransitioned').map((e) => [e.from, e.to, e.leadId, e.contactId])).toEqual([
      ['inquiry', 'mql', lead.id, contact.id], ['mql', 'sal', lead.id, contact.id], ['sal', 'sql', lead.id, contact.id],
      ['sql', 'opportunity', lead.id, contact.id], ['opportunity', 'won', lead.id, contact.id],
    ]);
    expect(of('LeadTransitioned')[0]).toMatchObject({ actor: { type: 'api_key' }, reasonCode: null, isRecycle: false });
    expect(of('LeadAssigned')).toEqual([expect.objectContaining({
      leadId: lead.id, ownerId: t.users.manager.id, previousOwnerId: t.users.sales.id, ruleKind: 'manual', actor: { type: 'user', id: t.users.manager.id },
    })]);
    expect(of('LeadAssigned')[0]!.reason).toContain('covering');
    expect(of('OpportunityChanged').every((e) => e.opportunityId === deal.id)).toBe(true);
    expect(of('OpportunityChanged').map((e) => [e.change, e.status, e.isWon, e.amount, e.currency, e.leadIds])).toEqual([
      ['created', 'open', false, 24000, 'EUR', [lead.id]], ['closed', 'won', true, 24000, 'EUR', [lead.id]],
    ]);
    expect(seen.every((e) => e.payload.workspaceId === t.workspace.id)).toBe(true);
  });
});

describe('what a form submission publishes (the forms use case on the standard pipeline)', () => {
  it('ContactCreated, ActivitiesStored, then scoring: LeadOpened by the inquiry rule and InquirySettled; ContactsIdentified', async () => {
    const definition = must(await installDefaultDefinition(t.deps, t.workspace.id, { marketingUserId: t.users.marketing.id, salesUserId: t.users.sales.id }));
    const seen: DomainEvent[] = [];
    // The form use case (what POST /api/v1/forms/{id}/submissions calls) on the server's standard pipeline.
    const r = await observeEvents((e) => { seen.push(e); }, () => submitForm(t.deps, createStandardIngestPipeline(), t.workspace.id, 'newsletter', { fields: { email: 'form@umbrella.example', first_name: 'Fay' }, trust: 'public' }));
    expect(r.ok).toBe(true);
    const names = seen.map((e) => e.name);
    // The form's email made the new contact known: ContactsIdentified comes last (it already has a lead, so nothing more opens).
    expect(names).toEqual(['ContactCreated', 'ActivitiesStored', 'LeadOpened', 'InquirySettled', 'ContactsIdentified']);
    const [created, stored, opened, settled] = seen.map((e) => e.payload) as [DomainEvents['ContactCreated'], DomainEvents['ActivitiesStored'], DomainEvents['LeadOpened'], DomainEvents['InquirySettled']];
    expect(created).toMatchObject({ email: 'form@umbrella.example', origin: 'ingest' });
    expect(stored.activities.map((a) => [a.type, a.contactId])).toEqual([['form_submit', created.contactId]]);
    expect(opened).toMatchObject({ contactId: created.contactId, origin: 'inquiry_rule', definitionId: definition.id, actor: { type: 'rule' } });
    expect(settled).toMatchObject({ leadId: opened.leadId, contactId: created.contactId });
  });
});
