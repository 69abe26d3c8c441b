import { matchesEntry, sweepBlocker, firstRunAt, tracksReadConsumed, type NurtureLead } from '../../core/nurture/nurture-enrollment.rules.ts';
import type { EntryRules } from '../../core/nurture/nurture-track.schema.ts';
import { renderEmail, type RenderedEmail } from '../../core/nurture/email-template.rules.ts';
import { fail, ok, type Result } from '../../core/result.ts';
import type { Stage } from '../../core/lifecycle.ts';
import { getContactsByIds } from '../../storage/contacts.repo.ts';
import { getContentAsset } from '../../storage/content.repo.ts';
import { enqueue, removeJob } from '../../storage/jobs.repo.ts';
import { getTrack, listNurtureCandidates, lockEnrollment, updateEnrollment, type NurtureEnrollment } from '../../storage/nurture.repo.ts';
import { getUser } from '../../storage/users.repo.ts';
import { recordAudit } from '../audit.ts';
import type { AppDeps, Principal } from '../context.ts';
import type { Mailer } from '../mailer.ts';
import { inTransaction } from '../transaction.ts';
import { enrollInTrx, loadConsumed, nurtureJobKey, toNurturePerson, workspaceConsentPolicy } from './nurture-enrollment.ts';

/** Most people one "enrol a segment" request takes (one transaction; the rest can follow in another request). */
export const SEGMENT_LIMIT = 5000;

export type SegmentOutcome = { matched: number; enrolled: number; alreadyInTrack: number; notEmailable: number; waitingForRecheck: number; dryRun: boolean };

/**
 * Enrols a segment of open inquiry and nurture leads in a track by hand: the people who fit `segment`
 * (the entry-rule shape; default the track's own entry rules). Whoever is in another track, cannot be
 * emailed or waits for a recheck date a rep set is counted and left alone. `dryRun` counts only, so
 * the screen can say "42 people will be enrolled" before anything is written. All or nothing.
 */
export async function enrollSegment(deps: AppDeps, workspaceId: string, trackId: string, input: { segment?: EntryRules; limit?: number; dryRun?: boolean }): Promise<Result<SegmentOutcome>> {
  const now = deps.clock.now();
  const limit = Math.min(input.limit ?? SEGMENT_LIMIT, SEGMENT_LIMIT);
  return inTransaction(deps, async (trx) => {
    const track = await getTrack(trx, workspaceId, trackId);
    if (!track) return fail('NotFound', `Nurture track ${trackId} not found in this workspace.`);
    if (!track.active) return fail('Conflict', `Track '${track.name}' is not active; activate it before enrolling people.`);
    const rules = { ...track, active: true, entry: input.segment ?? track.entry };
    // Only leads marketing holds may be nurtured (the same rule as one-by-one enrolment).
    const stages = ((rules.entry.stages ?? ['inquiry', 'nurture']) as Stage[]).filter((s) => s === 'inquiry' || s === 'nurture');
    const policy = await workspaceConsentPolicy(trx, workspaceId);
    const readConsumed = tracksReadConsumed([rules]);
    const out: SegmentOutcome = { matched: 0, enrolled: 0, alreadyInTrack: 0, notEmailable: 0, waitingForRecheck: 0, dryRun: !!input.dryRun };
    for (let after: string | undefined; out.enrolled < limit;) {
      const page = await listNurtureCandidates(trx, workspaceId, stages, 1000, after);
      if (page.length === 0) break;
      after = page[page.length - 1]!.leadId;
      for (const c of page) {
        const lead: NurtureLead = { id: c.leadId, contactId: c.contactId, stage: c.stage, rating: c.rating, recycleCount: c.recycleCount, lastReasonCode: c.lastReasonCode, recheckAt: c.recheckAt, source: c.source };
        const person = toNurturePerson({ email: c.email, consent: c.consent, unsubscribedAt: c.unsubscribedAt, attributes: { persona: c.persona } }, policy);
        if (readConsumed) person.consumed = await loadConsumed(trx, workspaceId, c.contactId);
        // Consent is judged below (counted), so the segment's consent rule does not hide who was skipped for it.
        if (!matchesEntry({ ...rules, entry: { ...rules.entry, consent: undefined } }, lead, { ...person, emailable: true })) continue;
        out.matched += 1;
        const blocker = sweepBlocker(lead, person, now);
        if (blocker === 'not_emailable') { out.notEmailable += 1; continue; }
        if (out.enrolled >= limit) continue;
        if (input.dryRun) { out.enrolled += 1; continue; }
        // A lead a rep handed back with a recheck date starts its track on that date, not now.
        const e = await enrollInTrx(trx, workspaceId, { trackId, lead, at: now, runAt: firstRunAt(lead, now), origin: 'manual' });
        if (e) out.enrolled += 1; else out.alreadyInTrack += 1;
        if (blocker === 'recheck_pending') out.waitingForRecheck += 1;
      }
    }
    if (!input.dryRun && out.enrolled > 0) {
      await recordAudit(trx, { workspaceId, action: 'nurture_track.segment_enrolled', object: { type: 'nurture_track', id: trackId }, after: { segment: rules.entry, enrolled: out.enrolled }, at: now });
    }
    return ok(out);
  });
}

