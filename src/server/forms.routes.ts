import formbody from '@fastify/formbody';
import { z } from 'zod';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { submitForm } from '../app/forms.ts';
import { ingestTrustOf } from '../core/ingest-trust.rules.ts';
import { errorResponses } from './contract/common.contract.ts';
import type { ServerDeps } from './create-server.ts';
import { sendFailure } from './errors.ts';
import { allowAnyOrigin, ingestGuard, ingestPrincipal } from './ingest-auth.ts';
import { ingestPipelineOf } from './ingest.routes.ts';

const formAnswer = z.object({ ok: z.literal(true), contact_id: z.string().nullable() }).meta({ id: 'FormSubmissionAnswer' });

/**
 * POST /api/v1/forms/{formId}/submissions: a plain HTML form posting here works (urlencoded, the
 * ingest key in ?key=), and so does the snippet (JSON, sent as text/plain to skip CORS preflight).
 */
export function formsRoutes(server: FastifyInstance, deps: ServerDeps): void {
  const pipeline = ingestPipelineOf(deps);
  const guard = ingestGuard(deps.auth);
  void server.register(async (scope) => {
    // Form parsing only for this route scope: the rest of the API stays JSON-only.
    await scope.register(formbody, { bodyLimit: 64 * 1024 });
    scope.addContentTypeParser('text/plain', { parseAs: 'string', bodyLimit: 64 * 1024 }, async (_request: unknown, body: string) => {
      try {
        return JSON.parse(body);
      } catch (e) {
        throw Object.assign(new Error((e as Error).message), { statusCode: 400, code: 'FST_ERR_CTP_INVALID_JSON_BODY' });
      }
    });
    scope.addHook('onRequest', async (_request, reply) => allowAnyOrigin(reply));
    scope.options('/api/v1/forms/:formId/submissions', { config: { permission: 'public' }, schema: { hide: true } }, async (_r, reply) => reply.code(204).send());
    const app = scope.withTypeProvider<ZodTypeProvider>();
    app.post('/api/v1/forms/:formId/submissions', {
      config: { permission: 'public' }, preHandler: guard, bodyLimit: 64 * 1024,
      schema: {
        tags: ['forms'],
        summary: 'Submit a form (JSON or urlencoded; ingest key as ?key=, Basic or Bearer). Fields: email, first_name, last_name, company, consent_<purpose>, _redirect, _hp (honeypot), _anonymous_id',
        params: z.strictObject({ formId: z.string().min(1).max(100).regex(/^[\w.-]+$/, 'letters, digits, _ . - only') }),
        querystring: z.object({ key: z.string().optional() }),
        body: z.record(z.string(), z.unknown(), { message: 'must be an object of form fields' }),
        response: { 200: formAnswer, 303: z.null(), ...errorResponses },
      },
    }, async (request, reply) => {
      const principal = ingestPrincipal(request);
      const result = await submitForm(deps.app, pipeline, principal.workspaceId, request.params.formId, {
        trust: ingestTrustOf(principal.permissions),
        // A plain HTML form's Referer is the page holding the form.
        fields: request.body, pageUrl: typeof request.headers.referer === 'string' ? request.headers.referer : null,
      });
      if (!result.ok) return sendFailure(reply, result);
      if (result.value.redirect) return reply.code(303).header('location', result.value.redirect).send(null);
      return { ok: true as const, contact_id: result.value.contactId };
    });
  });
}
