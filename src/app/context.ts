import type { Permission, Role } from '../core/access.ts';
import type { Db } from '../storage/db.ts';
import type { Actor } from '../storage/transitions.repo.ts';

/** The clock is injected everywhere time matters, so tests can run scenarios to the minute. */
export type Clock = { now: () => Date };
export const systemClock: Clock = { now: () => new Date() };

/** A settable clock for scenario tests and simulations. */
export function simulatedClock(start: Date): Clock & { set: (d: Date) => void; advance: (ms: number) => void } {
  let current = new Date(start);
  return {
    now: () => new Date(current),
    set: (d) => { current = new Date(d); },
    advance: (ms) => { current = new Date(current.getTime() + ms); },
  };
}

export type AppDeps = { db: Db; clock: Clock };

/** Who is acting: a user (web session or personal key) or a machine key. */
export type Principal = {
  workspaceId: string;
  kind: 'user' | 'api_key';
  userId: string | null;
  apiKeyId: string | null;
  role: Role | null;
  permissions: Set<Permission>;
  /** The HTTP request this principal acts in (set by the auth guard), recorded in the audit log. */
  request?: { id: string; ip: string };
};

export function actorOf(principal: Principal): Actor {
  return principal.userId ? { type: 'user', id: principal.userId } : { type: 'api_key', id: principal.apiKeyId };
}
