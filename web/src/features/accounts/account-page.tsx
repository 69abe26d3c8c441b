import { useId, useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useParams } from 'react-router-dom';
import type { z } from 'zod';
import { decideAccountOwner } from '../../../../src/core/account-owner.rules.ts';
import type { Permission, Role } from '../../../../src/core/access.ts';
import type { accountOverviewDto } from '../../../../src/server/contract/accounts-page.contract.ts';
import { api, get } from '../../api/client.ts';
import { useUsers } from '../../api/queries.ts';
import type { Me, User } from '../../api/types.ts';
import { RatingBadge, StageBadge, Tag } from '../../ui/badges.tsx';
import { contactName, formatDate, formatDateTime, formatMoney, formatNumber, humanize } from '../../ui/format.ts';
import { Card, EmptyState, ErrorNote, Loading } from '../../ui/states.tsx';
import '../lists/lists.css';

type Overview = z.infer<typeof accountOverviewDto>;

/** An account's page: who works there, their leads and deals, what they did, and who owns the account. */
export function AccountPage({ me }: { me: Me }) {
  const { id = '' } = useParams();
  const overview = useQuery({ queryKey: ['account', id, 'overview'], queryFn: () => get<Overview>(`/api/v1/accounts/${id}/overview`) });
  const users = useUsers();
  if (overview.isPending) return <main className="page"><Loading label="Loading account…" /></main>;
  if (overview.isError) return <main className="page"><ErrorNote error={overview.error} /></main>;
  const v = overview.data;
  const a = v.account;
  const userName = (uid: string | null) => (uid ? users.data?.find((u) => u.id === uid)?.name ?? 'Former user' : 'Unassigned');
  const recent90 = v.activity.reduce((n, r) => n + r.last_90_days, 0);
  const byContact = new Map(v.people.map((p) => [p.id, p]));
  return (
    <main className="page">
      <p className="crumbs"><Link to="/accounts">Accounts</Link> / {a.name}</p>
      <header className="page-header">
        <div>
          <h1>{a.name}</h1>
          <p className="muted">{[a.domain, a.industry, a.employee_count ? `${formatNumber(a.employee_count)} employees` : null, a.country].filter(Boolean).join(' · ') || '\u00a0'}</p>
        </div>
        <OwnerEditor me={me} accountId={a.id} ownerId={a.owner_id} users={users.data ?? []} userName={userName} />
      </header>
      <div className="kpis">
        <div className="kpi"><span className="kpi-label">People</span><span className="kpi-value">{formatNumber(v.counts.people)}</span></div>
        <div className="kpi"><span className="kpi-label">Leads</span><span className="kpi-value">{formatNumber(v.counts.leads)}</span></div>
        <div className="kpi"><span className="kpi-label">Opportunities</span><span className="kpi-value">{formatNumber(v.counts.opportunities)}</span></div>
        <div className="kpi"><span className="kpi-label">Activities, last 90 days</span><span className="kpi-value">{formatNumber(recent90)}</span></div>
      </div>
      <div className="account-grid">
        <div className="stack-lg">
          <Card title={`People (${v.counts.people})`} actions={v.counts.people > v.people.length ? <Link to={`/people?account_id=${a.id}`}>All {v.counts.people}</Link> : null}>
            {v.people.length === 0 ? <EmptyState title="Nobody from this account yet.">People join an account when they use an email at {a.domain ?? 'its domain'}.</EmptyState> : (
              <table className="table compact">
                <thead><tr><th scope="col">Person</th><th scope="col">Title</th><th scope="col">Latest touch</th></tr></thead>
                <tbody>{v.people.map((p) => (
                  <tr key={p.id}><td><Link className="row-title" to={`/contacts/${p.id}`}>{contactName(p)}</Link><div className="row-sub">{p.email ?? ''}</div></td><td>{p.title ?? '—'}</td><td>{formatDate(p.latest_touch.at)}</td></tr>
                ))}</tbody>
              </table>
            )}
          </Card>
          <Card title={`Leads (${v.counts.leads})`} actions={v.counts.leads ? <Link to={`/leads?account_id=${a.id}`}>Open in the leads list</Link> : null}>
            {v.leads.length === 0 ? <EmptyState title="No leads from this account." /> : (
              <table className="table compact">
                <thead><tr><th scope="col">Lead</th><th scope="col">Stage</th><th scope="col">Rating</th><th scope="col">Owner</th><th scope="col">Opened</th></tr></thead>
                <tbody>{v.leads.map((l) => (
                  <tr key={l.id}><td><Link to={`/leads/${l.id}`}>{contactName(byContact.get(l.contact_id)) === '…' ? 'Lead' : contactName(byContact.get(l.contact_id))}</Link></td><td><StageBadge stage={l.stage} /></td><td><RatingBadge rating={l.rating} /></td><td>{userName(l.owner_id)}</td><td>{formatDate(l.opened_at)}</td></tr>
                ))}</tbody>
              </table>
            )}
          </Card>
          <Card title={`Opportunities (${v.counts.opportunities})`}>
            {v.opportunities.length === 0 ? <EmptyState title="No opportunities yet." /> : (
              <table className="table compact">
                <thead><tr><th scope="col">Opportunity</th><th scope="col" className="num">Amount</th><th scope="col">Stage</th><th scope="col">Status</th><th scope="col">Close date</th></tr></thead>
                <tbody>{v.opportunities.map((o) => (
                  <tr key={o.id}><td>{o.name}</td><td className="num">{formatMoney(o.amount, o.currency)}</td><td>{humanize(o.stage)}</td><td><Tag tone={o.status === 'won' ? 'green' : o.status === 'lost' ? 'amber' : 'blue'}>{humanize(o.status)}</Tag></td><td>{formatDate(o.close_date)}</td></tr>
                ))}</tbody>
              </table>
            )}
          </Card>
        </div>
        <Card title="Activity">
          {v.activity.length === 0 ? <EmptyState title="No activity from this account's people yet." /> : (
            <div className="stack">
              <ul className="rollup" aria-label="Activity by kind">
                {v.activity.map((r) => <li key={r.type}>{humanize(r.type)}: <strong>{formatNumber(r.count)}</strong> <span className="muted">({formatNumber(r.last_90_days)} in 90 days)</span></li>)}
              </ul>
              <h3 className="card-subtitle">Latest</h3>
              <ul className="plain-list">
                {v.recent_activity.map((x) => (
                  <li key={x.id}><strong>{humanize(x.type)}</strong> · {contactName(byContact.get(x.contact_id)) === '…' ? 'someone' : contactName(byContact.get(x.contact_id))}<div className="row-sub">{formatDateTime(x.occurred_at)}{x.url ? ` · ${x.url}` : ''}</div></li>
                ))}
              </ul>
            </div>
          )}
        </Card>
      </div>
    </main>
  );
}

