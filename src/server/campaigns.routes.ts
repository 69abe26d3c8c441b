import { z } from 'zod';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { addMembers, campaignPerformance, changeCampaign, membersOf, removeCampaign, removeMember } from '../app/campaign-work.ts';
import { authorize } from '../app/permissions.ts';
import { principalOf } from './auth.guard.ts';
import { campaignPatch, memberDto, membersInput, performanceDto } from './contract/campaigns.contract.ts';
import { campaignDto, toCampaignDto } from './contract/catalog.contract.ts';
import { errorResponses, idParams, pageOf, pageParams } from './contract/common.contract.ts';
import type { ServerDeps } from './create-server.ts';
import { sendFailure } from './errors.ts';

/** Campaign edits, deletion, members and performance (listing and creation: catalog.routes.ts). */
export function campaignsRoutes(server: FastifyInstance, deps: ServerDeps): void {
  const app = server.withTypeProvider<ZodTypeProvider>();
  const tags = ['campaigns'];
  // Campaigns carry budgets and costs: changing them is marketing's (and admin keys').
  const mayChange = (request: Parameters<typeof principalOf>[0]) => authorize(deps.app, principalOf(request), 'campaign.change');

  app.patch('/api/v1/campaigns/:id', {
    config: { permission: 'write' },
    schema: { tags, summary: 'Edit a campaign and set or remove its costs per period (audit-logged)', params: idParams, body: campaignPatch, response: { 200: campaignDto, ...errorResponses } },
  }, async (request, reply) => {
    const allowed = await mayChange(request);
    if (!allowed.ok) return sendFailure(reply, allowed);
    const b = request.body;
    const result = await changeCampaign(deps.app, principalOf(request).workspaceId, request.params.id, {
      name: b.name, channel: b.channel, utmSource: b.utm_source, utmMedium: b.utm_medium, utmCampaign: b.utm_campaign, startsOn: b.starts_on, endsOn: b.ends_on, budget: b.budget,
      costs: b.costs?.map((c) => ({ periodStart: c.period_start, amount: c.amount, currency: c.currency.toUpperCase() })),
    });
    return result.ok ? toCampaignDto(result.value) : sendFailure(reply, result);
  });

  app.delete('/api/v1/campaigns/:id', {
    config: { permission: 'write' },
    schema: { tags, summary: 'Delete a campaign no activity names (its costs and members go with it)', params: idParams, response: { 200: z.object({ id: z.string(), deleted: z.literal(true) }), ...errorResponses } },
  }, async (request, reply) => {
    const allowed = await mayChange(request);
    if (!allowed.ok) return sendFailure(reply, allowed);
    const result = await removeCampaign(deps.app, principalOf(request).workspaceId, request.params.id);
    return result.ok ? { id: result.value.id, deleted: true as const } : sendFailure(reply, result);
  });

  app.get('/api/v1/campaigns/:id/members', {
    config: { permission: 'read' },
    schema: { tags, summary: "A campaign's members (newest first)", params: idParams, querystring: z.strictObject(pageParams({ sorted: true })), response: { 200: pageOf(memberDto), ...errorResponses } },
  }, async (request, reply) => {
    const result = await membersOf(deps.app, principalOf(request).workspaceId, request.params.id, request.query);
    if (!result.ok) return sendFailure(reply, result);
    const data = result.value.data.map((m) => ({ contact_id: m.contactId, name: m.name, email: m.email, status: m.status, added_at: m.addedAt.toISOString() }));
    return { data, next_cursor: result.value.nextCursor };
  });

  app.post('/api/v1/campaigns/:id/members', {
    config: { permission: 'write' },
    schema: { tags, summary: 'Add people to a campaign (an existing member gets the new status); all or nothing', params: idParams, body: membersInput, response: { 200: z.object({ added: z.number() }), ...errorResponses } },
  }, async (request, reply) => {
    const allowed = await mayChange(request);
    if (!allowed.ok) return sendFailure(reply, allowed);
    const result = await addMembers(deps.app, principalOf(request).workspaceId, request.params.id, request.body.members.map((m) => ({ contactId: m.contact_id, status: m.status })));
    return result.ok ? result.value : sendFailure(reply, result);
  });

  app.delete('/api/v1/campaigns/:id/members/:contactId', {
    config: { permission: 'write' },
    schema: { tags, summary: 'Take a person out of a campaign', params: z.strictObject({ id: z.uuid(), contactId: z.uuid() }), response: { 200: z.object({ removed: z.literal(true) }), ...errorResponses } },
  }, async (request, reply) => {
    const allowed = await mayChange(request);
    if (!allowed.ok) return sendFailure(reply, allowed);
    const result = await removeMember(deps.app, principalOf(request).workspaceId, request.params.id, request.params.contactId);
    return result.ok ? result.value : sendFailure(reply, result);
  });

  app.get('/api/v1/campaigns/:id/performance', {
    config: { permission: 'read' },
    schema: { tags, summary: 'Leads, MQLs, opportunities, won revenue, cost, ROI, ROAS and cost per lead, opportunity and won deal', params: idParams, response: { 200: performanceDto, ...errorResponses } },
  }, async (request, reply) => {
    const result = await campaignPerformance(deps.app, principalOf(request).workspaceId, request.params.id);
    if (!result.ok) return sendFailure(reply, result);
    const p = result.value;
    return {
      members: p.members, leads: p.leads, mqls: p.mqls, opportunities: p.opportunities, won_deals: p.wonDeals, won_revenue: p.wonRevenue, pipeline: p.pipeline,
      cost: p.cost, cost_currencies: p.costCurrencies, roi: p.roi, roas: p.roas, cost_per_lead: p.costPerLead, cost_per_opportunity: p.costPerOpportunity, cost_per_won_deal: p.costPerWonDeal,
    };
  });
}
