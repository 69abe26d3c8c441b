import type { Selectable } from 'kysely';
import type { DbOrTrx } from './db.ts';
import { newId } from './ids.ts';
import { toPage, type Page, type PageRequest } from './page.ts';
import type { ContentAssetTable } from './schema.ts';

export type ContentAsset = {
  id: string; title: string; url: string | null; urls: string[]; format: string; buyingStage: string | null;
  personas: string[]; topics: string[]; ownerId: string | null; publishedOn: string | null; expiresOn: string | null;
  gated: boolean; attributes: Record<string, unknown>; createdAt: Date;
};

export const toContentAsset = (r: Selectable<ContentAssetTable>): ContentAsset => ({
  id: r.id, title: r.title, url: r.url, urls: r.urls, format: r.format, buyingStage: r.buying_stage, personas: r.personas,
  topics: r.topics, ownerId: r.owner_id, publishedOn: r.published_on, expiresOn: r.expires_on, gated: r.gated,
  attributes: r.attributes, createdAt: r.created_at,
});

export type NewContentAsset = Omit<ContentAsset, 'id' | 'createdAt' | 'attributes'> & { attributes?: Record<string, unknown> };

export async function insertContentAsset(db: DbOrTrx, workspaceId: string, c: NewContentAsset): Promise<ContentAsset> {
  const row = await db.insertInto('content_asset').values({
    workspace_id: workspaceId, id: newId(), title: c.title, url: c.url, urls: c.urls, format: c.format, buying_stage: c.buyingStage,
    personas: c.personas, topics: c.topics, owner_id: c.ownerId, published_on: c.publishedOn, expires_on: c.expiresOn,
    gated: c.gated, attributes: JSON.stringify(c.attributes ?? {}),
  }).returningAll().executeTakeFirstOrThrow();
  return toContentAsset(row);
}

export async function getContentAsset(db: DbOrTrx, workspaceId: string, id: string): Promise<ContentAsset | null> {
  const row = await db.selectFrom('content_asset').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
  return row ? toContentAsset(row) : null;
}

export async function listContentAssets(db: DbOrTrx, workspaceId: string, filter: { buyingStage?: string }, page: PageRequest): Promise<Page<ContentAsset>> {
  let query = db.selectFrom('content_asset').selectAll().where('workspace_id', '=', workspaceId);
  if (filter.buyingStage) query = query.where('buying_stage', '=', filter.buyingStage);
  if (page.cursor) query = query.where('id', '<', page.cursor);
  const rows = await query.orderBy('id', 'desc').limit(page.limit + 1).execute();
  return toPage(rows, page.limit, toContentAsset);
}

export async function listAllContentAssets(db: DbOrTrx, workspaceId: string): Promise<ContentAsset[]> {
  const rows = await db.selectFrom('content_asset').selectAll().where('workspace_id', '=', workspaceId).execute();
  return rows.map(toContentAsset);
}
