import { useMemo } from 'react';
import { useQuery } from '@tanstack/react-query';
import { Link, useParams } from 'react-router-dom';
import { get, qs } from '../../api/client.ts';
import { useAccount, useActivities, useContact } from '../../api/queries.ts';
import type { Lead, Page } from '../../api/types.ts';
import { RatingBadge, StageBadge } from '../../ui/badges.tsx';
import { contactName, formatDate } from '../../ui/format.ts';
import { Card, EmptyState, ErrorNote, Loading } from '../../ui/states.tsx';
import { ContentRatingsGiven } from './content-ratings.tsx';
import { IdentityLog } from './identity-log.tsx';
import { IdentityPanel } from './identity-panel.tsx';
import { Opportunities } from './lead-page.tsx';
import { ConsentHistory, PrivacyActions } from './privacy-panel.tsx';
import { ScoreHistory } from './score-history-lazy.tsx';
import { Timeline } from './timeline.tsx';

export function ContactPage() {
  const { id = '' } = useParams();
  const contact = useContact(id);
  const account = useAccount(contact.data?.account_id);
  const activities = useActivities(id);
  const leads = useQuery({ queryKey: ['leads', { contact_id: id }], queryFn: () => get<Page<Lead>>(`/api/v1/leads${qs({ contact_id: id, limit: 50 })}`) });
  // Each buying cycle's MQL moment marks the score chart.
  const mqlMarkers = useMemo(() => (leads.data?.data ?? []).flatMap((l) => (l.mql_at ? [{ at: l.mql_at, label: 'MQL' }] : [])), [leads.data]);
  if (contact.isPending) return <main className="page"><Loading label="Loading contact…" /></main>;
  if (contact.isError) return <main className="page"><ErrorNote error={contact.error} /></main>;
  return (
    <main className="page">
      <header className="page-header">
        <div>
          <h1>{contactName(contact.data)}</h1>
          <p className="muted">{[contact.data.title, account.data?.name].filter(Boolean).join(' at ') || '\u00a0'}</p>
        </div>
      </header>
      <Card title="Score over time" className="score-over-time"><ScoreHistory contactId={id} markers={mqlMarkers} /></Card>
      <div className="grid-3">
        <div className="stack-lg">
          <Card title="Person"><IdentityPanel contact={contact.data} account={account.data} /></Card>
          <Card title="Identities and conflicts"><IdentityLog contactId={id} /></Card>
          <Card title="Consent history"><ConsentHistory contactId={id} erased={contact.data.status === 'erased'} /></Card>
          <Card title="Privacy"><PrivacyActions contact={contact.data} /></Card>
        </div>
        <Card title="Timeline" className="span-timeline">
          {activities.isPending ? <Loading /> : activities.isError ? <ErrorNote error={activities.error} /> : <Timeline activities={activities.data.data} />}
        </Card>
        <div className="stack-lg">
          <Card title="Buying cycles">
            {leads.data?.data.length ? (
              <ul className="plain-list">
                {leads.data.data.map((l) => (
                  <li key={l.id}><Link to={`/leads/${l.id}`}>Opened {formatDate(l.opened_at)}</Link> <StageBadge stage={l.stage} /> <RatingBadge rating={l.rating} /></li>
                ))}
              </ul>
            ) : leads.isPending ? <Loading /> : <EmptyState title="No lead opened for this contact." />}
          </Card>
          <Card title="Opportunities"><Opportunities accountId={contact.data.account_id} /></Card>
          <Card title="Content ratings given"><ContentRatingsGiven contactId={id} /></Card>
        </div>
      </div>
    </main>
  );
}
