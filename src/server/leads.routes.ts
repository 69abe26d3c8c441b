import { z } from 'zod';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { actorOf } from '../app/context.ts';
import { authorizeLead, waitingOf } from '../app/permissions.ts';
import { findLead, leadHistory, leadRelations, leadSlaStatuses, openLead, searchLeads, transitionLead, type LeadInclude } from '../app/leads.ts';
import { inboxPredictions, type InboxPrediction, type InboxSortView } from '../app/inbox-predictions.ts';
import { allowedTransitions, isStage, type Stage } from '../core/lifecycle.ts';
import type { Lead } from '../storage/leads.repo.ts';
import { principalOf } from './auth.guard.ts';
import { errorResponses, idParams, pageOf, pageParams } from './contract/common.contract.ts';
import { accountDto, contactDto, toAccountDto, toContactDto } from './contract/contacts.contract.ts';
import { inboxSortDto, leadDto, leadInput, leadPredictionDto, leadQuery, qualificationDto, toLeadDto, toLeadSlaDto, toQualificationDto, toTransitionDto, transitionDto, transitionInput } from './contract/leads.contract.ts';
import { pageRequestOf, pollPageOf } from './contract/polling.contract.ts';
import type { ServerDeps } from './create-server.ts';
import { sendError, sendFailure } from './errors.ts';

const predictionOf = (p: InboxPrediction | undefined) => (p
  ? { probability: p.probability, model_version: p.modelVersion, top_reason: p.topReason, computed_at: p.computedAt.toISOString() } : null);
const inboxSortOf = (s: InboxSortView) => (s.sort === 'predicted'
  ? { sort: s.sort, model_id: s.modelId, model_version: s.modelVersion, definition_version: s.definitionVersion }
  : { sort: s.sort, model_id: null, model_version: null, definition_version: null });

const dto = (lead: Lead) => toLeadDto(lead, allowedTransitions(lead.stage));

/** Leads with their open SLA clock and, unowned, where they wait (one query each for all of them). */
async function withSla(deps: ServerDeps, workspaceId: string, leads: Lead[]) {
  const [sla, waiting] = await Promise.all([leadSlaStatuses(deps.app, workspaceId, leads.map((l) => l.id)), waitingOf(deps.app, workspaceId, leads)]);
  return leads.map((l) => {
    const s = sla.get(l.id);
    return { ...dto(l), sla: s ? toLeadSlaDto(s) : null, waiting: l.ownerId ? null : waiting.get(l.id) ?? { queue: null, team: null } };
  });
}

