import { sql, type Selectable } from 'kysely';
import type { AssetFacts } from '../core/content/content-coverage.rules.ts';
import { toContentAsset, type ContentAsset, type NewContentAsset } from './content.repo.ts';
import type { DbOrTrx } from './db.ts';
import { newId } from './ids.ts';
import type { ContentRatingTable } from './schema-nurture.ts';
import { keysetPage, keysetQuery, type Keyset, type Page, type PageRequest } from './page.ts';

const consumptionTypes = ['content_view', 'content_download', 'email_click'];

export type ContentAssetPatch = Partial<Omit<NewContentAsset, 'attributes'>> & { attributes?: Record<string, unknown> };

export async function updateContentAsset(db: DbOrTrx, workspaceId: string, id: string, p: ContentAssetPatch): Promise<ContentAsset | null> {
  const set: Record<string, unknown> = {};
  const map: [keyof ContentAssetPatch, string][] = [['title', 'title'], ['url', 'url'], ['urls', 'urls'], ['format', 'format'], ['buyingStage', 'buying_stage'],
    ['personas', 'personas'], ['topics', 'topics'], ['ownerId', 'owner_id'], ['publishedOn', 'published_on'], ['expiresOn', 'expires_on'], ['gated', 'gated']];
  for (const [k, col] of map) if (p[k] !== undefined) set[col] = p[k];
  if (p.attributes) set.attributes = sql`attributes || ${JSON.stringify(p.attributes)}::jsonb`;
  if (Object.keys(set).length === 0) {
    const row = await db.selectFrom('content_asset').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
    return row ? toContentAsset(row) : null;
  }
  const row = await db.updateTable('content_asset').set(set as any).where('workspace_id', '=', workspaceId).where('id', '=', id).returningAll().executeTakeFirst();
  return row ? toContentAsset(row) : null;
}

export type ContentRating = {
  id: string; assetId: string; rating: number; scale: 'stars' | 'thumbs'; comment: string | null; source: 'prospect' | 'sales';
  contactId: string | null; userId: string | null; at: Date;
};
const toRating = (r: Selectable<ContentRatingTable>): ContentRating => ({
  id: r.id, assetId: r.asset_id, rating: r.rating, scale: r.scale as ContentRating['scale'], comment: r.comment, source: r.source as ContentRating['source'],
  contactId: r.contact_id, userId: r.user_id, at: r.at,
});

export async function insertRating(db: DbOrTrx, workspaceId: string, r: Omit<ContentRating, 'id'>): Promise<ContentRating> {
  const row = await db.insertInto('content_rating').values({
    workspace_id: workspaceId, id: newId(r.at.getTime()), asset_id: r.assetId, rating: r.rating, scale: r.scale, comment: r.comment,
    source: r.source, contact_id: r.contactId, user_id: r.userId, at: r.at,
  }).returningAll().executeTakeFirstOrThrow();
  return toRating(row);
}

/**
 * A person's rating of an asset: one per user and asset (unique index), so rating again replaces
 * the rating, its scale, comment and time. `created`: false when an earlier rating was replaced.
 */
export async function upsertUserRating(db: DbOrTrx, workspaceId: string, r: Omit<ContentRating, 'id' | 'userId'> & { userId: string }): Promise<{ rating: ContentRating; created: boolean }> {
  const row = await db.insertInto('content_rating').values({
    workspace_id: workspaceId, id: newId(r.at.getTime()), asset_id: r.assetId, rating: r.rating, scale: r.scale, comment: r.comment,
    source: r.source, contact_id: r.contactId, user_id: r.userId, at: r.at,
  }).onConflict((oc) => oc.columns(['workspace_id', 'asset_id', 'user_id']).where('user_id', 'is not', null).doUpdateSet((eb) => ({
    rating: eb.ref('excluded.rating'), scale: eb.ref('excluded.scale'), comment: eb.ref('excluded.comment'), source: eb.ref('excluded.source'), at: eb.ref('excluded.at'),
  }))).returningAll().returning(sql<boolean>`xmax = 0`.as('inserted')).executeTakeFirstOrThrow();
  return { rating: toRating(row), created: row.inserted };
}

/** Many ratings in one statement (demo and bulk loads); ids from each rating's time. */
export async function insertRatings(db: DbOrTrx, workspaceId: string, rows: readonly Omit<ContentRating, 'id'>[]): Promise<number> {
  if (rows.length === 0) return 0;
  await db.insertInto('content_rating').values(rows.map((r) => ({
    workspace_id: workspaceId, id: newId(r.at.getTime()), asset_id: r.assetId, rating: r.rating, scale: r.scale, comment: r.comment,
    source: r.source, contact_id: r.contactId, user_id: r.userId, at: r.at,
  // A person rates an asset once (the generated feedback may pick one rep twice): the first stays.
  }))).onConflict((oc) => oc.columns(['workspace_id', 'asset_id', 'user_id']).where('user_id', 'is not', null).doNothing()).execute();
  return rows.length;
}

