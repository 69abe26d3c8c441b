import { AsyncLocalStorage } from 'node:async_hooks';
import type { Trx } from '../../storage/db.ts';
import type { DomainEvent, DomainEventName, DomainEvents } from './domain-events.ts';

/**
 * The in-process domain-event dispatcher.
 *
 * - `subscribe(name, subscriber, handler)` registers a handler. Only the composition module
 *   (src/app/compose.ts) subscribes, once per process, before anything is published; it then
 *   `seal()`s the dispatcher, so a late subscription fails loudly instead of being missed.
 * - `publish(trx, name, payload)` runs every handler of `name` now, inside the caller's transaction
 *   (`trx`), one after the other in registration order, and returns when the last one is done.
 *   Handlers write through the same `trx`, so their work commits or rolls back with the change
 *   that caused the event. A handler that throws stops the rest and the error propagates to the
 *   publisher unchanged: the publishing transaction rolls back (the request answers 500 and writes
 *   nothing). Expected refusals are not events: check before publishing.
 * - A handler may publish further events (an MQL transition inside scoring's ActivitiesStored
 *   handler publishes LeadTransitioned); they run depth-first, before the outer publish returns.
 * - Slow work (HTTP, email, CRM calls) never runs in a handler: the handler enqueues a typed job
 *   (src/jobs/catalogue.ts, `enqueue` in src/storage/jobs.repo.ts) in the same transaction, so
 *   nothing is sent for a rolled-back change (outbox semantics).
 *
 * Publishing on a dispatcher that was never sealed throws: a process that forgot `composeApp()`
 * would otherwise silently skip hand-off, nurture and scoring.
 */
export type EventHandler<K extends DomainEventName> = (trx: Trx, payload: DomainEvents[K]) => Promise<void>;

export type Subscription = { event: DomainEventName; subscriber: string };

export type Dispatcher = {
  subscribe: <K extends DomainEventName>(event: K, subscriber: string, handler: EventHandler<K>) => void;
  publish: <K extends DomainEventName>(trx: Trx, event: K, payload: DomainEvents[K]) => Promise<void>;
  /** Ends registration: later `subscribe` calls throw, `publish` is allowed from now on. */
  seal: () => void;
  sealed: () => boolean;
  /** Who listens, in order (for diagnostics, tests and ARCHITECTURE.md). */
  subscriptions: () => Subscription[];
};

export function createDispatcher(): Dispatcher {
  const handlers = new Map<DomainEventName, { subscriber: string; handler: EventHandler<any> }[]>();
  const order: Subscription[] = [];
  let isSealed = false;
  return {
    subscribe: (event, subscriber, handler) => {
      if (isSealed) throw new Error(`subscribe(${event}, ${subscriber}): the dispatcher is sealed; register subscribers in src/app/compose.ts`);
      const list = handlers.get(event) ?? [];
      list.push({ subscriber, handler });
      handlers.set(event, list);
      order.push({ event, subscriber });
    },
    publish: async (trx, event, payload) => {
      if (!isSealed) throw new Error(`publish(${event}) before the subscribers were registered: call composeApp() (src/app/compose.ts) when the process starts`);
      const watching = observers.getStore();
      if (watching) for (const observe of watching) observe({ name: event, payload } as DomainEvent);
      const list = handlers.get(event);
      if (!list) return;
      for (const { handler } of list) await handler(trx, payload);
    },
    seal: () => { isSealed = true; },
    sealed: () => isSealed,
    subscriptions: () => [...order],
  };
}

/** The process's dispatcher: composed once by composeApp(). */
export const domainEvents: Dispatcher = createDispatcher();

/** Publishes on the process's dispatcher, in the caller's transaction (see above). */
export function publish<K extends DomainEventName>(trx: Trx, event: K, payload: DomainEvents[K]): Promise<void> {
  return domainEvents.publish(trx, event, payload);
}

/** Sees a published event (read-only; it cannot write and runs before the subscribers). */
export type EventObserver = (event: DomainEvent) => void;
const observers = new AsyncLocalStorage<readonly EventObserver[]>();

/**
 * Runs `work` while `observer` sees every event published from within it (its async descendants,
 * e.g. a request injected into the server), in publication order, committed or not: how tests assert
 * what a journey through the public doors published, and a hook for tracing. Not a subscriber.
 * Only as good as async-context propagation: the JSON REST routes keep it under Fastify's inject,
 * the forms endpoint did not (observe `submitForm` itself there).
 */
export function observeEvents<T>(observer: EventObserver, work: () => Promise<T>): Promise<T> {
  return observers.run([...(observers.getStore() ?? []), observer], work);
}
