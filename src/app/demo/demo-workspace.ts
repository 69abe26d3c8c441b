import { listWorkspaces, mergeWorkspaceSettings, type Workspace } from '../../storage/workspaces.repo.ts';
import type { AppDeps } from '../context.ts';
import { seedDemoWorkspace, type DemoOptions, type DemoResult } from './seed-demo.ts';

export type DemoBanner = { workspace: Workspace; ingestKey: string | null; created: boolean; result?: DemoResult };

/**
 * On an empty database, loads the demo workspace. The demo's ingest key is kept in its settings so
 * that every start can print it: ingest keys only write events and are meant to sit in web pages.
 */
export async function ensureDemoWorkspace(deps: AppDeps, options: DemoOptions): Promise<DemoBanner | null> {
  const workspaces = await listWorkspaces(deps.db);
  const existing = workspaces.find((w) => w.isDemo);
  if (existing) {
    const key = existing.settings.demoIngestKey;
    return { workspace: existing, ingestKey: typeof key === 'string' ? key : null, created: false };
  }
  if (workspaces.length > 0) return null;
  const result = await seedDemoWorkspace(deps, options);
  await mergeWorkspaceSettings(deps.db, result.workspace.id, { demoIngestKey: result.ingestKey });
  return { workspace: result.workspace, ingestKey: result.ingestKey, created: true, result };
}
