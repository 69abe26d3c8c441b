import { z } from 'zod';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { assetStats, changeContentAsset, contentAudit, contentGapMap, rateAsProspect, rateAsSales, ratingsOf } from '../app/content-library.ts';
import { authorize } from '../app/permissions.ts';
import { principalOf } from './auth.guard.ts';
import { contentDto, toContentDto } from './contract/catalog.contract.ts';
import { errorResponses, idParams, pageParams } from './contract/common.contract.ts';
import { contentPatch, prospectRatingInput, ratingDto, ratingSummaryDto, salesRatingInput, toRatingDto, toSummaryDto } from './contract/content-library.contract.ts';
import type { ServerDeps } from './create-server.ts';
import { sendError, sendFailure } from './errors.ts';
import { createTokenBucket } from './token-bucket.ts';

const any = z.record(z.string(), z.unknown());

/** The ingest key of a public request: HTTP Basic username (Segment style) or `?key=`. */
function ingestKeyOf(request: FastifyRequest): string | null {
  const basic = /^Basic\s+(\S+)$/i.exec(request.headers.authorization ?? '');
  if (basic) return Buffer.from(basic[1]!, 'base64').toString('utf8').split(':')[0] || null;
  const q = request.query as Record<string, unknown>;
  return typeof q.key === 'string' && q.key ? q.key : null;
}

