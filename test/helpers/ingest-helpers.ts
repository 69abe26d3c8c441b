import { gzipSync } from 'node:zlib';
import type { TestApp } from './test-app.ts';

export const json = (r: { body: string }) => JSON.parse(r.body);
export const basic = (key: string) => `Basic ${Buffer.from(`${key}:`).toString('base64')}`;

/** Sends a Segment HTTP API request the way the SDKs do (Basic auth with the write key). */
export function segment(t: TestApp, path: string, body: unknown, options: { gzip?: boolean; key?: string; raw?: string; headers?: Record<string, string> } = {}) {
  const payload = options.raw ?? JSON.stringify(body);
  return t.app.inject({
    method: 'POST', url: path,
    headers: {
      authorization: basic(options.key ?? t.keys.ingest), 'content-type': 'application/json',
      ...(options.gzip ? { 'content-encoding': 'gzip' } : {}), ...options.headers,
    },
    payload: options.gzip ? gzipSync(payload) : payload,
  });
}

export async function contactByEmail(t: TestApp, email: string) {
  const r = json(await t.api('GET', `/api/v1/contacts?email=${encodeURIComponent(email)}`, undefined, t.keys.read));
  return r.data[0] as { id: string; email: string; status: string; account_id: string | null; first_touch: any; latest_touch: any; consent: any; first_name: string | null; attributes: any } | undefined;
}

export async function activitiesOf(t: TestApp, contactId: string) {
  return json(await t.api('GET', `/api/v1/contacts/${contactId}/activities?limit=500`, undefined, t.keys.read)).data as any[];
}

export async function contactOfAnonymous(t: TestApp, anonymousId: string): Promise<string | undefined> {
  const row = await t.db.selectFrom('contact_identity').select('contact_id').where('workspace_id', '=', t.workspace.id)
    .where('kind', '=', 'anonymous_id').where('value', '=', anonymousId).executeTakeFirst();
  return row?.contact_id;
}
