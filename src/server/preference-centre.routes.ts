import type { FastifyInstance, FastifyReply } from 'fastify';
import { isPreferenceGroup, type PreferenceView } from '../core/consent-confirmation.rules.ts';
import { escapeHtml } from '../core/nurture/email-template.rules.ts';
import type { Result } from '../core/result.ts';
import { preferenceContact } from '../app/nurture/nurture-tracking.ts';
import { confirmConsent, confirmationRequest, type Confirmation } from '../app/privacy/double-opt-in.ts';
import { choosePreference, preferencePage, preferenceTarget, unsubscribeFromAll, type PreferencePage, type PreferenceTarget } from '../app/privacy/preference-centre.ts';
import type { AppDeps } from '../app/context.ts';
import type { ServerDeps } from './create-server.ts';
import { publicPage } from './public-page.ts';

const FORM = 'application/x-www-form-urlencoded';
const path = (prefix: string, token: string) => `/${prefix}/${encodeURIComponent(token)}`;
const notFound = (reply: FastifyReply, message: string) => publicPage(reply, 404, 'Link not found',
  `<h1>Link not found</h1><p role="alert">${escapeHtml(message)}</p><p>Use the newest email we sent you, or copy the whole link into your browser.</p>`);

const stateText: Record<PreferenceView['state'], string> = {
  allowed: 'Allowed', not_allowed: 'Not allowed', pending: 'Awaiting your confirmation (see the email we sent you)', no_choice: 'No choice recorded yet',
};
const verbs: Record<PreferenceView['group'], { allow: string; stop: string; done: Record<'granted' | 'withdrawn', string> }> = {
  email_marketing: { allow: 'Allow marketing email', stop: 'Stop marketing email', done: { granted: 'You receive our content emails again.', withdrawn: 'No more marketing email will be sent to you.' } },
  sales_contact: { allow: 'Allow sales contact', stop: 'Stop sales contact', done: { granted: 'Our sales team may contact you.', withdrawn: 'Our sales team will not email or call you.' } },
  tracking: { allow: 'Allow tracking and profiling', stop: 'Stop tracking and profiling', done: { granted: 'Your visits may be recorded again.', withdrawn: 'Your visits are no longer recorded.' } },
};

function preferencesBody(token: string, p: PreferencePage, message: string | null): string {
  const action = escapeHtml(path('preferences', token));
  const sections = p.preferences.map((v) => {
    const id = `purpose-${v.group}`;
    const since = v.since ? ` <span>(since ${escapeHtml(v.since.slice(0, 10))})</span>` : '';
    const buttons = [
      v.state !== 'allowed' ? `<button type="submit" name="choice" value="granted"${v.state === 'pending' ? ' class="primary"' : ''}>${verbs[v.group].allow}</button>` : '',
      v.state !== 'not_allowed' ? `<button type="submit" name="choice" value="withdrawn">${verbs[v.group].stop}</button>` : '',
    ].join('');
    return `<section aria-labelledby="${id}"><h2 id="${id}">${escapeHtml(v.label)}</h2><p>${escapeHtml(v.what)}</p>`
      + `<p>Now: <span class="state" data-state="${v.state}">${escapeHtml(stateText[v.state])}</span>${since}</p>`
      + `<form method="post" action="${action}"><input type="hidden" name="group" value="${v.group}">${buttons}</form></section>`;
  }).join('');
  return `<h1>Your preferences</h1><p>For ${escapeHtml(p.maskedEmail)}. Each choice is saved at once and applies from now.</p>`
    + (message ? `<p role="status">${escapeHtml(message)}</p>` : '')
    + sections
    + `<section aria-labelledby="purpose-all"><h2 id="purpose-all">All email</h2><p>Stops marketing email and sales email. Tracking stays as you chose above.</p>`
    + `<form method="post" action="${action}"><button type="submit" name="action" value="unsubscribe_all">Unsubscribe from all email</button></form></section>`;
}

/** A string from our local parser, or an object when a global form parser got there first. */
function formOf(body: unknown): URLSearchParams {
  if (typeof body === 'string') return new URLSearchParams(body);
  const out = new URLSearchParams();
  if (body && typeof body === 'object') for (const [k, v] of Object.entries(body)) if (typeof v === 'string') out.set(k, v);
  return out;
}

/** The person a token names: a preference link (`p`, from confirmation emails) or a nurture email's unsubscribe token (`u`). */
async function targetOf(deps: AppDeps, token: string): Promise<PreferenceTarget | null> {
  return (await preferenceTarget(deps, token)) ?? (await preferenceContact(deps, token));
}

