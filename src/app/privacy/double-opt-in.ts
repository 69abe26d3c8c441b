import { confirmedSource, doubleOptInOf, maskEmail, MAX_CONFIRM_DAYS, renderConfirmationEmail, type DoubleOptInSettings } from '../../core/consent-confirmation.rules.ts';
import { readConsent } from '../../core/consent.rules.ts';
import { fail, ok, type Result } from '../../core/result.ts';
import { getConsentRequest, lockConsentRequest, markConsentRequestConfirmed, markConsentRequestSent } from '../../storage/consent-request.repo.ts';
import { getContact } from '../../storage/contacts.repo.ts';
import { findPerson } from '../../storage/personal-data.repo.ts';
import { getWorkspace, mergeWorkspaceSettings } from '../../storage/workspaces.repo.ts';
import { recordAudit } from '../audit.ts';
import { recordContactConsent } from '../consent.ts';
import type { AppDeps, Principal } from '../context.ts';
import type { Mailer } from '../mailer.ts';
import { authorize } from '../permissions.ts';
import { inTransaction, withTransaction } from '../transaction.ts';
import { signPersonLink, verifyPersonLink } from './consent-links.ts';
import { preferenceToken } from './preference-centre.ts';

/**
 * Double opt-in for email marketing (workspace setting, default off). The one consent write records a
 * door's grant as `pending` and queues `consent-confirmation` (src/app/consent.ts); this module sends
 * that email, and confirms when the person follows the link. Rules: src/core/consent-confirmation.rules.ts.
 */
export async function consentSettings(deps: AppDeps, workspaceId: string): Promise<DoubleOptInSettings> {
  return doubleOptInOf((await getWorkspace(deps.db, workspaceId))?.settings);
}

/** Switches double opt-in or its confirmation window: marketing or an admin (core `decide`), audit-logged. */
export async function changeConsentSettings(deps: AppDeps, principal: Principal, patch: Partial<DoubleOptInSettings>): Promise<Result<DoubleOptInSettings>> {
  const allowed = await authorize(deps, principal, 'consent.change');
  if (!allowed.ok) return allowed;
  if (patch.confirmWithinDays !== undefined && !(Number.isInteger(patch.confirmWithinDays) && patch.confirmWithinDays >= 1 && patch.confirmWithinDays <= MAX_CONFIRM_DAYS)) {
    return fail('ValidationFailed', `confirm_within_days must be a whole number of days from 1 to ${MAX_CONFIRM_DAYS}.`, [{ path: 'body.confirm_within_days', message: `1..${MAX_CONFIRM_DAYS}` }]);
  }
  const workspaceId = principal.workspaceId;
  return inTransaction(deps, async (trx) => {
    const settings = (await getWorkspace(trx, workspaceId))?.settings ?? {};
    const before = doubleOptInOf(settings);
    const after: DoubleOptInSettings = { enabled: patch.enabled ?? before.enabled, confirmWithinDays: patch.confirmWithinDays ?? before.confirmWithinDays };
    if (after.enabled === before.enabled && after.confirmWithinDays === before.confirmWithinDays) return ok(before);
    // `consent` also holds `opt_in_required`: merge inside it, never replace it.
    const consent = typeof settings.consent === 'object' && settings.consent !== null ? settings.consent as Record<string, unknown> : {};
    await mergeWorkspaceSettings(trx, workspaceId, { consent: { ...consent, double_opt_in: after.enabled, confirm_within_days: after.confirmWithinDays } });
    await recordAudit(trx, {
      workspaceId, actor: principal, action: 'consent_settings.changed', object: { type: 'consent_settings', id: null }, at: deps.clock.now(),
      before: { double_opt_in: before.enabled, confirm_within_days: before.confirmWithinDays }, after: { double_opt_in: after.enabled, confirm_within_days: after.confirmWithinDays },
    });
    return ok(after);
  });
}

export type ConfirmationDeps = AppDeps & { mailer: Mailer; publicUrl: string };

/**
 * The `consent-confirmation` job: one confirmation email per request still worth asking (unconfirmed,
 * not expired, not sent yet, the person's email-marketing record still pending). The outcome is kept
 * on the request (sent_at, or the mailer's reason); a temporary SMTP failure throws so the job retries.
 */
