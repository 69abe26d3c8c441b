import { z } from 'zod';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { contactActivities, contactContentRatings, contactIdentity, createAccount, createContact, findAccount, findContact, patchContact, searchAccounts, searchContacts } from '../app/contacts.ts';
import { principalOf } from './auth.guard.ts';
import { errorResponses, idParams, pageOf, pageQuery } from './contract/common.contract.ts';
import {
  accountDto, accountInput, activityDto, contactContentRatingDto, contactDto, contactFields, contactIdentityDto, contactInput, toAccountDto, toActivityDto, toContactContentRatingDto, toContactDto, toContactIdentityDto,
} from './contract/contacts.contract.ts';
import { pageAnswer, pageRequestOf, pollPageOf, pollQuery } from './contract/polling.contract.ts';
import type { ServerDeps } from './create-server.ts';
import { sendFailure } from './errors.ts';

export function contactsRoutes(server: FastifyInstance, deps: ServerDeps): void {
  const app = server.withTypeProvider<ZodTypeProvider>();
  const tags = ['contacts'];

  app.get('/api/v1/contacts', {
    config: { permission: 'read' },
    schema: { tags, summary: 'List contacts (newest first)', querystring: z.strictObject({ email: z.string().max(254).optional(), account_id: z.uuid().optional(), q: z.string().max(200).optional(), ...pageQuery, ...pollQuery }), response: { 200: pollPageOf(contactDto), ...errorResponses } },
  }, async (request) => {
    const q = request.query;
    const page = await searchContacts(deps.app, principalOf(request).workspaceId, { email: q.email, accountId: q.account_id, q: q.q }, pageRequestOf(q));
    return pageAnswer(page, toContactDto);
  });

  app.post('/api/v1/contacts', {
    config: { permission: 'write' },
    schema: { tags, summary: 'Create a contact', body: contactInput, response: { 201: contactDto, ...errorResponses } },
  }, async (request, reply) => {
    const result = await createContact(deps.app, principalOf(request).workspaceId, contactFields(request.body));
    if (!result.ok) return sendFailure(reply, result);
    return reply.code(201).send(toContactDto(result.value));
  });

  app.get('/api/v1/contacts/:id', {
    config: { permission: 'read' },
    schema: { tags, summary: 'Get a contact', params: idParams, response: { 200: contactDto, ...errorResponses } },
  }, async (request, reply) => {
    const result = await findContact(deps.app, principalOf(request).workspaceId, request.params.id);
    return result.ok ? toContactDto(result.value) : sendFailure(reply, result);
  });

  app.patch('/api/v1/contacts/:id', {
    config: { permission: 'write' },
    schema: { tags, summary: 'Update a contact (attributes are merged; null removes a key)', params: idParams, body: contactInput, response: { 200: contactDto, ...errorResponses } },
  }, async (request, reply) => {
    const result = await patchContact(deps.app, principalOf(request).workspaceId, request.params.id, contactFields(request.body));
    return result.ok ? toContactDto(result.value) : sendFailure(reply, result);
  });

  app.get('/api/v1/contacts/:id/activities', {
    config: { permission: 'read' },
    schema: { tags, summary: "A contact's activity timeline (newest first)", params: idParams, querystring: z.strictObject(pageQuery), response: { 200: pageOf(activityDto), ...errorResponses } },
  }, async (request, reply) => {
    const result = await contactActivities(deps.app, principalOf(request).workspaceId, request.params.id, request.query);
    if (!result.ok) return sendFailure(reply, result);
    return { data: result.value.data.map(toActivityDto), next_cursor: result.value.nextCursor };
  });

  app.get('/api/v1/contacts/:id/identity', {
    config: { permission: 'read' },
    schema: { tags, summary: "A contact's identities, the merges it took part in and its identity conflicts (e.g. a second person on one browser)", params: idParams, response: { 200: contactIdentityDto, ...errorResponses } },
  }, async (request, reply) => {
    const result = await contactIdentity(deps.app, principalOf(request).workspaceId, request.params.id);
    return result.ok ? toContactIdentityDto(result.value) : sendFailure(reply, result);
  });

  app.get('/api/v1/contacts/:id/content-ratings', {
    config: { permission: 'read' },
    schema: { tags, summary: 'Content ratings this contact gave (newest first), with the asset title', params: idParams, querystring: z.strictObject(pageQuery), response: { 200: pageOf(contactContentRatingDto), ...errorResponses } },
  }, async (request, reply) => {
    const result = await contactContentRatings(deps.app, principalOf(request).workspaceId, request.params.id, request.query);
    if (!result.ok) return sendFailure(reply, result);
    return { data: result.value.data.map(toContactContentRatingDto), next_cursor: result.value.nextCursor };
  });

  app.get('/api/v1/accounts', {
    config: { permission: 'read' },
    schema: { tags: ['accounts'], summary: 'List accounts', querystring: z.strictObject({ domain: z.string().max(253).optional(), ...pageQuery, ...pollQuery }), response: { 200: pollPageOf(accountDto), ...errorResponses } },
  }, async (request) => {
    const page = await searchAccounts(deps.app, principalOf(request).workspaceId, { domain: request.query.domain }, pageRequestOf(request.query));
    return pageAnswer(page, toAccountDto);
  });

  app.post('/api/v1/accounts', {
    config: { permission: 'write' },
    schema: { tags: ['accounts'], summary: 'Create an account', body: accountInput, response: { 201: accountDto, ...errorResponses } },
  }, async (request, reply) => {
    const b = request.body;
    const result = await createAccount(deps.app, principalOf(request).workspaceId, {
      name: b.name, domain: b.domain, industry: b.industry, employeeCount: b.employee_count, country: b.country, region: b.region,
      annualRevenue: b.annual_revenue, ownerId: b.owner_id, externalId: b.external_id, attributes: b.attributes,
    });
    if (!result.ok) return sendFailure(reply, result);
    return reply.code(201).send(toAccountDto(result.value));
  });

  app.get('/api/v1/accounts/:id', {
    config: { permission: 'read' },
    schema: { tags: ['accounts'], summary: 'Get an account', params: idParams, response: { 200: accountDto, ...errorResponses } },
  }, async (request, reply) => {
    const result = await findAccount(deps.app, principalOf(request).workspaceId, request.params.id);
    return result.ok ? toAccountDto(result.value) : sendFailure(reply, result);
  });
}
