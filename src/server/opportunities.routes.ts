import { z } from 'zod';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { actorOf } from '../app/context.ts';
import { authorizeLead } from '../app/permissions.ts';
import { createOpportunity, findOpportunity, linkLeadToOpportunity, opportunityLeadLinks, patchOpportunity, searchOpportunities, unlinkLeadFromOpportunity } from '../app/opportunities.ts';
import { principalOf } from './auth.guard.ts';
import { opportunityDto, opportunityInput, opportunityPatch, toOpportunityDto } from './contract/catalog.contract.ts';
import { errorResponses, idParams, pageOf, pageParams, pageQuery } from './contract/common.contract.ts';
import { leadLinkEventDto, leadLinkInput, leadUnlinkInput, leadUnlinkParams, toLeadLinkEventDto } from './contract/opportunity-links.contract.ts';
import { pageAnswer, pageRequestOf, pollPageOf, pollQuery } from './contract/polling.contract.ts';
import type { ServerDeps } from './create-server.ts';
import { sendFailure } from './errors.ts';

type RoleBody = { contact_id: string; role: string; is_primary: boolean };
const roles = (r: RoleBody[] | undefined) => r?.map((x) => ({ contactId: x.contact_id, role: x.role, isPrimary: x.is_primary }));

export function opportunitiesRoutes(server: FastifyInstance, deps: ServerDeps): void {
  const app = server.withTypeProvider<ZodTypeProvider>();
  const tags = ['opportunities'];

  app.get('/api/v1/opportunities', {
    config: { permission: 'read' },
    schema: { tags, summary: 'List opportunities', querystring: z.strictObject({ status: z.enum(['open', 'won', 'lost']).optional(), account_id: z.uuid().optional(), ...pageQuery, ...pollQuery }), response: { 200: pollPageOf(opportunityDto), ...errorResponses } },
  }, async (request) => {
    const q = request.query;
    const page = await searchOpportunities(deps.app, principalOf(request).workspaceId, { status: q.status, accountId: q.account_id }, pageRequestOf(q));
    return pageAnswer(page, toOpportunityDto);
  });

  app.post('/api/v1/opportunities', {
    config: { permission: 'write' },
    schema: { tags, summary: 'Create an opportunity with contact roles and linked leads', body: opportunityInput, response: { 201: opportunityDto, ...errorResponses } },
  }, async (request, reply) => {
    const p = principalOf(request);
    const b = request.body;
    const result = await createOpportunity(deps.app, p.workspaceId, {
      name: b.name, accountId: b.account_id ?? null, amount: b.amount, currency: b.currency.toUpperCase(), stage: b.stage, status: b.status,
      closeDate: b.close_date ?? null, ownerId: b.owner_id ?? null, externalId: b.external_id ?? null, attributes: b.attributes ?? {},
      contactRoles: roles(b.contact_roles) ?? [], leadIds: b.lead_ids, lostReasonCode: b.lost_reason_code,
    }, actorOf(p));
    if (!result.ok) return sendFailure(reply, result);
    return reply.code(201).send(toOpportunityDto(result.value));
  });

  app.get('/api/v1/opportunities/:id', {
    config: { permission: 'read' },
    schema: { tags, summary: 'Get an opportunity', params: idParams, response: { 200: opportunityDto, ...errorResponses } },
  }, async (request, reply) => {
    const result = await findOpportunity(deps.app, principalOf(request).workspaceId, request.params.id);
    return result.ok ? toOpportunityDto(result.value) : sendFailure(reply, result);
  });

  app.patch('/api/v1/opportunities/:id', {
    config: { permission: 'write' },
    schema: { tags, summary: 'Update an opportunity (stage/status/amount changes are recorded)', params: idParams, body: opportunityPatch, response: { 200: opportunityDto, ...errorResponses } },
  }, async (request, reply) => {
    const p = principalOf(request);
    const b = request.body;
    const result = await patchOpportunity(deps.app, p.workspaceId, request.params.id, {
      name: b.name, accountId: b.account_id, amount: b.amount, currency: b.currency?.toUpperCase(), stage: b.stage, status: b.status,
      closeDate: b.close_date, ownerId: b.owner_id, attributes: b.attributes, contactRoles: roles(b.contact_roles), leadIds: b.lead_ids,
      lostReasonCode: b.lost_reason_code,
    }, actorOf(p));
    return result.ok ? toOpportunityDto(result.value) : sendFailure(reply, result);
  });

  app.post('/api/v1/opportunities/:id/leads', {
    config: { permission: 'write' },
    schema: { tags, summary: 'Link a lead to this deal: the lead walks to opportunity (never a second deal), or follows the deal if already won/lost', params: idParams, body: leadLinkInput, response: { 200: opportunityDto, ...errorResponses } },
  }, async (request, reply) => {
    const p = principalOf(request);
    const b = request.body;
    // Linking walks the lead to opportunity: sales work on that lead (its owner, their managers, admins).
    const allowed = await authorizeLead(deps.app, p, b.lead_id, { act: 'open_opportunity' });
    if (!allowed.ok) return sendFailure(reply, allowed);
    const result = await linkLeadToOpportunity(deps.app, p.workspaceId, request.params.id, { leadId: b.lead_id, note: b.note ?? null, lostReasonCode: b.lost_reason_code ?? null }, actorOf(p));
    return result.ok ? toOpportunityDto(result.value) : sendFailure(reply, result);
  });

  app.post('/api/v1/opportunities/:id/leads/:leadId/unlink', {
    config: { permission: 'write' },
    schema: { tags, summary: 'Unlink a lead from this deal (recorded in the link log; the lead keeps its stage)', params: leadUnlinkParams, body: leadUnlinkInput, response: { 200: opportunityDto, ...errorResponses } },
  }, async (request, reply) => {
    const p = principalOf(request);
    const result = await unlinkLeadFromOpportunity(deps.app, p.workspaceId, request.params.id, { leadId: request.params.leadId, note: request.body?.note ?? null }, actorOf(p));
    return result.ok ? toOpportunityDto(result.value) : sendFailure(reply, result);
  });

  app.get('/api/v1/opportunities/:id/lead-links', {
    config: { permission: 'read' },
    schema: { tags, summary: 'Who linked and unlinked leads on this deal, when and why (oldest first)', params: idParams, querystring: z.strictObject(pageParams({ sorted: true })), response: { 200: pageOf(leadLinkEventDto), ...errorResponses } },
  }, async (request, reply) => {
    const result = await opportunityLeadLinks(deps.app, principalOf(request).workspaceId, request.params.id, request.query);
    return result.ok ? { data: result.value.data.map(toLeadLinkEventDto), next_cursor: result.value.nextCursor } : sendFailure(reply, result);
  });
}
