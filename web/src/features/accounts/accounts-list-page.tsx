import { Link } from 'react-router-dom';
import type { Me } from '../../api/types.ts';
import { formatDate, formatNumber } from '../../ui/format.ts';
import type { AccountRow } from '../lists/list-api.ts';
import { ListScreen, type Column } from '../lists/list-screen.tsx';

const columns: Column<AccountRow>[] = [
  { header: 'Account', csv: (a) => a.name, cell: (a) => <><Link className="row-title" to={`/accounts/${a.id}`}>{a.name}</Link><div className="row-sub">{a.domain ?? ''}</div></> },
  { header: 'Domain', csv: (a) => a.domain ?? '', cell: () => null, csvOnly: true },
  { header: 'Industry', csv: (a) => a.industry ?? '', cell: (a) => a.industry ?? <span className="muted">—</span> },
  { header: 'Employees', className: 'num', csv: (a) => a.employee_count ?? '', cell: (a) => formatNumber(a.employee_count) },
  { header: 'Country', csv: (a) => a.country ?? '', cell: (a) => a.country ?? <span className="muted">—</span> },
  { header: 'Owner', csv: (a, c) => c.userName(a.owner_id), cell: (a, c) => c.userName(a.owner_id) },
  { header: 'Created', csv: (a) => a.created_at, cell: (a) => formatDate(a.created_at) },
  { header: 'Account id', csv: (a) => a.id, cell: () => null, csvOnly: true },
];

export function AccountsListPage({ me }: { me: Me }) {
  return (
    <ListScreen entity="accounts" me={me} title="Accounts" intro="The companies your people work for, matched by email domain or set by hand."
      columns={columns} emptyHint={<p>Accounts are created from business email domains as people arrive, by the API or by a CSV import.</p>} />
  );
}
