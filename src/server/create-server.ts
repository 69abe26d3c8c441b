import Fastify, { LogController, type FastifyInstance } from 'fastify';
import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { contractTransform, contractTransformObject, securitySchemes } from './contract/openapi-document.ts';
import type { Registry } from 'prom-client';
import type { AuthService } from '../app/auth.ts';
import type { AppDeps } from '../app/context.ts';
import type { OidcService } from '../app/oidc.ts';
import { authGuard } from './auth.guard.ts';
import { frameworkError, installErrorHandling } from './errors.ts';
import { installJsonParser, storableGuard } from './storable.guard.ts';
import { adminRoutes } from './admin.routes.ts';
import { alertsRoutes } from './alerts.routes.ts';
import { webhooksRoutes } from './webhooks.routes.ts';
import { privacyRoutes } from './privacy.routes.ts';
import { authRoutes } from './auth.routes.ts';
import { catalogRoutes } from './catalog.routes.ts';
import { contactsRoutes } from './contacts.routes.ts';
import { handoffRoutes } from './handoff.routes.ts';
import { handoffReportsRoutes } from './handoff-reports.routes.ts';
import { leadsBulkRoutes } from './leads-bulk.routes.ts';
import { leadsRoutes } from './leads.routes.ts';
import { metricsRoutes } from './metrics.routes.ts';
import { nurtureRoutes } from './nurture.routes.ts';
import { tasksRoutes } from './tasks.routes.ts';
import { rejectionsRoutes } from './rejections.routes.ts';
import { campaignsRoutes } from './campaigns.routes.ts';
import { nurtureTrackingRoutes } from './nurture-tracking.routes.ts';
import { preferenceCentreRoutes } from './preference-centre.routes.ts';
import { contentLibraryRoutes } from './content-library.routes.ts';
import { contentCalendarRoutes } from './content-calendar.routes.ts';
import { opportunitiesRoutes } from './opportunities.routes.ts';
import { auditActorHook, auditRoutes } from './audit.routes.ts';
import { definitionsRoutes } from './definitions.routes.ts';
import { scoringRoutes } from './scoring.routes.ts';
import { webRoutes } from './web.routes.ts';
import { reportsRoutes } from './reports.routes.ts';
import { modelsRoutes } from './models.routes.ts';
import type { IngestPipeline } from '../app/ingest-pipeline.ts';
import { ingestRoutes } from './ingest.routes.ts';
import { ingestCors } from './ingest-auth.ts';
import { formsRoutes } from './forms.routes.ts';
import { healthRoutes } from './health.routes.ts';
import { loggerOptions, registerRateLimits, registerSecurityHeaders, type RateLimitGroup } from './http-hardening.ts';
import { snippetRoutes } from './snippet.routes.ts';
import { importsRoutes } from './imports.routes.ts';
import { integrationsRoutes } from './integrations.routes.ts';
import { listsRoutes } from './lists.routes.ts';
import { accountsRoutes } from './accounts.routes.ts';
import { savedViewsRoutes } from './saved-views.routes.ts';
import { searchRoutes } from './search.routes.ts';
import { composeApp } from '../app/compose.ts';

export type ServerDeps = {
  app: AppDeps;
  auth: AuthService;
  publicUrl: string;
  logLevel: string;
  sessionTtlHours: number;
  secureCookies: boolean;
  /** What reports read through (REPORTS_DATABASE_URL: a read-only replica); default: `app`. */
  reports?: AppDeps;
  /** OpenID Connect sign-in, when configured (LEADLOOP_OIDC_*). */
  oidc?: OidcService;
  /** Ingestion pipeline with its post-persist steps (built in src/main.ts); default: no steps. */
  ingest?: IngestPipeline;
  /** LEADLOOP_SECRET_KEY: encrypts CRM credentials at rest (unset: connecting a CRM is refused with how to set it). */
  crmSecretKey?: string;
  /**
   * Addresses (IPs or CIDR ranges) of reverse proxies whose X-Forwarded-For is believed; default none:
   * the client address is the socket's, so a forged header cannot dodge per-address limits.
   */
  trustedProxies?: string[];
  /** Per-address requests a minute on the public doors (defaults in http-hardening.ts). */
  rateLimits?: Partial<Record<RateLimitGroup, number>>;
  /** The job worker's metrics when it runs in this process (`start`): published on this server's /metrics. */
  jobMetrics?: Registry;
  /** Where log lines go (default stdout); tests read them. */
  logStream?: { write: (line: string) => void };
};

