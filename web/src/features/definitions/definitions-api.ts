import { useQuery } from '@tanstack/react-query';
import type { z } from 'zod';
import type { BacktestReport } from '../../../../src/core/definitions/backtest.ts';
import type { LeadDefinition } from '../../../../src/core/definitions/definition-schema.ts';
import type { definitionDto, diffDto, historyDto } from '../../../../src/server/contract/definitions.contract.ts';
import { get } from '../../api/client.ts';
import { fetchAll } from '../../api/queries.ts';

export type Definition = z.infer<typeof definitionDto>;
export type DefinitionDiff = z.infer<typeof diffDto>;
export type HistoryEntry = z.infer<typeof historyDto>['data'][number];
export type { LeadDefinition };
/** A stored backtest as JSON: the proposal's report and the active one's over the same history. */
export type BacktestResult = {
  from: string | null; to: string | null; ranAt: string; repCount: number;
  proposal: BacktestReport & { version: number | null };
  active: (BacktestReport & { version: number }) | null;
  /** How the replay got its facts (e.g. stored predictions); absent in backtests stored before notes. */
  notes?: string[];
};

export const base = '/api/v1/definitions';
export const defKeys = {
  list: ['definitions'] as const,
  history: ['definitions', 'history'] as const,
  diff: (id: string) => ['definitions', 'diff', id] as const,
};

export const useDefinitions = () => useQuery({ queryKey: defKeys.list, queryFn: () => fetchAll<Definition>(base, {}) });
export const useHistory = () => useQuery({ queryKey: defKeys.history, queryFn: () => fetchAll<HistoryEntry>(`${base}/history`, {}) });
export const useDiff = (id: string, enabled: boolean) => useQuery({
  queryKey: defKeys.diff(id), enabled, queryFn: () => get<DefinitionDiff>(`${base}/${id}/diff?against=active`),
});

export const asDefinition = (doc: Record<string, unknown>) => doc as unknown as LeadDefinition;
export const asBacktest = (b: Record<string, unknown> | null) => b as unknown as BacktestResult | null;

/** The sides whose approver lists name this user (from GET /api/v1/approvers). */
export function sidesOf(userId: string | null | undefined, approvers: { marketing: { users: { id: string }[] }; sales: { users: { id: string }[] } } | undefined): ('marketing' | 'sales')[] {
  if (!userId || !approvers) return [];
  return (['marketing', 'sales'] as const).filter((s) => approvers[s].users.some((u) => u.id === userId));
}

/** The side a role speaks for (admins and viewers: none). */
export const sideOfRole = (role: string | null | undefined) => (role === 'marketing' ? 'marketing' : role === 'sales' || role === 'sales_manager' ? 'sales' : null);

export type { Pickers } from './definition-words.ts';
/** Content, forms and custom fields by title, for the editor's pickers and the plain-words view. */
export const usePickers = () => useQuery({
  queryKey: ['definitions', 'pickers'], staleTime: 60_000,
  queryFn: () => get<import('./definition-words.ts').Pickers>(`${base}/pickers`),
});
