import { z } from 'zod';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { backtestStoredDefinition } from '../app/definitions/backtest-definition.ts';
import {
  activateDefinition, approversView, createDefinitionDraft, editDefinitionDraft, emergencyStopDefinition, proposeDefinition, retireDefinition,
  setApprovers, signDefinition, validateDefinitionInput, withdrawDefinition,
} from '../app/definitions/definition-lifecycle.ts';
import { definitionPickers } from '../app/definitions/definition-pickers.ts';
import { definitionHistory, diffDefinition, findDefinition, definitionVersionsPage } from '../app/definitions/definition-queries.ts';
import type { Result } from '../core/result.ts';
import type { LeadDefinitionRecord } from '../storage/definitions.repo.ts';
import { principalOf } from './auth.guard.ts';
import { errorResponses, idParams, pageOf, pageParams } from './contract/common.contract.ts';
import {
  approvalInput, approversDto, approversInput, backtestInput, definitionDto, definitionInput, diffDto, diffQuery, emergencyStopInput, historyDto,
  pickersDto, retireInput, toDefinitionDto, toHistoryDto, toPickersDto,
} from './contract/definitions.contract.ts';
import type { ServerDeps } from './create-server.ts';
import { sendFailure } from './errors.ts';

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
    schema: { tags, summary: 'List definition versions (newest first)', querystring: z.strictObject(pageParams({ sorted: true })), response: { 200: pageOf(definitionDto), ...errorResponses } },
  }, async (request) => {
    const page = await definitionVersionsPage(deps.app, principalOf(request).workspaceId, request.query);
    return { data: page.data.map(toDefinitionDto), next_cursor: page.nextCursor };
  });

  app.post(base, {
    config: { permission: 'write' },
    schema: { tags, summary: 'Create a draft definition (document object, or YAML/JSON text)', body: definitionInput, response: { 201: definitionDto, ...errorResponses } },
  }, async (request, reply) => {
    const p = principalOf(request);
    const result = await detail(p.workspaceId, await createDefinitionDraft(deps.app, p, request.body));
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
    schema: {
      tags, summary: 'Every version, oldest first: what changed (from the version before, also across pages), when, who agreed, and its backtest',
      querystring: z.strictObject(pageParams({ sorted: true })), response: { 200: historyDto, ...errorResponses },
    },
  }, async (request) => toHistoryDto(await definitionHistory(deps.app, principalOf(request).workspaceId, request.query)));

  app.get(`${base}/pickers`, {
    config: { permission: 'read' },
    schema: { tags, summary: 'Content, forms and custom fields a definition can name, by title (for the editor)', response: { 200: pickersDto, ...errorResponses } },
  }, async (request) => toPickersDto(await definitionPickers(deps.app, principalOf(request).workspaceId)));

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
    const result = await detail(p.workspaceId, await editDefinitionDraft(deps.app, p, request.params.id, request.body));
    return result.ok ? toDefinitionDto(result.value) : sendFailure(reply, result);
  });

  const stateChange = (path: string, summary: string, act: typeof proposeDefinition) => {
    app.post(`${base}/:id/${path}`, {
      config: { permission: 'write' },
      schema: { tags, summary, params: idParams, response: { 200: definitionDto, ...errorResponses } },
    }, async (request, reply) => {
      const p = principalOf(request);
      const result = await detail(p.workspaceId, await act(deps.app, p, request.params.id));
      return result.ok ? toDefinitionDto(result.value) : sendFailure(reply, result);
    });
  };
  stateChange('propose', 'Propose a draft for sign-off (its side only; needs a backtest of exactly this revision)', proposeDefinition);
  stateChange('withdraw', 'Withdraw a proposal back to draft (its side only)', withdrawDefinition);

  app.post(`${base}/:id/retire`, {
    config: { permission: 'write' },
    schema: {
      tags, params: idParams, body: retireInput.optional(), response: { 200: definitionDto, ...errorResponses },
      summary: 'Request retiring the active version (an approver; the other side approves it through /approvals, then scoring stops) or shelve an approved one',
    },
  }, async (request, reply) => {
    const p = principalOf(request);
    const result = await retireDefinition(deps.app, p, request.params.id, request.body?.reason ?? null);
    if (!result.ok) return sendFailure(reply, result);
    const found = await findDefinition(deps.app, p.workspaceId, request.params.id);
    return found.ok ? toDefinitionDto(found.value) : sendFailure(reply, found);
  });

  app.post(`${base}/:id/emergency-stop`, {
    config: { permission: 'admin' },
    schema: {
      tags, params: idParams, body: emergencyStopInput, response: { 200: definitionDto, ...errorResponses },
      summary: "Admins: retire the active version now, without sign-off (reason required; audit-logged; both sides' approvers are emailed)",
    },
  }, async (request, reply) => {
    const p = principalOf(request);
    const result = await detail(p.workspaceId, await emergencyStopDefinition(deps.app, p, request.params.id, request.body.reason));
    return result.ok ? toDefinitionDto(result.value) : sendFailure(reply, result);
  });

  app.get('/api/v1/approvers', {
    config: { permission: 'read' },
    schema: { tags, summary: "Each side's designated approvers (an explicit list, or the side's managers by default)", response: { 200: approversDto, ...errorResponses } },
  }, async (request) => approversView(deps.app, principalOf(request).workspaceId));

  app.put('/api/v1/approvers', {
    config: { permission: 'admin' },
    schema: {
      tags, body: approversInput, response: { 200: approversDto, ...errorResponses },
      summary: 'Admins: set the approver list of each side (user ids; an empty list means the side\'s managers). Sales reps and viewers are refused.',
    },
  }, async (request, reply) => {
    const result = await setApprovers(deps.app, principalOf(request), request.body);
    return result.ok ? result.value : sendFailure(reply, result);
  });

  app.post(`${base}/:id/approvals`, {
    config: { permission: 'write' },
    schema: { tags, summary: 'Approve or refuse a proposed version (or a pending retirement of the active one), for the side whose approver list names you', params: idParams, body: approvalInput, response: { 200: definitionDto, ...errorResponses } },
  }, async (request, reply) => {
    const p = principalOf(request);
    const signed = await signDefinition(deps.app, p, request.params.id, request.body);
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
    const result = await activateDefinition(deps.app, p, request.params.id);
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
    const result = await backtestStoredDefinition(deps.app, p, request.params.id, {
      from: b.from ? new Date(b.from) : null, to: b.to ? new Date(b.to) : null,
    });
    return result.ok ? JSON.parse(JSON.stringify(result.value)) : sendFailure(reply, result);
  });
}