export type TypedServer = ReturnType<FastifyInstance['withTypeProvider']> & FastifyInstance;
export type RouteRegistrar = (app: FastifyInstance, deps: ServerDeps) => void;

/** Builds the HTTP server: one error shape, auth on every declared permission, OpenAPI from zod. */
export async function createServer(deps: ServerDeps): Promise<FastifyInstance> {
  composeApp(); // every domain-event subscriber registered (idempotent)
  const app = Fastify({
    // Secrets never reach the logs: headers are not logged, credential query values and link tokens are scrubbed.
    logger: deps.logLevel === 'silent' ? false : loggerOptions(deps.logLevel, deps.logStream),
    bodyLimit: 1024 * 1024,
    trustProxy: deps.trustedProxies?.length ? deps.trustedProxies : false,
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
  await registerSecurityHeaders(app, deps.publicUrl);
  // Before any route: the plugin attaches its hook to routes as they are added.
  await registerRateLimits(app, deps.rateLimits);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Leadloop API', version: '1',
        description: 'The closed-loop lead system of record. Authenticate with `Authorization: Bearer <api key>`; the Segment-compatible `/v1/*` doors take the ingest key (HTTP Basic user name). Each operation names the permission it needs in `x-leadloop-permission`.',
        license: { name: 'MIT', identifier: 'MIT' },
      },
      servers: [{ url: deps.publicUrl }],
      components: { securitySchemes },
      security: [{ apiKey: [] }, { session: [] }],
    },
    // operationId, security per path group and a documented 2xx on every route, computed here (contract/openapi-document.ts).
    transform: contractTransform,
    transformObject: contractTransformObject,
  });
  // The docs page brings its own inline script and styles: the plugin sends a CSP allowing exactly those.
  await app.register(swaggerUi, {
    routePrefix: '/api/docs', staticCSP: true,
    // The plugin's CSP upgrades requests to https (breaks the page on a plain-http install; HSTS does that job over
    // https), and swagger-ui sets inline styles its style hashes do not cover: styles (never scripts) may be inline here.
    transformStaticCSP: (header) => header.replace(/\s*upgrade-insecure-requests;?/, '').replace(/style-src [^;]*/, "style-src 'self' 'unsafe-inline'"),
  });
  // Before validation: nothing PostgreSQL cannot store (NUL, broken Unicode, hostile depth) reaches zod or SQL.
  installJsonParser(app);
  // Authentication first (before the body is even parsed): an unauthenticated request learns nothing about its body.
  app.addHook('onRequest', authGuard(deps.auth, { publicUrl: deps.publicUrl }));
  app.addHook('preValidation', storableGuard);
  app.addHook('preHandler', auditActorHook);

  const typed = app.withTypeProvider<ZodTypeProvider>();
  typed.get('/api/v1/openapi.json', { config: { permission: 'public' }, schema: { hide: true } }, async () => app.swagger());

  // One registrar per line: features add theirs without touching their neighbours'.
  const registrars = [
    healthRoutes,
    metricsRoutes,
    authRoutes,
    adminRoutes,
    contactsRoutes,
    leadsRoutes,
    leadsBulkRoutes,
    catalogRoutes,
    opportunitiesRoutes,
    definitionsRoutes,
    auditRoutes,
    scoringRoutes,
    reportsRoutes,
    modelsRoutes,
    ingestRoutes,
    formsRoutes,
    snippetRoutes,
    importsRoutes,
    handoffRoutes,
    alertsRoutes,
    webhooksRoutes,
    handoffReportsRoutes,
    nurtureRoutes,
    tasksRoutes,
    rejectionsRoutes,
    campaignsRoutes,
    nurtureTrackingRoutes,
    preferenceCentreRoutes,
    contentLibraryRoutes,
    contentCalendarRoutes,
    integrationsRoutes,
    privacyRoutes,
    listsRoutes,
    accountsRoutes,
    savedViewsRoutes,
    searchRoutes,
  ];
  for (const register of registrars) {
    register(app, deps);
  }
  // Last: the web app's catch-all must come after every API route.
  await webRoutes(app);
  return app;
}
