import { sql } from 'kysely';
import type { DbOrTrx } from './db.ts';
import { newId } from './ids.ts';
import { changePage } from './change-feed.ts';
import { toPage, type Page, type PageRequest } from './page.ts';
import type { ContactTable } from './schema.ts';
import type { Selectable } from 'kysely';

export type Touch = { at: Date | null; source: string | null; medium: string | null; campaign: string | null };
export type Contact = {
  id: string; email: string | null; firstName: string | null; lastName: string | null; title: string | null;
  seniority: string | null; department: string | null; phone: string | null; country: string | null;
  accountId: string | null; ownerId: string | null; status: 'anonymous' | 'known' | 'merged'; mergedIntoId: string | null;
  attributes: Record<string, unknown>; consent: Record<string, unknown>; unsubscribedAt: Date | null;
  firstTouch: Touch; latestTouch: Touch; createdAt: Date; updatedAt: Date;
};

export function toContact(r: Selectable<ContactTable>): Contact {
  return {
    id: r.id, email: r.email, firstName: r.first_name, lastName: r.last_name, title: r.title, seniority: r.seniority,
    department: r.department, phone: r.phone, country: r.country, accountId: r.account_id, ownerId: r.owner_id,
    status: r.status as Contact['status'], mergedIntoId: r.merged_into_id, attributes: r.attributes, consent: r.consent,
    unsubscribedAt: r.unsubscribed_at,
    firstTouch: { at: r.first_touch_at, source: r.first_source, medium: r.first_medium, campaign: r.first_campaign },
    latestTouch: { at: r.latest_touch_at, source: r.latest_source, medium: r.latest_medium, campaign: r.latest_campaign },
    createdAt: r.created_at, updatedAt: r.updated_at,
  };
}

export type ContactFields = {
  email?: string | null; firstName?: string | null; lastName?: string | null; title?: string | null; seniority?: string | null;
  department?: string | null; phone?: string | null; country?: string | null; accountId?: string | null; ownerId?: string | null;
  attributes?: Record<string, unknown>; consent?: Record<string, unknown>; status?: Contact['status'];
};

function fieldsToRow(f: ContactFields) {
  const row: Record<string, unknown> = {};
  if (f.email !== undefined) row.email = f.email;
  if (f.firstName !== undefined) row.first_name = f.firstName;
  if (f.lastName !== undefined) row.last_name = f.lastName;
  if (f.title !== undefined) row.title = f.title;
  if (f.seniority !== undefined) row.seniority = f.seniority;
  if (f.department !== undefined) row.department = f.department;
  if (f.phone !== undefined) row.phone = f.phone;
  if (f.country !== undefined) row.country = f.country;
  if (f.accountId !== undefined) row.account_id = f.accountId;
  if (f.ownerId !== undefined) row.owner_id = f.ownerId;
  if (f.status !== undefined) row.status = f.status;
  return row;
}

export async function insertContact(db: DbOrTrx, workspaceId: string, input: ContactFields & { id?: string }): Promise<Contact> {
  const row = await db.insertInto('contact').values({
    workspace_id: workspaceId, id: input.id ?? newId(), ...fieldsToRow(input),
    attributes: JSON.stringify(input.attributes ?? {}), consent: JSON.stringify(input.consent ?? {}),
  } as any).returningAll().executeTakeFirstOrThrow();
  return toContact(row);
}

export async function getContact(db: DbOrTrx, workspaceId: string, id: string): Promise<Contact | null> {
  const row = await db.selectFrom('contact').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
  return row ? toContact(row) : null;
}

export async function findContactByEmail(db: DbOrTrx, workspaceId: string, email: string): Promise<Contact | null> {
  const row = await db.selectFrom('contact').selectAll().where('workspace_id', '=', workspaceId).where('email', '=', email).executeTakeFirst();
  return row ? toContact(row) : null;
}

export async function listContacts(db: DbOrTrx, workspaceId: string, filter: { email?: string; accountId?: string; q?: string }, page: PageRequest): Promise<Page<Contact>> {
  let query = db.selectFrom('contact').selectAll().where('workspace_id', '=', workspaceId).where('status', '!=', 'merged');
  if (filter.email) query = query.where('email', '=', filter.email);
  if (filter.accountId) query = query.where('account_id', '=', filter.accountId);
  if (filter.q) {
    const like = `%${filter.q.replace(/[\\%_]/g, (c) => '\\' + c)}%`;
    query = query.where((eb) => eb.or([eb('email', 'ilike', like), eb('first_name', 'ilike', like), eb('last_name', 'ilike', like)]));
  }
  if (page.changes) return changePage(db, query, 'contact', page.changes, page.limit, toContact);
  if (page.cursor) query = query.where('id', '<', page.cursor);
  const rows = await query.orderBy('id', 'desc').limit(page.limit + 1).execute();
  return toPage(rows, page.limit, toContact);
}

/** Updates the given fields; `attributes` are merged key by key (null deletes a key). */
export async function updateContact(db: DbOrTrx, workspaceId: string, id: string, patch: ContactFields): Promise<Contact | null> {
  const set: Record<string, unknown> = { ...fieldsToRow(patch), updated_at: sql`now()` };
  if (patch.attributes) set.attributes = sql`jsonb_strip_nulls(attributes || ${JSON.stringify(patch.attributes)}::jsonb)`;
  if (patch.consent) set.consent = sql`consent || ${JSON.stringify(patch.consent)}::jsonb`;
  const row = await db.updateTable('contact').set(set as any)
    .where('workspace_id', '=', workspaceId).where('id', '=', id).returningAll().executeTakeFirst();
  return row ? toContact(row) : null;
}

export async function countContacts(db: DbOrTrx, workspaceId: string): Promise<number> {
  const row = await db.selectFrom('contact').select((eb) => eb.fn.countAll<number>().as('n')).where('workspace_id', '=', workspaceId).executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Contacts by id, set-based (one query for a page of rows). */
export async function getContactsByIds(db: DbOrTrx, workspaceId: string, ids: readonly string[]): Promise<Contact[]> {
  if (ids.length === 0) return [];
  const rows = await db.selectFrom('contact').selectAll().where('workspace_id', '=', workspaceId).where('id', 'in', [...ids]).execute();
  return rows.map(toContact);
}
