import { useEffect, useId, useState } from 'react';
import type { ListEntity } from '../../../../src/core/lists.rules.ts';
import { listSorts } from '../../../../src/core/lists.rules.ts';
import { stages } from '../../../../src/core/lifecycle.ts';
import type { User } from '../../api/types.ts';
import { stageLabel } from '../../ui/badges.tsx';

/** Which filters each list shows (the API refuses the others with a 400). */
const filtersOf: Record<ListEntity, string[]> = {
  people: ['stage', 'owner', 'rating', 'source', 'campaign', 'consent', 'from', 'to'],
  leads: ['stage', 'owner', 'rating', 'source', 'campaign', 'consent', 'from', 'to'],
  accounts: ['owner', 'industry', 'country', 'from', 'to'],
  opportunities: ['status', 'owner', 'from', 'to'],
};
const dateLabel: Record<ListEntity, string> = { people: 'Created', leads: 'Opened', accounts: 'Created', opportunities: 'Closes' };
const consentOptions = [
  ['email_marketing:granted', 'Marketing email: yes'], ['email_marketing:refused', 'Marketing email: refused'], ['email_marketing:none', 'Marketing email: not asked'],
  ['sales_email:refused', 'Sales email: refused'], ['sales_call:refused', 'Calls: refused'],
] as const;
// Every stage a lead can still move from (won, lost and disqualified are closed).
const openStages = 'inquiry,mql,sal,sql,opportunity,nurture';
const ratingOptions = ['A1', 'A2', 'A3', 'B1', 'B2', 'B3', 'C1', 'C2', 'C3', 'D1', 'D2', 'D3'];

type Props = { entity: ListEntity; params: URLSearchParams; users: User[]; onChange: (key: string, value: string | null) => void; onClear: () => void };

/** The list's search box and filters; every value lives in the URL, so a reload or a shared link keeps them. */
export function FilterBar({ entity, params, users, onChange, onClear }: Props) {
  const [q, setQ] = useState(params.get('q') ?? '');
  const searchId = useId();
  const value = (k: string) => params.get(k) ?? '';
  // Typing waits for a pause before it changes the URL (and asks the server).
  useEffect(() => {
    if ((params.get('q') ?? '') === q) return;
    const t = setTimeout(() => onChange('q', q.trim() || null), 300);
    return () => clearTimeout(t);
  }, [q, params, onChange]);
  useEffect(() => setQ(params.get('q') ?? ''), [params]);
  const shown = new Set(filtersOf[entity]);
  const select = (key: string, label: string, options: readonly (readonly [string, string])[], all = 'Any') => (
    <label className="inline-field">{label}
      <select value={value(key)} onChange={(e) => onChange(key, e.target.value || null)}>
        <option value="">{all}</option>
        {options.map(([v, l]) => <option key={v} value={v}>{l}</option>)}
      </select>
    </label>
  );
  const text = (key: string, label: string, placeholder: string) => (
    <label className="inline-field">{label}
      <input type="text" size={10} defaultValue={value(key)} key={value(key)} placeholder={placeholder}
        onBlur={(e) => onChange(key, e.target.value.trim() || null)} onKeyDown={(e) => { if (e.key === 'Enter') onChange(key, e.currentTarget.value.trim() || null); }} />
    </label>
  );
  const active = [...params.keys()].filter((k) => k !== 'sort' && k !== 'view').length;
  return (
    <div className="list-filters" role="group" aria-label="Search and filters">
      <div className="list-search">
        <label htmlFor={searchId} className="sr-only">Search</label>
        <input id={searchId} type="search" value={q} onChange={(e) => setQ(e.target.value)} placeholder={entity === 'accounts' ? 'Search name or domain' : 'Search name, email, company or domain'} />
      </div>
      {shown.has('stage') ? select('stage', 'Stage', [[openStages, 'All open'], ...stages.map((s) => [s, stageLabel(s)] as const)]) : null}
      {shown.has('status') ? select('status', 'Status', [['open', 'Open'], ['won', 'Won'], ['lost', 'Lost']]) : null}
      {shown.has('owner') ? select('owner', 'Owner', [['none', 'Unassigned'], ...users.filter((u) => !u.disabled).map((u) => [u.id, u.name] as const)]) : null}
      {shown.has('rating') ? select('rating', 'Rating', ratingOptions.map((r) => [r, r] as const)) : null}
      {shown.has('source') ? text('source', 'Source', 'e.g. google') : null}
      {shown.has('campaign') ? text('campaign', 'Campaign', 'utm_campaign') : null}
      {shown.has('industry') ? text('industry', 'Industry', 'e.g. SaaS') : null}
      {shown.has('country') ? text('country', 'Country', 'e.g. US') : null}
      {shown.has('consent') ? select('consent', 'Consent', consentOptions) : null}
      <label className="inline-field">{dateLabel[entity]} from
        <input type="date" value={value('from')} onChange={(e) => onChange('from', e.target.value || null)} />
      </label>
      <label className="inline-field">to
        <input type="date" value={value('to')} onChange={(e) => onChange('to', e.target.value || null)} />
      </label>
      <label className="inline-field">Sort
        <select value={value('sort') || Object.keys(listSorts[entity])[0]} onChange={(e) => onChange('sort', e.target.value)}>
          {Object.entries(listSorts[entity]).map(([k, l]) => <option key={k} value={k}>{l}</option>)}
        </select>
      </label>
      {active ? <button type="button" className="button ghost small" onClick={onClear}>Clear filters ({active})</button> : null}
    </div>
  );
}
