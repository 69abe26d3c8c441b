import type { Trx } from '../storage/db.ts';
import { insertAuditRow, type AuditActorKind, type AuditRow } from '../storage/audit.repo.ts';
import type { Principal } from './context.ts';

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
  actor: Principal | AuditActor;
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

/**
 * Appends one entry to the workspace's audit log **inside the caller's transaction**: the entry commits
 * with the change it records, and a refused (rolled back) change leaves no entry. The table refuses
 * UPDATE, DELETE and TRUNCATE itself, so nothing in the app can rewrite history.
 */
export async function recordAudit(trx: Trx, entry: AuditEntry): Promise<AuditRow> {
  if (!AUDIT_ACTION.test(entry.action)) throw new Error(`audit action '${entry.action}' is not a dotted lower-case verb such as 'definition.activated'`);
  const actor = resolveActor(entry.actor);
  const request = entry.request ?? actor.request;
  return insertAuditRow(trx, entry.workspaceId, {
    at: entry.at ?? new Date(),
    actorKind: actor.kind, actorId: actor.id, actorKeyId: actor.keyId, actorLabel: actor.label,
    action: entry.action, objectType: entry.object.type, objectId: entry.object.id,
    before: entry.before ?? null, after: entry.after ?? null, reason: entry.reason ?? null,
    requestId: request?.id ?? null, ip: request?.ip ?? null,
  });
}
