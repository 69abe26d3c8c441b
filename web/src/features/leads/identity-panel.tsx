import { Link } from 'react-router-dom';
import type { Account, Contact } from '../../api/types.ts';
import { formatNumber } from '../../ui/format.ts';

function Row({ label, value }: { label: string; value: string | null | undefined }) {
  return <div><dt>{label}</dt><dd>{value || <span className="muted">—</span>}</dd></div>;
}

export function IdentityPanel({ contact, account }: { contact: Contact; account: Account | undefined }) {
  return (
    <div className="identity">
      <dl className="facts">
        <Row label="Email" value={contact.email} />
        <Row label="Title" value={contact.title} />
        <Row label="Seniority" value={contact.seniority} />
        <Row label="Department" value={contact.department} />
        <Row label="Phone" value={contact.phone} />
        <Row label="Country" value={contact.country} />
        <Row label="First touch" value={[contact.first_touch.source, contact.first_touch.medium, contact.first_touch.campaign].filter(Boolean).join(' / ')} />
      </dl>
      {account ? (
        <>
          <h3 className="subhead">Account</h3>
          <dl className="facts">
            <Row label="Company" value={account.name} />
            <Row label="Domain" value={account.domain} />
            <Row label="Industry" value={account.industry} />
            <Row label="Employees" value={account.employee_count === null ? null : formatNumber(account.employee_count)} />
            <Row label="Country" value={account.country} />
          </dl>
        </>
      ) : null}
      <p className="small"><Link to={`/contacts/${contact.id}`}>Contact record</Link></p>
    </div>
  );
}
