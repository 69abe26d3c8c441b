import { useContentAsset } from '../../api/queries.ts';
import type { Activity } from '../../api/types.ts';
import { Tag } from '../../ui/badges.tsx';
import { formatDateTime, humanize } from '../../ui/format.ts';
import { EmptyState } from '../../ui/states.tsx';
import { ActivityIcon } from './activity-icons.tsx';

function ContentTitle({ id }: { id: string }) {
  const asset = useContentAsset(id);
  if (!asset.data) return <span className="muted">content…</span>;
  return (
    <span>
      <strong>{asset.data.title}</strong>
      {asset.data.buying_stage ? <> <Tag tone="blue">{humanize(asset.data.buying_stage)}</Tag></> : null}
    </span>
  );
}

/** What the person did, newest first; every string here came from outside and is rendered as text. */
export function Timeline({ activities }: { activities: Activity[] }) {
  if (activities.length === 0) return <EmptyState title="No activity recorded yet." />;
  return (
    <ol className="timeline">
      {activities.map((a) => (
        <li key={a.id} className="timeline-item">
          <ActivityIcon type={a.type} />
          <div className="timeline-body">
            <div className="timeline-line">
              <span className="timeline-type">{humanize(a.event_name ?? a.type)}</span>
              {a.content_id ? <ContentTitle id={a.content_id} /> : a.url ? <span className="url" title={a.url}>{a.url}</span> : null}
            </div>
            <div className="row-sub">
              {formatDateTime(a.occurred_at)}
              {a.source ? ` · ${a.source}${a.medium ? ` / ${a.medium}` : ''}` : ''}
              {a.utm_campaign ? ` · ${a.utm_campaign}` : ''}
            </div>
          </div>
        </li>
      ))}
    </ol>
  );
}
