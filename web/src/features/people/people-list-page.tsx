import { Link } from 'react-router-dom';
import type { Me } from '../../api/types.ts';
import { contactName, formatDate } from '../../ui/format.ts';
import type { PersonRow } from '../lists/list-api.ts';
import { ListScreen, type Column } from '../lists/list-screen.tsx';

/** A person's consent for marketing email, in words (the filter's vocabulary). */
const marketingConsent = (p: PersonRow) => {
  const status = (p.consent as Record<string, { status?: string } | undefined>).email_marketing?.status;
  return status === 'granted' ? 'Yes' : status === 'refused' || status === 'withdrawn' ? 'Refused' : 'Not asked';
};

const columns: Column<PersonRow>[] = [
  {
    header: 'Person', csv: (p) => contactName(p),
    cell: (p) => <><Link className="row-title" to={`/contacts/${p.id}`}>{contactName(p)}</Link><div className="row-sub">{p.title ?? (p.status === 'anonymous' ? 'Anonymous visitor' : '')}</div></>,
  },
  { header: 'Email', csv: (p) => p.email ?? '', cell: (p) => p.email ?? <span className="muted">—</span> },
  { header: 'Company', csv: (p) => p.account?.name ?? '', cell: (p) => (p.account ? <Link to={`/accounts/${p.account.id}`}>{p.account.name}</Link> : <span className="muted">—</span>) },
  { header: 'Owner', csv: (p, c) => c.userName(p.owner_id), cell: (p, c) => c.userName(p.owner_id) },
  { header: 'Latest touch', csv: (p) => p.latest_touch?.at ?? '', cell: (p) => <>{formatDate(p.latest_touch?.at)}<div className="row-sub">{p.latest_touch?.source ?? ''}</div></> },
  { header: 'Marketing email', csv: marketingConsent, cell: marketingConsent },
  { header: 'Created', csv: (p) => p.created_at, cell: (p) => formatDate(p.created_at) },
  { header: 'Person id', csv: (p) => p.id, cell: () => null, csvOnly: true },
];

export function PeopleListPage({ me }: { me: Me }) {
  return (
    <ListScreen entity="people" me={me} title="People" intro="Everyone Leadloop knows: search by name, email, company or domain."
      columns={columns} emptyHint={<p>People arrive through forms, the tracking snippet, the API and CSV imports.</p>} />
  );
}
