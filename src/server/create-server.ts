import Fastify, { LogController, type FastifyInstance } from 'fastify';
import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { jsonSchemaTransform, jsonSchemaTransformObject, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AuthService } from '../app/auth.ts';
import type { AppDeps } from '../app/context.ts';
import type { OidcService } from '../app/oidc.ts';
import { authGuard } from './auth.guard.ts';
import { frameworkError, installErrorHandling } from './errors.ts';
import { installJsonParser, storableGuard } from './storable.guard.ts';
import { adminRoutes } from './admin.routes.ts';
import { alertsRoutes } from './alerts.routes.ts';
import { webhooksRoutes } from './webhooks.routes.ts';
import { authRoutes } from './auth.routes.ts';
import { catalogRoutes } from './catalog.routes.ts';
import { contactsRoutes } from './contacts.routes.ts';
import { handoffRoutes } from './handoff.routes.ts';
import { handoffReportsRoutes } from './handoff-reports.routes.ts';
import { leadsRoutes } from './leads.routes.ts';
import { metricsRoutes } from './metrics.routes.ts';
import { nurtureRoutes } from './nurture.routes.ts';
import { nurtureTrackingRoutes } from './nurture-tracking.routes.ts';
import { contentLibraryRoutes } from './content-library.routes.ts';
import { contentCalendarRoutes } from './content-calendar.routes.ts';
import { opportunitiesRoutes } from './opportunities.routes.ts';
import { auditActorHook, auditRoutes } from './audit.routes.ts';
import { definitionsRoutes } from './definitions.routes.ts';
import { scoringRoutes } from './scoring.routes.ts';
import { webRoutes } from './web.routes.ts';
import { reportsRoutes } from './reports.routes.ts';
import type { IngestPipeline } from '../app/ingest-pipeline.ts';
import { ingestRoutes } from './ingest.routes.ts';
import { ingestCors } from './ingest-auth.ts';
import { formsRoutes } from './forms.routes.ts';
import { snippetRoutes } from './snippet.routes.ts';
import { importsRoutes } from './imports.routes.ts';
import { integrationsRoutes } from './integrations.routes.ts';
import { composeApp } from '../app/compose.ts';

export type ServerDeps = {
  app: AppDeps;
  auth: AuthService;
  publicUrl: string;
  logLevel: string;
  sessionTtlHours: number;
  secureCookies: boolean;
  /** OpenID Connect sign-in, when configured (LEADLOOP_OIDC_*). */
  oidc?: OidcService;
  /** Ingestion pipeline with its post-persist steps (built in src/main.ts); default: no steps. */
  ingest?: IngestPipeline;
  /** LEADLOOP_SECRET_KEY: encrypts CRM credentials at rest (unset: connecting a CRM is refused with how to set it). */
  crmSecretKey?: string;
};

export type TypedServer = ReturnType<FastifyInstance['withTypeProvider']> & FastifyInstance;
export type RouteRegistrar = (app: FastifyInstance, deps: ServerDeps) => void;

/** Builds the HTTP server: one error shape, auth on every declared permission, OpenAPI from zod. */
export async function createServer(deps: ServerDeps): Promise<FastifyInstance> {
  composeApp(); // every domain-event subscriber registered (idempotent)
  const app = Fastify({
    logger: deps.logLevel === 'silent' ? false : {
      level: deps.logLevel,
      // Secrets never reach the logs.
      redact: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'],
    },
    bodyLimit: 1024 * 1024,
    trustProxy: true,
    frameworkErrors: frameworkError,
    // Per-request lines only at debug: ingestion traffic would drown everything else.
    logController: new LogController({ disableRequestLogging: deps.logLevel !== 'debug' && deps.logLevel !== 'trace' }),
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandling(app);
  // Ingestion answers (errors and 404s included) carry CORS headers: browser SDKs must see a refusal.
  app.addHook('onRequest', ingestCors);
  app.decorateRequest('principal', null);
  await app.register(cookie);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Leadloop API', version: '1', description: 'The closed-loop lead system of record. Authenticate with `Authorization: Bearer <api key>`.' },
      servers: [{ url: deps.publicUrl }],
      components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer' }, session: { type: 'apiKey', in: 'cookie', name: 'leadloop_session' } } },
      security: [{ apiKey: [] }, { session: [] }],
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs' });
  // Before validation: nothing PostgreSQL cannot store (NUL, broken Unicode, hostile depth) reaches zod or SQL.
  installJsonParser(app);
  app.addHook('preValidation', storableGuard);
  app.addHook('preHandler', authGuard(deps.auth, { publicUrl: deps.publicUrl }));
  app.addHook('preHandler', auditActorHook);

  const typed = app.withTypeProvider<ZodTypeProvider>();
  typed.get('/api/v1/health', { config: { permission: 'public' }, schema: { hide: false, tags: ['system'] } }, async () => ({ status: 'ok' }));
  typed.get('/api/v1/openapi.json', { config: { permission: 'public' }, schema: { hide: true } }, async () => app.swagger());

  // One registrar per line: features add theirs without touching their neighbours'.
  const registrars = [
    metricsRoutes,
    authRoutes,
    adminRoutes,
    contactsRoutes,
    leadsRoutes,
    catalogRoutes,
    opportunitiesRoutes,
    definitionsRoutes,
    auditRoutes,
    scoringRoutes,
    reportsRoutes,
    ingestRoutes,
    formsRoutes,
    snippetRoutes,
    importsRoutes,
    handoffRoutes,
    alertsRoutes,
    webhooksRoutes,
    handoffReportsRoutes,
    nurtureRoutes,
    nurtureTrackingRoutes,
    contentLibraryRoutes,
    contentCalendarRoutes,
    integrationsRoutes,
  ];
  for (const register of registrars) {
    register(app, deps);
  }
  // Last: the web app's catch-all must come after every API route.
  await webRoutes(app);
  return app;
}
