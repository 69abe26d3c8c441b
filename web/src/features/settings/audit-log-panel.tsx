import { useState, type FormEvent } from 'react';
import { useInfiniteQuery } from '@tanstack/react-query';
import type { z } from 'zod';
import type { auditEntryDto } from '../../../../src/server/contract/audit.contract.ts';
import { get, qs } from '../../api/client.ts';
import { useUsers } from '../../api/queries.ts';
import { formatDateTime, humanize } from '../../ui/format.ts';
import { Card, EmptyState, ErrorNote, Loading } from '../../ui/states.tsx';

type AuditEntry = z.infer<typeof auditEntryDto>;
type Filters = { actor: string; action: string; object_type: string; object_id: string; from: string; to: string };
const empty: Filters = { actor: '', action: '', object_type: '', object_id: '', from: '', to: '' };

const actionGroups = [
  ['', 'All actions'], ['definition.', 'Definitions and sign-offs'], ['approvers.', 'Approver lists'], ['user.', 'Users and roles'],
  ['routing.', 'Routing'], ['team.', 'Teams and SLA calendars'], ['reason_codes.', 'Reason codes'], ['costs.', 'Costs'],
  ['attribution_settings.', 'Attribution settings'], ['campaign.', 'Campaigns'], ['import.', 'Imports'], ['api_key.', 'API keys'], ['webhook.', 'Webhooks'], ['lead.', 'Lead assignments and bulk actions'],
] as const;

/** The date inputs are local days; the API takes instants (`to` exclusive: the day after). */
function toQuery(f: Filters) {
  const day = (d: string, plus = 0) => (d ? new Date(new Date(`${d}T00:00:00`).getTime() + plus * 86_400_000).toISOString() : undefined);
  return { actor: f.actor || undefined, action: f.action || undefined, object_type: f.object_type || undefined, object_id: f.object_id.trim() || undefined, from: day(f.from), to: day(f.to, 1) };
}

const short = (v: unknown): string => {
  if (v === undefined) return '—';
  const text = typeof v === 'string' ? v : JSON.stringify(v);
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
};

/** Field by field: what differs between before and after (top-level keys; nested values shortened). */
export function changedFields(before: unknown, after: unknown): { field: string; from: string; to: string }[] {
  const obj = (v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? v as Record<string, unknown> : null);
  const b = obj(before);
  const a = obj(after);
  if (!b || !a) return [{ field: '', from: before === null ? '—' : short(before), to: after === null ? '—' : short(after) }];
  const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])];
  return keys.filter((k) => JSON.stringify(b[k]) !== JSON.stringify(a[k])).map((k) => ({ field: k, from: short(b[k]), to: short(a[k]) }));
}

function Change({ entry }: { entry: AuditEntry }) {
  if (entry.before === null && entry.after === null) return <span className="muted">—</span>;
  const rows = entry.before !== null && entry.after !== null ? changedFields(entry.before, entry.after) : null;
  return (
    <div className="audit-change">
      {rows ? (
        <ul className="plain-list compact-list" aria-label="Changed fields">
          {rows.length ? rows.map((r) => (
            <li key={r.field}>{r.field ? <strong>{r.field}: </strong> : null}<span className="muted">{r.from}</span> → {r.to}</li>
          )) : <li className="muted">No field changed</li>}
        </ul>
      ) : null}
      <details>
        <summary className="small">{rows ? 'Full before / after' : entry.after !== null ? 'Details' : 'Before'}</summary>
        {entry.before !== null ? <div><strong className="small">Before</strong><pre>{JSON.stringify(entry.before, null, 2)}</pre></div> : null}
        {entry.after !== null ? <div><strong className="small">After</strong><pre>{JSON.stringify(entry.after, null, 2)}</pre></div> : null}
      </details>
    </div>
  );
}

/** Settings › Audit log: who changed what and when, filterable, paged, exportable as CSV. Admins only. */
export function AuditLogPanel() {
  const users = useUsers();
  const [form, setForm] = useState<Filters>(empty);
  const [filters, setFilters] = useState<Filters>(empty);
  const query = toQuery(filters);
  const log = useInfiniteQuery({
    queryKey: ['audit-log', query],
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }) => get<{ data: AuditEntry[]; next_cursor: string | null }>(`/api/v1/audit-log${qs({ ...query, limit: 50, cursor: pageParam })}`),
    getNextPageParam: (last) => last.next_cursor,
  });
  const set = (k: keyof Filters) => (e: { target: { value: string } }) => setForm({ ...form, [k]: e.target.value });
  const apply = (e: FormEvent) => { e.preventDefault(); setFilters(form); };
  const rows = log.data?.pages.flatMap((p) => p.data) ?? [];

  return (
    <div className="stack-lg">
      <Card title="Filter" actions={<a className="button small" href={`/api/v1/audit-log${qs({ ...query, format: 'csv' })}`} download>Export CSV</a>}>
        <form className="form-grid" onSubmit={apply} aria-label="Filter the audit log">
          <label className="field"><span>Who</span>
            <select value={form.actor} onChange={set('actor')}>
              <option value="">Anyone</option>
              {(users.data ?? []).map((u) => <option key={u.id} value={u.id}>{u.name} ({u.email})</option>)}
            </select>
          </label>
          <label className="field"><span>What</span>
            <select value={form.action} onChange={set('action')}>{actionGroups.map(([v, label]) => <option key={v} value={v}>{label}</option>)}</select>
          </label>
          <label className="field"><span>Object id</span><input value={form.object_id} onChange={set('object_id')} placeholder="e.g. a definition id" /></label>
          <label className="field"><span>From</span><input type="date" value={form.from} onChange={set('from')} /></label>
          <label className="field"><span>To</span><input type="date" value={form.to} onChange={set('to')} /></label>
          <div className="form-actions">
            <button type="submit" className="button primary">Apply</button>
            <button type="button" className="button ghost" onClick={() => { setForm(empty); setFilters(empty); }}>Clear</button>
          </div>
        </form>
      </Card>
      <Card title="Audit log">
        <p className="muted">Append-only: nobody, not even an admin, can change or delete an entry.</p>
        {log.isPending ? <Loading /> : log.isError ? <ErrorNote error={log.error} /> : !rows.length ? (
          <EmptyState title="No entries">Nothing matches these filters.</EmptyState>
        ) : (
          <>
            <div className="table-scroll">
            <table className="table audit-table">
              <thead><tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">What</th><th scope="col">Object</th><th scope="col">Reason</th><th scope="col">Change</th></tr></thead>
              <tbody>
                {rows.map((e) => (
                  <tr key={e.id}>
                    <td className="nowrap">{formatDateTime(e.at)}</td>
                    <td>{e.actor.label}{e.actor.kind === 'user' && e.actor.key_id ? <span className="muted"> · via API key</span> : null}{e.ip ? <div className="muted small">{e.ip}</div> : null}</td>
                    <td><code>{e.action}</code></td>
                    <td>{humanize(e.object.type)}{e.object.id ? <div className="muted small"><code>{e.object.id}</code></div> : null}</td>
                    <td>{e.reason ?? <span className="muted">—</span>}</td>
                    <td><Change entry={e} /></td>
                  </tr>
                ))}
              </tbody>
            </table>
            </div>
            {log.hasNextPage ? (
              <div className="form-actions"><button type="button" className="button" disabled={log.isFetchingNextPage} onClick={() => void log.fetchNextPage()}>Load older entries</button></div>
            ) : null}
          </>
        )}
      </Card>
    </div>
  );
}
