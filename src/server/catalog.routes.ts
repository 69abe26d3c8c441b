import { z } from 'zod';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { createCampaign, createContentAsset, findCampaign, findContentAsset, searchCampaigns, searchContent } from '../app/catalog.ts';
import { contentUsage } from '../app/content-library.ts';
import { authorize } from '../app/permissions.ts';
import { principalOf } from './auth.guard.ts';
import { campaignDto, campaignInput, contentDto, contentInput, toCampaignDto, toContentDto } from './contract/catalog.contract.ts';
import { errorResponses, idParams, pageOf, pageQuery } from './contract/common.contract.ts';
import type { ServerDeps } from './create-server.ts';
import { sendFailure } from './errors.ts';

export function catalogRoutes(server: FastifyInstance, deps: ServerDeps): void {
  const app = server.withTypeProvider<ZodTypeProvider>();

  app.get('/api/v1/campaigns', {
    config: { permission: 'read' },
    schema: { tags: ['campaigns'], summary: 'List campaigns', querystring: z.strictObject(pageQuery), response: { 200: pageOf(campaignDto), ...errorResponses } },
  }, async (request) => {
    const page = await searchCampaigns(deps.app, principalOf(request).workspaceId, request.query);
    return { data: page.data.map(toCampaignDto), next_cursor: page.nextCursor };
  });

  app.post('/api/v1/campaigns', {
    config: { permission: 'write' },
    schema: { tags: ['campaigns'], summary: 'Create a campaign with its costs per period', body: campaignInput, response: { 201: campaignDto, ...errorResponses } },
  }, async (request, reply) => {
    const b = request.body;
    // Campaigns carry budgets and costs: marketing's (and data-feed keys').
    const allowed = await authorize(deps.app, principalOf(request), 'campaign.change');
    if (!allowed.ok) return sendFailure(reply, allowed);
    const result = await createCampaign(deps.app, principalOf(request).workspaceId, {
      name: b.name, channel: b.channel, utmSource: b.utm_source ?? null, utmMedium: b.utm_medium ?? null, utmCampaign: b.utm_campaign ?? null,
      startsOn: b.starts_on ?? null, endsOn: b.ends_on ?? null, budget: b.budget ?? null, attributes: b.attributes,
      costs: b.costs?.map((c) => ({ periodStart: c.period_start, amount: c.amount, currency: c.currency })),
    });
    if (!result.ok) return sendFailure(reply, result);
    return reply.code(201).send(toCampaignDto(result.value));
  });

  app.get('/api/v1/campaigns/:id', {
    config: { permission: 'read' },
    schema: { tags: ['campaigns'], summary: 'Get a campaign with its costs', params: idParams, response: { 200: campaignDto, ...errorResponses } },
  }, async (request, reply) => {
    const result = await findCampaign(deps.app, principalOf(request).workspaceId, request.params.id);
    return result.ok ? toCampaignDto(result.value) : sendFailure(reply, result);
  });

  app.get('/api/v1/content', {
    config: { permission: 'read' },
    schema: { tags: ['content'], summary: 'List content assets', querystring: z.strictObject({
      buying_stage: z.string().max(100).optional(), include: z.enum(['usage']).optional().describe('usage: add rating count/average and consumption per asset.'), ...pageQuery,
    }), response: { 200: pageOf(contentDto), ...errorResponses } },
  }, async (request) => {
    const workspaceId = principalOf(request).workspaceId;
    const page = await searchContent(deps.app, workspaceId, { buyingStage: request.query.buying_stage }, request.query);
    const usage = request.query.include === 'usage' ? await contentUsage(deps.app, workspaceId, page.data.map((c) => c.id)) : null;
    const none = { ratingCount: 0, ratingAverage: null, consumptions: 0, consumers: 0, lastConsumedAt: null };
    return {
      data: page.data.map((c) => {
        if (!usage) return toContentDto(c);
        const u = usage.get(c.id) ?? none;
        return { ...toContentDto(c), usage: { rating_count: u.ratingCount, rating_average: u.ratingAverage, consumptions: u.consumptions, consumers: u.consumers, last_consumed_at: u.lastConsumedAt?.toISOString() ?? null } };
      }),
      next_cursor: page.nextCursor,
    };
  });

  app.post('/api/v1/content', {
    config: { permission: 'write' },
    schema: { tags: ['content'], summary: 'Create a content asset', body: contentInput, response: { 201: contentDto, ...errorResponses } },
  }, async (request, reply) => {
    const b = request.body;
    const result = await createContentAsset(deps.app, principalOf(request).workspaceId, {
      title: b.title, url: b.url ?? null, urls: b.urls ?? [], format: b.format ?? 'page', buyingStage: b.buying_stage ?? null,
      personas: b.personas ?? [], topics: b.topics ?? [], ownerId: b.owner_id ?? null, publishedOn: b.published_on ?? null,
      expiresOn: b.expires_on ?? null, gated: b.gated ?? false, attributes: b.attributes,
    });
    if (!result.ok) return sendFailure(reply, result);
    return reply.code(201).send(toContentDto(result.value));
  });

  app.get('/api/v1/content/:id', {
    config: { permission: 'read' },
    schema: { tags: ['content'], summary: 'Get a content asset', params: idParams, response: { 200: contentDto, ...errorResponses } },
  }, async (request, reply) => {
    const result = await findContentAsset(deps.app, principalOf(request).workspaceId, request.params.id);
    return result.ok ? toContentDto(result.value) : sendFailure(reply, result);
  });
}
