import type { DbOrTrx } from './db.ts';
import { toPage, type Page, type PageRequest } from './page.ts';
import './schema-nurture.ts';

/** A rating a contact gave a content asset (from the tracking snippet), with the asset's title. */
export type ContactContentRating = {
  id: string; assetId: string; assetTitle: string; assetFormat: string; rating: number; scale: 'stars' | 'thumbs';
  comment: string | null; at: Date;
};

/** The ratings a contact gave, newest first (cursor on the time-ordered id); one query joining the asset. */
export async function listContactContentRatings(db: DbOrTrx, workspaceId: string, contactId: string, page: PageRequest): Promise<Page<ContactContentRating>> {
  let q = db.selectFrom('content_rating as r')
    .innerJoin('content_asset as c', (j) => j.onRef('c.workspace_id', '=', 'r.workspace_id').onRef('c.id', '=', 'r.asset_id'))
    .select(['r.id', 'r.asset_id', 'c.title', 'c.format', 'r.rating', 'r.scale', 'r.comment', 'r.at'])
    .where('r.workspace_id', '=', workspaceId).where('r.contact_id', '=', contactId);
  if (page.cursor) q = q.where('r.id', '<', page.cursor);
  const rows = await q.orderBy('r.id', 'desc').limit(page.limit + 1).execute();
  return toPage(rows, page.limit, (r) => ({
    id: r.id, assetId: r.asset_id, assetTitle: r.title, assetFormat: r.format, rating: r.rating, scale: r.scale as ContactContentRating['scale'],
    comment: r.comment, at: r.at,
  }));
}
