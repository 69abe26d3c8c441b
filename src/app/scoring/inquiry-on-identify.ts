import { compileDefinition } from '../../core/definitions/compiled-definition.ts';
import { inquiryReason, inquirySignalsOfState, isKnown, type InquiryMatch } from '../../core/definitions/inquiry.ts';
import { ActivityView } from '../../core/definitions/rule-matching.ts';
import type { EngagementState } from '../../core/definitions/scoring.ts';
import type { ActivityFact } from '../../core/activity.ts';
import type { Trx } from '../../storage/db.ts';
import { leadsOfContacts, lockContactScores } from '../../storage/scores.repo.ts';
import { contactsByIds } from '../../storage/scoring-facts.repo.ts';
import { publish } from '../events/dispatcher.ts';
import { openInquiries } from './score-activities.ts';
import { loadActiveDefinition, loadHistories, type toContentFact } from './scoring-facts.ts';

/**
 * The moment a visitor becomes known. The inquiry rule only applies to known people, so what an
 * anonymous visitor did before identifying (the ebook downloaded on the first visit, the pages
 * read) was never judged by it: the browser SDKs' usual order — page, track, then identify — would
 * never open an inquiry. When an identify gives a contact that never had a lead its email, its
 * stitched history is judged now: an inquiry activity in it, or enough engagement signals, opens
 * the lead at `inquiry`, dated at the identify (nobody is an inquiry before they are known).
 */
export async function inquiriesOnIdentify(trx: Trx, workspaceId: string, identified: ReadonlyMap<string, Date>, now: Date): Promise<number> {
  if (identified.size === 0) return 0;
  const ids = [...identified.keys()];
  const { open, hadLeads } = await leadsOfContacts(trx, workspaceId, ids);
  const fresh = ids.filter((id) => !open.has(id) && !hadLeads.has(id));
  if (fresh.length === 0) return 0; // known before under another buying cycle: nothing to judge
  const active = await loadActiveDefinition(trx, workspaceId);
  if (!active) return 0;
  const contacts = await contactsByIds(trx, workspaceId, fresh);
  const known = fresh.filter((id) => { const c = contacts.get(id); return c && c.status !== 'merged' && isKnown(c); });
  if (known.length === 0) return 0;
  const compiled = compileDefinition(active.definition);
  const scores = await lockContactScores(trx, workspaceId, active.record.id, known, now);
  const { byContact: history, content } = await loadHistories(trx, workspaceId, known);
  const toOpen = [];
  for (const contactId of known) {
    const acts = history.get(contactId) ?? [];
    const state = scores.get(contactId)?.engagementState as EngagementState | undefined;
    const match = firstInquiryMatch(compiled, acts, content, state);
    if (!match) continue;
    const at = identified.get(contactId)!;
    const reason = `${inquiryReason(match.rule, match.activity, active.record.version)}; identified ${at.toISOString()}`;
    toOpen.push({ contact: contacts.get(contactId)!, at, reason, ruleId: match.rule.ruleId });
  }
  // Opened together (two statements), then each settles: nurture may offer it a track.
  const opened = await openInquiries(trx, workspaceId, active, toOpen, now);
  for (const lead of opened) await publish(trx, 'InquirySettled', { workspaceId, leadId: lead.leadId, contactId: lead.contactId, at: now });
  return opened.length;
}

/** The earliest activity an inquiry activity rule matches; else, when the signals reach the minimum, the latest activity. */
function firstInquiryMatch(
  compiled: ReturnType<typeof compileDefinition>, acts: ActivityFact[], content: ReadonlyMap<string, ReturnType<typeof toContentFact>>, state: EngagementState | undefined,
): { rule: InquiryMatch; activity: ActivityFact } | null {
  const view = new ActivityView();
  for (const activity of acts) {
    const rule = compiled.inquiry.activities.find((r) => r.test(view.set(activity, activity.contentId ? content.get(activity.contentId) ?? null : null)));
    if (rule) return { rule: { ruleId: rule.id, label: rule.label, via: 'activity' }, activity };
  }
  const engaged = compiled.inquiry.engaged;
  const last = acts[acts.length - 1];
  if (engaged && last && state?.rules && inquirySignalsOfState(compiled, state.rules) >= engaged.minSignals) {
    return { rule: { ruleId: 'engaged', label: engaged.label, via: 'engagement' }, activity: last };
  }
  return null;
}