export function leadsRoutes(server: FastifyInstance, deps: ServerDeps): void {
  const app = server.withTypeProvider<ZodTypeProvider>();
  const tags = ['leads'];

  app.get('/api/v1/leads', {
    config: { permission: 'read' },
    schema: { tags, summary: 'List leads, filtered by stage and owner, each with its open SLA clock (loaded for the whole page at once)', querystring: leadQuery, response: { 200: pollPageOf(leadDto.extend({ contact: contactDto.nullable().optional(), account: accountDto.nullable().optional(), qualification: qualificationDto.nullable().optional(), prediction: leadPredictionDto.nullable().optional() })).extend({ inbox_sort: inboxSortDto.optional() }), ...errorResponses } },
  }, async (request, reply) => {
    const p = principalOf(request);
    const q = request.query;
    const stages = q.stage ? q.stage.split(',').map((s) => s.trim()).filter(Boolean) : [];
    const bad = stages.filter((s) => !isStage(s));
    if (bad.length) return sendError(reply, 'ValidationFailed', `Unknown stage(s): ${bad.join(', ')}.`, [{ path: 'querystring.stage', message: 'one of inquiry, mql, sal, sql, opportunity, won, lost, nurture, disqualified' }]);
    if (q.owner === 'me' && !p.userId) return sendError(reply, 'ValidationFailed', "owner=me needs a user (a session or a personal API key).", [{ path: 'querystring.owner', message: 'no user' }]);
    const owner = q.owner === 'me' ? p.userId! : q.owner;
    if (owner && !z.uuid().safeParse(owner).success) return sendError(reply, 'ValidationFailed', "owner must be a user id or 'me'.", [{ path: 'querystring.owner', message: 'not a UUID' }]);
    const page = await searchLeads(deps.app, p.workspaceId, { stage: stages as Stage[], ownerId: owner, contactId: q.contact_id }, pageRequestOf(q));
    const more = page.hasMore !== undefined ? { has_more: page.hasMore } : {};
    const include = (q.include?.split(',') ?? []) as LeadInclude[];
    const [leads, rel, predicted] = await Promise.all([
      withSla(deps, p.workspaceId, page.data), leadRelations(deps.app, p.workspaceId, page.data, include),
      include.includes('prediction') ? inboxPredictions(deps.app, p.workspaceId, page.data.map((l) => l.contactId)) : null,
    ]);
    if (!include.length) return { data: leads, next_cursor: page.nextCursor, ...more };
    const withRelations = (l: (typeof leads)[number], lead: Lead) => {
      const contact = rel.contacts.get(lead.contactId);
      const account = lead.accountId ? rel.accounts.get(lead.accountId) : undefined;
      const qualification = rel.qualifications.get(lead.id);
      return {
        ...l,
        ...(include.includes('contact') ? { contact: contact ? toContactDto(contact) : null } : {}),
        ...(include.includes('account') ? { account: account ? toAccountDto(account) : null } : {}),
        ...(include.includes('qualification') ? { qualification: qualification ? toQualificationDto(qualification) : null } : {}),
        // Only when the signed definition sorts the inbox by a model: otherwise no lead carries a probability.
        ...(predicted?.sort.sort === 'predicted' ? { prediction: predictionOf(predicted.byContact.get(lead.contactId)) } : {}),
      };
    };
    return {
      data: leads.map((l, i) => withRelations(l, page.data[i]!)), next_cursor: page.nextCursor, ...more,
      ...(predicted ? { inbox_sort: inboxSortOf(predicted.sort) } : {}),
    };
  });

  app.post('/api/v1/leads', {
    config: { permission: 'write' },
    schema: { tags, summary: 'Open a new buying cycle for a contact (stage inquiry)', body: leadInput, response: { 201: leadDto, ...errorResponses } },
  }, async (request, reply) => {
    const p = principalOf(request);
    const result = await openLead(deps.app, p.workspaceId, { contactId: request.body.contact_id, ownerId: request.body.owner_id, actor: actorOf(p) });
    if (!result.ok) return sendFailure(reply, result);
    return reply.code(201).send(dto(result.value));
  });

  app.get('/api/v1/leads/:id', {
    config: { permission: 'read' },
    schema: { tags, summary: 'Get a lead, with the moves allowed from its stage and its open SLA clock', params: idParams, response: { 200: leadDto, ...errorResponses } },
  }, async (request, reply) => {
    const ws = principalOf(request).workspaceId;
    const result = await findLead(deps.app, ws, request.params.id);
    return result.ok ? (await withSla(deps, ws, [result.value]))[0]! : sendFailure(reply, result);
  });

  app.post('/api/v1/leads/:id/transitions', {
    config: { permission: 'write' },
    schema: { tags, summary: 'Move a lead (accept, reject with reason, hand back, qualify, win...)', params: idParams, body: transitionInput, response: { 201: z.object({ lead: leadDto, transition: transitionDto, opportunity_id: z.string().optional() }), ...errorResponses } },
  }, async (request, reply) => {
    const p = principalOf(request);
    const b = request.body;
    // Whose work the move is (sales: the owner, their managers; marketing's moves: marketing) is decided before anything is written.
    const allowed = await authorizeLead(deps.app, p, request.params.id, { to: b.to });
    if (!allowed.ok) return sendFailure(reply, allowed);
    const result = await transitionLead(deps.app, p.workspaceId, request.params.id, {
      to: b.to, reasonCode: b.reason_code, note: b.note, recheckAt: b.recheck_at ? new Date(b.recheck_at) : null, actor: actorOf(p),
      opportunityId: b.opportunity_id,
    });
    if (!result.ok) return sendFailure(reply, result);
    const { lead, transition, opportunityId } = result.value;
    return reply.code(201).send({ lead: (await withSla(deps, p.workspaceId, [lead]))[0]!, transition: toTransitionDto(transition), ...(opportunityId ? { opportunity_id: opportunityId } : {}) });
  });

  app.get('/api/v1/leads/:id/transitions', {
    config: { permission: 'read' },
    schema: { tags, summary: "A lead's full stage history: who, when, why", params: idParams, querystring: z.strictObject(pageParams({ sorted: true })), response: { 200: pageOf(transitionDto), ...errorResponses } },
  }, async (request, reply) => {
    const result = await leadHistory(deps.app, principalOf(request).workspaceId, request.params.id, request.query);
    return result.ok ? { data: result.value.data.map(toTransitionDto), next_cursor: result.value.nextCursor } : sendFailure(reply, result);
  });
}
