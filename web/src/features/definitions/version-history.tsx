import { useUsers } from '../../api/queries.ts';
import { formatDateTime, humanize } from '../../ui/format.ts';
import { Card } from '../../ui/states.tsx';
import { useMemo } from 'react';
import { usePickers, type HistoryEntry } from './definitions-api.ts';
import { namesOf, withTitles } from './definition-words.ts';

export function Approvals({ approvals }: { approvals: HistoryEntry['approvals'] }) {
  const users = useUsers();
  const nameOf = (id: string) => users.data?.find((u) => u.id === id)?.name ?? 'an approver';
  if (!approvals.length) return <span className="muted small">No sign-off yet</span>;
  return (
    <ul className="plain-list approvals" aria-label="Approvals">
      {approvals.map((a, i) => (
        <li key={i} className={a.decision === 'approve' ? 'approved' : 'refused'}>
          {a.decision === 'approve' ? '✓ Approved' : '✗ Refused'} for {a.side} by {nameOf(a.user_id)} · {formatDateTime(a.at)}
          {a.comment ? <span className="muted"> — “{a.comment}”</span> : null}
        </li>
      ))}
    </ul>
  );
}

const num = (o: unknown, k: string) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined);

/** Every version, newest first: status, who signed, what changed in words, and its backtest summary. */
export function VersionHistory({ entries }: { entries: HistoryEntry[] }) {
  const pickers = usePickers();
  const names = useMemo(() => namesOf(pickers.data), [pickers.data]);
  return (
    <Card title="Version history">
      <ol className="version-list">
        {entries.map((e) => {
          const bt = e.backtest_summary;
          return (
            <li key={e.id} aria-label={`Version ${e.version}`}>
              <div className="version-head">
                <strong>v{e.version}</strong> <span>{e.name}</span> <span className={`badge status-${e.status}`}>{humanize(e.status)}</span>
                <span className="muted small">created {formatDateTime(e.created_at)}{e.activated_at ? ` · active since ${formatDateTime(e.activated_at)}` : ''}</span>
              </div>
              <Approvals approvals={e.approvals} />
              {e.changes.length ? (
                <ul className="change-list" aria-label={`Changes in version ${e.version}`}>
                  {e.changes.map((c, i) => <li key={i}><span className="tag">{humanize(c.area)}</span> {withTitles(c.text, names)}</li>)}
                </ul>
              ) : null}
              {bt ? (
                <p className="small muted">Backtest: {String(num(bt.proposal, 'mqls') ?? '—')} MQLs (active {String(num(bt.active, 'mqls') ?? '—')}), missed wins {String(num(bt.proposal, 'missed_won') ?? '—')}</p>
              ) : null}
            </li>
          );
        })}
      </ol>
    </Card>
  );
}
