import type { Selectable } from 'kysely';
import { toStorableString } from '../core/storable.rules.ts';
import type { DbOrTrx } from './db.ts';
import { newId } from './ids.ts';
import { toPage, type Page, type PageRequest } from './page.ts';
import type { DeadLetterTable } from './schema-capture.ts';

/** An event we could not store as an activity, kept with the reason so that nothing is lost silently. */
export type DeadLetter = {
  id: string; receivedAt: Date; channel: string; stage: string; reason: string; messageId: string | null;
  messageType: string | null; details: { path: string; message: string }[]; payload: unknown;
};
export type NewDeadLetter = Omit<DeadLetter, 'id' | 'receivedAt'>;

const toDeadLetter = (r: Selectable<DeadLetterTable>): DeadLetter => ({
  id: r.id, receivedAt: r.received_at, channel: r.channel, stage: r.stage, reason: r.reason, messageId: r.message_id,
  messageType: r.message_type, details: r.details as DeadLetter['details'], payload: r.payload,
});

// A dead letter keeps at most this much of the original message (an oversized one is the reason itself).
const MAX_PAYLOAD_CHARS = 64 * 1024;

export async function insertDeadLetters(db: DbOrTrx, workspaceId: string, rows: NewDeadLetter[], receivedAt: Date): Promise<void> {
  if (rows.length === 0) return;
  await db.insertInto('dead_letter').values(rows.map((r) => {
    let payload = JSON.stringify(r.payload ?? null);
    if (payload.length > MAX_PAYLOAD_CHARS) payload = JSON.stringify({ truncated: true, head: toStorableString(payload, MAX_PAYLOAD_CHARS) }); // never half a surrogate pair
    return {
      workspace_id: workspaceId, id: newId(receivedAt.getTime()), received_at: receivedAt, channel: r.channel, stage: r.stage,
      reason: r.reason, message_id: r.messageId?.slice(0, 200) ?? null, message_type: r.messageType?.slice(0, 50) ?? null,
      details: JSON.stringify(r.details), payload,
    };
  })).execute();
}

export async function listDeadLetters(db: DbOrTrx, workspaceId: string, filter: { reason?: string }, page: PageRequest): Promise<Page<DeadLetter>> {
  let query = db.selectFrom('dead_letter').selectAll().where('workspace_id', '=', workspaceId);
  if (filter.reason) query = query.where('reason', '=', filter.reason);
  if (page.cursor) query = query.where('id', '<', page.cursor);
  const rows = await query.orderBy('id', 'desc').limit(page.limit + 1).execute();
  return toPage(rows, page.limit, toDeadLetter);
}
