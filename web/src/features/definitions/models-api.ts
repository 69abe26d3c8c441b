import { useQuery } from '@tanstack/react-query';
import type { z } from 'zod';
import type { LeadDefinition } from '../../../../src/core/definitions/definition-schema.ts';
import type { modelDto } from '../../../../src/server/contract/models.contract.ts';
import { fetchAll } from '../../api/queries.ts';
import type { Definition } from './definitions-api.ts';

export type ModelDto = z.infer<typeof modelDto>;

export const useModels = () => useQuery({ queryKey: ['models'], queryFn: () => fetchAll<ModelDto>('/api/v1/models', {}) });

/** Where a model is used: the definition versions (active, open or past) whose predicted rules or inbox sort name it. */
export type ModelUse = { version: number; status: string; how: string[] };

export function usesOf(modelId: string, definitions: readonly Definition[] | undefined): ModelUse[] {
  return (definitions ?? []).flatMap((d) => {
    const doc = d.document as unknown as LeadDefinition;
    const how = [
      ...(doc.predicted ?? []).filter((r) => r.model === modelId).map((r) => (r.use === 'mql' ? `MQL at ≥ ${Math.round((r.minProbability ?? 0) * 100)}%` : `${r.use} ${r.points ?? 0} pts`)),
      ...(doc.inbox?.sort === 'predicted' && doc.inbox.model === modelId ? ['inbox order'] : []),
    ];
    return how.length ? [{ version: d.version, status: d.status, how }] : [];
  });
}

/** A model's status in words: in use by the signed agreement, proposed in a version, or only informing. */
export function modelStatus(uses: ModelUse[]): { text: string; tone: 'green' | 'amber' | 'grey' } {
  const active = uses.find((u) => u.status === 'active');
  if (active) return { text: `In use · active v${active.version}`, tone: 'green' };
  const open = uses.find((u) => u.status === 'draft' || u.status === 'proposed' || u.status === 'approved');
  if (open) return { text: `In ${open.status} v${open.version}`, tone: 'amber' };
  return { text: 'Informs only', tone: 'grey' };
}
