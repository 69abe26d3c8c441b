import { useId, useState, type FormEvent } from 'react';
import { Link, NavLink, useNavigate, useParams } from 'react-router-dom';
import type { Campaign, Me } from '../../api/types.ts';
import { canWrite } from '../../app/roles.ts';
import { contactName, formatDate, formatMoney } from '../../ui/format.ts';
import { Modal } from '../../ui/modal.tsx';
import { EmptyState, ErrorNote, Loading } from '../../ui/states.tsx';
import { formatPercent } from '../nurture/nurture-format.ts';
import {
  useCampaign, useCampaignMutations, useCampaigns, useContactSearch, useMembers, usePerformance, type CampaignFields, type CostChange, type Performance,
} from './campaigns-api.ts';
import './campaigns.css';

const blank: CampaignFields = { name: '', channel: '', utm_source: null, utm_medium: null, utm_campaign: null, starts_on: null, ends_on: null, budget: null };
const fieldsOf = (c: Campaign): CampaignFields => ({
  name: c.name, channel: c.channel, utm_source: c.utm_source, utm_medium: c.utm_medium, utm_campaign: c.utm_campaign, starts_on: c.starts_on, ends_on: c.ends_on, budget: c.budget,
});
const orNull = (v: string) => (v.trim() ? v.trim() : null);

/** Return on the campaign: what it cost against what its leads became. */
function PerformanceTiles({ p, currency }: { p: Performance; currency: string }) {
  const money = (n: number | null) => (n === null ? '—' : formatMoney(n, currency));
  const ratio = (n: number | null) => (n === null ? '—' : `${n.toFixed(n < 10 ? 1 : 0)}×`);
  const tiles: [string, string, string?][] = [
    ['Leads', String(p.leads), `${p.mqls} became MQL`], ['Opportunities', String(p.opportunities), `${money(p.pipeline)} open`],
    ['Won deals', String(p.won_deals), money(p.won_revenue)], ['Cost', money(p.cost)],
    ['ROI', p.roi === null ? '—' : formatPercent(p.roi), '(won revenue − cost) / cost'], ['ROAS', ratio(p.roas), 'won revenue / cost'],
    ['Cost per lead', money(p.cost_per_lead)], ['Cost per opportunity', money(p.cost_per_opportunity)], ['Cost per won deal', money(p.cost_per_won_deal)],
  ];
  return (
    <section className="card" aria-label="Return on the campaign">
      <header className="card-header"><div><h2 className="card-title">Return</h2>
        <p className="card-subtitle">Leads that came from this campaign or belong to its members, and the deals they are linked to.{p.cost_currencies.length > 1 ? ` Costs mix ${p.cost_currencies.join(', ')}: totals add them as they are.` : ''}</p></div></header>
      <div className="kpi-grid">
        {tiles.map(([label, value, sub]) => (
          <div key={label} className="kpi-tile"><span className="kpi-label">{label}</span><span className="kpi-value">{value}</span>{sub ? <span className="kpi-sub">{sub}</span> : null}</div>
        ))}
      </div>
    </section>
  );
}

