import { describe, expect, it } from 'vitest';
import { composeApp } from '../../../src/app/compose.ts';
import type { DomainEvents } from '../../../src/app/events/domain-events.ts';
import { createDispatcher } from '../../../src/app/events/dispatcher.ts';
import type { Trx } from '../../../src/storage/db.ts';

// The dispatcher never touches the transaction itself; handlers receive it as given.
const trx = { tag: 'the publishing transaction' } as unknown as Trx;
const assigned: DomainEvents['LeadAssigned'] = {
  workspaceId: 'w', leadId: 'l', contactId: 'c', ownerId: 'u2', previousOwnerId: 'u1', reason: 'manager', ruleKind: 'manual',
  actor: { type: 'user', id: 'm' }, at: new Date('2026-12-03T00:00:00Z'),
};

describe('domain-event dispatcher', () => {
  it('runs handlers of the published event only, in registration order, each with the caller\'s transaction', async () => {
    const d = createDispatcher();
    const seen: string[] = [];
    d.subscribe('LeadAssigned', 'first', async (t, e) => { expect(t).toBe(trx); seen.push(`first:${e.ownerId}`); });
    d.subscribe('LeadOpened', 'other', async () => { seen.push('other'); });
    d.subscribe('LeadAssigned', 'second', async (_t, e) => { seen.push(`second:${e.previousOwnerId}`); });
    d.seal();
    await d.publish(trx, 'LeadAssigned', assigned);
    expect(seen).toEqual(['first:u2', 'second:u1']);
    expect(d.subscriptions()).toEqual([
      { event: 'LeadAssigned', subscriber: 'first' }, { event: 'LeadOpened', subscriber: 'other' }, { event: 'LeadAssigned', subscriber: 'second' }]);
  });

  it('runs events published by a handler depth-first, before the outer publish returns', async () => {
    const d = createDispatcher();
    const seen: string[] = [];
    d.subscribe('LeadAssigned', 'outer-1', async (t) => {
      seen.push('outer-1');
      await d.publish(t, 'ContactsMerged', { workspaceId: 'w', merges: [], at: new Date(0) });
    });
    d.subscribe('ContactsMerged', 'inner', async () => { seen.push('inner'); });
    d.subscribe('LeadAssigned', 'outer-2', async () => { seen.push('outer-2'); });
    d.seal();
    await d.publish(trx, 'LeadAssigned', assigned);
    expect(seen).toEqual(['outer-1', 'inner', 'outer-2']);
  });

  it('a handler that throws stops the later handlers and the error reaches the publisher unchanged', async () => {
    const d = createDispatcher();
    const seen: string[] = [];
    const boom = new Error('CRM push refused');
    d.subscribe('LeadAssigned', 'ok', async () => { seen.push('ok'); });
    d.subscribe('LeadAssigned', 'failing', async () => { throw boom; });
    d.subscribe('LeadAssigned', 'never', async () => { seen.push('never'); });
    d.seal();
    await expect(d.publish(trx, 'LeadAssigned', assigned)).rejects.toBe(boom);
    expect(seen).toEqual(['ok']);
  });

  it('refuses to publish before composition and to subscribe after it', async () => {
    const d = createDispatcher();
    await expect(d.publish(trx, 'LeadAssigned', assigned)).rejects.toThrow(/composeApp/);
    d.seal();
    expect(() => d.subscribe('LeadAssigned', 'late', async () => {})).toThrow(/sealed/);
  });

  it('the composition registers the hand-off, nurture, the CRM push, lifecycle webhooks, then the metrics count on LeadTransitioned, once', () => {
    const d = composeApp(createDispatcher());
    const before = d.subscriptions();
    expect(composeApp(d).subscriptions()).toEqual(before);
    expect(before.filter((s) => s.event === 'LeadTransitioned').map((s) => s.subscriber)).toEqual(['handoff', 'nurture', 'crm', 'webhooks', 'metrics']);
  });

  it('predicts before it scores stored activities (scoring reads the probability the batch just moved), and again after for the leads scoring opened', () => {
    const order = composeApp(createDispatcher()).subscriptions().filter((s) => s.event === 'ActivitiesStored').map((s) => s.subscriber);
    expect(order).toEqual(['prediction', 'scoring', 'prediction', 'handoff', 'metrics']);
  });
});
