import type { ActivityType } from '../../core/activity.ts';
import { canonicalActivity } from '../../core/activity-vocabulary.rules.ts';
import { fail, ok, type Result } from '../../core/result.ts';
import { insertActivity, type Activity } from '../../storage/activities.repo.ts';
import { getContact } from '../../storage/contacts.repo.ts';
import { getContentAsset } from '../../storage/content.repo.ts';
import { isUuid } from '../../storage/ids.ts';
import { activityByIdempotencyKey } from '../../storage/scoring-facts.repo.ts';
import type { AppDeps } from '../context.ts';
import { inTransaction } from '../transaction.ts';
import type { ScoringOutcome } from './score-activities.ts';
import { publishActivitiesStored } from '../activity-reactions.ts';
import { scoringOutcomeOf } from './scoring-subscribers.ts';

export type LogActivityInput = {
  contactId: string; type: ActivityType; occurredAt: Date; source?: string | null; medium?: string | null; utmCampaign?: string | null;
  campaignId?: string | null; contentId?: string | null; url?: string | null; referrer?: string | null; eventName?: string | null;
  properties?: Record<string, unknown>; idempotencyKey?: string | null; actorUserId?: string | null;
};
export type LogActivityOutcome = { activity: Activity; duplicate: boolean; scoring: ScoringOutcome | null };

/**
 * Records one activity for a known contact (a sales touch, an offline event) and scores it in the
 * same transaction, so a qualifying activity has moved the lead to MQL when the request returns.
 * A repeated idempotency key answers the first activity, unscored again.
 */
export async function logActivity(deps: AppDeps, workspaceId: string, input: LogActivityInput): Promise<Result<LogActivityOutcome>> {
  const contact = await getContact(deps.db, workspaceId, input.contactId);
  if (!contact || contact.status === 'merged') {
    const where = contact?.mergedIntoId ? ` (merged into ${contact.mergedIntoId})` : '';
    return fail('ValidationFailed', `Contact ${input.contactId} does not exist in this workspace${where}.`, [{ path: 'body.contact_id', message: 'unknown contact' }]);
  }
  if (input.contentId && !(await getContentAsset(deps.db, workspaceId, input.contentId))) {
    return fail('ValidationFailed', `Content asset ${input.contentId} does not exist in this workspace.`, [{ path: 'body.content_id', message: 'unknown content asset' }]);
  }
  // The activity vocabulary: `formId` → `form_id`, columns and utm_*/url properties agree.
  const shaped = canonicalActivity({ ...input, properties: input.properties });
  // A content id named only in the properties links the asset when it is one (as /v1/track does).
  const propContent = shaped.properties.content_id;
  const contentId = shaped.contentId ?? (typeof propContent === 'string' && isUuid(propContent) && (await getContentAsset(deps.db, workspaceId, propContent)) ? propContent : null);
  const now = deps.clock.now();
  return inTransaction<LogActivityOutcome>(deps, async (trx) => {
    const activity = await insertActivity(trx, workspaceId, {
      contactId: contact.id, type: input.type, occurredAt: input.occurredAt, source: shaped.source, medium: shaped.medium,
      campaignId: input.campaignId ?? null, utmCampaign: shaped.utmCampaign, contentId, url: shaped.url,
      referrer: input.referrer ?? null, eventName: input.eventName ?? null, properties: shaped.properties,
      actorUserId: input.actorUserId ?? null, idempotencyKey: input.idempotencyKey ?? null,
    });
    if (!activity) {
      const first = input.idempotencyKey ? await activityByIdempotencyKey(trx, workspaceId, input.idempotencyKey) : null;
      if (!first) return fail('Conflict', 'The activity could not be recorded; retry.');
      return ok({ activity: first, duplicate: true, scoring: null });
    }
    const stored = await publishActivitiesStored(trx, workspaceId, [activity], now, 'api');
    return ok({ activity, duplicate: false, scoring: scoringOutcomeOf(stored) });
  });
}
