import { trackDefinition } from '../../core/nurture/nurture-track.schema.ts';
import { fail, ok, type Result } from '../../core/result.ts';
import { isUniqueViolation } from '../../storage/errors.ts';
import { getEnrollment, getTrack, insertTrack, listEnrollments, pageTracks, updateTrack, type NurtureEnrollment, type NurtureTrack } from '../../storage/nurture.repo.ts';
import type { AppDeps } from '../context.ts';
import type { Page, PageRequest } from '../../storage/page.ts';

export type TrackInput = { name: string; priority?: number; active?: boolean; entry?: unknown; steps: unknown; cadence?: unknown; exit?: unknown };

function parseDefinition(input: TrackInput): Result<Pick<NurtureTrack, 'entry' | 'steps' | 'cadence' | 'exit'>> {
  const parsed = trackDefinition.safeParse({ entry: input.entry, steps: input.steps, cadence: input.cadence, exit: input.exit });
  if (parsed.success) return ok(parsed.data);
  const details = parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
  return fail('ValidationFailed', `Invalid nurture track: ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}`, details);
}

/** Tracks: validated as a whole (steps, branch targets, rules) before they are stored. */
export async function createTrack(deps: AppDeps, workspaceId: string, input: TrackInput): Promise<Result<NurtureTrack>> {
  const def = parseDefinition(input);
  if (!def.ok) return def;
  try {
    return ok(await insertTrack(deps.db, workspaceId, { name: input.name, priority: input.priority ?? 0, active: input.active ?? true, ...def.value }, deps.clock.now()));
  } catch (e) {
    if (isUniqueViolation(e)) return fail('Conflict', `A nurture track named '${input.name}' already exists.`, [{ path: 'name', message: 'taken' }]);
    throw e;
  }
}

export async function changeTrack(deps: AppDeps, workspaceId: string, id: string, patch: Partial<TrackInput>): Promise<Result<NurtureTrack>> {
  const current = await getTrack(deps.db, workspaceId, id);
  if (!current) return fail('NotFound', `Nurture track ${id} not found in this workspace.`);
  const merged: TrackInput = {
    name: patch.name ?? current.name, priority: patch.priority ?? current.priority, active: patch.active ?? current.active,
    entry: patch.entry ?? current.entry, steps: patch.steps ?? current.steps, cadence: patch.cadence ?? current.cadence, exit: patch.exit ?? current.exit,
  };
  const def = parseDefinition(merged);
  if (!def.ok) return def;
  try {
    const updated = await updateTrack(deps.db, workspaceId, id, { name: merged.name, priority: merged.priority!, active: merged.active!, ...def.value }, deps.clock.now());
    return updated ? ok(updated) : fail('NotFound', `Nurture track ${id} not found in this workspace.`);
  } catch (e) {
    if (isUniqueViolation(e)) return fail('Conflict', `A nurture track named '${merged.name}' already exists.`, [{ path: 'name', message: 'taken' }]);
    throw e;
  }
}

export async function findTrack(deps: AppDeps, workspaceId: string, id: string): Promise<Result<NurtureTrack>> {
  const t = await getTrack(deps.db, workspaceId, id);
  return t ? ok(t) : fail('NotFound', `Nurture track ${id} not found in this workspace.`);
}

/** A page of the tracks, highest priority first, then by name. */
export async function tracksOf(deps: AppDeps, workspaceId: string, page: PageRequest): Promise<Page<NurtureTrack>> {
  return pageTracks(deps.db, workspaceId, page);
}

export async function enrollmentsOf(deps: AppDeps, workspaceId: string, filter: { leadId?: string; contactId?: string; trackId?: string }, page: PageRequest): Promise<Page<NurtureEnrollment>> {
  return listEnrollments(deps.db, workspaceId, filter, page);
}

export async function findEnrollment(deps: AppDeps, workspaceId: string, id: string): Promise<Result<NurtureEnrollment>> {
  const e = await getEnrollment(deps.db, workspaceId, id);
  return e ? ok(e) : fail('NotFound', `Enrollment ${id} not found in this workspace.`);
}
