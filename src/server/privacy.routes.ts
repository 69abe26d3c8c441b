import { z } from 'zod';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { storedZip } from '../core/privacy/stored-zip.ts';
import { erasePerson } from '../app/privacy/erase-person.ts';
import { exportAsCsvFiles, exportPerson } from '../app/privacy/export-person.ts';
import { consentHistory } from '../app/privacy/consent-history.ts';
import { changeConsentSettings, consentSettings } from '../app/privacy/double-opt-in.ts';
import { changeRetention, retentionPolicy, runRetention } from '../app/privacy/retention.ts';
import { principalOf } from './auth.guard.ts';
import { errorResponses, idParams, pageOf, pageParams } from './contract/common.contract.ts';
import {
  consentEventDto, consentSettingsDto, consentSettingsPatch, erasureInput, erasureReceiptDto, exportParams, exportQuery, personExportDto, retentionDto, retentionPatch, retentionRunDto,
} from './contract/privacy.contract.ts';
import type { ServerDeps } from './create-server.ts';
import { sendError, sendFailure } from './errors.ts';

/** Privacy requests (issue #16): erase and export a person, retention, consent history. PRIVACY.md explains each. */
export function privacyRoutes(server: FastifyInstance, deps: ServerDeps): void {
  const app = server.withTypeProvider<ZodTypeProvider>();
  const tags = ['privacy'];

  app.post('/api/v1/privacy/erasures', {
    config: { permission: 'admin' },
    schema: { tags, summary: 'Erase a person (by contact id or email): personal data removed in one transaction, identifiers suppressed, receipt in the audit log', body: erasureInput, response: { 200: erasureReceiptDto, ...errorResponses } },
  }, async (request, reply) => {
    const b = request.body;
    if ((b.contact_id === undefined) === (b.email === undefined)) {
      return sendError(reply, 'ValidationFailed', 'Name the person by exactly one of contact_id or email.', [{ path: 'body', message: b.contact_id ? 'give contact_id or email, not both' : 'contact_id or email is required' }]);
    }
    const target = b.contact_id ? { contactId: b.contact_id } : { email: b.email! };
    const result = await erasePerson(deps.app, principalOf(request).workspaceId, target, principalOf(request), b.reason ?? null);
    if (!result.ok) return sendFailure(reply, result);
    const r = result.value;
    return { contact_id: r.contactId, status: r.status, erased_at: r.erasedAt?.toISOString() ?? null, counts: r.counts, suppressed: r.suppressed };
  });

  app.get('/api/v1/privacy/exports/:contact', {
    config: { permission: 'admin' },
    schema: { tags, summary: "Everything the registry of personal data holds about a person: one JSON document, or a ZIP of CSV files (format=csv)", params: exportParams, querystring: exportQuery, response: { 200: personExportDto, ...errorResponses } },
  }, async (request, reply) => {
    const principal = principalOf(request);
    const result = await exportPerson(deps.app, principal.workspaceId, request.params.contact, principal);
    if (!result.ok) return sendFailure(reply, result);
    const name = `person-${result.value.contact_id}`;
    if (request.query.format === 'csv') {
      return (reply as unknown as FastifyReply).type('application/zip').header('content-disposition', `attachment; filename="${name}.zip"`)
        .send(Buffer.from(storedZip(exportAsCsvFiles(result.value))));
    }
    return reply.header('content-disposition', `attachment; filename="${name}.json"`).send(result.value);
  });

  app.get('/api/v1/privacy/retention', {
    config: { permission: 'admin' },
    schema: { tags, summary: 'How long the workspace keeps anonymous activity, dead letters, logs, import errors and unsubscribed contacts (days; null: forever)', response: { 200: retentionDto, ...errorResponses } },
  }, async (request) => retentionPolicy(deps.app, principalOf(request).workspaceId));

  app.patch('/api/v1/privacy/retention', {
    config: { permission: 'admin' },
    schema: { tags, summary: 'Change retention periods (audited)', body: retentionPatch, response: { 200: retentionDto, ...errorResponses } },
  }, async (request) => changeRetention(deps.app, principalOf(request), Object.fromEntries(Object.entries(request.body).filter(([, v]) => v !== undefined))));

  app.post('/api/v1/privacy/retention/run', {
    config: { permission: 'admin' },
    schema: { tags, summary: 'Delete what has expired now (the daily job does the same) and report the counts', response: { 200: retentionRunDto, ...errorResponses } },
  }, async (request) => {
    const { workspaceId: _, ...counts } = await runRetention(deps.app, principalOf(request).workspaceId);
    return counts;
  });

  const settingsDto = (s: { enabled: boolean; confirmWithinDays: number }) => ({ double_opt_in: s.enabled, confirm_within_days: s.confirmWithinDays });

  app.get('/api/v1/settings/consent', {
    config: { permission: 'read' },
    schema: { tags, summary: 'How consent is asked for: double opt-in for marketing email (default off) and how long a confirmation link works', response: { 200: consentSettingsDto, ...errorResponses } },
  }, async (request) => settingsDto(await consentSettings(deps.app, principalOf(request).workspaceId)));

  app.patch('/api/v1/settings/consent', {
    config: { permission: 'write' },
    schema: { tags, summary: 'Switch double opt-in or its confirmation window (marketing or an admin; audited)', body: consentSettingsPatch, response: { 200: consentSettingsDto, ...errorResponses } },
  }, async (request, reply) => {
    const b = request.body;
    const result = await changeConsentSettings(deps.app, principalOf(request), { enabled: b.double_opt_in, confirmWithinDays: b.confirm_within_days });
    return result.ok ? settingsDto(result.value) : sendFailure(reply, result);
  });

  app.get('/api/v1/contacts/:id/consent-history', {
    config: { permission: 'read' },
    schema: { tags, summary: 'Every consent choice per purpose, newest first, with its source and legal basis', params: idParams, querystring: z.strictObject(pageParams({ sorted: true })), response: { 200: pageOf(consentEventDto), ...errorResponses } },
  }, async (request, reply) => {
    const result = await consentHistory(deps.app, principalOf(request).workspaceId, request.params.id, request.query);
    if (!result.ok) return sendFailure(reply, result);
    const data = result.value.data.map((e) => ({ id: e.id, purpose: e.purpose, status: e.status, source: e.source, basis: e.basis, at: e.at.toISOString(), recorded_at: e.recordedAt.toISOString() }));
    return { data, next_cursor: result.value.nextCursor };
  });
}
