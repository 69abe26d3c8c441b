import { Link } from 'react-router-dom';
import type { Me } from '../../api/types.ts';
import { canWrite, isManager } from '../../app/roles.ts';
import { RatingBadge, StageBadge, stageLabel } from '../../ui/badges.tsx';
import { contactName, formatDate, formatNumber } from '../../ui/format.ts';
import { LeadBulkActions } from './bulk-actions.tsx';
import type { LeadRow } from './list-api.ts';
import { ListScreen, type Column } from './list-screen.tsx';

const columns: Column<LeadRow>[] = [
  {
    header: 'Lead', csv: (l) => contactName(l.contact),
    cell: (l) => <><Link className="row-title" to={`/leads/${l.id}`}>{contactName(l.contact)}</Link><div className="row-sub">{l.contact?.email ?? '—'}</div></>,
  },
  { header: 'Company', csv: (l) => l.account?.name ?? '', cell: (l) => (l.account ? <Link to={`/accounts/${l.account.id}`}>{l.account.name}</Link> : <span className="muted">—</span>) },
  { header: 'Stage', csv: (l) => stageLabel(l.stage), cell: (l) => <StageBadge stage={l.stage} /> },
  { header: 'Rating', csv: (l) => l.rating ?? '', cell: (l) => <RatingBadge rating={l.rating} /> },
  { header: 'Score', className: 'num', csv: (l) => l.engagement_score ?? '', cell: (l) => formatNumber(l.engagement_score) },
  { header: 'Owner', csv: (l, c) => c.userName(l.owner_id), cell: (l, c) => c.userName(l.owner_id) },
  { header: 'Source', csv: (l) => l.source ?? '', cell: (l) => l.source ?? <span className="muted">—</span> },
  { header: 'Opened', csv: (l) => l.opened_at, cell: (l) => formatDate(l.opened_at) },
  { header: 'Email', csv: (l) => l.contact?.email ?? '', cell: () => null, csvOnly: true },
  { header: 'Lead id', csv: (l) => l.id, cell: () => null, csvOnly: true },
];

export function LeadsListPage({ me }: { me: Me }) {
  return (
    <ListScreen entity="leads" me={me} title="Leads" intro="Every buying cycle, from inquiry to won or lost. Select leads to assign, nurture or move them together."
      columns={columns}
      emptyHint={<p>Leads open when a known person meets the inquiry rule, or when you import them (Settings → Import).</p>}
      bulk={canWrite(me) ? ({ selected, users, onProgress, onDone }) => <LeadBulkActions selected={selected} users={users} canAssign={isManager(me)} onProgress={onProgress} onDone={onDone} /> : undefined}
    />
  );
}
