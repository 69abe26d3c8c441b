import { sql } from 'kysely';
import type { DbOrTrx } from './db.ts';

/**
 * What the definition editor's pickers offer: content assets by title, forms seen in submissions,
 * declared custom fields with their labels, and attribute keys seen on contacts and accounts.
 */

export type PickerContent = { id: string; title: string; format: string; buyingStage: string | null; topics: string[]; url: string | null };
export type PickerForm = { id: string; submissions: number; pageUrl: string | null };
export type PickerField = { entity: 'contact' | 'account'; key: string; label: string | null; type: string | null };

export async function listPickerContent(db: DbOrTrx, workspaceId: string): Promise<PickerContent[]> {
  const rows = await db.selectFrom('content_asset').select(['id', 'title', 'format', 'buying_stage', 'topics', 'url'])
    .where('workspace_id', '=', workspaceId).orderBy('title').limit(5000).execute();
  return rows.map((r) => ({ id: r.id, title: r.title, format: r.format, buyingStage: r.buying_stage, topics: r.topics, url: r.url }));
}

/**
 * Forms people submitted among the workspace's newest activities (a bounded read: there is no index by
 * form, and a picker needs the forms in use, not a census of all history), with the page they sat on.
 */
export async function listPickerForms(db: DbOrTrx, workspaceId: string, recentActivities = 50_000): Promise<PickerForm[]> {
  const result = await sql<{ id: string; submissions: string; page_url: string | null }>`
    SELECT form_id AS id, count(*) AS submissions, max(url) AS page_url
    FROM (
      SELECT type, properties->>'form_id' AS form_id, url FROM activity
      WHERE workspace_id = ${workspaceId} ORDER BY occurred_at DESC LIMIT ${recentActivities}
    ) recent
    WHERE type = 'form_submit' AND form_id IS NOT NULL AND form_id <> ''
    GROUP BY form_id ORDER BY count(*) DESC, form_id LIMIT 500`.execute(db);
  return result.rows.map((r) => ({ id: r.id, submissions: Number(r.submissions), pageUrl: r.page_url }));
}

export async function listPickerFields(db: DbOrTrx, workspaceId: string): Promise<PickerField[]> {
  const declared = await db.selectFrom('field_definition').select(['entity', 'key', 'label', 'type']).where('workspace_id', '=', workspaceId).execute();
  const seen = await sql<{ entity: string; key: string }>`
    SELECT DISTINCT 'contact' AS entity, k AS key FROM contact, jsonb_object_keys(attributes) AS k WHERE workspace_id = ${workspaceId}
    UNION SELECT DISTINCT 'account', k FROM account, jsonb_object_keys(attributes) AS k WHERE workspace_id = ${workspaceId}`.execute(db);
  const out = new Map<string, PickerField>();
  const entityOf = (e: string) => (e === 'account' ? 'account' : 'contact');
  for (const f of seen.rows) out.set(`${f.entity}.${f.key}`, { entity: entityOf(f.entity), key: f.key, label: null, type: null });
  for (const f of declared) out.set(`${f.entity}.${f.key}`, { entity: entityOf(f.entity), key: f.key, label: f.label, type: f.type });
  return [...out.values()].sort((a, b) => `${a.entity}.${a.key}`.localeCompare(`${b.entity}.${b.key}`));
}
