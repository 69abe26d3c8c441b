import { useQuery } from '@tanstack/react-query';
import { get } from '../../api/client.ts';
import type { ConsentEventDto } from '../../../../src/server/contract/privacy.contract.ts';
import { Tag } from '../../ui/badges.tsx';
import { formatDate } from '../../ui/format.ts';
import { EmptyState, ErrorNote, Loading } from '../../ui/states.tsx';
import './consent-history.css';

const purposeLabels: Record<string, string> = { email_marketing: 'Marketing email', sales_email: 'Sales email', sales_call: 'Sales calls', tracking: 'Tracking' };
const basisLabels: Record<string, string> = { consent: 'Consent', legitimate_interest: 'Legitimate interest', contract: 'Contract', legal_obligation: 'Legal obligation' };
const statusTone: Record<string, 'green' | 'amber' | 'neutral' | 'blue'> = { granted: 'green', refused: 'amber', withdrawn: 'amber', pending: 'blue' };
/** A grant recorded by the double opt-in link says so; a pending one waits for the person's confirmation. */
const statusLabel = (e: ConsentEventDto) => (e.status === 'pending' ? 'awaiting confirmation' : e.status === 'granted' && e.source.startsWith('confirmed:') ? 'granted (confirmed)' : e.status);

/** The cells both tables share: the choice, where it came from, its legal basis and when. */
function ChoiceCells({ e }: { e: ConsentEventDto }) {
  return (
    <>
      <td><Tag tone={statusTone[e.status] ?? 'neutral'}>{statusLabel(e)}</Tag></td>
      <td>{e.source}</td>
      <td>{basisLabels[e.basis] ?? e.basis}</td>
      <td>{formatDate(e.at)}</td>
    </>
  );
}

/**
 * Consent per purpose: the choice in force for each purpose (the newest; pending while a double opt-in
 * waits), then every choice before it, each with its source and legal basis.
 */
export function ConsentHistory({ contactId, erased = false }: { contactId: string; erased?: boolean }) {
  const history = useQuery({ queryKey: ['consent-history', contactId], queryFn: async () => (await get<{ data: ConsentEventDto[] }>(`/api/v1/contacts/${contactId}/consent-history`)).data });
  if (history.isPending) return <Loading />;
  if (history.isError) return <ErrorNote error={history.error} />;
  if (erased) return <EmptyState title="Erased with the person.">Nothing is sent to or tracked about them again until they give consent anew.</EmptyState>;
  if (!history.data.length) return <EmptyState title="No consent choice recorded.">Without a choice, the workspace's policy applies (legitimate interest unless opt-in is required).</EmptyState>;
  // Newest first from the API: the first event of each purpose is the one in force.
  const current = [...new Map(history.data.map((e) => [e.purpose, e] as const).reverse()).values()]
    .sort((a, b) => Object.keys(purposeLabels).indexOf(a.purpose) - Object.keys(purposeLabels).indexOf(b.purpose));
  return (
    <div className="table-scroll">
      <table className="table compact consent-now">
        <caption className="sr-only">Consent in force per purpose</caption>
        <thead><tr><th scope="col">Purpose</th><th scope="col">In force</th><th scope="col">Source</th><th scope="col">Basis</th><th scope="col">Since</th></tr></thead>
        <tbody>
          {current.map((e) => (
            <tr key={e.purpose}>
              <th scope="row">{purposeLabels[e.purpose] ?? e.purpose}</th>
              <ChoiceCells e={e} />
            </tr>
          ))}
        </tbody>
      </table>
      <table className="table compact">
        <caption className="sr-only">Consent choices, newest first</caption>
        <thead><tr><th scope="col">Purpose</th><th scope="col">Choice</th><th scope="col">Source</th><th scope="col">Basis</th><th scope="col">When</th></tr></thead>
        <tbody>
          {history.data.map((e) => (
            <tr key={e.id}>
              <td>{purposeLabels[e.purpose] ?? e.purpose}</td>
              <ChoiceCells e={e} />
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
