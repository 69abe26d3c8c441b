import { z } from 'zod';
import type { DefinitionDetail, DefinitionHistoryEntry } from '../../app/definitions/definition-queries.ts';
import type { DefinitionEvent } from '../../storage/definition-versions.repo.ts';
import { iso, isoDateTime } from './common.contract.ts';

export const definitionInput = z.strictObject({
  document: z.record(z.string(), z.unknown()).optional().describe('The definition document as a JSON object.'),
  text: z.string().max(500_000).optional().describe('Or the document as YAML or JSON text.'),
  format: z.enum(['yaml', 'json']).optional().describe('Format of `text` (default yaml).'),
});

export const approvalInput = z.strictObject({
  decision: z.enum(['approve', 'refuse']),
  comment: z.string().max(2000).nullable().optional().describe('Required when refusing: what to change.'),
});

export const diffQuery = z.strictObject({
  against: z.union([z.literal('active'), z.uuid()]).default('active').describe("A definition id, or 'active'."),
});

export const backtestInput = z.strictObject({
  from: isoDateTime.optional().describe('Count MQLs from this instant (earlier history still builds up scores).'),
  to: isoDateTime.optional().describe('Ignore activities at or after this instant.'),
});

const approvalDto = z.object({ user_id: z.string(), role: z.string(), decision: z.string(), comment: z.string().nullable(), at: z.string() });
export const definitionDto = z.object({
  id: z.string(), version: z.number(), name: z.string(), status: z.string(), document: z.record(z.string(), z.unknown()),
  created_by: z.string().nullable(), created_at: z.string(), proposed_at: z.string().nullable(), approved_at: z.string().nullable(),
  activated_at: z.string().nullable(), retired_at: z.string().nullable(),
  approvals: z.array(approvalDto),
  sign_off: z.object({ complete: z.boolean(), missing: z.array(z.array(z.string())).describe('Role groups that still have to approve.') }),
  backtest: z.record(z.string(), z.unknown()).nullable(),
}).meta({ id: 'LeadDefinition' });

export function toDefinitionDto(d: DefinitionDetail): z.infer<typeof definitionDto> {
  const r = d.record;
  return {
    id: r.id, version: r.version, name: r.name, status: r.status, document: r.document, created_by: r.createdBy,
    created_at: r.createdAt.toISOString(), proposed_at: iso(r.proposedAt), approved_at: iso(r.approvedAt),
    activated_at: iso(r.activatedAt), retired_at: iso(r.retiredAt),
    approvals: d.approvals.map((a) => ({ user_id: a.userId, role: a.role, decision: a.decision, comment: a.comment, at: a.at.toISOString() })),
    sign_off: { complete: d.signOff.complete, missing: d.signOff.missing.map((g) => [...g]) },
    backtest: r.backtest,
  };
}

const changeDto = z.object({ area: z.string(), text: z.string() });
export const diffDto = z.object({
  from: z.object({ id: z.string(), version: z.number() }), to: z.object({ id: z.string(), version: z.number() }), changes: z.array(changeDto),
});

const eventDto = z.object({ kind: z.string(), at: z.string(), user_id: z.string().nullable(), role: z.string().nullable(), comment: z.string().nullable() });
const toEventDto = (e: DefinitionEvent) => ({ kind: e.kind, at: e.at.toISOString(), user_id: e.userId, role: e.role, comment: e.comment });

export const historyDto = z.object({
  data: z.array(z.object({
    id: z.string(), version: z.number(), name: z.string(), status: z.string(), created_by: z.string().nullable(), created_at: z.string(),
    activated_at: z.string().nullable(), retired_at: z.string().nullable(),
    approvals: z.array(approvalDto), events: z.array(eventDto), changes: z.array(changeDto),
    backtest_summary: z.record(z.string(), z.unknown()).nullable(),
  })),
});

/** The few numbers of a stored backtest that answer "what did it do to results". */
function backtestSummary(backtest: Record<string, unknown> | null): Record<string, unknown> | null {
  if (!backtest) return null;
  const pick = (r: unknown) => {
    if (!r || typeof r !== 'object') return null;
    const o = r as Record<string, unknown>;
    return { inquiries: o.inquiries ?? null, mqls: o.mqls, reached: o.reached, revenue_covered: o.revenueCovered, missed_won: (o.missedWon as { count?: unknown } | undefined)?.count, per_rep_per_week: o.perRepPerWeek };
  };
  return { from: backtest.from ?? null, to: backtest.to ?? null, ran_at: backtest.ranAt ?? null, proposal: pick(backtest.proposal), active: pick(backtest.active) };
}

export function toHistoryDto(entries: DefinitionHistoryEntry[]): z.infer<typeof historyDto> {
  return {
    data: entries.map((e) => ({
      id: e.record.id, version: e.record.version, name: e.record.name, status: e.record.status, created_by: e.record.createdBy,
      created_at: e.record.createdAt.toISOString(), activated_at: iso(e.record.activatedAt), retired_at: iso(e.record.retiredAt),
      approvals: toDefinitionDto(e).approvals, events: e.events.map(toEventDto), changes: e.changes,
      backtest_summary: backtestSummary(e.record.backtest),
    })),
  };
}
