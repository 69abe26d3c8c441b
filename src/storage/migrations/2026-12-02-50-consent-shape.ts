import { sql, type Kysely } from 'kysely';

/**
 * Frozen. Rewrites stored `contact.consent` from the shapes doors used to write into one record per
 * purpose (`{status, source, at, basis}` under email_marketing, sales_email, sales_call, tracking):
 *   `email: false` / `email: true` (+ `email_consent_at`), `{granted: bool, at, source}` under any
 *   alias (email, marketing, newsletter → email_marketing; sales → both sales channels; phone/call →
 *   sales_call; analytics/tracking/profiling → tracking), and `unsubscribed_at` (a withdrawal).
 * Where several old keys name one purpose the stricter wins, as the old check did (any `false` blocked).
 * Keys it does not recognise are kept untouched (readers ignore them), `email_bounced_at` stays.
 * The mapping is copied here on purpose: migrations never import app code.
 */
type Rec = { status: 'granted' | 'refused' | 'withdrawn'; source: string; at: string; basis: string };

const aliases: Record<string, string[]> = {
  email_marketing: ['email_marketing'], email: ['email_marketing'], marketing: ['email_marketing'], newsletter: ['email_marketing'],
  marketing_email: ['email_marketing'], sales: ['sales_email', 'sales_call'], sales_contact: ['sales_email', 'sales_call'],
  sales_email: ['sales_email'], sales_call: ['sales_call'], phone: ['sales_call'], call: ['sales_call'],
  tracking: ['tracking'], profiling: ['tracking'], analytics: ['tracking'],
};
const yes = new Set(['yes', 'y', 'true', 'on', '1', 'granted']);
const no = new Set(['no', 'n', 'false', 'off', '0', 'refused']);

function statusOf(v: unknown): Rec['status'] | null {
  if (v === true) return 'granted';
  if (v === false) return 'refused';
  if (typeof v === 'string') {
    const s = v.trim().toLowerCase();
    if (s === 'withdrawn') return 'withdrawn';
    return yes.has(s) ? 'granted' : no.has(s) ? 'refused' : null;
  }
  return null;
}
const iso = (v: unknown): string | null => {
  if (typeof v !== 'string' && !(v instanceof Date)) return null;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
};
const stricter = (a: Rec | undefined, b: Rec): Rec => {
  if (!a) return b;
  if ((a.status === 'granted') !== (b.status === 'granted')) return a.status === 'granted' ? b : a;
  return Date.parse(b.at) > Date.parse(a.at) ? b : a;
};

export function mapLegacyConsent(old: Record<string, unknown>, unsubscribedAt: Date | null, updatedAt: Date): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const recs: Record<string, Rec> = {};
  const fallbackAt = updatedAt.toISOString();
  for (const [key, value] of Object.entries(old)) {
    const purposes = aliases[key.toLowerCase()];
    if (!purposes) {
      if (key !== 'email_consent_at') out[key] = value;
      continue;
    }
    let rec: Rec | null = null;
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      const v = value as Record<string, unknown>;
      const status = typeof v.status === 'string' && ['granted', 'refused', 'withdrawn'].includes(v.status) ? v.status as Rec['status'] : statusOf(v.granted);
      if (status) rec = { status, source: typeof v.source === 'string' ? v.source : 'legacy', at: iso(v.at) ?? fallbackAt, basis: typeof v.basis === 'string' ? v.basis : 'consent' };
    } else {
      const status = statusOf(value);
      const at = (key === 'email' && status === 'granted' ? iso(old.email_consent_at) : null) ?? fallbackAt;
      if (status) rec = { status, source: 'legacy', at, basis: 'consent' };
    }
    if (!rec) { out[key] = value; continue; }
    for (const p of purposes) recs[p] = stricter(recs[p], rec);
  }
  if (unsubscribedAt) {
    const cur = recs.email_marketing;
    if (!cur || cur.status === 'granted') {
      const at = cur && Date.parse(cur.at) > unsubscribedAt.getTime() ? cur.at : unsubscribedAt.toISOString();
      recs.email_marketing = { status: 'withdrawn', source: 'unsubscribe', at, basis: 'consent' };
    }
  }
  return { ...out, ...recs };
}

const BATCH = 1000;

export async function up(db: Kysely<any>): Promise<void> {
  type Row = { workspace_id: string; id: string; consent: Record<string, unknown>; unsubscribed_at: Date | null; updated_at: Date };
  let after: { ws: string; id: string } | null = null;
  for (;;) {
    const rows: Row[] = (await sql<Row>`
      SELECT workspace_id, id, consent, unsubscribed_at, updated_at FROM contact
      WHERE (consent <> '{}'::jsonb OR unsubscribed_at IS NOT NULL)
        ${after ? sql`AND (workspace_id, id) > (${after.ws}::uuid, ${after.id}::uuid)` : sql``}
      ORDER BY workspace_id, id LIMIT ${BATCH}`.execute(db)).rows;
    if (rows.length === 0) return;
    const data = rows.map((r) => ({ workspace_id: r.workspace_id, id: r.id, consent: mapLegacyConsent(r.consent ?? {}, r.unsubscribed_at, r.updated_at) }));
    await sql`UPDATE contact c SET consent = t.consent
      FROM jsonb_to_recordset(${JSON.stringify(data)}::jsonb) AS t(workspace_id uuid, id uuid, consent jsonb)
      WHERE c.workspace_id = t.workspace_id AND c.id = t.id`.execute(db);
    const last: Row = rows[rows.length - 1]!;
    after = { ws: last.workspace_id, id: last.id };
  }
}
