import { useMemo, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { Link, useParams } from 'react-router-dom';
import { get, qs } from '../../api/client.ts';
import { useAccount, useActivities, useContact, useLead, useTransitions, useUsers } from '../../api/queries.ts';
import type { Lead, LeadSla, Me, Opportunity, Page, User } from '../../api/types.ts';
import type { Decision, LeadAct } from '../../../../src/core/permissions.rules.ts';
import { usePermissions } from '../../app/permissions.ts';
import { canWrite } from '../../app/roles.ts';
import { RatingBadge, StageBadge } from '../../ui/badges.tsx';
import { contactName, formatDate, formatDateTime, formatMoney } from '../../ui/format.ts';
import { Card, EmptyState, ErrorNote, Loading } from '../../ui/states.tsx';
import { ReasonDialog } from '../inbox/reason-dialog.tsx';
import { LogActivityButton } from '../tasks/log-activity-button.tsx';
import { SlaCountdown, slaTarget, useNow } from '../inbox/sla-countdown.tsx';
import { useTransitionLead } from '../inbox/use-transition.ts';
import { ContentRatingsGiven } from './content-ratings.tsx';
import { IdentityPanel } from './identity-panel.tsx';
import { ScoreHistory } from './score-history-lazy.tsx';
import { PredictionPanel } from './prediction-panel.tsx';
import { ScorePanel } from './score-panel.tsx';
import { StageHistory } from './stage-history.tsx';
import { Timeline } from './timeline.tsx';

export function Opportunities({ accountId }: { accountId: string | null | undefined }) {
  const opps = useQuery({
    queryKey: ['opportunities', accountId], enabled: !!accountId,
    queryFn: () => get<Page<Opportunity>>(`/api/v1/opportunities${qs({ account_id: accountId ?? undefined, limit: 50 })}`),
  });
  if (!accountId) return <EmptyState title="No account, so no opportunities yet." />;
  if (opps.isPending) return <Loading />;
  if (!opps.data?.data.length) return <EmptyState title="No opportunities on this account." />;
  return (
    <ul className="plain-list">
      {opps.data.data.map((o) => (
        <li key={o.id} className="opp">
          <span className="row-title">{o.name}</span>
          <span className={`tag tag-${o.status === 'won' ? 'green' : o.status === 'lost' ? 'amber' : 'blue'}`}>{o.status}</span>
          <div className="row-sub">{formatMoney(o.amount, o.currency)} · {o.stage} · close {formatDate(o.close_date)}</div>
        </li>
      ))}
    </ul>
  );
}

/** Who holds the lead and how its open SLA clock stands: target, deadline, escalation. */
function HandoffPanel({ sla, owner, ownerId, now }: { sla: LeadSla | null | undefined; owner: User | undefined; ownerId: string | null; now: number }) {
  return (
    <dl className="facts">
      <div><dt>Owner</dt><dd>{owner?.name ?? owner?.email ?? (ownerId ? '…' : 'Unassigned')}</dd></div>
      {sla ? (
        <>
          <div><dt>SLA clock</dt><dd>{slaTarget(sla)}</dd></div>
          <div><dt>Due</dt><dd>{formatDateTime(sla.due_at)} · <SlaCountdown sla={sla} now={now} /></dd></div>
          <div><dt>Escalation</dt><dd>{sla.escalation_steps === 0 ? 'No escalation steps' : `${sla.escalation_level} of ${sla.escalation_steps} steps fired`}
            {sla.next_escalation_at ? <span className="muted"> · next {formatDateTime(sla.next_escalation_at)}</span> : null}</dd></div>
        </>
      ) : <div><dt>SLA clock</dt><dd className="muted">None running</dd></div>}
    </dl>
  );
}

function LeadActions({ lead, name, may }: { lead: Lead; name: string; may: (lead: Lead, act: LeadAct) => Decision }) {
  const transition = useTransitionLead();
  const [reasonFor, setReasonFor] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  // One button per action; actions that need a reason open the reason dialog with every target they allow.
  const actions = [...new Map(lead.allowed_transitions.map((t) => [t.action, t])).values()];
  const go = (to: string) => transition.mutate({ lead, to }, { onError: (e) => setMessage(e.message), onSuccess: () => setMessage(null) });
  // What this user may not do stays visible but disabled, with the rule's own words on who may.
  const decisions = new Map(actions.map((t) => [t.action, may(lead, t.action as LeadAct)]));
  const whyNot = (action: string) => { const d = decisions.get(action); return d && !d.allowed ? d.message : undefined; };
  const refused = [...decisions.values()].find((d): d is Extract<Decision, { allowed: false }> => !d.allowed && !!d.whoMay);
  return (
    <div className="lead-actions">
      <div className="button-row">
        {actions.map((t) => (
          <button key={t.action} type="button" className={`button small ${t.action === 'accept' ? 'primary' : ''}`}
            disabled={transition.isPending || !decisions.get(t.action)?.allowed}
            title={whyNot(t.action)}
            onClick={() => (t.reason_required ? setReasonFor(t.action) : go(t.to))}>
            {t.reason_required && ['reject', 'disqualify', 'lose'].includes(t.action) ? (t.action === 'reject' ? 'Reject' : t.label) : t.label}
          </button>
        ))}
      </div>
      {refused ? <p className="muted small permission-note">{refused.message}</p> : null}
      {message ? <div className="error-note" role="alert">{message}</div> : null}
      {reasonFor ? (
        <ReasonDialog lead={lead} mode={reasonFor} leadName={name} onClose={() => setReasonFor(null)}
          onSubmit={(r) => { setReasonFor(null); transition.mutate(r, { onError: (e) => setMessage(e.message) }); }} />
      ) : null}
    </div>
  );
}

export function LeadPage({ me }: { me: Me }) {
  const { id = '' } = useParams();
  const lead = useLead(id);
  const contact = useContact(lead.data?.contact_id);
  const account = useAccount(lead.data?.account_id ?? contact.data?.account_id);
  const transitions = useTransitions(id);
  const activities = useActivities(lead.data?.contact_id);
  const users = useUsers();
  const { may } = usePermissions(me);
  const now = useNow();
  const mqlMarkers = useMemo(() => (transitions.data ?? []).filter((t) => t.to === 'mql').map((t) => ({ at: t.at, label: 'MQL' })), [transitions.data]);
  if (lead.isPending) return <main className="page"><Loading label="Loading lead…" /></main>;
  if (lead.isError) return <main className="page"><ErrorNote error={lead.error} /><p><Link to="/inbox">Back to the inbox</Link></p></main>;
  const l = lead.data;
  const name = contactName(contact.data);
  const owner = users.data?.find((u) => u.id === l.owner_id);
  return (
    <main className="page">
      <nav aria-label="Breadcrumb" className="crumbs"><Link to="/inbox">Inbox</Link> <span aria-hidden="true">/</span> Lead</nav>
      <header className="page-header lead-header">
        <div>
          <h1>{name}</h1>
          <p className="muted">{[contact.data?.title, account.data?.name].filter(Boolean).join(' at ') || '\u00a0'}</p>
          <div className="meta-row">
            <StageBadge stage={l.stage} /> <RatingBadge rating={l.rating} />
            <span className="meta">Owner: <strong>{owner?.name ?? (l.owner_id ? '…' : 'Unassigned')}</strong></span>
            <span className="meta">SLA: <SlaCountdown sla={l.sla} now={now} /></span>
            {l.recycle_count ? <span className="meta">Recycled {l.recycle_count}×</span> : null}
            {l.recheck_at ? <span className="meta">Recheck on <strong>{formatDate(l.recheck_at)}</strong></span> : null}
          </div>
        </div>
        {canWrite(me) ? <div className="stack"><LeadActions lead={l} name={name} may={may} />{may(l, 'touch').allowed ? <div className="button-row"><LogActivityButton leadId={l.id} contactId={l.contact_id} leadName={name} /></div> : null}</div> : null}
      </header>
      <Card title="Score over time" className="score-over-time"><ScoreHistory contactId={l.contact_id} markers={mqlMarkers} /></Card>
      <div className="grid-3">
        <div className="stack-lg">
          <Card title="Person">{contact.data ? <IdentityPanel contact={contact.data} account={account.data} /> : <Loading />}</Card>
          <Card title="Score"><ScorePanel lead={l} /></Card>
          <Card title="Prediction"><PredictionPanel contactId={l.contact_id} /></Card>
        </div>
        <Card title="Timeline" className="span-timeline">
          {activities.isPending ? <Loading /> : activities.isError ? <ErrorNote error={activities.error} /> : <Timeline activities={activities.data.data} />}
        </Card>
        <div className="stack-lg">
          <Card title="Stage history">{transitions.data ? <StageHistory transitions={transitions.data} users={users.data} /> : <Loading />}</Card>
          <Card title="Owner and SLA"><HandoffPanel sla={l.sla} owner={owner} ownerId={l.owner_id} now={now} /></Card>
          <Card title="Opportunities"><Opportunities accountId={l.account_id ?? contact.data?.account_id} /></Card>
          <Card title="Content ratings given"><ContentRatingsGiven contactId={l.contact_id} /></Card>
        </div>
      </div>
    </main>
  );
}
