/**
 * Who may do what. API keys carry scopes; users carry a role; a personal key acts as its user,
 * so its effective permissions are the intersection of both.
 * `ingest` is the public (browser) key: safe in a web page, it adds events and fills empty traits.
 * `ingest:server` is the server-side ingestion key: its traits and consent overwrite
 * (src/core/ingest-trust.rules.ts); keep it on servers. It implies `ingest`.
 * `metrics` scrapes GET /metrics (server and worker) and reads nothing else: a Prometheus key in a scrape config
 * cannot read a contact. `admin` implies it.
 */
export const scopes = ['ingest', 'ingest:server', 'read', 'write', 'admin', 'metrics'] as const;
export type Scope = (typeof scopes)[number];

export const roles = ['admin', 'marketing', 'sales', 'sales_manager', 'viewer'] as const;
export type Role = (typeof roles)[number];

export type Permission = Scope;

const roleGrants: Record<Role, readonly Permission[]> = {
  admin: ['ingest', 'ingest:server', 'read', 'write', 'admin', 'metrics'],
  marketing: ['read', 'write'],
  sales: ['read', 'write'],
  sales_manager: ['read', 'write'],
  viewer: ['read'],
};

/** `write` and `admin` imply `read`; `admin` implies `metrics`; `ingest:server` implies `ingest`; `ingest` and `metrics` imply nothing else. */
function expandScopes(granted: readonly Scope[]): Set<Permission> {
  const set = new Set<Permission>(granted);
  if (set.has('ingest:server')) set.add('ingest');
  if (set.has('admin')) { set.add('write'); set.add('read'); set.add('metrics'); }
  if (set.has('write')) set.add('read');
  return set;
}

export function permissionsFor(principal: { scopes?: readonly Scope[] | null; role?: Role | null }): Set<Permission> {
  const fromScopes = principal.scopes ? expandScopes(principal.scopes) : null;
  const fromRole = principal.role ? new Set(roleGrants[principal.role]) : null;
  if (fromScopes && fromRole) return new Set([...fromScopes].filter((p) => fromRole.has(p)));
  return fromScopes ?? fromRole ?? new Set();
}

export function isScope(value: string): value is Scope {
  return (scopes as readonly string[]).includes(value);
}

export function isRole(value: string): value is Role {
  return (roles as readonly string[]).includes(value);
}
