import { useEffect, useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import type { approversDto } from '../../../../src/server/contract/definitions.contract.ts';
import { api, get } from '../../api/client.ts';
import { useUsers } from '../../api/queries.ts';
import { roleLabels } from '../../app/roles.ts';
import { Card, ErrorNote, Loading } from '../../ui/states.tsx';

type Approvers = z.infer<typeof approversDto>;
type Side = 'marketing' | 'sales';

const sides: { side: Side; title: string; roles: string[]; fallback: string }[] = [
  { side: 'marketing', title: 'Marketing approvers', roles: ['marketing', 'admin'], fallback: 'every marketing user and admin' },
  { side: 'sales', title: 'Sales approvers', roles: ['sales_manager', 'admin'], fallback: 'every sales manager and admin' },
];

export const useApprovers = () => useQuery({ queryKey: ['approvers'], queryFn: () => get<Approvers>('/api/v1/approvers') });

/**
 * Who signs the lead definition for each side. Every change to what is active (activate, replace,
 * retire) needs one approver of each side; sales reps never sign. Admins choose; everyone may look.
 */
export function ApproversPanel({ admin }: { admin: boolean }) {
  const queryClient = useQueryClient();
  const approvers = useApprovers();
  const users = useUsers();
  const [draft, setDraft] = useState<Record<Side, string[]>>({ marketing: [], sales: [] });
  useEffect(() => {
    if (approvers.data) {
      setDraft({
        marketing: approvers.data.marketing.explicit ? approvers.data.marketing.users.map((u) => u.id) : [],
        sales: approvers.data.sales.explicit ? approvers.data.sales.users.map((u) => u.id) : [],
      });
    }
  }, [approvers.data]);
  const save = useMutation({
    mutationFn: () => api<Approvers>('PUT', '/api/v1/approvers', draft),
    onSuccess: (data) => queryClient.setQueryData(['approvers'], data),
  });
  if (approvers.isPending || users.isPending) return <Loading />;
  if (approvers.isError) return <ErrorNote error={approvers.error} />;
  if (users.isError) return <ErrorNote error={users.error} />;
  const toggle = (side: Side, id: string) => setDraft({ ...draft, [side]: draft[side].includes(id) ? draft[side].filter((x) => x !== id) : [...draft[side], id] });
  const otherSide = (side: Side): Side => (side === 'marketing' ? 'sales' : 'marketing');

  return (
    <div className="stack-lg">
      <p className="muted">
        The lead definition is an agreement between marketing and sales: activating, replacing or retiring it needs an approver of
        each side, two different people. Sales reps never sign. Only an admin&apos;s emergency stop acts alone, and it emails both lists.
      </p>
      <div className="approver-sides">
        {sides.map(({ side, title, roles, fallback }) => {
          const current = approvers.data[side];
          const candidates = users.data.filter((u) => roles.includes(u.role) && !u.disabled);
          return (
            <Card key={side} title={title}>
              <p className="muted">{current.explicit ? 'Chosen by an admin.' : `No list set: ${fallback} approve.`}</p>
              <ul className="plain-list" aria-label={`${title} today`}>
                {current.users.length ? current.users.map((u) => <li key={u.id}><strong>{u.name}</strong> <span className="muted">{u.email} · {roleLabels[u.role] ?? u.role}</span></li>)
                  : <li className="warning-text">Nobody can sign for {side}: nothing can be activated or retired until someone is listed.</li>}
              </ul>
              {admin ? (
                <fieldset className="scopes">
                  <legend>Choose approvers (none ticked: {fallback})</legend>
                  {candidates.map((u) => {
                    const taken = draft[otherSide(side)].includes(u.id);
                    return (
                      <label key={u.id} className="check">
                        <input type="checkbox" checked={draft[side].includes(u.id)} disabled={taken} onChange={() => toggle(side, u.id)} />{' '}
                        {u.name} <span className="muted">— {roleLabels[u.role] ?? u.role}{taken ? `, already signs for ${otherSide(side)}` : ''}</span>
                      </label>
                    );
                  })}
                </fieldset>
              ) : null}
            </Card>
          );
        })}
      </div>
      {admin ? (
        <div className="button-row">
          <button type="button" className="button primary" disabled={save.isPending} onClick={() => save.mutate()}>Save approvers</button>
          {save.isError ? <ErrorNote error={save.error} /> : null}
          {save.isSuccess ? <span className="notice" role="status">Saved. The change is in the audit log.</span> : null}
        </div>
      ) : null}
    </div>
  );
}
