import { recordOnlyMailer } from '../mailer.ts';
import { chooseNextAsset, inferBuyingStage } from '../../core/nurture/buying-stage.rules.ts';
import { renderEmail } from '../../core/nurture/email-template.rules.ts';
import { decideOnStageChange } from '../../core/nurture/nurture-enrollment.rules.ts';
import { emailBlocker, nextAllowedSend, planNextStep } from '../../core/nurture/nurture-steps.rules.ts';
import type { SendEmailStep } from '../../core/nurture/nurture-track.schema.ts';
import { insertActivity } from '../../storage/activities.repo.ts';
import { listAllContentAssets } from '../../storage/content.repo.ts';
import { getContact, updateContact, type Contact } from '../../storage/contacts.repo.ts';
import type { Trx } from '../../storage/db.ts';
import { newId } from '../../storage/ids.ts';
import { getLead } from '../../storage/leads.repo.ts';
import {
  consumedContent, countFailedAttempts, getTrack, insertSend, lastSentOfEnrollment, listDueEnrollments, lockEnrollment, sendsToContactSince,
  updateEnrollment, type NurtureEnrollment, type NurtureTrack,
} from '../../storage/nurture.repo.ts';
import { applyEnrollmentActions, scheduleTick, toNurtureLead, toNurturePerson } from './nurture-enrollment.ts';
import { loadNurtureSettings, workspaceTokenSecret, type NurtureDeps, type WorkspaceNurtureSettings } from './nurture-settings.ts';
import { signToken } from './tracking-tokens.ts';
import { withTransaction } from '../transaction.ts';

export type TickOutcome = { status: 'not_due' | 'sent' | 'waiting' | 'deferred' | 'retry' | 'finished' | 'exited' | 'paused'; sent: number };

const RETRY_MS = 3_600_000;
const MAX_FAILED_ATTEMPTS = 3;
const blockerExit = { unsubscribed: 'unsubscribed', no_consent: 'no_consent', bounced: 'bounced', no_email: 'no_email' } as const;

/**
 * One tick of one enrollment (task `nurture-tick`): re-checks the lead's stage, walks the track
 * to the next email or wait, checks consent and the frequency cap before sending, sends at most
 * one email, and schedules the next tick. Runs under the enrollment's row lock, so two workers
 * never send the same step twice.
 */