const ratingKeyset: Keyset<{ id: string }> = { id: 'id', idOf: (r) => r.id, direction: 'desc' };

/** A page of an asset's ratings, newest first. */
export async function listRatings(db: DbOrTrx, workspaceId: string, assetId: string, page: PageRequest): Promise<Page<ContentRating>> {
  const q = db.selectFrom('content_rating').selectAll().where('workspace_id', '=', workspaceId).where('asset_id', '=', assetId);
  return keysetPage(await keysetQuery(q, ratingKeyset, page).execute(), ratingKeyset, page.limit, toRating);
}

export type RatingSummary = { count: number; average: number | null; bySource: Record<'prospect' | 'sales', { count: number; average: number | null }> };

export async function ratingSummary(db: DbOrTrx, workspaceId: string, assetId: string): Promise<RatingSummary> {
  const rows = await db.selectFrom('content_rating').select(['source', (eb) => eb.fn.countAll<number>().as('n'), (eb) => eb.fn.avg<string>('rating').as('avg')])
    .where('workspace_id', '=', workspaceId).where('asset_id', '=', assetId).groupBy('source').execute();
  const of = (source: string) => rows.find((r) => r.source === source);
  const part = (source: string) => ({ count: Number(of(source)?.n ?? 0), average: of(source)?.avg ? round2(Number(of(source)!.avg)) : null });
  const count = rows.reduce((s, r) => s + Number(r.n), 0);
  const sum = rows.reduce((s, r) => s + Number(r.avg) * Number(r.n), 0);
  return { count, average: count ? round2(sum / count) : null, bySource: { prospect: part('prospect'), sales: part('sales') } };
}
const round2 = (x: number) => Math.round(x * 100) / 100;

/** Per asset: rating count and average, distinct consumers and the last consumption (audit and gap map input). */
export async function listAssetFacts(db: DbOrTrx, workspaceId: string): Promise<AssetFacts[]> {
  const rows = await db.selectFrom('content_asset as c').selectAll('c')
    .select(sql<number>`(SELECT count(*) FROM content_rating r WHERE r.workspace_id = c.workspace_id AND r.asset_id = c.id)`.as('rating_count'))
    .select(sql<string | null>`(SELECT avg(r.rating) FROM content_rating r WHERE r.workspace_id = c.workspace_id AND r.asset_id = c.id)`.as('rating_avg'))
    .select(sql<number>`(SELECT count(DISTINCT a.contact_id) FROM activity a WHERE a.workspace_id = c.workspace_id AND a.content_id = c.id AND a.type = ANY(${consumptionTypes}))`.as('consumers'))
    .select(sql<Date | null>`(SELECT max(a.occurred_at) FROM activity a WHERE a.workspace_id = c.workspace_id AND a.content_id = c.id AND a.type = ANY(${consumptionTypes}))`.as('last_consumed'))
    .where('c.workspace_id', '=', workspaceId).orderBy('c.id').execute();
  return rows.map((r) => ({
    id: r.id, title: r.title, stage: r.buying_stage, personas: r.personas, topics: r.topics, publishedOn: r.published_on, expiresOn: r.expires_on,
    createdAt: r.created_at, ratingCount: Number(r.rating_count), ratingAverage: r.rating_avg === null ? null : round2(Number(r.rating_avg)),
    consumers: Number(r.consumers), lastConsumedAt: r.last_consumed,
  }));
}

export type Consumption = { contactId: string; at: Date; lifecycleStage: string | null; persona: string | null };

/**
 * Every consumption of an asset with the consumer's lifecycle stage at that moment (the last
 * stage transition of their lead before it) and persona. Bounded: the newest 50,000.
 */
export async function listConsumptions(db: DbOrTrx, workspaceId: string, assetId: string): Promise<Consumption[]> {
  const rows = await db.selectFrom('activity as a')
    .innerJoin('contact as ct', (j) => j.onRef('ct.workspace_id', '=', 'a.workspace_id').onRef('ct.id', '=', 'a.contact_id'))
    .select(['a.contact_id', 'a.occurred_at', sql<string | null>`ct.attributes->>'persona'`.as('persona')])
    .select(sql<string | null>`(SELECT t.to_stage FROM stage_transition t JOIN lead l ON l.workspace_id = t.workspace_id AND l.id = t.lead_id
      WHERE l.workspace_id = a.workspace_id AND l.contact_id = a.contact_id AND t.at <= a.occurred_at ORDER BY t.at DESC, t.id DESC LIMIT 1)`.as('stage'))
    .where('a.workspace_id', '=', workspaceId).where('a.content_id', '=', assetId).where('a.type', 'in', consumptionTypes)
    .orderBy('a.occurred_at', 'desc').limit(50_000).execute();
  return rows.map((r) => ({ contactId: r.contact_id, at: r.occurred_at, lifecycleStage: r.stage, persona: r.persona }));
}

