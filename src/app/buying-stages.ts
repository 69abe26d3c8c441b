import { defaultBuyingStages } from '../core/nurture/nurture-track.schema.ts';
import type { DbOrTrx } from '../storage/db.ts';
import { getWorkspace } from '../storage/workspaces.repo.ts';

/**
 * The workspace's agreed buying stages (settings.buyingStages), else the defaults. Shared by the
 * content library (which refuses other stages) and nurture (which infers a person's stage), so
 * neither imports the other: it is a workspace setting, not a nurture use case.
 */
export function buyingStagesOf(settings: Record<string, unknown>): string[] {
  const s = settings.buyingStages;
  return Array.isArray(s) && s.length > 0 && s.every((x) => typeof x === 'string') ? [...(s as string[])] : [...defaultBuyingStages];
}

export async function loadBuyingStages(db: DbOrTrx, workspaceId: string): Promise<string[]> {
  return buyingStagesOf((await getWorkspace(db, workspaceId))?.settings ?? {});
}
