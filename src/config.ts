import ipaddr from 'ipaddr.js';
import { z } from 'zod';
import { parseAllowlist, type OutboundAllowlist } from './core/webhooks/target.rules.ts';

/**
 * Every setting Leadloop reads, in one place: described, defaulted, secrets flagged.
 * Parsed once in the composition root and passed down; nothing writes back into process.env.
 */
const boolish = z
  .enum(['0', '1', 'true', 'false', 'yes', 'no'])
  .transform((v) => v === '1' || v === 'true' || v === 'yes');

export const configSchema = z.object({
  DATABASE_URL: z.string().url().optional().describe('PostgreSQL (>= 15) connection URL. Unset: the embedded PostgreSQL is used. Secret.'),
  REPORTS_DATABASE_URL: z.string().url().optional().describe('A read-only streaming replica of DATABASE_URL that reports read from, so heavy reports never compete with ingestion. Each report states which database answered and the replica\'s lag. Unset: reports read DATABASE_URL. Secret.'),
  LEADLOOP_DATA_DIR: z.string().default('./.leadloop').describe('Folder for the embedded PostgreSQL data and local state.'),
  LEADLOOP_EMBEDDED_PORT: z.coerce.number().int().min(1024).max(65535).default(54329).describe('Port of the embedded PostgreSQL (127.0.0.1 only).'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000).describe('HTTP port.'),
  HOST: z.string().default('127.0.0.1').describe('HTTP bind address. Use 0.0.0.0 to listen on all interfaces.'),
  PUBLIC_URL: z.string().url().optional().describe('Public base URL used in links (alerts, emails, snippet). Default: http://HOST:PORT.'),
  LEADLOOP_DEMO: boolish.default(true).describe('Load the demo workspace on an empty database (0 to skip).'),
  LEADLOOP_DEMO_PASSWORD: z.string().min(1).default('demo').describe('Password of the demo users. Secret.'),
  LEADLOOP_DEMO_CONTACTS: z.coerce.number().int().min(0).max(1_000_000).default(1000).describe('Contacts generated for the demo workspace (its year of traffic goes through the public doors: ~1 min for 1000).'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info').describe('Log level.'),
  LEADLOOP_SESSION_TTL_HOURS: z.coerce.number().int().min(1).default(24 * 14).describe('How long a web login stays valid.'),
  SMTP_URL: z.string().regex(/^smtps?:\/\//, 'must start with smtp:// or smtps://').optional().describe('SMTP server for alerts and nurture email, e.g. smtp://user:pass@mail.example.com:587. Unset: email is recorded but not sent. Secret.'),
  SMTP_FROM: z.string().default('Leadloop <leadloop@localhost>').describe('From address of outgoing email.'),
  LEADLOOP_SECRET_KEY: z.string().optional().describe('32 random bytes (base64 or hex, e.g. `openssl rand -base64 32`) encrypting CRM credentials at rest (AES-256-GCM). Unset: CRM connectors cannot be connected. Keep it: credentials saved under one key cannot be read with another. Secret.'),
  LEADLOOP_OUTBOUND_ALLOW: z.string().default('').refine((v) => parseAllowlist(v.split(',')).ok, { message: 'list CIDR ranges (10.0.0.0/8), addresses or host names, separated by commas' })
    .describe('Internal targets webhooks may call anyway (comma-separated CIDR ranges, addresses or host names). Default: none: loopback, private, link-local and metadata addresses are refused.'),
  LEADLOOP_OIDC_ISSUER: z.string().url().optional().describe('OpenID Connect provider for single sign-on (issuer URL, e.g. https://accounts.google.com). Users are matched by verified email. Unset: password sign-in only.'),
  LEADLOOP_OIDC_CLIENT_ID: z.string().optional().describe('Client id Leadloop is registered under at the OpenID provider (redirect URI: PUBLIC_URL/api/v1/auth/oidc/callback).'),
  LEADLOOP_OIDC_CLIENT_SECRET: z.string().optional().describe('Client secret at the OpenID provider. Secret.'),
  LEADLOOP_OIDC_NAME: z.string().default('single sign-on').describe('Label of the sign-in button: "Sign in with <name>".'),
  LEADLOOP_TRUSTED_PROXIES: z.string().default('')
    .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean))
    .refine((list) => list.every((a) => ipaddr.isValid(a) || isCidr(a)), 'must be a comma-separated list of IP addresses or CIDR ranges, e.g. 10.0.0.1,192.168.0.0/16')
    .describe('Reverse proxies (IPs or CIDR ranges, comma-separated) whose X-Forwarded-For header is believed. Default none: the client address is the connection\'s, so a forged header cannot dodge rate limits. Behind a proxy, name it here.'),
  LEADLOOP_RATE_LIMITS: z.string().default('')
    .transform((v) => Object.fromEntries(v.split(',').map((s) => s.trim()).filter(Boolean).map((pair) => {
      const [name, n] = pair.split('=').map((x) => x.trim());
      return [name ?? '', Number(n)];
    })) as Record<string, number>)
    .refine((limits) => Object.entries(limits).every(([name, n]) => rateLimitDoors.includes(name) && Number.isInteger(n) && n > 0),
      `must be door=requests-per-minute pairs, e.g. forms=120,ingest=20000; doors: ${['ingest', 'forms', 'ratings', 'links', 'auth'].join(', ')}`)
    .describe('Per-address requests a minute on the public doors, overriding the defaults (ingest=6000, forms=60, ratings=60, links=300, auth=60), e.g. ingest=20000 for a CDP forwarding from one address.'),
  LEADLOOP_WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4).describe('Jobs run in parallel by the worker.'),
  LEADLOOP_WORKER_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9464).describe('Port of the `work` process\'s GET /metrics (on HOST; a key with the metrics scope). 0 turns it off. `start` and `serve` answer /metrics on PORT.'),
});

