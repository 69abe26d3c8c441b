import { z } from 'zod';
import type { DefinitionPickers } from '../../app/definitions/definition-pickers.ts';
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

export const retireInput = z.strictObject({
  reason: z.string().max(2000).nullable().optional().describe('Required to retire the active version: why scoring should stop. Optional when shelving an approved version.'),
});
export const emergencyStopInput = z.strictObject({
  reason: z.string().min(1).max(2000).describe('Why scoring must stop now; sent to both sides\' approvers.'),
});

const sideOf = (role: string) => (role === 'sales_manager' ? 'sales' : role);
const approvalDto = z.object({
  user_id: z.string(), side: z.string().describe('The side signed for: marketing or sales.'), role: z.string().describe('Deprecated: same as side.'),
  decision: z.string(), comment: z.string().nullable(), at: z.string(),
});
const toApprovalDto = (a: DefinitionDetail['approvals'][number]) => ({ user_id: a.userId, side: sideOf(a.role), role: sideOf(a.role), decision: a.decision, comment: a.comment, at: a.at.toISOString() });
export const definitionDto = z.object({
  id: z.string(), version: z.number(), name: z.string(), status: z.string(), document: z.record(z.string(), z.unknown()),
  created_by: z.string().nullable(), created_at: z.string(), proposed_at: z.string().nullable(), approved_at: z.string().nullable(),
  activated_at: z.string().nullable(), retired_at: z.string().nullable(),
  approvals: z.array(approvalDto),
  sign_off: z.object({ complete: z.boolean(), missing: z.array(z.array(z.string())).describe('Sides that still have to approve.') }),
  backtest: z.record(z.string(), z.unknown()).nullable(),
  revision: z.number().describe('Saved documents so far; every edit of a draft adds one.'),
  backtest_revision: z.number().nullable().describe('The revision the kept backtest replayed; proposing needs it to equal `revision`.'),
  owner_side: z.enum(['marketing', 'sales']).nullable().describe('The side whose draft it is (only it, or an admin, edits, proposes or withdraws it).'),
  retirement: z.object({
    requested_at: z.string(), requested_by: z.string(), reason: z.string(), approvals: z.array(approvalDto),
    missing: z.array(z.array(z.string())).describe('Sides that still have to approve the retirement.'),
  }).nullable().describe('A pending request to retire this active version.'),
}).meta({ id: 'LeadDefinition' });

export function toDefinitionDto(d: DefinitionDetail): z.infer<typeof definitionDto> {
  const r = d.record;
  return {
    id: r.id, version: r.version, name: r.name, status: r.status, document: r.document, created_by: r.createdBy,
    created_at: r.createdAt.toISOString(), proposed_at: iso(r.proposedAt), approved_at: iso(r.approvedAt),
    activated_at: iso(r.activatedAt), retired_at: iso(r.retiredAt),
    approvals: d.approvals.map(toApprovalDto),
    sign_off: { complete: d.signOff.complete, missing: d.signOff.missing.map((g) => [...g]) },
    backtest: r.backtest, revision: r.revision, backtest_revision: r.backtestRevision, owner_side: r.ownerSide,
    retirement: r.retireRequest && d.retirement ? {
      requested_at: r.retireRequest.at.toISOString(), requested_by: r.retireRequest.by, reason: r.retireRequest.reason,
      approvals: d.retirement.approvals.map(toApprovalDto), missing: d.retirement.signOff.missing.map((g) => [...g]),
    } : null,
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
  next_cursor: z.string().nullable(),
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

export function toHistoryDto(page: { data: DefinitionHistoryEntry[]; nextCursor: string | null }): z.infer<typeof historyDto> {
  return {
    next_cursor: page.nextCursor,
    data: page.data.map((e) => ({
      id: e.record.id, version: e.record.version, name: e.record.name, status: e.record.status, created_by: e.record.createdBy,
      created_at: e.record.createdAt.toISOString(), activated_at: iso(e.record.activatedAt), retired_at: iso(e.record.retiredAt),
      approvals: toDefinitionDto(e).approvals, events: e.events.map(toEventDto), changes: e.changes,
      backtest_summary: backtestSummary(e.record.backtest),
    })),
  };
}

export const approversInput = z.strictObject({
  marketing: z.array(z.uuid()).max(100).optional().describe("User ids who sign for marketing (marketing users or admins); empty: every marketing user."),
  sales: z.array(z.uuid()).max(100).optional().describe('User ids who sign for sales (sales managers or admins); empty: every sales manager.'),
});
const approverSideDto = z.object({
  explicit: z.boolean().describe('false: nobody was listed, so the side\'s managers approve.'),
  users: z.array(z.object({ id: z.string(), name: z.string(), email: z.string(), role: z.string() })),
});
export const approversDto = z.object({ marketing: approverSideDto, sales: approverSideDto }).meta({ id: 'Approvers' });

export const pickersDto = z.object({
  content: z.array(z.object({
    id: z.string(), title: z.string(), format: z.string(), buying_stage: z.string().nullable(), topics: z.array(z.string()), url: z.string().nullable(),
  })).describe('Content assets by title, for content rules and high-intent content.'),
  forms: z.array(z.object({
    id: z.string().describe('The form id rules match as `properties.form_id`.'),
    submissions: z.number().int().describe('Submissions among the newest 50,000 activities.'),
    page_url: z.string().nullable().describe('A page the form was submitted from.'),
  })),
  fields: z.array(z.object({
    field: z.string().describe('What a fit or negative condition names, e.g. contact.attributes.plan.'),
    label: z.string().nullable(), type: z.string().nullable(),
  })).describe('Custom fields: declared ones with their label, and attribute keys seen on contacts and accounts.'),
}).meta({ id: 'DefinitionPickers' });

export function toPickersDto(p: DefinitionPickers): z.infer<typeof pickersDto> {
  return {
    content: p.content.map((c) => ({ id: c.id, title: c.title, format: c.format, buying_stage: c.buyingStage, topics: c.topics, url: c.url })),
    forms: p.forms.map((f) => ({ id: f.id, submissions: f.submissions, page_url: f.pageUrl })),
    fields: p.fields.map((f) => ({ field: `${f.entity}.attributes.${f.key}`, label: f.label, type: f.type })),
  };
}
