import { z } from 'zod';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { backtestStoredDefinition } from '../app/definitions/backtest-definition.ts';
import {
  activateDefinition, createDefinitionDraft, editDefinitionDraft, proposeDefinition, retireDefinition, signDefinition,
  validateDefinitionInput, withdrawDefinition,
} from '../app/definitions/definition-lifecycle.ts';
import { definitionHistory, diffDefinition, findDefinition, listDefinitionVersions } from '../app/definitions/definition-queries.ts';
import type { Result } from '../core/result.ts';
import type { LeadDefinitionRecord } from '../storage/definitions.repo.ts';
import { principalOf } from './auth.guard.ts';
import { errorResponses, idParams } from './contract/common.contract.ts';
import {
  approvalInput, backtestInput, definitionDto, definitionInput, diffDto, diffQuery, historyDto, toDefinitionDto, toHistoryDto,
} from './contract/definitions.contract.ts';
import type { ServerDeps } from './create-server.ts';
import { sendError, sendFailure } from './errors.ts';

export function definitionsRoutes(server: FastifyInstance, deps: ServerDeps): void {
  const app = server.withTypeProvider<ZodTypeProvider>();
  const tags = ['definitions'];
  const base = '/api/v1/definitions';

  /** Answers a version with its sign-off state (a second read: state changes are rare). */
  const detail = async (ws: string, result: Result<LeadDefinitionRecord>) => {
    if (!result.ok) return result;
    return findDefinition(deps.app, ws, result.value.id);
  };

  app.get(base, {
    config: { permission: 'read' },
    schema: { tags, summary: 'List definition versions (newest first)', response: { 200: z.object({ data: z.array(definitionDto) }), ...errorResponses } },
  }, async (request) => ({ data: (await listDefinitionVersions(deps.app, principalOf(request).workspaceId)).map(toDefinitionDto) }));

  app.post(base, {
    config: { permission: 'write' },
    schema: { tags, summary: 'Create a draft definition (document object, or YAML/JSON text)', body: definitionInput, response: { 201: definitionDto, ...errorResponses } },
  }, async (request, reply) => {
    const p = principalOf(request);
    const result = await detail(p.workspaceId, await createDefinitionDraft(deps.app, p.workspaceId, request.body, p.userId));
    return result.ok ? reply.code(201).send(toDefinitionDto(result.value)) : sendFailure(reply, result);
  });

  app.post(`${base}/validate`, {
    config: { permission: 'read' },
    schema: { tags, summary: 'Validate a definition without saving it; errors carry their path inside the document', body: definitionInput, response: { 200: z.object({ valid: z.literal(true), name: z.string() }), ...errorResponses } },
  }, async (request, reply) => {
    const result = await validateDefinitionInput(deps.app.db, principalOf(request).workspaceId, request.body);
    return result.ok ? { valid: true as const, name: result.value.name } : sendFailure(reply, result);
  });

  app.get(`${base}/history`, {
    config: { permission: 'read' },
    schema: { tags, summary: 'Every version: what changed, when, who agreed, and its backtest', response: { 200: historyDto, ...errorResponses } },
  }, async (request) => toHistoryDto(await definitionHistory(deps.app, principalOf(request).workspaceId)));

  app.get(`${base}/:id`, {
    config: { permission: 'read' },
    schema: { tags, summary: 'Get a definition version', params: idParams, response: { 200: definitionDto, ...errorResponses } },
  }, async (request, reply) => {
    const result = await findDefinition(deps.app, principalOf(request).workspaceId, request.params.id);
    return result.ok ? toDefinitionDto(result.value) : sendFailure(reply, result);
  });

  app.patch(`${base}/:id`, {
    config: { permission: 'write' },
    schema: { tags, summary: 'Replace the document of a draft (proposed and approved versions are immutable)', params: idParams, body: definitionInput, response: { 200: definitionDto, ...errorResponses } },
  }, async (request, reply) => {
    const p = principalOf(request);
    const result = await detail(p.workspaceId, await editDefinitionDraft(deps.app, p.workspaceId, request.params.id, request.body, p.userId));
    return result.ok ? toDefinitionDto(result.value) : sendFailure(reply, result);
  });

  const stateChange = (path: string, summary: string, act: typeof proposeDefinition) => {
    app.post(`${base}/:id/${path}`, {
      config: { permission: 'write' },
      schema: { tags, summary, params: idParams, response: { 200: definitionDto, ...errorResponses } },
    }, async (request, reply) => {
      const p = principalOf(request);
      const result = await detail(p.workspaceId, await act(deps.app, p.workspaceId, request.params.id, p.userId));
      return result.ok ? toDefinitionDto(result.value) : sendFailure(reply, result);
    });
  };
  stateChange('propose', 'Propose a draft for sign-off', proposeDefinition);
  stateChange('withdraw', 'Withdraw a proposal back to draft', withdrawDefinition);
  stateChange('retire', 'Retire the active version (nothing is scored then) or shelve an approved one', retireDefinition);

  app.post(`${base}/:id/approvals`, {
    config: { permission: 'write' },
    schema: { tags, summary: 'Approve or refuse a proposed version, signing with your role', params: idParams, body: approvalInput, response: { 200: definitionDto, ...errorResponses } },
  }, async (request, reply) => {
    const p = principalOf(request);
    if (!p.userId || !p.role) {
      return sendError(reply, 'Forbidden', 'Signing a definition needs a person: log in, or use a personal API key (keys create --user EMAIL); a machine key cannot sign.');
    }
    const signed = await signDefinition(deps.app, p.workspaceId, request.params.id, { userId: p.userId, role: p.role }, request.body);
    if (!signed.ok) return sendFailure(reply, signed);
    const result = await findDefinition(deps.app, p.workspaceId, request.params.id);
    return result.ok ? toDefinitionDto(result.value) : sendFailure(reply, result);
  });

  app.post(`${base}/:id/activate`, {
    config: { permission: 'write' },
    schema: {
      tags, summary: 'Activate a fully signed version; the previous active one is retired in the same step', params: idParams,
      response: { 200: z.object({ activated: definitionDto, retired: definitionDto.nullable() }), ...errorResponses },
    },
  }, async (request, reply) => {
    const p = principalOf(request);
    const result = await activateDefinition(deps.app, p.workspaceId, request.params.id, p.userId);
    if (!result.ok) return sendFailure(reply, result);
    const activated = await findDefinition(deps.app, p.workspaceId, result.value.activated.id);
    const retired = result.value.retired ? await findDefinition(deps.app, p.workspaceId, result.value.retired.id) : null;
    if (!activated.ok) return sendFailure(reply, activated);
    return { activated: toDefinitionDto(activated.value), retired: retired?.ok ? toDefinitionDto(retired.value) : null };
  });

  app.get(`${base}/:id/diff`, {
    config: { permission: 'read' },
    schema: { tags, summary: 'What changed from another version (default: the active one), in words', params: idParams, querystring: diffQuery, response: { 200: diffDto, ...errorResponses } },
  }, async (request, reply) => {
    const result = await diffDefinition(deps.app, principalOf(request).workspaceId, request.params.id, request.query.against);
    return result.ok ? result.value : sendFailure(reply, result);
  });

  app.post(`${base}/:id/backtest`, {
    config: { permission: 'write' },
    schema: {
      tags, summary: 'Replay recorded history under this version and the active one (read-only; the result is kept with the version)',
      params: idParams, body: backtestInput.optional(), response: { 200: z.record(z.string(), z.unknown()), ...errorResponses },
    },
  }, async (request, reply) => {
    const p = principalOf(request);
    const b = request.body ?? {};
    const result = await backtestStoredDefinition(deps.app, p.workspaceId, request.params.id, {
      from: b.from ? new Date(b.from) : null, to: b.to ? new Date(b.to) : null,
    }, p.userId);
    return result.ok ? JSON.parse(JSON.stringify(result.value)) : sendFailure(reply, result);
  });
}