export async function processEnrollment(deps: NurtureDeps, workspaceId: string, enrollmentId: string, now: Date): Promise<TickOutcome> {
  const settings = await loadNurtureSettings(deps.db, workspaceId);
  const secret = await workspaceTokenSecret(deps.db, workspaceId);
  const policy = settings.consentPolicy;
  // Fictional demo people never get real email (the demo's year of nurture keeps going on the live worker).
  if (settings.isDemo) deps = { ...deps, mailer: recordOnlyMailer };
  return withTransaction(deps, async (trx) => {
    const e = await lockEnrollment(trx, workspaceId, enrollmentId);
    if (!e || e.status !== 'active' || !e.nextRunAt || e.nextRunAt > now) return { status: 'not_due', sent: 0 };
    const exit = async (reason: string, status: 'exited' | 'finished' = 'exited', sent = 0): Promise<TickOutcome> => {
      await updateEnrollment(trx, workspaceId, e.id, { status, exitReason: reason, exitedAt: now, nextRunAt: null });
      return { status: status === 'finished' ? 'finished' : 'exited', sent };
    };
    const track = await getTrack(trx, workspaceId, e.trackId);
    if (!track || !track.active) return exit('track_inactive');
    const lead = await getLead(trx, workspaceId, e.leadId);
    if (!lead) return exit('lead_missing');
    // The stage hook normally paused or ended this already; this covers stage changes made around it.
    if (lead.stage !== 'inquiry' && lead.stage !== 'nurture') {
      const actions = decideOnStageChange({ live: { id: e.id, trackId: e.trackId, status: 'active', exit: track.exit }, toStage: lead.stage, lead: toNurtureLead(lead), person: toNurturePerson(null), tracks: [], now });
      await applyEnrollmentActions(trx, workspaceId, lead, actions, now);
      return { status: actions[0]?.kind === 'pause' ? 'paused' : 'exited', sent: 0 };
    }
    const contact = await getContact(trx, workspaceId, e.contactId);
    if (!contact) return exit('contact_missing');
    let cursor = e.currentStep;
    let sent = 0;
    for (;;) {
      const last = await lastSentOfEnrollment(trx, workspaceId, e.id);
      const plan = planNextStep(track.steps, cursor, last ? { opened: last.openedAt !== null, clicked: last.clickedAt !== null } : null, now, settings.calendar);
      const reschedule = async (step: number, at: Date, status: TickOutcome['status']): Promise<TickOutcome> => {
        await updateEnrollment(trx, workspaceId, e.id, { currentStep: step, nextRunAt: at });
        await scheduleTick(trx, workspaceId, e.id, at);
        return { status, sent };
      };
      if (plan.kind === 'finished') return exit(plan.reason, 'finished', sent);
      if (plan.kind === 'wait') return reschedule(plan.nextStep, plan.until, sent ? 'sent' : 'waiting');
      // At most one email per tick: the next one waits for its own tick (and the cap check).
      if (sent > 0) return reschedule(plan.stepIndex, now, 'sent');
      // Consent is read here, at send time, from the row just loaded in this transaction: a refusal or
      // withdrawal recorded after the tick was queued stops this email.
      const blocker = emailBlocker(contact, policy);
      if (blocker) {
        await insertSend(trx, workspaceId, { enrollmentId: e.id, trackId: track.id, contactId: contact.id, stepIndex: plan.stepIndex, assetId: null, status: 'skipped', reason: blocker, messageId: null, at: now });
        return exit(blockerExit[blocker]);
      }
      const cap = settings.settings.frequency_cap;
      const recent = await sendsToContactSince(trx, workspaceId, contact.id, new Date(now.getTime() - cap.days * 86_400_000));
      const allowed = nextAllowedSend(recent.filter((s) => s.status === 'sent').map((s) => s.at), now, { maxEmails: cap.max_emails, days: cap.days }, track.cadence.min_hours_between_emails);
      if (allowed > now) return reschedule(plan.stepIndex, allowed, 'deferred');
      const asset = await pickAsset(trx, workspaceId, plan.step, contact, settings, now);
      if (!asset) {
        await insertSend(trx, workspaceId, { enrollmentId: e.id, trackId: track.id, contactId: contact.id, stepIndex: plan.stepIndex, assetId: null, status: 'skipped', reason: 'no_content', messageId: null, at: now });
        cursor = plan.stepIndex + 1;
        continue;
      }
      const outcome = await sendStepEmail(trx, deps, { workspaceId, secret, enrollment: e, track, stepIndex: plan.stepIndex, step: plan.step, contact, asset, now });
      if (outcome === 'sent') { sent += 1; cursor = plan.stepIndex + 1; continue; }
      if (outcome === 'bounced') return exit('bounced');
      const failures = await countFailedAttempts(trx, workspaceId, e.id, plan.stepIndex, e.enteredAt);
      if (failures >= MAX_FAILED_ATTEMPTS) return exit('send_failed');
      return reschedule(plan.stepIndex, new Date(now.getTime() + RETRY_MS), 'retry');
    }
  });
}

type Asset = { id: string; title: string; url: string };

async function pickAsset(trx: Trx, workspaceId: string, step: SendEmailStep, contact: Contact, s: WorkspaceNurtureSettings, now: Date): Promise<Asset | null> {
  const assets = await listAllContentAssets(trx, workspaceId);
  if ('asset_id' in step.content) {
    const fixed = assets.find((a) => a.id === (step.content as { asset_id: string }).asset_id);
    return fixed?.url ? { id: fixed.id, title: fixed.title, url: fixed.url } : null;
  }
  const consumed = await consumedContent(trx, workspaceId, contact.id);
  const sentBefore = await sendsToContactSince(trx, workspaceId, contact.id, new Date(now.getTime() - 365 * 86_400_000));
  const stage = inferBuyingStage(consumed, s.buyingStages, now);
  const chosen = chooseNextAsset(assets.map((a) => ({ id: a.id, title: a.title, url: a.url, stage: a.buyingStage, personas: a.personas, expiresOn: a.expiresOn })), {
    stage, stages: s.buyingStages, consumed: new Set(consumed.map((c) => c.assetId)),
    recentlySent: new Set(sentBefore.filter((x) => x.status === 'sent' && x.assetId).map((x) => x.assetId!)),
    persona: toNurturePerson(contact).persona, today: now.toISOString().slice(0, 10),
  });
  return chosen?.url ? { id: chosen.id, title: chosen.title, url: chosen.url } : null;
}

