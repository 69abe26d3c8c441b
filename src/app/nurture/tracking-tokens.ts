import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signed tokens for the links in nurture emails: r = tracked click (send + asset), o = open pixel,
 * u = unsubscribe and preferences. The payload (workspace, send, asset ids) is readable but not
 * forgeable: a 128-bit HMAC-SHA256 tag with the workspace's secret, so ids cannot be guessed or swapped.
 */
export type TokenKind = 'r' | 'o' | 'u';
export type TokenPayload = { kind: TokenKind; workspaceId: string; sendId: string; assetId: string | null };

const uuidBytes = (id: string) => Buffer.from(id.replace(/-/g, ''), 'hex');
const bytesUuid = (b: Buffer) => {
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
};
const tag = (secret: string, body: string) => createHmac('sha256', secret).update(body).digest().subarray(0, 16).toString('base64url');

export function signToken(secret: string, p: TokenPayload): string {
  const parts = [uuidBytes(p.workspaceId), uuidBytes(p.sendId)];
  if (p.assetId) parts.push(uuidBytes(p.assetId));
  const body = p.kind + Buffer.concat(parts).toString('base64url');
  return `${body}.${tag(secret, body)}`;
}

/** Reads the workspace id without trusting anything else (to find the secret that verifies the rest). */
export function tokenWorkspace(token: string): string | null {
  const m = /^[rou]([A-Za-z0-9_-]{43}|[A-Za-z0-9_-]{64})\.[A-Za-z0-9_-]{22}$/.exec(token);
  if (!m) return null;
  return bytesUuid(Buffer.from(m[1]!, 'base64url').subarray(0, 16));
}

export function verifyToken(secret: string, token: string, kind: TokenKind): TokenPayload | null {
  if (!tokenWorkspace(token) || token[0] !== kind) return null;
  const [body, mac] = token.split('.') as [string, string];
  const expected = Buffer.from(tag(secret, body));
  const given = Buffer.from(mac);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
  const bytes = Buffer.from(body.slice(1), 'base64url');
  return {
    kind, workspaceId: bytesUuid(bytes.subarray(0, 16)), sendId: bytesUuid(bytes.subarray(16, 32)),
    assetId: bytes.length >= 48 ? bytesUuid(bytes.subarray(32, 48)) : null,
  };
}
