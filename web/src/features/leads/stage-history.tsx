import type { StageTransition, User } from '../../api/types.ts';
import { StageBadge } from '../../ui/badges.tsx';
import { formatDateTime, humanize } from '../../ui/format.ts';

function actorName(actor: StageTransition['actor'], users: User[] | undefined): string {
  if (actor.type === 'user') return users?.find((u) => u.id === actor.id)?.name ?? 'A user';
  if (actor.type === 'rule') return 'Lead definition';
  if (actor.type === 'api_key') return 'API key';
  return humanize(actor.type);
}

export function StageHistory({ transitions, users }: { transitions: StageTransition[]; users: User[] | undefined }) {
  return (
    <ol className="history">
      {[...transitions].reverse().map((t) => (
        <li key={t.id} className="history-item">
          <div className="history-move">
            {t.from ? <><StageBadge stage={t.from} /><span className="arrow" aria-label="to">→</span></> : null}
            <StageBadge stage={t.to} />
            {t.is_recycle ? <span className="tag tag-amber">recycled</span> : null}
          </div>
          <div className="row-sub">{formatDateTime(t.at)} · {actorName(t.actor, users)}{t.reason_code ? ` · ${humanize(t.reason_code)}` : ''}</div>
          {t.note ? <p className="history-note">{t.note}</p> : null}
        </li>
      ))}
    </ol>
  );
}
