import type { AppDeps } from '../context.ts';
import type { User } from '../../storage/users.repo.ts';
import type { Workspace } from '../../storage/workspaces.repo.ts';

export const DEMO_WORKSPACE_NAME = 'Demo workspace (sample data)';

export type DemoOptions = {
  password: string;
  contacts: number;
  /** The demo year ends at this instant (default: the clock's now). */
  now?: Date;
  seed?: number;
  onProgress?: (done: number, total: number, phase: string) => void;
};

export type DemoResult = { workspace: Workspace; users: User[]; ingestKey: string; adminKey: string; counts: Record<string, number> };

/**
 * Creates the clearly labelled demo workspace: users admin@, marketing@, sales@ (a rep),
 * manager@ (sales manager) on demo.example, an ingest key, and a believable B2B year of data.
 */
export async function seedDemoWorkspace(_deps: AppDeps, _options: DemoOptions): Promise<DemoResult> {
  throw new Error('not implemented yet');
}
