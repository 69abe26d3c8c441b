import { z } from 'zod';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { accountOverview, changeAccountOwner } from '../app/accounts.ts';
import { allowedTransitions } from '../core/lifecycle.ts';
import { principalOf } from './auth.guard.ts';
import { errorResponses, idParams } from './contract/common.contract.ts';
import { accountDto, toAccountDto, toActivityDto, toContactDto } from './contract/contacts.contract.ts';
import { toOpportunityDto } from './contract/catalog.contract.ts';
import { toLeadDto } from './contract/leads.contract.ts';
import { accountOverviewDto } from './contract/accounts-page.contract.ts';
import type { ServerDeps } from './create-server.ts';
import { sendFailure } from './errors.ts';

export function accountsRoutes(server: FastifyInstance, deps: ServerDeps): void {
  const app = server.withTypeProvider<ZodTypeProvider>();
  const tags = ['accounts'];

  app.get('/api/v1/accounts/:id/overview', {
    config: { permission: 'read' },
    schema: { tags, summary: "An account's page: its people, leads, opportunities and activity roll-up", params: idParams, response: { 200: accountOverviewDto, ...errorResponses } },
  }, async (request, reply) => {
    const result = await accountOverview(deps.app, principalOf(request).workspaceId, request.params.id);
    if (!result.ok) return sendFailure(reply, result);
    const v = result.value;
    return {
      account: toAccountDto(v.account), people: v.people.map(toContactDto), leads: v.leads.map((l) => toLeadDto(l, allowedTransitions(l.stage))),
      opportunities: v.opportunities.map(toOpportunityDto), counts: v.counts,
      activity: v.rollup.map((r) => ({ type: r.type, count: r.count, last_90_days: r.last90Days, last_at: r.lastAt.toISOString() })),
      recent_activity: v.recent.map(toActivityDto),
    };
  });

  app.put('/api/v1/accounts/:id/owner', {
    config: { permission: 'write' },
    schema: {
      tags, summary: "Change an account's owner (sales managers, admins, or the owner handing it over); audit-logged",
      params: idParams,
      body: z.strictObject({ owner_id: z.uuid({ message: 'must be a user id' }).nullable(), reason: z.string().trim().max(500).nullable().optional() }),
      response: { 200: accountDto, ...errorResponses },
    },
  }, async (request, reply) => {
    const result = await changeAccountOwner(deps.app, principalOf(request), request.params.id, { ownerId: request.body.owner_id, reason: request.body.reason ?? null });
    return result.ok ? toAccountDto(result.value) : sendFailure(reply, result);
  });
}
