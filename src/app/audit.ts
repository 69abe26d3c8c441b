import { AsyncLocalStorage } from 'node:async_hooks';
import { csvLines } from '../core/csv.ts';
import type { Trx } from '../storage/db.ts';
import { insertAuditRow, listAuditRows, type AuditActorKind, type AuditFilter, type AuditRow } from '../storage/audit.repo.ts';
import type { Page } from '../storage/page.ts';
import type { AppDeps, Principal } from './context.ts';
import { withTransaction } from './transaction.ts';

export type { AuditRow } from '../storage/audit.repo.ts';

/**
 * Who made a change. Pass the request's `Principal` (a user, a personal key acting as its user, or a
 * machine key) or one of these explicitly, e.g. `{ kind: 'system', label: 'SLA timer' }` for jobs.
 * `label` is optional for users and keys: it is looked up (user "name <email>", key name) when the row
 * is written, so the log stays readable after the user or key is gone.
 */
export type AuditActor =
  | { kind: 'user'; id: string; keyId?: string | null; label?: string | null }
  | { kind: 'api_key'; id: string; label?: string | null }
  | { kind: 'system'; label?: string | null };

/** Where the request came from, when there was one (the auth guard puts it on the Principal). */
export type AuditRequest = { id?: string | null; ip?: string | null };

export type AuditEntry = {
  workspaceId: string;
  /**
   * Default: the principal of the HTTP request this runs in (the server sets it, see `runAsActor`),
   * else the system (jobs, CLI, demo). Pass it explicitly where you have it.
   */
  actor?: Principal | AuditActor;
  /** A dotted verb: `<object>.<past tense>`, e.g. `definition.activated`, `api_key.revoked`, `user.role_changed`. */
  action: string;
  object: { type: string; id: string | null };
  /** The governed object's state before and after (omit for creations / deletions respectively). Never secrets. */
  before?: unknown;
  after?: unknown;
  reason?: string | null;
  /** Defaults to now; pass the use case's clock time so the row and the change agree. */
  at?: Date;
  /** Overrides the request the Principal carries (e.g. for unauthenticated events such as a failed login). */
  request?: AuditRequest;
};

export const AUDIT_ACTION = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/;

function isPrincipal(a: Principal | AuditActor): a is Principal {
  return 'permissions' in a;
}

function resolveActor(a: Principal | AuditActor): { kind: AuditActorKind; id: string | null; keyId: string | null; label: string | null; request: AuditRequest | null } {
  if (isPrincipal(a)) {
    return a.userId
      ? { kind: 'user', id: a.userId, keyId: a.apiKeyId, label: null, request: a.request ?? null }
      : { kind: 'api_key', id: a.apiKeyId, keyId: a.apiKeyId, label: null, request: a.request ?? null };
  }
  if (a.kind === 'system') return { kind: 'system', id: null, keyId: null, label: a.label ? `system: ${a.label}` : 'system', request: null };
  if (a.kind === 'api_key') return { kind: 'api_key', id: a.id, keyId: a.id, label: a.label ?? null, request: null };
  return { kind: 'user', id: a.id, keyId: a.keyId ?? null, label: a.label ?? null, request: null };
}

const requestActor = new AsyncLocalStorage<Principal>();

/** Runs `fn` (an HTTP request's handler) with `principal` as the default actor of the audit entries it records. */
export function runAsActor<T>(principal: Principal, fn: () => T): T {
  return requestActor.run(principal, fn);
}

/**
 * For use cases that wrote outside a transaction: runs `work` and records its audit entry (built from
 * what it returned; null records nothing) in one transaction.
 */
export async function withAudit<T>(deps: AppDeps, work: (trx: Trx) => Promise<T>, entry: (value: T) => AuditEntry | null): Promise<T> {
  return withTransaction(deps, async (trx) => {
    const value = await work(trx);
    const e = entry(value);
    if (e) await recordAudit(trx, e);
    return value;
  });
}

/**
 * Appends one entry to the workspace's audit log **inside the caller's transaction**: the entry commits
 * with the change it records, and a refused (rolled back) change leaves no entry. The table refuses
 * UPDATE, DELETE and TRUNCATE itself, so nothing in the app can rewrite history.
 */
export async function recordAudit(trx: Trx, entry: AuditEntry): Promise<AuditRow> {
  if (!AUDIT_ACTION.test(entry.action)) throw new Error(`audit action '${entry.action}' is not a dotted lower-case verb such as 'definition.activated'`);
  const actor = resolveActor(entry.actor ?? requestActor.getStore() ?? { kind: 'system' });
  const request = entry.request ?? actor.request;
  return insertAuditRow(trx, entry.workspaceId, {
    at: entry.at ?? new Date(),
    actorKind: actor.kind, actorId: actor.id, actorKeyId: actor.keyId, actorLabel: actor.label,
    action: entry.action, objectType: entry.object.type, objectId: entry.object.id,
    before: entry.before ?? null, after: entry.after ?? null, reason: entry.reason ?? null,
    requestId: request?.id ?? null, ip: request?.ip ?? null,
  });
}

export type AuditQuery = AuditFilter;

/** One page of the workspace's audit log, newest first (cursor: the last id seen). */
export async function auditLogPage(deps: AppDeps, workspaceId: string, filter: AuditQuery, page: { limit: number; cursor?: string | null }): Promise<Page<AuditRow>> {
  return listAuditRows(deps.db, workspaceId, filter, page);
}

const CSV_COLUMNS = ['at', 'actor_kind', 'actor_id', 'actor_key_id', 'actor', 'action', 'object_type', 'object_id', 'reason', 'before', 'after', 'request_id', 'ip'] as const;

/** Every matching row as CSV (newest first), read page by page; stops after `max` rows and says so in a last line. */
export async function auditLogCsv(deps: AppDeps, workspaceId: string, filter: AuditQuery, max = 100_000): Promise<string> {
  const lines: (string | null)[][] = [[...CSV_COLUMNS]];
  let cursor: string | null = null;
  let count = 0;
  do {
    const page: Page<AuditRow> = await listAuditRows(deps.db, workspaceId, filter, { limit: 1000, cursor });
    for (const r of page.data) {
      lines.push([
        r.at.toISOString(), r.actor.kind, r.actor.id, r.actor.keyId, r.actor.label, r.action, r.object.type, r.object.id, r.reason,
        r.before === null ? null : JSON.stringify(r.before), r.after === null ? null : JSON.stringify(r.after), r.requestId, r.ip,
      ]);
    }
    count += page.data.length;
    cursor = page.nextCursor;
  } while (cursor && count < max);
  if (cursor) lines.push([`# truncated after ${max} rows: narrow the time range`]);
  return csvLines(lines);
}