/** Takes a person out of a track by hand (exit reason `removed`); their pending step is cancelled. */
export async function removeEnrollment(deps: AppDeps, workspaceId: string, enrollmentId: string): Promise<Result<NurtureEnrollment>> {
  const now = deps.clock.now();
  return inTransaction(deps, async (trx) => {
    const e = await lockEnrollment(trx, workspaceId, enrollmentId);
    if (!e) return fail('NotFound', `Enrollment ${enrollmentId} not found in this workspace.`);
    if (e.status === 'exited' || e.status === 'finished') return fail('Conflict', `This enrollment already ${e.status === 'exited' ? 'exited' : 'finished'}.`);
    const updated = await updateEnrollment(trx, workspaceId, enrollmentId, { status: 'exited', exitReason: 'removed', exitedAt: now, nextRunAt: null });
    await removeJob(trx, nurtureJobKey(enrollmentId));
    await recordAudit(trx, { workspaceId, action: 'nurture_enrollment.removed', object: { type: 'nurture_enrollment', id: enrollmentId }, before: { status: e.status, track_id: e.trackId, lead_id: e.leadId }, at: now });
    return ok(updated);
  });
}

export type TestSendInput = { to?: string | null; subject: string; template: string; assetId?: string | null };
export type TestSendPayload = { workspaceId: string; to: string; subject: string; template: string; assetTitle: string; assetUrl: string; firstName: string | null };

/**
 * A test send of a template, queued for the worker's mailer (the real SMTP path nurture uses). The
 * recipient defaults to the signed-in user; an API key must name one. Links in a test email point at
 * the asset itself and at the app (no tracking token: a test must not count as an open or a click).
 */
export async function queueTestSend(deps: AppDeps, principal: Principal, input: TestSendInput): Promise<Result<TestSendPayload>> {
  const ws = principal.workspaceId;
  const me = principal.userId ? await getUser(deps.db, ws, principal.userId) : null;
  const to = input.to ?? me?.email;
  if (!to) return fail('ValidationFailed', 'Say who gets the test email.', [{ path: 'body.to', message: 'required for API keys' }]);
  let asset = { title: 'A sample guide', url: 'https://example.com/sample-guide' };
  if (input.assetId) {
    const a = await getContentAsset(deps.db, ws, input.assetId);
    if (!a) return fail('ValidationFailed', `Content asset ${input.assetId} not found in this workspace.`, [{ path: 'body.asset_id', message: 'unknown asset' }]);
    asset = { title: a.title, url: a.url ?? asset.url };
  }
  const payload: TestSendPayload = { workspaceId: ws, to, subject: input.subject, template: input.template, assetTitle: asset.title, assetUrl: asset.url, firstName: me?.name.split(' ')[0] || null };
  return inTransaction(deps, async (trx) => {
    await enqueue(trx, 'nurture-test-send', payload, { maxAttempts: 3 });
    return ok(payload);
  });
}

/** Renders a test email as the recipient will see it ("[Test]" in the subject). */
export function renderTestEmail(p: TestSendPayload, publicUrl: string): RenderedEmail {
  const base = publicUrl.replace(/\/$/, '');
  const mail = renderEmail(p.subject, p.template, {
    firstName: p.firstName, assetTitle: p.assetTitle, assetLink: p.assetUrl, unsubscribeLink: `${base}/content`, preferencesLink: `${base}/content`, openPixel: `${base}/favicon.ico`,
  });
  return { ...mail, subject: `[Test] ${mail.subject}` };
}

/** The worker's half: sends it; a refusal throws so the job is retried and its error is kept on the job. */
export async function sendTestEmail(mailer: Mailer, publicUrl: string, p: TestSendPayload): Promise<void> {
  const mail = renderTestEmail(p, publicUrl);
  const result = await mailer.send({ to: p.to, subject: mail.subject, text: mail.text, html: mail.html });
  if (!result.ok) throw new Error(result.message);
}

/** Who the enrollments are about (name and email), for the track screen's people list: one query for the page. */
export async function peopleOfEnrollments(deps: AppDeps, workspaceId: string, enrollments: readonly NurtureEnrollment[]): Promise<Map<string, { name: string; email: string | null }>> {
  const contacts = await getContactsByIds(deps.db, workspaceId, [...new Set(enrollments.map((e) => e.contactId))]);
  return new Map(contacts.map((c) => [c.id, { name: [c.firstName, c.lastName].filter(Boolean).join(' ') || c.email || 'Unnamed person', email: c.email }]));
}
