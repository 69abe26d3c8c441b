import type { DbOrTrx } from './db.ts';
import { newId } from './ids.ts';

export type Workspace = { id: string; name: string; isDemo: boolean; settings: Record<string, unknown>; createdAt: Date };

type Row = { id: string; name: string; is_demo: boolean; settings: Record<string, unknown>; created_at: Date };
const toWorkspace = (r: Row): Workspace => ({ id: r.id, name: r.name, isDemo: r.is_demo, settings: r.settings, createdAt: r.created_at });

export async function insertWorkspace(db: DbOrTrx, input: { name: string; isDemo?: boolean }): Promise<Workspace> {
  const row = await db.insertInto('workspace')
    .values({ id: newId(), name: input.name, is_demo: input.isDemo ?? false, settings: '{}' })
    .returningAll().executeTakeFirstOrThrow();
  return toWorkspace(row);
}

export async function listWorkspaces(db: DbOrTrx): Promise<Workspace[]> {
  const rows = await db.selectFrom('workspace').selectAll().orderBy('created_at').execute();
  return rows.map(toWorkspace);
}

export async function findWorkspaceByName(db: DbOrTrx, name: string): Promise<Workspace | null> {
  const row = await db.selectFrom('workspace').selectAll().where('name', '=', name).executeTakeFirst();
  return row ? toWorkspace(row) : null;
}

export async function getWorkspace(db: DbOrTrx, id: string): Promise<Workspace | null> {
  const row = await db.selectFrom('workspace').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toWorkspace(row) : null;
}

/** Merges keys into the workspace's settings document. */
export async function mergeWorkspaceSettings(db: DbOrTrx, id: string, patch: Record<string, unknown>): Promise<void> {
  await db.updateTable('workspace').set((eb) => ({ settings: eb('settings', '||', JSON.stringify(patch) as any) as any })).where('id', '=', id).execute();
}
