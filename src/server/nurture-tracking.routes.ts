import type { FastifyInstance } from 'fastify';
import { escapeHtml } from '../core/nurture/email-template.rules.ts';
import { maskEmail } from '../core/consent-confirmation.rules.ts';
import { preferences, recordClick, recordOpen, unsubscribe } from '../app/nurture/nurture-tracking.ts';
import { publicPage } from './public-page.ts';
import type { ServerDeps } from './create-server.ts';

// A 1×1 transparent GIF.
const PIXEL = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');
const FORM = 'application/x-www-form-urlencoded';

const page = publicPage;
const tokenPath = (prefix: string, token: string) => `/${prefix}/${encodeURIComponent(token)}`;

/**
 * The public ends of nurture emails: tracked clicks (/r), the open pixel (/o), one-click
 * unsubscribe (/u, RFC 8058). Authenticated by the signed token alone. The preference centre
 * (/preferences) is in preference-centre.routes.ts.
 */
export function nurtureTrackingRoutes(server: FastifyInstance, deps: ServerDeps): void {
  // Own scope: mailbox providers POST the one-click unsubscribe as a form; the parser stays local.
  server.register(async (app) => {
    if (!app.hasContentTypeParser(FORM)) app.addContentTypeParser(FORM, { parseAs: 'string', bodyLimit: 4096 }, (_req, body, done) => done(null, body));
    const config = { permission: 'public' as const };
    const schema = { hide: true };

    app.get<{ Params: { token: string } }>('/r/:token', { config, schema }, async (request, reply) => {
      const r = await recordClick(deps.app, request.params.token);
      if (!r.ok) return page(reply, 404, 'Link not found', `<h1>Link not found</h1><p>${escapeHtml(r.message)}</p>`);
      return reply.code(302).header('cache-control', 'no-store').redirect(r.value.url);
    });

    app.get<{ Params: { file: string } }>('/o/:file', { config, schema }, async (request, reply) => {
      const token = request.params.file.replace(/\.gif$/, '');
      // A tracking failure must never break the image in the reader's mail client.
      await recordOpen(deps.app, token).catch((err: unknown) => request.log.warn({ err }, 'open tracking failed'));
      return reply.code(200).header('content-type', 'image/gif').header('cache-control', 'no-store, private').send(PIXEL);
    });

    // GET shows a confirmation (link scanners prefetch GETs and must not unsubscribe anyone);
    // POST, from that page or from the mailbox provider's one-click, unsubscribes.
    app.get<{ Params: { token: string } }>('/u/:token', { config, schema }, async (request, reply) => {
      const r = await preferences(deps.app, request.params.token);
      if (!r.ok) return page(reply, 404, 'Link not found', `<h1>Link not found</h1><p>${escapeHtml(r.message)}</p>`);
      return page(reply, 200, 'Unsubscribe', r.value.unsubscribed
        ? `<h1>You are unsubscribed</h1><p>${escapeHtml(maskEmail(r.value.email))} receives no marketing email from us.</p>`
        : `<h1>Unsubscribe</h1><p>Stop all content emails to ${escapeHtml(maskEmail(r.value.email))}?</p>`
          + `<form method="post" action="${escapeHtml(tokenPath('u', request.params.token))}"><button type="submit">Unsubscribe</button></form>`);
    });

    app.post<{ Params: { token: string } }>('/u/:token', { config, schema }, async (request, reply) => {
      const r = await unsubscribe(deps.app, request.params.token);
      if (!r.ok) return page(reply, 404, 'Link not found', `<h1>Link not found</h1><p>${escapeHtml(r.message)}</p>`);
      return page(reply, 200, 'Unsubscribed', `<h1>You are unsubscribed</h1><p>${escapeHtml(maskEmail(r.value.email))} will receive no more content emails.</p>`
        + `<p><a href="${escapeHtml(tokenPath('preferences', request.params.token))}">Email preferences</a></p>`);
    });

  });
}
