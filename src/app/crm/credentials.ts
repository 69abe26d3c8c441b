import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { fail, ok, type Result } from '../../core/result.ts';

/**
 * CRM credentials are stored encrypted: AES-256-GCM with a 32-byte key from the environment
 * (LEADLOOP_SECRET_KEY, base64 or hex), a fresh 12-byte nonce per write, the workspace and provider
 * as associated data (a ciphertext copied to another workspace's row does not decrypt).
 * Stored form: `v1.<nonce>.<tag>.<ciphertext>` (base64url). The key never reaches the database.
 */
export type SecretKey = { key: Buffer };

export function parseSecretKey(value: string | undefined): Result<SecretKey> {
  const howTo = 'Set LEADLOOP_SECRET_KEY to 32 random bytes, base64 or hex (e.g. `openssl rand -base64 32`), and keep it: credentials saved under one key cannot be read with another.';
  if (!value) return fail('Conflict', `CRM credentials need an encryption key. ${howTo}`, [{ path: 'LEADLOOP_SECRET_KEY', message: 'not set' }]);
  const key = /^[0-9a-fA-F]{64}$/.test(value) ? Buffer.from(value, 'hex') : Buffer.from(value, 'base64');
  if (key.length !== 32) return fail('Conflict', `LEADLOOP_SECRET_KEY is ${key.length} bytes, not 32. ${howTo}`, [{ path: 'LEADLOOP_SECRET_KEY', message: 'wrong length' }]);
  return ok({ key });
}

const aad = (workspaceId: string, provider: string) => Buffer.from(`leadloop-crm:${workspaceId}:${provider}`);

export function sealCredentials(secret: SecretKey, workspaceId: string, provider: string, credentials: Record<string, unknown>): string {
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', secret.key, nonce);
  cipher.setAAD(aad(workspaceId, provider));
  const body = Buffer.concat([cipher.update(JSON.stringify(credentials), 'utf8'), cipher.final()]);
  return ['v1', nonce.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
}

export function openCredentials<T>(secret: SecretKey, workspaceId: string, provider: string, sealed: string): Result<T> {
  const [version, nonce, tag, body] = sealed.split('.');
  if (version !== 'v1' || !nonce || !tag || body === undefined) return fail('Conflict', 'Stored CRM credentials are unreadable; connect the CRM again.');
  try {
    const decipher = createDecipheriv('aes-256-gcm', secret.key, Buffer.from(nonce, 'base64url'));
    decipher.setAAD(aad(workspaceId, provider));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    const plain = Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
    return ok(JSON.parse(plain) as T);
  } catch {
    return fail('Conflict', 'Stored CRM credentials cannot be decrypted with the current LEADLOOP_SECRET_KEY (was the key changed?); connect the CRM again.');
  }
}