export async function sendConsentConfirmations(deps: ConfirmationDeps, workspaceId: string, requestIds: readonly string[]): Promise<{ sent: number; skipped: number }> {
  let sent = 0;
  let skipped = 0;
  let retry: string | null = null;
  for (const id of requestIds) {
    const request = await getConsentRequest(deps.db, workspaceId, id);
    const now = deps.clock.now();
    if (!request || request.confirmedAt || request.sentAt || request.expiresAt <= now) { skipped += 1; continue; }
    const person = await findPerson(deps.db, workspaceId, request.contactId);
    const contact = person && person.status !== 'erased' ? await getContact(deps.db, workspaceId, person.rootId) : null;
    if (!contact?.email || readConsent(contact.consent).email_marketing?.status !== 'pending') {
      await markConsentRequestSent(deps.db, workspaceId, id, { error: contact?.email ? 'not sent: the person chose otherwise before the email went out' : 'not sent: no email address' });
      skipped += 1;
      continue;
    }
    const base = deps.publicUrl.replace(/\/+$/, '');
    const confirm = await signPersonLink(deps.db, { kind: 'c', workspaceId, id });
    const mail = renderConfirmationEmail({
      firstName: contact.firstName, expiresAt: request.expiresAt,
      confirmLink: `${base}/consent/confirm/${confirm}`, preferencesLink: `${base}/preferences/${await preferenceToken(deps.db, workspaceId, contact.id)}`,
    });
    const result = await deps.mailer.send({ to: contact.email, ...mail });
    if (result.ok) {
      await markConsentRequestSent(deps.db, workspaceId, id, { sentAt: now });
      sent += 1;
    } else {
      await markConsentRequestSent(deps.db, workspaceId, id, { error: result.message });
      if (!result.permanent) retry = result.message;
    }
  }
  if (retry) throw new Error(`consent confirmation not sent, will retry: ${retry}`);
  return { sent, skipped };
}

export type ConfirmationState = 'open' | 'confirmed' | 'already_confirmed' | 'expired';
export type Confirmation = { state: ConfirmationState; maskedEmail: string; expiresAt: Date; preferencesToken: string };

const invalid = () => fail('NotFound', 'This confirmation link is not valid (it may have been mistyped or cut, or the person erased).');

async function requestOf(deps: AppDeps, token: string) {
  const link = await verifyPersonLink(deps.db, token, 'c');
  const request = link ? await getConsentRequest(deps.db, link.workspaceId, link.id) : null;
  if (!link || !request) return null;
  const person = await findPerson(deps.db, link.workspaceId, request.contactId);
  if (!person || person.status === 'erased') return null;
  const contact = await getContact(deps.db, link.workspaceId, person.rootId);
  return contact ? { workspaceId: link.workspaceId, request, contact } : null;
}

/** What the confirmation page shows before the person presses the button (GET: link scanners must not confirm). */
export async function confirmationRequest(deps: AppDeps, token: string): Promise<Result<Confirmation>> {
  const r = await requestOf(deps, token);
  if (!r) return invalid();
  const state: ConfirmationState = r.request.confirmedAt ? 'already_confirmed' : r.request.expiresAt <= deps.clock.now() ? 'expired' : 'open';
  return ok({ state, maskedEmail: maskEmail(r.contact.email), expiresAt: r.request.expiresAt, preferencesToken: await preferenceToken(deps.db, r.workspaceId, r.contact.id) });
}

/**
 * The person confirms (POST from the confirmation page): email marketing granted through the one
 * consent write, dated now, source `confirmed:<the door that asked>`, basis consent. Confirming twice
 * changes nothing; an expired request confirms nothing.
 */
export async function confirmConsent(deps: AppDeps, token: string): Promise<Result<Confirmation>> {
  const r = await requestOf(deps, token);
  if (!r) return invalid();
  const now = deps.clock.now();
  const state = await withTransaction(deps, async (trx): Promise<ConfirmationState> => {
    const request = await lockConsentRequest(trx, r.workspaceId, r.request.id);
    if (!request) return 'expired';
    if (request.confirmedAt) return 'already_confirmed';
    if (request.expiresAt <= now) return 'expired';
    await recordContactConsent(trx, r.workspaceId, r.contact.id, [{ purpose: 'email_marketing', status: 'granted', source: confirmedSource(request.source), at: now.toISOString(), basis: 'consent' }], now, 'confirmation');
    await markConsentRequestConfirmed(trx, r.workspaceId, request.id, now);
    return 'confirmed';
  });
  return ok({ state, maskedEmail: maskEmail(r.contact.email), expiresAt: r.request.expiresAt, preferencesToken: await preferenceToken(deps.db, r.workspaceId, r.contact.id) });
}
