import { Link } from 'react-router-dom';
import type { Me } from '../../api/types.ts';
import { Tag } from '../../ui/badges.tsx';
import { formatDate, formatMoney, humanize } from '../../ui/format.ts';
import type { OpportunityRow } from '../lists/list-api.ts';
import { ListScreen, type Column } from '../lists/list-screen.tsx';

const statusTone = { open: 'blue', won: 'green', lost: 'amber' } as const;

const columns: Column<OpportunityRow>[] = [
  { header: 'Opportunity', csv: (o) => o.name, cell: (o) => <span className="row-title">{o.name}</span> },
  { header: 'Account', csv: (o) => o.account?.name ?? '', cell: (o) => (o.account ? <Link to={`/accounts/${o.account.id}`}>{o.account.name}</Link> : <span className="muted">—</span>) },
  { header: 'Amount', className: 'num', csv: (o) => o.amount, cell: (o) => formatMoney(o.amount, o.currency) },
  { header: 'Currency', csv: (o) => o.currency, cell: () => null, csvOnly: true },
  { header: 'Stage', csv: (o) => o.stage, cell: (o) => humanize(o.stage) },
  { header: 'Status', csv: (o) => o.status, cell: (o) => <Tag tone={statusTone[o.status as keyof typeof statusTone] ?? 'neutral'}>{humanize(o.status)}</Tag> },
  { header: 'Owner', csv: (o, c) => c.userName(o.owner_id), cell: (o, c) => c.userName(o.owner_id) },
  { header: 'Close date', csv: (o) => o.close_date ?? '', cell: (o) => formatDate(o.close_date) },
  { header: 'Opportunity id', csv: (o) => o.id, cell: () => null, csvOnly: true },
];

export function OpportunitiesListPage({ me }: { me: Me }) {
  return (
    <ListScreen entity="opportunities" me={me} title="Opportunities" intro="Deals in progress and closed, with the accounts they belong to."
      columns={columns} emptyHint={<p>Opportunities open when a rep converts an SQL, or arrive from your CRM (Settings → Integrations).</p>} />
  );
}
