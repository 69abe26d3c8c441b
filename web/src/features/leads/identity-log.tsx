import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router-dom';
import type { z } from 'zod';
import type { contactIdentityDto } from '../../../../src/server/contract/contacts.contract.ts';
import { get } from '../../api/client.ts';
import { Tag } from '../../ui/badges.tsx';
import { formatDateTime } from '../../ui/format.ts';
import { ErrorNote, Loading } from '../../ui/states.tsx';

type ContactIdentityView = z.infer<typeof contactIdentityDto>;

const kindLabel: Record<string, string> = { anonymous_id: 'Device', user_id: 'User id', email: 'Email', external_id: 'External id' };
const labelOf = (kind: string) => kindLabel[kind] ?? kind;

function ContactLink({ id, email }: { id: string; email: string | null }) {
  return <Link to={`/contacts/${id}`}>{email ?? 'anonymous contact'}</Link>;
}

/**
 * Who this person is to the ingestion: the identities bound to them now, the identity conflicts
 * naming them (e.g. a second person on one browser) and the merges they took part in. Every value
 * here came from outside (ids, emails, reasons) and is rendered as text.
 */
export function IdentityLog({ contactId }: { contactId: string }) {
  const view = useQuery({ queryKey: ['contact', contactId, 'identity'], queryFn: () => get<ContactIdentityView>(`/api/v1/contacts/${contactId}/identity`) });
  if (view.isPending) return <Loading />;
  if (view.isError) return <ErrorNote error={view.error} />;
  const { identities, conflicts, merges } = view.data;
  return (
    <div className="identity-log">
      <h3 className="subhead">Identities</h3>
      {identities.length ? (
        <ul className="plain-list identities">
          {identities.map((i) => <li key={`${i.kind}:${i.value}`}><Tag>{labelOf(i.kind)}</Tag> <span className="url">{i.value}</span></li>)}
        </ul>
      ) : <p className="muted small">No identity bound to this contact now.</p>}
      <h3 className="subhead">Conflicts</h3>
      {conflicts.length ? (
        <ul className="plain-list conflicts">
          {conflicts.map((c) => {
            const other = c.contact_id === contactId ? { id: c.other_contact_id, email: c.other_contact_email } : { id: c.contact_id, email: c.contact_email };
            return (
              <li key={c.id}>
                <div><Tag tone="amber">{labelOf(c.kind)}</Tag> <span className="url">{c.value}</span> also claimed by {other.id ? <ContactLink id={other.id} email={other.email} /> : 'another contact'}</div>
                <div className="row-sub">{c.reason} · <time dateTime={c.at}>{formatDateTime(c.at)}</time></div>
              </li>
            );
          })}
        </ul>
      ) : <p className="muted small">No identity conflict.</p>}
      <h3 className="subhead">Merges</h3>
      {merges.length ? (
        <ul className="plain-list merges">
          {merges.map((m) => (
            <li key={m.id}>
              <div>{m.winner_id === contactId
                ? <>Absorbed <Link to={`/contacts/${m.loser_id}`}>an earlier contact</Link></>
                : <>Merged into <Link to={`/contacts/${m.winner_id}`}>another contact</Link></>}</div>
              <div className="row-sub">{[m.cause, m.via].filter(Boolean).join(' · ')} · <time dateTime={m.at}>{formatDateTime(m.at)}</time></div>
            </li>
          ))}
        </ul>
      ) : <p className="muted small">No merge.</p>}
    </div>
  );
}
