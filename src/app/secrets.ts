import { createHash, randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';

const scrypt = promisify(scryptCb) as (password: string, salt: Buffer, keylen: number, options: object) => Promise<Buffer>;
// OWASP-recommended scrypt cost for interactive logins (N=2^15, r=8, p=1).
const SCRYPT = { N: 32768, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, 32, SCRYPT);
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, key] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !key) return false;
  const expected = Buffer.from(key, 'base64');
  const actual = await scrypt(password, Buffer.from(salt, 'base64'), expected.length, { N: Number(n), r: Number(r), p: Number(p), maxmem: SCRYPT.maxmem });
  return timingSafeEqual(expected, actual);
}

/**
 * API keys and session tokens are 32 random bytes: a fast SHA-256 is enough to store them
 * (no dictionary to attack), and it keeps key checks cheap on the ingestion hot path.
 */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function newApiKeySecret(): { key: string; prefix: string } {
  const prefix = randomBytes(4).toString('hex');
  return { key: `ll_${prefix}_${randomBytes(24).toString('base64url')}`, prefix };
}

export function newSessionToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * The CSRF token of a web session: derived from the session token (which is httpOnly, so a page of
 * another origin can never read or compute it), so it needs no storage and dies with the session.
 */
export function csrfTokenFor(sessionToken: string): string {
  return createHash('sha256').update(`leadloop-csrf\0${sessionToken}`).digest('base64url');
}

/** Constant-time comparison of two strings (tokens). */
export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Single-use tokens mailed in reset and invitation links: 32 random bytes, stored as SHA-256. */
export function newLinkToken(): string {
  return randomBytes(32).toString('base64url');
}