async function sendStepEmail(trx: Trx, deps: NurtureDeps, x: {
  workspaceId: string; secret: string; enrollment: NurtureEnrollment; track: NurtureTrack; stepIndex: number; step: SendEmailStep; contact: Contact; asset: Asset; now: Date;
}): Promise<'sent' | 'bounced' | 'failed'> {
  const sendId = newId(x.now.getTime());
  const base = deps.publicUrl.replace(/\/$/, '');
  const token = (kind: 'r' | 'o' | 'u') => signToken(x.secret, { kind, workspaceId: x.workspaceId, sendId, assetId: kind === 'r' ? x.asset.id : null });
  const unsubscribe = `${base}/u/${token('u')}`;
  const mail = renderEmail(x.step.subject, x.step.template, {
    firstName: x.contact.firstName, assetTitle: x.asset.title, assetLink: `${base}/r/${token('r')}`, unsubscribeLink: unsubscribe,
    preferencesLink: `${base}/preferences/${token('u')}`, openPixel: `${base}/o/${token('o')}.gif`,
  });
  const result = await deps.mailer.send({
    to: x.contact.email!, subject: mail.subject, text: mail.text, html: mail.html,
    // RFC 8058 one-click unsubscribe: mailbox providers POST "List-Unsubscribe=One-Click" to the URL.
    headers: { 'List-Unsubscribe': `<${unsubscribe}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
  });
  const common = { id: sendId, enrollmentId: x.enrollment.id, trackId: x.track.id, contactId: x.contact.id, stepIndex: x.stepIndex, assetId: x.asset.id, at: x.now };
  const activity = (type: string, properties: Record<string, unknown>) => insertActivity(trx, x.workspaceId, {
    contactId: x.contact.id, type, occurredAt: x.now, source: 'leadloop', medium: 'email', campaignId: null, utmCampaign: null, contentId: x.asset.id,
    url: null, referrer: null, eventName: null, properties: { nurture_send_id: sendId, track_id: x.track.id, step: x.stepIndex, ...properties },
    actorUserId: null, idempotencyKey: `nurture-${type}:${sendId}`,
  });
  if (result.ok) {
    await insertSend(trx, x.workspaceId, { ...common, status: 'sent', reason: null, messageId: result.value.messageId });
    await activity('email_sent', { subject: mail.subject });
    return 'sent';
  }
  if (result.permanent) {
    await insertSend(trx, x.workspaceId, { ...common, status: 'bounced', reason: result.message.slice(0, 500), messageId: null });
    // A hard bounce stops all email to this person, whichever track asks next.
    await updateContact(trx, x.workspaceId, x.contact.id, { consent: { email_bounced_at: x.now.toISOString() } });
    await activity('email_bounce', { reason: result.message.slice(0, 500) });
    return 'bounced';
  }
  await insertSend(trx, x.workspaceId, { ...common, status: 'failed', reason: result.message.slice(0, 500), messageId: null });
  return 'failed';
}

/**
 * Processes every active enrollment due at `now`, repeating until nothing is due (a tick that
 * sent an email may leave the next step due at once). What tests call with a simulated clock,
 * and the cron's safety net for ticks whose job was lost.
 */
export async function runDueNurture(deps: NurtureDeps, now: Date, options: { workspaceId?: string; maxRounds?: number; concurrency?: number } = {}): Promise<{ processed: number; sent: number }> {
  let processed = 0;
  let sent = 0;
  // Enrollments are one per person and each tick locks its own row, so ticks may run side by side (as worker slots do).
  const slots = Math.max(1, options.concurrency ?? 1);
  for (let round = 0; round < (options.maxRounds ?? 20); round++) {
    const due = await listDueEnrollments(deps.db, now, 200, options.workspaceId);
    let progressed = 0;
    for (let i = 0; i < due.length; i += slots) {
      for (const r of await Promise.all(due.slice(i, i + slots).map((d) => processEnrollment(deps, d.workspaceId, d.id, now)))) {
        if (r.status !== 'not_due') { processed += 1; progressed += 1; }
        sent += r.sent;
      }
    }
    if (progressed === 0 || due.length === 0) break;
  }
  return { processed, sent };
}
