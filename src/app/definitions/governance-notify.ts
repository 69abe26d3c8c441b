import { z } from 'zod';
import { listUsers } from '../../storage/users.repo.ts';
import type { AppDeps } from '../context.ts';
import type { Mailer } from '../mailer.ts';

export const governanceNotifyPayload = z.object({
  workspaceId: z.string(), kind: z.enum(['emergency_stopped', 'retirement_requested']), definitionId: z.string(), version: z.number(),
  name: z.string(), reason: z.string(), byUserId: z.string(), to: z.array(z.string()),
});

/** Thrown to make the worker retry (SMTP down): one message to all recipients, so a retry never doubles it. */
export class GovernanceMailFailed extends Error {}

/**
 * Emails the approvers a governance job names (an emergency stop, a retirement waiting for their
 * side). Sent through the installation's mailer; without SMTP configured it is logged, not faked.
 */
export async function sendGovernanceMail(deps: AppDeps & { mailer: Mailer | null; publicUrl: string }, payload: unknown): Promise<void> {
  const p = governanceNotifyPayload.parse(payload);
  const users = await listUsers(deps.db, p.workspaceId);
  const byId = new Map(users.map((u) => [u.id, u]));
  const to = p.to.map((id) => byId.get(id)).filter((u) => u && !u.disabledAt).map((u) => u!.email);
  if (!to.length) return;
  const by = byId.get(p.byUserId);
  const who = by ? `${by.name} <${by.email}>` : 'an admin';
  const link = `${deps.publicUrl.replace(/\/$/, '')}/definitions`;
  const mail = p.kind === 'emergency_stopped'
    ? {
      subject: `[Leadloop] Emergency stop: lead definition v${p.version} retired, scoring has stopped`,
      text: `${who} used the emergency stop on the active lead definition "${p.name}" (version ${p.version}).\n\nReason: ${p.reason}\n\n`
        + `No definition is active now: new activities are not scored and nobody becomes an MQL until marketing and sales sign and activate a version.\n\n${link}\n`,
    }
    : {
      subject: `[Leadloop] Your sign-off is needed: retire lead definition v${p.version}?`,
      text: `${who} asks to retire the active lead definition "${p.name}" (version ${p.version}).\n\nReason: ${p.reason}\n\n`
        + `Retiring stops scoring for the whole workspace, so your side must agree. Approve or refuse (with a comment) here:\n${link}\n`,
    };
  if (!deps.mailer) {
    console.error(`[governance] email not sent (SMTP_URL is not set): ${mail.subject}`);
    return;
  }
  const sent = await deps.mailer.send({ to: to.join(', '), ...mail });
  if (!sent.ok) throw new GovernanceMailFailed(sent.message);
}
