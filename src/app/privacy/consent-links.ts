import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { DbOrTrx } from '../../storage/db.ts';
import { ensureWorkspaceSetting } from '../../storage/nurture.repo.ts';
import { getWorkspace } from '../../storage/workspaces.repo.ts';

/**
 * Signed links a person receives by email: `p` opens their preference centre (names one contact), `c`
 * confirms a double opt-in request (names one request, hence one contact). Same construction as the
 * nurture links (kind + workspace id + id, 128-bit HMAC-SHA256 tag with the workspace's link secret,
 * `settings.nurtureTokenSecret`): readable but not forgeable, so nobody can guess or enumerate another
 * person's link, and a token of one kind is never accepted as another.
 */
export type PersonLinkKind = 'p' | 'c';
export type PersonLink = { kind: PersonLinkKind; workspaceId: string; id: string };

const SECRET_KEY = 'nurtureTokenSecret';
const uuidBytes = (id: string) => Buffer.from(id.replace(/-/g, ''), 'hex');
const bytesUuid = (b: Buffer) => {
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
};
const tag = (secret: string, body: string) => createHmac('sha256', secret).update(body).digest().subarray(0, 16).toString('base64url');
const SHAPE = /^([pc])([A-Za-z0-9_-]{43})\.([A-Za-z0-9_-]{22})$/;

/** The workspace's link secret (generated once, shared with the nurture links). */
async function linkSecret(db: DbOrTrx, workspaceId: string): Promise<string> {
  const value = await ensureWorkspaceSetting(db, workspaceId, SECRET_KEY, randomBytes(32).toString('base64url'));
  if (typeof value !== 'string') throw new Error(`workspace ${workspaceId} has no usable ${SECRET_KEY}`);
  return value;
}

export async function signPersonLink(db: DbOrTrx, link: PersonLink): Promise<string> {
  const body = link.kind + Buffer.concat([uuidBytes(link.workspaceId), uuidBytes(link.id)]).toString('base64url');
  return `${body}.${tag(await linkSecret(db, link.workspaceId), body)}`;
}

/** The link a token stands for, or null (malformed, unknown workspace, wrong kind or a tag that does not verify). */
export async function verifyPersonLink(db: DbOrTrx, token: string, kind: PersonLinkKind): Promise<PersonLink | null> {
  const m = SHAPE.exec(token);
  if (!m || m[1] !== kind) return null;
  const bytes = Buffer.from(m[2]!, 'base64url');
  if (bytes.length !== 32) return null;
  const workspaceId = bytesUuid(bytes.subarray(0, 16));
  // Only workspaces that exist get a secret; an unknown id must not create settings.
  if (!(await getWorkspace(db, workspaceId))) return null;
  const expected = Buffer.from(tag(await linkSecret(db, workspaceId), `${m[1]}${m[2]}`));
  const given = Buffer.from(m[3]!);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
  return { kind, workspaceId, id: bytesUuid(bytes.subarray(16, 32)) };
}
