import Fastify, { LogController, type FastifyInstance } from 'fastify';
import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { jsonSchemaTransform, jsonSchemaTransformObject, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AuthService } from '../app/auth.ts';
import type { AppDeps } from '../app/context.ts';
import { authGuard } from './auth.guard.ts';
import { installErrorHandling } from './errors.ts';
import { adminRoutes } from './admin.routes.ts';
import { authRoutes } from './auth.routes.ts';
import { catalogRoutes } from './catalog.routes.ts';
import { contactsRoutes } from './contacts.routes.ts';
import { leadsRoutes } from './leads.routes.ts';
import { nurtureRoutes } from './nurture.routes.ts';
import { nurtureTrackingRoutes } from './nurture-tracking.routes.ts';
import { contentLibraryRoutes } from './content-library.routes.ts';
import { contentCalendarRoutes } from './content-calendar.routes.ts';
import { opportunitiesRoutes } from './opportunities.routes.ts';

export type ServerDeps = {
  app: AppDeps;
  auth: AuthService;
  publicUrl: string;
  logLevel: string;
  sessionTtlHours: number;
  secureCookies: boolean;
};

export type TypedServer = ReturnType<FastifyInstance['withTypeProvider']> & FastifyInstance;
export type RouteRegistrar = (app: FastifyInstance, deps: ServerDeps) => void;

/** Builds the HTTP server: one error shape, auth on every declared permission, OpenAPI from zod. */
export async function createServer(deps: ServerDeps): Promise<FastifyInstance> {
  const app = Fastify({
    logger: deps.logLevel === 'silent' ? false : {
      level: deps.logLevel,
      // Secrets never reach the logs.
      redact: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'],
    },
    bodyLimit: 1024 * 1024,
    trustProxy: true,
    // Per-request lines only at debug: ingestion traffic would drown everything else.
    logController: new LogController({ disableRequestLogging: deps.logLevel !== 'debug' && deps.logLevel !== 'trace' }),
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandling(app);
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
  app.addHook('preHandler', authGuard(deps.auth));

  const typed = app.withTypeProvider<ZodTypeProvider>();
  typed.get('/api/v1/health', { config: { permission: 'public' }, schema: { hide: false, tags: ['system'] } }, async () => ({ status: 'ok' }));
  typed.get('/api/v1/openapi.json', { config: { permission: 'public' }, schema: { hide: true } }, async () => app.swagger());

  for (const register of [authRoutes, adminRoutes, contactsRoutes, leadsRoutes, catalogRoutes, opportunitiesRoutes, nurtureRoutes, nurtureTrackingRoutes,
    contentLibraryRoutes, contentCalendarRoutes]) {
    register(app, deps);
  }
  return app;
}
