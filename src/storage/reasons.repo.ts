import type { ReasonCode } from '../core/lifecycle.ts';
import type { DbOrTrx } from './db.ts';

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
