import type { ReasonCode } from '../core/lifecycle.ts';
import { sql } from 'kysely';
import type { DbOrTrx } from './db.ts';
import { keyKeysetPage, keyKeysetQuery, type KeyKeyset, type Page, type PageRequest } from './page.ts';

const reasonKeyset: KeyKeyset = { keys: [{ expr: sql.ref('code'), type: 'text' }], direction: 'asc' };

/** A page of the reason codes by code (the primary key); cursor key1 [code]. */
export async function pageReasonCodes(db: DbOrTrx, workspaceId: string, page: PageRequest): Promise<Page<ReasonCode>> {
  const q = db.selectFrom('reason_code').selectAll().where('workspace_id', '=', workspaceId);
  return keyKeysetPage(await keyKeysetQuery(q, reasonKeyset, page).execute(), reasonKeyset, page.limit,
    (r) => ({ code: r.code, label: r.label, outcome: r.outcome as ReasonCode['outcome'] }));
}

export async function listReasonCodes(db: DbOrTrx, workspaceId: string): Promise<ReasonCode[]> {
  const rows = await db.selectFrom('reason_code').selectAll().where('workspace_id', '=', workspaceId).orderBy('code').execute();
  return rows.map((r) => ({ code: r.code, label: r.label, outcome: r.outcome as ReasonCode['outcome'] }));
}

export async function upsertReasonCodes(db: DbOrTrx, workspaceId: string, codes: readonly ReasonCode[]): Promise<void> {
  if (codes.length === 0) return;
  await db.insertInto('reason_code')
    .values(codes.map((c) => ({ workspace_id: workspaceId, code: c.code, label: c.label, outcome: c.outcome })))
    .onConflict((oc) => oc.columns(['workspace_id', 'code']).doUpdateSet((eb) => ({ label: eb.ref('excluded.label'), outcome: eb.ref('excluded.outcome') })))
    .execute();
}
