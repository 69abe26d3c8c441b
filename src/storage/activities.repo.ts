import type { Selectable } from 'kysely';
import type { DbOrTrx } from './db.ts';
import { newId } from './ids.ts';
import { toPage, type Page, type PageRequest } from './page.ts';
import type { ActivityTable } from './schema.ts';

export type Activity = {
  id: string; contactId: string; type: string; occurredAt: Date; receivedAt: Date; source: string | null; medium: string | null;
  campaignId: string | null; utmCampaign: string | null; contentId: string | null; url: string | null; referrer: string | null;
  eventName: string | null; properties: Record<string, unknown>; actorUserId: string | null; idempotencyKey: string | null;
};

export function toActivity(r: Selectable<ActivityTable>): Activity {
  return {
    id: r.id, contactId: r.contact_id, type: r.type, occurredAt: r.occurred_at, receivedAt: r.received_at, source: r.source,
    medium: r.medium, campaignId: r.campaign_id, utmCampaign: r.utm_campaign, contentId: r.content_id, url: r.url,
    referrer: r.referrer, eventName: r.event_name, properties: r.properties, actorUserId: r.actor_user_id,
    idempotencyKey: r.idempotency_key,
  };
}

export type NewActivity = Omit<Activity, 'id' | 'receivedAt'> & { id?: string };

export function activityRow(workspaceId: string, a: NewActivity) {
  return {
    workspace_id: workspaceId, id: a.id ?? newId(a.occurredAt.getTime()), contact_id: a.contactId, type: a.type,
    occurred_at: a.occurredAt, source: a.source, medium: a.medium, campaign_id: a.campaignId, utm_campaign: a.utmCampaign,
    content_id: a.contentId, url: a.url, referrer: a.referrer, event_name: a.eventName,
    properties: JSON.stringify(a.properties), actor_user_id: a.actorUserId, idempotency_key: a.idempotencyKey,
  };
}

/** Appends an activity; returns null when one with the same idempotency key already exists. */
export async function insertActivity(db: DbOrTrx, workspaceId: string, a: NewActivity): Promise<Activity | null> {
  const row = await db.insertInto('activity').values(activityRow(workspaceId, a))
    .onConflict((oc) => oc.columns(['workspace_id', 'idempotency_key']).where('idempotency_key', 'is not', null).doNothing())
    .returningAll().executeTakeFirst();
  return row ? toActivity(row) : null;
}

export async function listActivitiesForContact(db: DbOrTrx, workspaceId: string, contactId: string, page: PageRequest): Promise<Page<Activity>> {
  let query = db.selectFrom('activity').selectAll().where('workspace_id', '=', workspaceId).where('contact_id', '=', contactId);
  if (page.cursor) query = query.where('id', '<', page.cursor);
  const rows = await query.orderBy('id', 'desc').limit(page.limit + 1).execute();
  return toPage(rows, page.limit, toActivity);
}