/** The campaign's fields and its costs per month, saved together. */
function CampaignForm({ campaign, onSaved }: { campaign: Campaign | null; onSaved: (c: Campaign) => void }) {
  const m = useCampaignMutations(campaign?.id ?? null);
  const [f, setF] = useState<CampaignFields>(() => (campaign ? fieldsOf(campaign) : blank));
  const initialCosts = (campaign?.costs ?? []).map((c) => ({ period_start: c.period_start, amount: c.amount as number | null, currency: c.currency }));
  const [costs, setCosts] = useState<CostChange[]>(initialCosts);
  const [month, setMonth] = useState('');
  const [saved, setSaved] = useState(false);
  const ids = { name: useId(), channel: useId(), src: useId(), med: useId(), utm: useId(), start: useId(), end: useId(), budget: useId(), month: useId() };
  const set = (p: Partial<CampaignFields>) => { setF((x) => ({ ...x, ...p })); setSaved(false); };
  const currency = costs.find((c) => c.amount !== null)?.currency ?? 'USD';
  const mutation = campaign ? m.save : m.create;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    // Months removed in the form are sent with amount null: the server deletes them.
    const removed = initialCosts.filter((c) => !costs.some((x) => x.period_start === c.period_start)).map((c) => ({ ...c, amount: null }));
    mutation.mutate({ ...f, costs: [...costs, ...removed] }, { onSuccess: (c) => { setSaved(true); onSaved(c); } });
  };
  const addMonth = () => {
    if (!month) return;
    const period = `${month}-01`;
    if (!costs.some((c) => c.period_start === period)) setCosts([...costs, { period_start: period, amount: 0, currency }].sort((a, b) => a.period_start.localeCompare(b.period_start)));
    setMonth('');
  };
  const total = costs.reduce((a, c) => a + (c.amount ?? 0), 0);
  return (
    <form className="card stack" onSubmit={submit} aria-label={campaign ? `Edit ${campaign.name}` : 'New campaign'}>
      <header className="card-header"><h2 className="card-title">{campaign ? 'Campaign' : 'New campaign'}</h2></header>
      <div className="form-grid-2">
        <div className="field"><label htmlFor={ids.name}>Name</label><input id={ids.name} required maxLength={300} value={f.name} onChange={(e) => set({ name: e.target.value })} /></div>
        <div className="field"><label htmlFor={ids.channel}>Channel</label><input id={ids.channel} required maxLength={100} value={f.channel} placeholder="e.g. paid search, event, webinar" onChange={(e) => set({ channel: e.target.value })} /></div>
        <div className="field"><label htmlFor={ids.src}>UTM source</label><input id={ids.src} value={f.utm_source ?? ''} onChange={(e) => set({ utm_source: orNull(e.target.value) })} /></div>
        <div className="field"><label htmlFor={ids.med}>UTM medium</label><input id={ids.med} value={f.utm_medium ?? ''} onChange={(e) => set({ utm_medium: orNull(e.target.value) })} /></div>
        <div className="field"><label htmlFor={ids.utm}>UTM campaign</label><input id={ids.utm} value={f.utm_campaign ?? ''} onChange={(e) => set({ utm_campaign: orNull(e.target.value) })} /></div>
        <div className="field"><label htmlFor={ids.budget}>Budget</label><input id={ids.budget} type="number" min={0} step="any" value={f.budget ?? ''} onChange={(e) => set({ budget: e.target.value === '' ? null : Number(e.target.value) })} /></div>
        <div className="field"><label htmlFor={ids.start}>Starts on</label><input id={ids.start} type="date" value={f.starts_on ?? ''} onChange={(e) => set({ starts_on: e.target.value || null })} /></div>
        <div className="field"><label htmlFor={ids.end}>Ends on</label><input id={ids.end} type="date" value={f.ends_on ?? ''} onChange={(e) => set({ ends_on: e.target.value || null })} /></div>
      </div>
      <h3 className="subhead">Costs per month</h3>
      {costs.length === 0 ? <p className="muted small">No costs yet: add the months this campaign spent money in.</p> : (
        <table className="table compact costs-table">
          <thead><tr><th scope="col">Month</th><th scope="col" className="num">Amount</th><th scope="col">Currency</th><th scope="col"><span className="sr-only">Actions</span></th></tr></thead>
          <tbody>
            {costs.map((c, i) => {
              const label = new Date(`${c.period_start}T00:00:00Z`).toLocaleDateString(undefined, { month: 'long', year: 'numeric', timeZone: 'UTC' });
              return (
                <tr key={c.period_start}>
                  <th scope="row">{label}</th>
                  <td className="num"><input type="number" min={0} step="any" required aria-label={`Cost in ${label}`} value={c.amount ?? ''}
                    onChange={(e) => { setCosts(costs.map((x, j) => (j === i ? { ...x, amount: e.target.value === '' ? null : Number(e.target.value) } : x))); setSaved(false); }} /></td>
                  <td><input className="currency" maxLength={3} required aria-label={`Currency in ${label}`} value={c.currency}
                    onChange={(e) => { setCosts(costs.map((x, j) => (j === i ? { ...x, currency: e.target.value.toUpperCase() } : x))); setSaved(false); }} /></td>
                  <td className="actions"><button type="button" className="button small ghost" aria-label={`Remove the cost of ${label}`} onClick={() => { setCosts(costs.filter((_, j) => j !== i)); setSaved(false); }}>Remove</button></td>
                </tr>
              );
            })}
          </tbody>
          <tfoot><tr><th scope="row">Total</th><td className="num"><strong>{formatMoney(total, currency)}</strong></td><td colSpan={2} /></tr></tfoot>
        </table>
      )}
      <div className="form-row">
        <div className="field"><label htmlFor={ids.month}>Add a month</label><input id={ids.month} type="month" value={month} onChange={(e) => setMonth(e.target.value)} /></div>
        <button type="button" className="button small" onClick={addMonth} disabled={!month}>Add month</button>
      </div>
      <div className="save-row">
        {mutation.isError ? <div className="error-note" role="alert">Not saved: {mutation.error.message}</div> : saved ? <div className="notice" role="status">Saved.</div> : <span />}
        <button type="submit" className="button primary" disabled={mutation.isPending}>{campaign ? 'Save campaign' : 'Create campaign'}</button>
      </div>
    </form>
  );
}

