import { fail, ok, type Result } from '../../core/result.ts';
import { insertActivity, type Activity } from '../../storage/activities.repo.ts';
import { lockLead } from '../../storage/leads.repo.ts';
import type { Actor } from '../../storage/transitions.repo.ts';
import type { AppDeps } from '../context.ts';
import { inTransaction } from '../transaction.ts';

/** The event name a rep's note is stored under (a `custom` activity: it is not a touch of the buyer). */
export const SALES_NOTE_EVENT = 'sales_note';

/**
 * A rep's note on a lead ("spoke to their assistant, back from holiday on the 12th"). Stored on the
 * contact's timeline like a touch, but it does not stop the first-touch clock: writing a note is not
 * talking to the buyer (calls, emails and meetings are, see `logTouch`).
 */
export async function logNote(deps: AppDeps, workspaceId: string, leadId: string, input: { note: string; actor: Actor }): Promise<Result<Activity>> {
  const now = deps.clock.now();
  return inTransaction(deps, async (trx) => {
    const lead = await lockLead(trx, workspaceId, leadId);
    if (!lead) return fail('NotFound', `Lead ${leadId} not found in this workspace.`);
    const activity = await insertActivity(trx, workspaceId, {
      contactId: lead.contactId, type: 'custom', occurredAt: now, source: 'sales', medium: null, campaignId: null, utmCampaign: null,
      contentId: null, url: null, referrer: null, eventName: SALES_NOTE_EVENT, properties: { lead_id: lead.id, note: input.note },
      actorUserId: input.actor.type === 'user' ? input.actor.id : null, idempotencyKey: null,
    });
    return activity ? ok(activity) : fail('Conflict', 'This note was already saved.');
  });
}
