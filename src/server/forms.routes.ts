import formbody from '@fastify/formbody';
import { z } from 'zod';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { checkFormRedirect, formRedirectPolicy, setFormRedirectDomains } from '../app/form-redirects.ts';
import { submitForm } from '../app/forms.ts';
import { ingestTrustOf } from '../core/ingest-trust.rules.ts';
import { errorResponses } from './contract/common.contract.ts';
import type { ServerDeps } from './create-server.ts';
import { sendFailure } from './errors.ts';
import { principalOf } from './auth.guard.ts';
import { allowAnyOrigin, ingestGuard, ingestPrincipal } from './ingest-auth.ts';
import { ingestPipelineOf } from './ingest.routes.ts';

const redirectSettings = z.object({
  domains: z.array(z.string()).nullable().describe('The domains forms may redirect to (subdomains included); null: the defaults apply.'),
  effective: z.array(z.string()).describe("What applies now. Unset: Leadloop's own address and your content library's sites; each submission may also go back to the site of the page that held the form."),
}).meta({ id: 'FormRedirectSettings' });

const formAnswer = z.object({ ok: z.literal(true), contact_id: z.string().nullable() }).meta({ id: 'FormSubmissionAnswer' });

/**
 * POST /api/v1/forms/{formId}/submissions: a plain HTML form posting here works (urlencoded, the
 * ingest key in ?key=), and so does the snippet (JSON, sent as text/plain to skip CORS preflight).
 */
export function formsRoutes(server: FastifyInstance, deps: ServerDeps): void {
  const pipeline = ingestPipelineOf(deps);
  const guard = ingestGuard(deps.auth);
  const settings = server.withTypeProvider<ZodTypeProvider>();
  const settingsSchema = { tags: ['forms'], response: { 200: redirectSettings, ...errorResponses } };
  settings.get('/api/v1/settings/form-redirects', {
    config: { permission: 'read' }, schema: { ...settingsSchema, summary: 'Where form submissions may redirect (_redirect)' },
  }, async (request) => {
    const policy = await formRedirectPolicy(deps.app, principalOf(request).workspaceId, deps.publicUrl);
    return { domains: policy.configured, effective: policy.domains };
  });
  settings.put('/api/v1/settings/form-redirects', {
    config: { permission: 'admin' },
    schema: {
      ...settingsSchema, summary: 'Set the domains forms may redirect to (subdomains included); null restores the defaults',
      body: z.strictObject({ domains: z.array(z.string().max(300)).max(100).nullable() }),
    },
  }, async (request, reply) => {
    const workspaceId = principalOf(request).workspaceId;
    const set = await setFormRedirectDomains(deps.app, workspaceId, request.body.domains);
    if (!set.ok) return sendFailure(reply, set);
    const policy = await formRedirectPolicy(deps.app, workspaceId, deps.publicUrl);
    return { domains: policy.configured, effective: policy.domains };
  });

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
      const workspaceId = principal.workspaceId;
      // A plain HTML form's Referer is the page holding the form (the Origin when the page sends no Referer).
      const pageUrl = typeof request.headers.referer === 'string' ? request.headers.referer
        : typeof request.headers.origin === 'string' && request.headers.origin !== 'null' ? request.headers.origin : null;
      // Checked before anything is stored: a refused redirect is a 400 that writes nothing (never an open redirect).
      const redirect = await checkFormRedirect(deps.app, workspaceId, { redirect: request.body._redirect, pageUrl, publicUrl: deps.publicUrl });
      if (!redirect.ok) return sendFailure(reply, redirect);
      const result = await submitForm(deps.app, pipeline, workspaceId, request.params.formId, {
        trust: ingestTrustOf(principal.permissions),
        fields: { ...request.body, _redirect: redirect.value ?? undefined }, pageUrl: typeof request.headers.referer === 'string' ? request.headers.referer : null,
      });
      if (!result.ok) return sendFailure(reply, result);
      if (result.value.redirect) return reply.code(303).header('location', result.value.redirect).send(null);
      return { ok: true as const, contact_id: result.value.contactId };
    });
  });
}