function Members({ campaignId }: { campaignId: string }) {
  const members = useMembers(campaignId);
  const m = useCampaignMutations(campaignId);
  const [q, setQ] = useState('');
  const found = useContactSearch(q);
  const searchId = useId();
  const list = members.data?.data ?? [];
  return (
    <section className="card" aria-label="Members">
      <header className="card-header"><h2 className="card-title">Members <span className="count">{list.length}</span></h2></header>
      <div className="field member-search">
        <label htmlFor={searchId}>Add a person (name or email)</label>
        <input id={searchId} type="search" value={q} onChange={(e) => setQ(e.target.value)} placeholder="Type at least 2 letters" autoComplete="off" />
        {found.data?.data.length ? (
          <ul className="plain-list search-results" aria-label="Matching people">
            {found.data.data.map((c) => (
              <li key={c.id}>
                <span>{contactName(c)} <span className="muted">{c.email}</span></span>
                <button type="button" className="button small" disabled={list.some((x) => x.contact_id === c.id) || m.addMember.isPending}
                  onClick={() => m.addMember.mutate(c.id, { onSuccess: () => setQ('') })} aria-label={`Add ${contactName(c)}`}>{list.some((x) => x.contact_id === c.id) ? 'Member' : 'Add'}</button>
              </li>
            ))}
          </ul>
        ) : q.trim().length >= 2 && found.isSuccess ? <p className="hint">Nobody matches “{q}”.</p> : null}
      </div>
      {m.addMember.isError ? <div className="error-note" role="alert">{m.addMember.error.message}</div> : null}
      {members.isPending ? <Loading /> : list.length === 0 ? <EmptyState title="No members yet.">Add invitees, registrants or a bought list; their leads count for this campaign.</EmptyState> : (
        <table className="table compact">
          <thead><tr><th scope="col">Person</th><th scope="col">Status</th><th scope="col">Added</th><th scope="col"><span className="sr-only">Actions</span></th></tr></thead>
          <tbody>
            {list.map((x) => (
              <tr key={x.contact_id}>
                <td><Link to={`/contacts/${x.contact_id}`}>{x.name}</Link><div className="row-sub">{x.email}</div></td>
                <td>{x.status}</td><td>{formatDate(x.added_at)}</td>
                <td className="actions"><button type="button" className="button small danger-ghost" onClick={() => m.removeMember.mutate(x.contact_id)} aria-label={`Remove ${x.name} from the campaign`}>Remove</button></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** Campaigns: the list, each campaign's fields and monthly costs, its members and its return (ROI, ROAS, cost per result). */
export function CampaignsPage({ me }: { me: Me }) {
  const { id } = useParams();
  const navigate = useNavigate();
  const campaigns = useCampaigns();
  const selectedId = id && id !== 'new' ? id : null;
  const campaign = useCampaign(selectedId);
  const performance = usePerformance(selectedId);
  const m = useCampaignMutations(selectedId);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const editable = canWrite(me);
  const currency = campaign.data?.costs?.[0]?.currency ?? 'USD';
  return (
    <main className="page">
      <header className="page-header">
        <div><h1>Campaigns</h1><p className="muted">What each program cost, who is in it, and what it brought.</p></div>
        {editable ? <button type="button" className="button primary" onClick={() => navigate('/campaigns/new')}>New campaign</button> : null}
      </header>
      {campaigns.isPending ? <Loading label="Loading campaigns…" /> : campaigns.isError ? <ErrorNote error={campaigns.error} /> : (
        <div className="campaign-layout">
          <nav className="card campaign-list" aria-label="Campaign list">
            {campaigns.data.length === 0 ? <EmptyState title="No campaigns yet.">Create one with “New campaign”.</EmptyState> : (
              <ul className="plain-list">
                {campaigns.data.map((c) => (
                  <li key={c.id}><NavLink to={`/campaigns/${c.id}`} className={({ isActive }) => `track-link${isActive ? ' active' : ''}`}>
                    <span className="track-name">{c.name}</span><span className="row-sub">{c.channel}{c.starts_on ? ` · from ${formatDate(c.starts_on)}` : ''}</span>
                  </NavLink></li>
                ))}
              </ul>
            )}
          </nav>
          <div className="stack-lg">
            {id === 'new' ? (editable ? <CampaignForm key="new" campaign={null} onSaved={(c) => navigate(`/campaigns/${c.id}`, { replace: true })} /> : null)
              : !selectedId ? <EmptyState title="Pick a campaign to see its return, costs and members." />
              : campaign.isPending ? <Loading /> : campaign.isError ? <ErrorNote error={campaign.error} /> : (
                <>
                  {performance.data ? <PerformanceTiles p={performance.data} currency={currency} /> : <Loading />}
                  {editable ? <CampaignForm key={campaign.data.id + (campaign.dataUpdatedAt ?? 0)} campaign={campaign.data} onSaved={() => undefined} /> : null}
                  <Members campaignId={campaign.data.id} />
                  {editable ? (
                    <div className="button-row"><button type="button" className="button danger-ghost" onClick={() => setConfirmDelete(true)}>Delete campaign</button></div>
                  ) : null}
                  <Modal title="Delete campaign?" open={confirmDelete} onClose={() => setConfirmDelete(false)}>
                    <div className="stack">
                      <p>Delete <strong>{campaign.data.name}</strong> with its costs and members? Campaigns that recorded activities cannot be deleted: set an end date instead.</p>
                      {m.remove.isError ? <div className="error-note" role="alert">{m.remove.error.message}</div> : null}
                      <footer className="modal-footer">
                        <button type="button" className="button ghost" onClick={() => setConfirmDelete(false)}>Cancel</button>
                        <button type="button" className="button danger" onClick={() => m.remove.mutate(undefined, { onSuccess: () => { setConfirmDelete(false); navigate('/campaigns'); } })}>Delete</button>
                      </footer>
                    </div>
                  </Modal>
                </>
              )}
          </div>
        </div>
      )}
    </main>
  );
}
