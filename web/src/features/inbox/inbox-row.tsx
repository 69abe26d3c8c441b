import { Link } from 'react-router-dom';
import type { Decision, LeadAct } from '../../../../src/core/permissions.rules.ts';
import type { Lead, User } from '../../api/types.ts';
import { RatingBadge, StageBadge, ratingInNote } from '../../ui/badges.tsx';
import { contactName, timeAgo } from '../../ui/format.ts';
import { priorityBand } from './priority.ts';
import { SlaCountdown } from './sla-countdown.tsx';
import type { ReasonMode } from './reason-dialog.tsx';

export function InboxRow({ lead, now, ownerName, canAct, may, onAccept, onReason, onLog, reps, onReassign, pending }: {
  lead: Lead; now: number; ownerName?: string; canAct: boolean;
  /** The permission rule's answer for this user (the same function the API enforces). */
  may: (lead: Lead, act: LeadAct) => Decision;
  onAccept: (lead: Lead, name: string) => void; onReason: (lead: Lead, mode: ReasonMode, name: string) => void;
  /** Log a call, email, meeting or note. */
  onLog: (lead: Lead, name: string) => void;
  /** A manager's reassign control: the reps to choose from. */
  reps?: User[]; onReassign?: (lead: Lead, ownerId: string, name: string) => void;
  /** A decision on this lead waits for its undo window (the row shows it and offers nothing else meanwhile). */
  pending?: string;
}) {
  // The open SLA clock, the contact, the account and why it qualified (the note of its latest move into MQL)
  // come with GET /api/v1/leads?include=contact,account,qualification: no request per row.
  const contact = { data: lead.contact ?? undefined };
  const account = { data: lead.account ?? undefined };
  const why = lead.qualification?.note ?? null;
  const name = contactName(contact.data);
  // A button shows when the lifecycle allows the move and the user may make it (their lead, their team's queue…).
  const can = (action: LeadAct) => !pending && lead.allowed_transitions.some((t) => t.action === action) && may(lead, action).allowed;
  const fresh = priorityBand(lead, now) === 0;
  return (
    <tr className={pending ? 'row-pending' : undefined} aria-busy={pending ? true : undefined}>
      <td>
        <Link className="row-title" to={`/leads/${lead.id}`}>{name}</Link>
        {fresh ? <span className="tag tag-blue tag-new">New</span> : null}
        <div className="row-sub">{[contact.data?.title, account.data?.name].filter(Boolean).join(' · ') || '\u00a0'}</div>
      </td>
      <td><StageBadge stage={lead.stage} /></td>
      <td><RatingBadge rating={lead.rating} qualifiedAs={ratingInNote(why)} /></td>
      <td className="why">
        {why ? <span className="why-text" title={why}>{why}</span> : <span className="muted">No explanation recorded</span>}
        {lead.prediction ? (
          <div className="row-sub prediction-line"><strong>{Math.round(lead.prediction.probability * 100)}% likely</strong>{lead.prediction.top_reason ? ` · ${lead.prediction.top_reason}` : ''}</div>
        ) : lead.prediction === null ? <div className="row-sub muted">No prediction yet</div> : null}
        <div className="row-sub">{lead.source ? `${lead.source} · ` : ''}{lead.stage === 'mql' ? 'MQL' : 'In stage'} {timeAgo(lead.stage === 'mql' ? (lead.mql_at ?? lead.stage_entered_at) : lead.stage_entered_at, now)}</div>
      </td>
      <td>{pending ? <span className="muted">{pending}</span> : <SlaCountdown sla={lead.sla} now={now} />}</td>
      {ownerName !== undefined ? (
        <td>
          {reps && onReassign && !pending && may(lead, 'assign').allowed ? (
            <select className="owner-select" aria-label={`Owner of ${name}`} value={lead.owner_id ?? ''} onChange={(e) => e.target.value && onReassign(lead, e.target.value, name)}>
              {lead.owner_id ? null : <option value="">Unassigned</option>}
              {lead.owner_id && !reps.some((r) => r.id === lead.owner_id) ? <option value={lead.owner_id}>{ownerName}</option> : null}
              {reps.map((r) => <option key={r.id} value={r.id}>{r.name ?? r.email}</option>)}
            </select>
          ) : ownerName}
        </td>
      ) : null}
      <td className="actions">
        {canAct ? (
          <div className="button-row">
            {can('accept') ? <button type="button" className="button primary small" onClick={() => onAccept(lead, name)} aria-label={`Accept ${name}`}>Accept</button> : null}
            {can('reject') ? <button type="button" className="button small" onClick={() => onReason(lead, 'reject', name)} aria-label={`Reject ${name}`}>Reject</button> : null}
            {can('hand_back') ? <button type="button" className="button small" onClick={() => onReason(lead, 'hand_back', name)} aria-label={`Hand back ${name}`}>Hand back</button> : null}
            {!pending && may(lead, 'touch').allowed ? <button type="button" className="button small ghost" onClick={() => onLog(lead, name)} aria-label={`Log activity for ${name}`}>Log</button> : null}
          </div>
        ) : null}
      </td>
    </tr>
  );
}
