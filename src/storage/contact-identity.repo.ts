import type { DbOrTrx } from './db.ts';
import './schema-capture.ts';

export type ContactIdentity = { kind: string; value: string; createdAt: Date };
export type ContactMergeEntry = { id: string; winnerId: string; loserId: string; cause: string; via: string | null; messageId: string | null; at: Date };
export type IdentityConflictEntry = {
  id: string; contactId: string; contactEmail: string | null; otherContactId: string | null; otherContactEmail: string | null;
  kind: string; value: string; reason: string; messageId: string | null; at: Date;
};

/** How many log rows of each kind the identity view returns (newest first): a contact page, not an export. */
const logLimit = 200;

/** The identities (anonymous ids, user ids, emails) bound to a contact now, oldest first. */
export async function listContactIdentities(db: DbOrTrx, workspaceId: string, contactId: string): Promise<ContactIdentity[]> {
  const rows = await db.selectFrom('contact_identity').select(['kind', 'value', 'created_at'])
    .where('workspace_id', '=', workspaceId).where('contact_id', '=', contactId).orderBy('created_at').orderBy('kind').orderBy('value').execute();
  return rows.map((r) => ({ kind: r.kind, value: r.value, createdAt: r.created_at }));
}

/** Merges the contact took part in, as winner or loser, newest first. */
export async function listContactMerges(db: DbOrTrx, workspaceId: string, contactId: string): Promise<ContactMergeEntry[]> {
  const rows = await db.selectFrom('contact_merge').selectAll().where('workspace_id', '=', workspaceId)
    .where((eb) => eb.or([eb('winner_id', '=', contactId), eb('loser_id', '=', contactId)]))
    .orderBy('at', 'desc').orderBy('id', 'desc').limit(logLimit).execute();
  return rows.map((r) => {
    const d = (r.details ?? {}) as { via?: unknown; message_id?: unknown };
    return {
      id: r.id, winnerId: r.winner_id, loserId: r.loser_id, cause: r.cause, at: r.at,
      via: typeof d.via === 'string' ? d.via : null, messageId: typeof d.message_id === 'string' ? d.message_id : null,
    };
  });
}

/** Identity conflicts naming the contact on either side, newest first, with both parties' emails. */
export async function listContactConflicts(db: DbOrTrx, workspaceId: string, contactId: string): Promise<IdentityConflictEntry[]> {
  const rows = await db.selectFrom('identity_conflict as x')
    .leftJoin('contact as c', (j) => j.onRef('c.workspace_id', '=', 'x.workspace_id').onRef('c.id', '=', 'x.contact_id'))
    .leftJoin('contact as o', (j) => j.onRef('o.workspace_id', '=', 'x.workspace_id').onRef('o.id', '=', 'x.other_contact_id'))
    .select(['x.id', 'x.contact_id', 'x.other_contact_id', 'x.kind', 'x.value', 'x.reason', 'x.message_id', 'x.at', 'c.email as contact_email', 'o.email as other_email'])
    .where('x.workspace_id', '=', workspaceId)
    .where((eb) => eb.or([eb('x.contact_id', '=', contactId), eb('x.other_contact_id', '=', contactId)]))
    .orderBy('x.at', 'desc').orderBy('x.id', 'desc').limit(logLimit).execute();
  return rows.map((r) => ({
    id: r.id, contactId: r.contact_id, contactEmail: r.contact_email, otherContactId: r.other_contact_id, otherContactEmail: r.other_email,
    kind: r.kind, value: r.value, reason: r.reason, messageId: r.message_id, at: new Date(r.at as unknown as string | Date),
  }));
}