function confirmationBody(token: string, c: Confirmation, justConfirmed: boolean): string {
  const prefs = `<p><a href="${escapeHtml(path('preferences', c.preferencesToken))}">Your preferences</a></p>`;
  if (c.state === 'expired') return `<h1>This link has expired</h1><p role="alert">Confirmation links work for a limited time; this one ended on ${escapeHtml(c.expiresAt.toISOString().slice(0, 10))}. Nothing will be sent to you. To subscribe, sign up again.</p>${prefs}`;
  if (c.state === 'confirmed' || c.state === 'already_confirmed') {
    return `<h1>Subscription confirmed</h1><p role="status">${justConfirmed ? 'Thank you: ' : 'Already confirmed: '}${escapeHtml(c.maskedEmail)} receives our marketing emails. You can stop them at any time.</p>${prefs}`;
  }
  return `<h1>Confirm your subscription</h1><p>Do you want ${escapeHtml(c.maskedEmail)} to receive our marketing emails?</p>`
    + `<form method="post" action="${escapeHtml(path('consent/confirm', token))}"><button type="submit" class="primary">Confirm my subscription</button></form>`
    + `<p>If you did not ask for this, close this page: nothing will be sent.</p>${prefs}`;
}

/**
 * The person's own pages: the preference centre (`/preferences/{token}`, one purpose at a time or
 * all email) and the double opt-in confirmation (`/consent/confirm/{token}`). GET only shows (link
 * scanners prefetch GETs); POST changes. Authenticated by the signed token alone; an invalid token is
 * a 404 page, a malformed choice a 400 page, never a 5xx.
 */
export function preferenceCentreRoutes(server: FastifyInstance, deps: ServerDeps): void {
  server.register(async (app) => {
    if (!app.hasContentTypeParser(FORM)) app.addContentTypeParser(FORM, { parseAs: 'string', bodyLimit: 4096 }, (_req, body, done) => done(null, body));
    const config = { permission: 'public' as const };
    const schema = { hide: true };

    app.get<{ Params: { token: string } }>('/preferences/:token', { config, schema }, async (request, reply) => {
      const target = await targetOf(deps.app, request.params.token);
      const r = target ? await preferencePage(deps.app, target) : null;
      if (!r?.ok) return notFound(reply, r?.message ?? 'This link is not valid (it may have been mistyped or cut).');
      return publicPage(reply, 200, 'Your preferences', preferencesBody(request.params.token, r.value, null));
    });

    app.post<{ Params: { token: string }; Body: unknown }>('/preferences/:token', { config, schema }, async (request, reply) => {
      const target = await targetOf(deps.app, request.params.token);
      if (!target) return notFound(reply, 'This link is not valid (it may have been mistyped or cut).');
      const form = formOf(request.body);
      const action = form.get('action');
      const group = form.get('group');
      const choice = form.get('choice');
      let r: Result<PreferencePage>;
      let done: string;
      if (action === 'unsubscribe_all') {
        r = await unsubscribeFromAll(deps.app, target);
        done = 'You are unsubscribed from all email.';
      } else if (action === 'resubscribe') {
        // The older page's single button: a grant of marketing email.
        r = await choosePreference(deps.app, target, 'email_marketing', 'granted');
        done = verbs.email_marketing.done.granted;
      } else if (isPreferenceGroup(group) && (choice === 'granted' || choice === 'withdrawn')) {
        r = await choosePreference(deps.app, target, group, choice);
        done = verbs[group].done[choice];
      } else {
        const current = await preferencePage(deps.app, target);
        if (!current.ok) return notFound(reply, current.message);
        return publicPage(reply, 400, 'Your preferences', `<p role="alert">Nothing was changed: the form sent group '${escapeHtml(group ?? '')}' and choice '${escapeHtml(choice ?? '')}'. `
          + `Expected a group (email_marketing, sales_contact or tracking) with choice granted or withdrawn, or action unsubscribe_all. Use the buttons below.</p>`
          + preferencesBody(request.params.token, current.value, null));
      }
      if (!r.ok) return notFound(reply, r.message);
      return publicPage(reply, 200, 'Your preferences', preferencesBody(request.params.token, r.value, done));
    });

    app.get<{ Params: { token: string } }>('/consent/confirm/:token', { config, schema }, async (request, reply) => {
      const r = await confirmationRequest(deps.app, request.params.token);
      if (!r.ok) return notFound(reply, r.message);
      return publicPage(reply, r.value.state === 'expired' ? 410 : 200, 'Confirm your subscription', confirmationBody(request.params.token, r.value, false));
    });

    app.post<{ Params: { token: string } }>('/consent/confirm/:token', { config, schema }, async (request, reply) => {
      const r = await confirmConsent(deps.app, request.params.token);
      if (!r.ok) return notFound(reply, r.message);
      return publicPage(reply, r.value.state === 'expired' ? 410 : 200, 'Confirm your subscription', confirmationBody(request.params.token, r.value, r.value.state === 'confirmed'));
    });
  });
}
