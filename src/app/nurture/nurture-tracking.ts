import { canonicalActivity } from '../../core/activity-vocabulary.rules.ts';
import { fail, ok, type Result } from '../../core/result.ts';
import { insertActivity } from '../../storage/activities.repo.ts';
import { publishActivitiesStored } from '../activity-reactions.ts';
import { getContentAsset } from '../../storage/content.repo.ts';
import { mayContact, type ConsentChange } from '../../core/consent.rules.ts';
import { getContact } from '../../storage/contacts.repo.ts';
import type { DbOrTrx } from '../../storage/db.ts';
import { getSend, lockLiveEnrollmentForContact, markSend, type NurtureSend } from '../../storage/nurture.repo.ts';
import { recordContactConsent } from '../consent.ts';
import type { AppDeps } from '../context.ts';
import { applyEnrollmentActions } from './nurture-enrollment.ts';
import { workspaceTokenSecret } from './nurture-settings.ts';
import { tokenWorkspace, verifyToken, type TokenKind, type TokenPayload } from './tracking-tokens.ts';
import { getLead } from '../../storage/leads.repo.ts';
import { getWorkspace } from '../../storage/workspaces.repo.ts';
import { withTransaction } from '../transaction.ts';

const invalid = () => fail('NotFound', 'This link is not valid (it may have been mistyped or cut).');

async function resolve(db: DbOrTrx, token: string, kind: TokenKind): Promise<Result<{ payload: TokenPayload; send: NurtureSend }>> {
  const workspaceId = tokenWorkspace(token);
  // Only workspaces that exist get a secret; an unknown id must not create settings.
  if (!workspaceId || !(await getWorkspace(db, workspaceId))) return invalid();
  const payload = verifyToken(await workspaceTokenSecret(db, workspaceId), token, kind);
  if (!payload) return invalid();
  const send = await getSend(db, workspaceId, payload.sendId);
  return send ? ok({ payload, send }) : invalid();
}

function emailActivity(send: NurtureSend, type: string, at: Date, extra: { contentId?: string | null; url?: string | null; key: string }) {
  // The activity vocabulary: content_id, url/path and utm_source/utm_medium as every other door writes them.
  const shaped = canonicalActivity({
    properties: { nurture_send_id: send.id, track_id: send.trackId, step: send.stepIndex },
    source: 'leadloop', medium: 'email', contentId: extra.contentId ?? send.assetId, url: extra.url ?? null,
  });
  return {
    contactId: send.contactId, type, occurredAt: at, source: shaped.source, medium: shaped.medium, campaignId: null, utmCampaign: null,
    contentId: shaped.contentId, url: shaped.url, referrer: null, eventName: null,
    properties: shaped.properties, actorUserId: null, idempotencyKey: extra.key,
  };
}

/**
 * A click on a tracked link: records email_click and content_view activities (the content view is
 * what buying-stage inference and scoring read) and answers where to redirect. One pair of
 * activities per email: repeated clicks and link scanners do not inflate engagement.
 */
export async function recordClick(deps: AppDeps, token: string): Promise<Result<{ url: string }>> {
  const r = await resolve(deps.db, token, 'r');
  if (!r.ok) return r;
  const { payload, send } = r.value;
  const asset = payload.assetId ? await getContentAsset(deps.db, payload.workspaceId, payload.assetId) : null;
  if (!asset?.url) return fail('NotFound', 'The content this link pointed to is no longer available.');
  const now = deps.clock.now();
  await withTransaction(deps, async (trx) => {
    const click = await insertActivity(trx, payload.workspaceId, emailActivity(send, 'email_click', now, { contentId: asset.id, url: asset.url, key: `nurture-email_click:${send.id}` }));
    const view = await insertActivity(trx, payload.workspaceId, emailActivity(send, 'content_view', now, { contentId: asset.id, url: asset.url, key: `nurture-content_view:${send.id}` }));
    // Nurture's whole point: engagement it earns scores, and can make the lead sales-ready.
    await publishActivitiesStored(trx, payload.workspaceId, [click, view].filter((a) => a !== null), now, 'nurture');
    await markSend(trx, payload.workspaceId, send.id, 'clicked_at', now);
    await markSend(trx, payload.workspaceId, send.id, 'opened_at', now);
  });
  return ok({ url: asset.url });
}

/** The open pixel: one email_open activity per email. Unknown tokens are ignored (the pixel is served anyway). */
export async function recordOpen(deps: AppDeps, token: string): Promise<void> {
  const r = await resolve(deps.db, token, 'o');
  if (!r.ok) return;
  const { payload, send } = r.value;
  const now = deps.clock.now();
  await withTransaction(deps, async (trx) => {
    const open = await insertActivity(trx, payload.workspaceId, emailActivity(send, 'email_open', now, { key: `nurture-email_open:${send.id}` }));
    if (open) await publishActivitiesStored(trx, payload.workspaceId, [open], now, 'nurture');
    await markSend(trx, payload.workspaceId, send.id, 'opened_at', now);
  });
}

export type Preferences = { email: string | null; unsubscribed: boolean };

/** Unsubscribes the person from all nurture email and ends their track (RFC 8058 one-click or the link). */
export async function unsubscribe(deps: AppDeps, token: string): Promise<Result<Preferences>> {
  const r = await resolve(deps.db, token, 'u');
  if (!r.ok) return r;
  const { payload, send } = r.value;
  const ws = payload.workspaceId;
  const now = deps.clock.now();
  return ok(await withTransaction(deps, async (trx) => {
    const contact = await getContact(trx, ws, send.contactId);
    if (contact && !contact.unsubscribedAt) {
      // The unsubscribe is a withdrawal of email marketing consent (which also sets unsubscribed_at).
      await recordContactConsent(trx, ws, contact.id, [emailChoice('withdrawn', 'unsubscribe_link', now)], undefined, 'unsubscribe_link');
      await insertActivity(trx, ws, emailActivity(send, 'unsubscribe', now, { key: `nurture-unsubscribe:${send.id}` }));
    }
    await markSend(trx, ws, send.id, 'unsubscribed_at', now);
    const live = await lockLiveEnrollmentForContact(trx, ws, send.contactId);
    const lead = live ? await getLead(trx, ws, live.leadId) : null;
    if (live && lead) await applyEnrollmentActions(trx, ws, lead, [{ kind: 'exit', enrollmentId: live.id, reason: 'unsubscribed' }], now);
    return { email: contact?.email ?? null, unsubscribed: true };
  }));
}

export async function preferences(deps: AppDeps, token: string): Promise<Result<Preferences>> {
  const r = await resolve(deps.db, token, 'u');
  if (!r.ok) return r;
  const contact = await getContact(deps.db, r.value.payload.workspaceId, r.value.send.contactId);
  return contact ? ok({ email: contact.email, unsubscribed: contact.unsubscribedAt !== null || !mayContact(contact.consent, 'email_marketing').allowed }) : invalid();
}

const emailChoice = (status: ConsentChange['status'], source: string, at: Date): ConsentChange =>
  ({ purpose: 'email_marketing', status, source, at: at.toISOString(), basis: 'consent' });

/** The person an unsubscribe token's email was sent to (the preference centre opens for them). */
export async function preferenceContact(deps: AppDeps, token: string): Promise<{ workspaceId: string; contactId: string } | null> {
  const r = await resolve(deps.db, token, 'u');
  return r.ok ? { workspaceId: r.value.payload.workspaceId, contactId: r.value.send.contactId } : null;
}
