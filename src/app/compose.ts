import { domainEvents, type Dispatcher } from './events/dispatcher.ts';

/**
 * The composition module: the one place where features meet. Every subscriber of every domain
 * event (src/app/events/domain-events.ts) is registered here, in the order it runs, so features
 * publish what happened and never import each other's use cases.
 *
 * Called once when a process starts: `openRuntime` (server, worker, CLI, demo) and the test
 * helpers. Idempotent: later calls do nothing.
 */
export function composeApp(dispatcher: Dispatcher = domainEvents): Dispatcher {
  if (dispatcher.sealed()) return dispatcher;
  registerSubscribers(dispatcher);
  dispatcher.seal();
  return dispatcher;
}

function registerSubscribers(_dispatcher: Dispatcher): void {
  // Subscribers are added feature by feature as the hooks move here (issue #15 item 1).
}