function OwnerEditor({ me, accountId, ownerId, users, userName }: { me: Me; accountId: string; ownerId: string | null; users: User[]; userName: (id: string | null) => string }) {
  const [value, setValue] = useState(ownerId ?? '');
  const [notice, setNotice] = useState<string | null>(null);
  const id = useId();
  const queryClient = useQueryClient();
  const save = useMutation({
    mutationFn: (owner: string | null) => api('PUT', `/api/v1/accounts/${accountId}/owner`, { owner_id: owner }),
    onSuccess: async (_r, owner) => {
      setNotice(`Owner changed to ${userName(owner)}.`);
      await queryClient.invalidateQueries({ queryKey: ['account', accountId] });
    },
    onError: (e) => setNotice(`Not changed: ${e.message}`),
  });
  // The same rule the server enforces, so the control is only offered to those it will accept.
  const actor = me.user
    ? { kind: 'user' as const, id: me.user.id, name: me.user.name, role: me.user.role as Role, team: me.user.team, permissions: new Set(me.permissions as Permission[]) }
    : { kind: 'key' as const, permissions: new Set(me.permissions as Permission[]) };
  const may = me.permissions.includes('write') && decideAccountOwner(actor, { ownerId, ownerName: userName(ownerId) }).allowed;
  if (!may) return <p className="muted">Owner: <strong>{userName(ownerId)}</strong></p>;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setNotice(null);
    save.mutate(value || null);
  };
  return (
    <form className="toolbar" onSubmit={submit}>
      <label className="inline-field" htmlFor={id}>Owner</label>
      <select id={id} value={value} onChange={(e) => setValue(e.target.value)}>
        <option value="">Unassigned</option>
        {users.filter((u) => !u.disabled && (u.role === 'sales' || u.role === 'sales_manager' || u.id === ownerId)).map((u) => <option key={u.id} value={u.id}>{u.name}</option>)}
      </select>
      <button type="submit" className="button small primary" disabled={save.isPending || value === (ownerId ?? '')}>Save owner</button>
      <span aria-live="polite" className="small">{notice}</span>
    </form>
  );
}
