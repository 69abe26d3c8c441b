import { useMemo, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import type { z } from 'zod';
import { Link } from 'react-router-dom';
import type { rejectionNoteDto } from '../../../../src/server/contract/rejections.contract.ts';
import { get, qs } from '../../api/client.ts';
import { useReasonCodes } from '../../api/queries.ts';
import { stageLabel } from '../../ui/badges.tsx';
import { formatDate } from '../../ui/format.ts';
import { EmptyState, ErrorNote, Loading } from '../../ui/states.tsx';
import './rejections.css';

type Note = z.infer<typeof rejectionNoteDto>;
type Count = { value: string | null; reason_code: string; outcome: string | null; count: number };
type Counts = { from: string; to: string; by_source: Count[]; by_campaign: Count[]; by_definition_version: Count[] };

const windows = [{ days: 30, label: 'Last 30 days' }, { days: 90, label: 'Last 90 days' }, { days: 365, label: 'Last 12 months' }];

/** Rows = source (or version), columns = reasons, cells = how many leads came back for that reason. */
function Pivot({ title, rows, valueLabel, reasonLabel, empty }: { title: string; rows: Count[]; valueLabel: (v: string | null) => string; reasonLabel: (c: string) => string; empty: string }) {
  const reasons = [...new Set(rows.map((r) => r.reason_code))];
  const values = [...new Set(rows.map((r) => r.value))];
  const cell = (v: string | null, code: string) => rows.find((r) => r.value === v && r.reason_code === code)?.count ?? 0;
  const total = (v: string | null) => rows.filter((r) => r.value === v).reduce((a, r) => a + r.count, 0);
  values.sort((a, b) => total(b) - total(a));
  return (
    <section className="card" aria-label={title}>
      <header className="card-header"><h2 className="card-title">{title}</h2></header>
      {rows.length === 0 ? <EmptyState title={empty} /> : (
        <div className="table-scroll">
          <table className="table compact pivot">
            <thead><tr><th scope="col">{title.replace(/^By /, '').replace(/^./, (c) => c.toUpperCase())}</th>{reasons.map((c) => <th key={c} scope="col" className="num">{reasonLabel(c)}</th>)}<th scope="col" className="num">Total</th></tr></thead>
            <tbody>
              {values.map((v) => (
                <tr key={v ?? '(none)'}>
                  <th scope="row">{valueLabel(v)}</th>
                  {reasons.map((c) => <td key={c} className="num">{cell(v, c) || <span className="muted">·</span>}</td>)}
                  <td className="num"><strong>{total(v)}</strong></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/**
 * What sales sent back and why: counts by reason, by source and by the definition version that made
 * the MQL, and every note for marketing — the loop's way back to the people who set the agreement.
 */
export function RejectionsPage() {
  const [days, setDays] = useState(90);
  const [notesOnly, setNotesOnly] = useState(true);
  // Whole days, so the query key stays put between renders (a millisecond "now" would refetch forever).
  const from = useMemo(() => new Date(Math.floor(Date.now() / 86_400_000) * 86_400_000 - days * 86_400_000).toISOString(), [days]);
  const counts = useQuery({ queryKey: ['rejections', 'counts', from], queryFn: () => get<Counts>(`/api/v1/reports/rejections${qs({ from })}`) });
  const notes = useQuery({ queryKey: ['rejections', 'notes', from, notesOnly], queryFn: () => get<{ data: Note[] }>(`/api/v1/rejections${qs({ from, with_note: notesOnly ? 'true' : undefined, limit: 200 })}`) });
  const reasons = useReasonCodes();
  const reasonLabel = (code: string) => reasons.data?.find((r) => r.code === code)?.label ?? code.replaceAll('_', ' ');
  const bySource = counts.data?.by_source ?? [];
  const byReason = [...bySource.reduce((m, r) => m.set(r.reason_code, (m.get(r.reason_code) ?? 0) + r.count), new Map<string, number>())].sort((a, b) => b[1] - a[1]);
  const total = byReason.reduce((a, [, n]) => a + n, 0);

  return (
    <main className="page">
      <header className="page-header">
        <div>
          <h1>Rejections</h1>
          <p className="muted">Leads sales rejected or handed back, why, and what they said for marketing.</p>
        </div>
        <label className="inline-field">Period
          <select value={days} onChange={(e) => setDays(Number(e.target.value))}>
            {windows.map((w) => <option key={w.days} value={w.days}>{w.label}</option>)}
          </select>
        </label>
      </header>
      {counts.isPending ? <Loading label="Counting rejections…" /> : counts.isError ? <ErrorNote error={counts.error} /> : (
        <div className="stack-lg">
          <section className="card" aria-label="Reasons">
            <header className="card-header"><h2 className="card-title">Reasons <span className="count">{total}</span></h2></header>
            {byReason.length === 0 ? <EmptyState title="No rejections in this period.">When sales reject or hand back a lead, the reason shows here.</EmptyState> : (
              <ul className="plain-list reason-bars">
                {byReason.map(([code, n]) => (
                  <li key={code}>
                    <span className="reason-name">{reasonLabel(code)}</span>
                    <span className="reason-bar" aria-hidden="true"><span style={{ width: `${Math.round((n / total) * 100)}%` }} /></span>
                    <span className="num">{n} <span className="muted">({Math.round((n / total) * 100)}%)</span></span>
                  </li>
                ))}
              </ul>
            )}
          </section>
          <div className="grid-2-even">
            <Pivot title="By source" rows={bySource} valueLabel={(v) => v ?? 'Unknown source'} reasonLabel={reasonLabel} empty="Nothing to group." />
            <Pivot title="By definition version" rows={counts.data.by_definition_version} valueLabel={(v) => (v ? `Version ${v}` : 'MQL made by hand')} reasonLabel={reasonLabel} empty="Nothing to group." />
          </div>
          <section className="card" aria-label="Notes for marketing">
            <header className="card-header">
              <h2 className="card-title">Notes for marketing <span className="count">{notes.data?.data.length ?? 0}</span></h2>
              <label className="inline-field"><input type="checkbox" checked={notesOnly} onChange={(e) => setNotesOnly(e.target.checked)} /> Only those with a note</label>
            </header>
            {notes.isPending ? <Loading /> : notes.isError ? <ErrorNote error={notes.error} /> : notes.data.data.length === 0 ? (
              <EmptyState title={notesOnly ? 'No notes in this period.' : 'No rejections in this period.'} />
            ) : (
              <ul className="plain-list rejection-notes">
                {notes.data.data.map((n) => (
                  <li key={n.transition_id} className="rejection-note">
                    <div className="rejection-head">
                      <Link to={`/leads/${n.lead_id}`} className="row-title">{n.person_name}</Link>
                      <span className={`tag ${n.to_stage === 'nurture' ? 'tag-amber' : ''}`}>{reasonLabel(n.reason_code)}</span>
                      <span className="muted small">{stageLabel(n.from_stage)} → {stageLabel(n.to_stage)} · {formatDate(n.at)}{n.rep_name ? ` · ${n.rep_name}` : ''}</span>
                    </div>
                    {n.note ? <blockquote className="rejection-text">{n.note}</blockquote> : null}
                    <div className="row-sub">
                      {[n.source ? `Source: ${n.source}` : null, n.campaign ? `Campaign: ${n.campaign}` : null, n.definition_version ? `Definition v${n.definition_version}` : 'MQL made by hand',
                        n.recheck_at ? `Recheck on ${formatDate(n.recheck_at)}` : null].filter(Boolean).join(' · ')}
                    </div>
                  </li>
                ))}
              </ul>
            )}
          </section>
        </div>
      )}
    </main>
  );
}