const rateLimitDoors = ['ingest', 'forms', 'ratings', 'links', 'auth'];

function isCidr(value: string): boolean {
  try { ipaddr.parseCIDR(value); return true; } catch { return false; }
}

export type Config = z.infer<typeof configSchema>;

/** Secrets that must never be printed; used by the config table in the README and by log redaction. */
export const secretSettings = ['DATABASE_URL', 'REPORTS_DATABASE_URL', 'LEADLOOP_DEMO_PASSWORD', 'SMTP_URL', 'LEADLOOP_SECRET_KEY', 'LEADLOOP_OIDC_CLIENT_SECRET'] as const;

export type ConfigResult = { ok: true; config: Config } | { ok: false; message: string };

/** Parses settings from an environment-like object, answering with every problem and how to fix it. */
export function parseConfig(env: Record<string, string | undefined>): ConfigResult {
  const picked: Record<string, string> = {};
  for (const key of Object.keys(configSchema.shape)) {
    const value = env[key];
    if (value !== undefined && value !== '') picked[key] = value;
  }
  const parsed = configSchema.safeParse(picked);
  if (parsed.success) return { ok: true, config: parsed.data };
  const lines = parsed.error.issues.map((issue) => {
    const key = String(issue.path[0] ?? '?');
    const description = configSchema.shape[key as keyof typeof configSchema.shape]?.description ?? '';
    return `  ${key}: ${issue.message}. ${description}`;
  });
  return { ok: false, message: `Invalid configuration:\n${lines.join('\n')}` };
}

export function publicUrl(config: Config): string {
  if (config.PUBLIC_URL) return config.PUBLIC_URL.replace(/\/$/, '');
  const host = config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST;
  return `http://${host}:${config.PORT}`;
}

/** The outbound allowlist the setting names (validated by the schema). */
export function outboundAllowlist(config: Pick<Config, 'LEADLOOP_OUTBOUND_ALLOW'>): OutboundAllowlist {
  const parsed = parseAllowlist(config.LEADLOOP_OUTBOUND_ALLOW.split(','));
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.value;
}
