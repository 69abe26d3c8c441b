import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { runBulkLeadAction, type BulkLeadStep } from '../app/bulk-actions.ts';
import { actorOf } from '../app/context.ts';
import { reassignLead } from '../app/handoff/assignment.ts';
import { transitionLead } from '../app/leads.ts';
import { enrollLead } from '../app/nurture/nurture-enrollment.ts';
import { authorizeLead } from '../app/permissions.ts';
import { fail } from '../core/result.ts';
import { principalOf } from './auth.guard.ts';
import { errorResponses } from './contract/common.contract.ts';
import { bulkLeadInput, bulkLeadOutcomeDto, type BulkLeadInput } from './contract/leads-bulk.contract.ts';
import type { ServerDeps } from './create-server.ts';
import { sendFailure } from './errors.ts';

const missing = (field: string, action: string) => fail('ValidationFailed', `The ${action} action needs body.${field}.`, [{ path: `body.${field}`, message: `required for ${action}` }]);

/** What the action records and the per-lead step (the single-lead endpoint's check and use case), or the 400 for a missing field. */
function planOf(deps: ServerDeps, request: Parameters<typeof principalOf>[0], b: BulkLeadInput) {
  const p = principalOf(request);
  const actor = actorOf(p);
  const note = b.note?.trim() || null;
  switch (b.action) {
    case 'assign': {
      if (!b.owner_id) return missing('owner_id', 'assign');
      const ownerId = b.owner_id;
      const step: BulkLeadStep = async (leadId) => {
        const allowed = await authorizeLead(deps.app, p, leadId, { act: 'assign' });
        return allowed.ok ? reassignLead(deps.app, p.workspaceId, leadId, { ownerId, note, actor }) : allowed;
      };
      return { ok: true as const, parameters: { owner_id: ownerId, note }, step };
    }
    case 'transition': {
      if (!b.to) return missing('to', 'transition');
      const to = b.to;
      const step: BulkLeadStep = async (leadId) => {
        const allowed = await authorizeLead(deps.app, p, leadId, { to });
        return allowed.ok ? transitionLead(deps.app, p.workspaceId, leadId, { to, reasonCode: b.reason_code ?? null, note, recheckAt: null, actor }) : allowed;
      };
      return { ok: true as const, parameters: { to, reason_code: b.reason_code ?? null, note }, step };
    }
    case 'enroll': {
      if (!b.track_id) return missing('track_id', 'enroll');
      const trackId = b.track_id;
      // As POST /nurture/tracks/{id}/enrollments: marketing work on the workspace's leads (the route's `write`).
      const step: BulkLeadStep = (leadId) => enrollLead(deps.app, p.workspaceId, trackId, leadId);
      return { ok: true as const, parameters: { track_id: trackId }, step };
    }
  }
}

/** One action on many leads, checked per lead by the one permission function, audited as one bulk action. */
export function leadsBulkRoutes(server: FastifyInstance, deps: ServerDeps): void {
  const app = server.withTypeProvider<ZodTypeProvider>();
  app.post('/api/v1/leads/bulk', {
    config: { permission: 'write' },
    schema: {
      tags: ['leads'],
      summary: 'Assign, move or enrol up to 500 leads: each lead is checked and changed as its own endpoint would (per-lead results; the others still change), and the bulk action is one audit row',
      body: bulkLeadInput, response: { 200: bulkLeadOutcomeDto, ...errorResponses },
    },
  }, async (request, reply) => {
    const b = request.body;
    const plan = planOf(deps, request, b);
    if (!plan.ok) return sendFailure(reply, plan);
    const result = await runBulkLeadAction(deps.app, principalOf(request).workspaceId, { action: b.action, leadIds: b.lead_ids, parameters: plan.parameters }, plan.step);
    if (!result.ok) return sendFailure(reply, result);
    const { results, succeeded, failed, auditId } = result.value;
    return {
      action: b.action, total: results.length, succeeded, failed, audit_id: auditId,
      results: results.map((r) => (r.ok ? { lead_id: r.leadId, ok: true } : { lead_id: r.leadId, ok: false, error: { code: r.code, message: r.message } })),
    };
  });
}