export function contentLibraryRoutes(server: FastifyInstance, deps: ServerDeps): void {
  const app = server.withTypeProvider<ZodTypeProvider>();
  const tags = ['content'];

  app.patch('/api/v1/content/:id', {
    config: { permission: 'write' },
    schema: { tags, summary: 'Change a content asset (buying stage from the workspace list)', params: idParams, body: contentPatch, response: { 200: contentDto, ...errorResponses } },
  }, async (request, reply) => {
    const b = request.body;
    const result = await changeContentAsset(deps.app, principalOf(request).workspaceId, request.params.id, {
      title: b.title, url: b.url, urls: b.urls, format: b.format, buyingStage: b.buying_stage, personas: b.personas, topics: b.topics,
      ownerId: b.owner_id, publishedOn: b.published_on, expiresOn: b.expires_on, gated: b.gated, attributes: b.attributes,
    });
    return result.ok ? toContentDto(result.value) : sendFailure(reply, result);
  });

  app.get('/api/v1/content/:id/stats', {
    config: { permission: 'read' },
    schema: {
      tags, summary: 'Consumption by lifecycle stage and persona, influence, ratings and influenced pipeline of an asset', params: idParams,
      querystring: z.strictObject({ days: z.coerce.number().int().min(1).max(365).default(30).describe('Influence window after first consumption.') }),
      response: { 200: any, ...errorResponses },
    },
  }, async (request, reply) => {
    const r = await assetStats(deps.app, principalOf(request).workspaceId, request.params.id, request.query.days);
    if (!r.ok) return sendFailure(reply, r);
    const s = r.value;
    return {
      asset_id: request.params.id, consumptions: s.consumptions, consumers: s.consumers, by_lifecycle_stage: s.byLifecycleStage, by_persona: s.byPersona,
      influence: { window_days: s.influence.windowDays, progressed: s.influence.progressed, share: s.influence.share },
      ratings: toSummaryDto(s.ratings),
      influenced_pipeline: { label: 'influenced pipeline (not attributed)', opportunities: s.influencedPipeline.opportunities, amount: s.influencedPipeline.amount, won_amount: s.influencedPipeline.wonAmount },
    };
  });

  app.get('/api/v1/content/:id/ratings', {
    config: { permission: 'read' },
    schema: { tags, summary: 'Ratings and comments of an asset, from prospects and sales', params: idParams, querystring: z.strictObject(pageParams({ defaultLimit: 100 })), response: { 200: z.object({ summary: ratingSummaryDto, data: z.array(ratingDto), next_cursor: z.string().nullable() }), ...errorResponses } },
  }, async (request, reply) => {
    const r = await ratingsOf(deps.app, principalOf(request).workspaceId, request.params.id, request.query);
    return r.ok ? { summary: toSummaryDto(r.value.summary), data: r.value.ratings.data.map(toRatingDto), next_cursor: r.value.ratings.nextCursor } : sendFailure(reply, r);
  });

  app.post('/api/v1/content/:id/ratings', {
    config: { permission: 'write' },
    schema: { tags, summary: 'Rate or comment on an asset as a salesperson (a user session or personal key); one rating per person: rating again replaces it (200)', params: idParams, body: salesRatingInput, response: { 200: ratingDto, 201: ratingDto, ...errorResponses } },
  }, async (request, reply) => {
    const p = principalOf(request);
    const allowed = await authorize(deps.app, p, 'content.rate');
    if (!allowed.ok) return sendFailure(reply, allowed);
    const r = await rateAsSales(deps.app, p.workspaceId, p.userId, request.params.id, request.body);
    return r.ok ? reply.code(r.value.created ? 201 : 200).send(toRatingDto(r.value.rating)) : sendFailure(reply, r);
  });

  app.get('/api/v1/content/gap-map', {
    config: { permission: 'read' },
    schema: {
      tags, summary: 'Coverage grid: buying stage × persona or topic → missing, weak or ok',
      querystring: z.strictObject({ by: z.enum(['persona', 'topic']).default('persona'), weak_rating: z.coerce.number().min(1).max(5).default(3), min_assets: z.coerce.number().int().min(1).max(20).default(2) }),
      response: { 200: any, ...errorResponses },
    },
  }, async (request) => {
    const q = request.query;
    const m = await contentGapMap(deps.app, principalOf(request).workspaceId, q.by, { weakRating: q.weak_rating, minAssets: q.min_assets });
    return { by: q.by, stages: m.stages, keys: m.keys, cells: m.cells.map((c) => ({ stage: c.stage, [q.by]: c.key, assets: c.assets, average_rating: c.averageRating, consumers: c.consumers, status: c.status })) };
  });

  app.get('/api/v1/reports/content-audit', {
    config: { permission: 'read' },
    schema: {
      tags: ['reports'], summary: 'Content audit: low-rated, unused, outdated assets and buying-stage gaps',
      querystring: z.strictObject({
        unused_days: z.coerce.number().int().min(1).max(3650).default(90), max_age_days: z.coerce.number().int().min(1).max(3650).default(730),
        low_rating: z.coerce.number().min(1).max(5).default(2.5), min_ratings: z.coerce.number().int().min(1).max(1000).default(2),
      }),
      response: { 200: any, ...errorResponses },
    },
  }, async (request) => {
    const q = request.query;
    const a = await contentAudit(deps.app, principalOf(request).workspaceId, { unusedDays: q.unused_days, maxAgeDays: q.max_age_days, lowRating: q.low_rating, minRatings: q.min_ratings });
    return {
      buying_stages: a.buyingStages,
      low_rated: a.lowRated.map((x) => ({ id: x.id, title: x.title, average_rating: x.averageRating, rating_count: x.ratingCount })),
      unused: a.unused.map((x) => ({ id: x.id, title: x.title, last_consumed_at: x.lastConsumedAt?.toISOString() ?? null })),
      outdated: a.outdated, stage_gaps: a.stageGaps,
    };
  });

  const limiter = createTokenBucket(5, 60_000);
  // Public, called from customers' web pages: CORS open (no cookies involved), rate-limited per IP and asset.
  server.register(async (scope) => {
    scope.addHook('onRequest', async (request, reply) => {
      reply.header('access-control-allow-origin', '*').header('access-control-allow-methods', 'POST, OPTIONS')
        .header('access-control-allow-headers', 'authorization, content-type').header('access-control-max-age', '600');
    });
    scope.options('/v1/content-ratings', { config: { permission: 'public' }, schema: { hide: true } }, async (_request, reply) => reply.code(204).send());
    scope.post('/v1/content-ratings', {
      config: { permission: 'public' }, bodyLimit: 16 * 1024,
      schema: { tags, summary: 'Rate content as a prospect (tracking snippet; ingest key as Basic username or ?key=)' },
    }, async (request, reply) => {
      const key = ingestKeyOf(request);
      const principal = key ? await deps.auth.authenticateKey(key) : null;
      if (!principal) return sendError(reply, 'Unauthenticated', 'Send the ingest key as the HTTP Basic username or as ?key=.');
      if (!principal.permissions.has('ingest')) return sendError(reply, 'Forbidden', "This key lacks the 'ingest' scope.");
      let raw: unknown = request.body;
      if (typeof raw === 'string') {
        // navigator.sendBeacon posts text/plain to avoid a CORS preflight; the text is JSON.
        try { raw = JSON.parse(raw); } catch { return sendError(reply, 'MalformedJson', 'The body is not valid JSON.'); }
      }
      const parsed = prospectRatingInput.safeParse(raw);
      if (!parsed.success) {
        const details = parsed.error.issues.map((i) => ({ path: ['body', ...i.path.map(String)].join('.'), message: i.message }));
        return sendError(reply, 'ValidationFailed', `Invalid rating: ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}`, details);
      }
      const b = parsed.data;
      // Honeypot filled: a bot. Answer as if accepted so it learns nothing, store nothing.
      if (b.website) return reply.code(202).send({ status: 'accepted' });
      const allowed = limiter.take(`${request.ip}|${b.asset_id ?? b.url ?? ''}`, Date.now());
      if (!allowed.ok) {
        reply.header('retry-after', String(Math.ceil(allowed.retryAfterMs / 1000)));
        return sendError(reply, 'RateLimited', 'Too many ratings for this content from your address; try again in a minute.');
      }
      const r = await rateAsProspect(deps.app, principal.workspaceId, {
        assetId: b.asset_id, url: b.url, rating: b.rating, thumbs: b.thumbs, comment: b.comment, anonymousId: b.anonymous_id, email: b.email,
      });
      return r.ok ? reply.code(201).send({ status: 'accepted', id: r.value.id }) : sendFailure(reply, r);
    });
  });
}