/** Forward moves (into mql … won) of the given contacts' leads: what content influence counts. */
export async function listProgressions(db: DbOrTrx, workspaceId: string, contactIds: readonly string[]): Promise<{ contactId: string; at: Date; toStage: string }[]> {
  if (contactIds.length === 0) return [];
  const rows = await db.selectFrom('stage_transition as t').innerJoin('lead as l', (j) => j.onRef('l.workspace_id', '=', 't.workspace_id').onRef('l.id', '=', 't.lead_id'))
    .select(['l.contact_id', 't.at', 't.to_stage']).where('t.workspace_id', '=', workspaceId).where('l.contact_id', 'in', [...contactIds])
    .where('t.to_stage', 'in', ['mql', 'sal', 'sql', 'opportunity', 'won']).execute();
  return rows.map((r) => ({ contactId: r.contact_id, at: r.at, toStage: r.to_stage }));
}

/** Distinct opportunities linked to the contacts (through their leads or a contact role), with amounts. */
export async function linkedOpportunities(db: DbOrTrx, workspaceId: string, contactIds: readonly string[]): Promise<{ id: string; amount: number; status: string }[]> {
  if (contactIds.length === 0) return [];
  const ids = [...contactIds];
  const rows = await db.selectFrom('opportunity as o').select(['o.id', 'o.amount', 'o.status']).where('o.workspace_id', '=', workspaceId)
    .where((eb) => eb.or([
      eb.exists(eb.selectFrom('opportunity_lead as ol').innerJoin('lead as l', (j) => j.onRef('l.workspace_id', '=', 'ol.workspace_id').onRef('l.id', '=', 'ol.lead_id'))
        .select('ol.lead_id').whereRef('ol.workspace_id', '=', 'o.workspace_id').whereRef('ol.opportunity_id', '=', 'o.id').where('l.contact_id', 'in', ids)),
      eb.exists(eb.selectFrom('opportunity_contact_role as r').select('r.contact_id')
        .whereRef('r.workspace_id', '=', 'o.workspace_id').whereRef('r.opportunity_id', '=', 'o.id').where('r.contact_id', 'in', ids)),
    ])).execute();
  return rows.map((r) => ({ id: r.id, amount: Number(r.amount), status: r.status }));
}

/** Contacts known by an anonymous id or an email (no identity is created here: that is capture's job). */
export async function findContactByIdentity(db: DbOrTrx, workspaceId: string, kind: 'anonymous_id' | 'email', value: string): Promise<string | null> {
  const row = await db.selectFrom('contact_identity').select('contact_id').where('workspace_id', '=', workspaceId).where('kind', '=', kind).where('value', '=', value).executeTakeFirst();
  if (row) return row.contact_id;
  if (kind !== 'email') return null;
  const c = await db.selectFrom('contact').select('id').where('workspace_id', '=', workspaceId).where('email', '=', value).executeTakeFirst();
  return c?.id ?? null;
}

export async function findAssetByUrl(db: DbOrTrx, workspaceId: string, url: string): Promise<string | null> {
  const row = await db.selectFrom('content_asset').select('id').where('workspace_id', '=', workspaceId)
    .where((eb) => eb.or([eb('url', '=', url), eb(sql.val(url), '=', eb.fn.any('urls'))])).executeTakeFirst();
  return row?.id ?? null;
}

export type AssetUsage = { ratingCount: number; ratingAverage: number | null; consumptions: number; consumers: number; lastConsumedAt: Date | null };

/**
 * Ratings and consumption of a page of assets: two grouped queries for the whole page (never one per
 * asset). Assets without ratings or consumption are absent from the map.
 */
export async function assetUsage(db: DbOrTrx, workspaceId: string, assetIds: readonly string[]): Promise<Map<string, AssetUsage>> {
  const out = new Map<string, AssetUsage>();
  if (assetIds.length === 0) return out;
  const ids = [...assetIds];
  const ratings = await db.selectFrom('content_rating').select(['asset_id', (eb) => eb.fn.countAll<string>().as('n'), (eb) => eb.fn.avg<string>('rating').as('avg')])
      .where('workspace_id', '=', workspaceId).where('asset_id', 'in', ids).groupBy('asset_id').execute();
  const uses = await db.selectFrom('activity').select(['content_id', (eb) => eb.fn.countAll<string>().as('n'), sql<string>`count(DISTINCT contact_id)`.as('people'), (eb) => eb.fn.max('occurred_at').as('last')])
      .where('workspace_id', '=', workspaceId).where('content_id', 'in', ids).where('type', 'in', consumptionTypes).groupBy('content_id').execute();
  const entry = (id: string) => {
    let e = out.get(id);
    if (!e) out.set(id, (e = { ratingCount: 0, ratingAverage: null, consumptions: 0, consumers: 0, lastConsumedAt: null }));
    return e;
  };
  for (const r of ratings) Object.assign(entry(r.asset_id), { ratingCount: Number(r.n), ratingAverage: r.avg === null ? null : round2(Number(r.avg)) });
  for (const u of uses) if (u.content_id) Object.assign(entry(u.content_id), { consumptions: Number(u.n), consumers: Number(u.people), lastConsumedAt: u.last ? new Date(u.last) : null });
  return out;
}
