import { useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, get } from '../../api/client.ts';
import { useMe } from '../../api/queries.ts';
import { actorOf } from '../../app/permissions.ts';
import { decide } from '../../../../src/core/permissions.rules.ts';
import { Card, ErrorNote, Loading } from '../../ui/states.tsx';

type ConsentSettings = { double_opt_in: boolean; confirm_within_days: number };
const key = ['settings', 'consent'] as const;

/**
 * How consent is asked for: double opt-in for marketing email (off by default) and how long the
 * confirmation link works. Everyone reads; marketing and admins change it (core `decide`, 'consent.change'),
 * each change in the audit log.
 */
export function ConsentPanel() {
  const me = useMe();
  const queryClient = useQueryClient();
  const settings = useQuery({ queryKey: key, queryFn: () => get<ConsentSettings>('/api/v1/settings/consent') });
  const [draft, setDraft] = useState<ConsentSettings | null>(null);
  const save = useMutation({
    mutationFn: (s: ConsentSettings) => api<ConsentSettings>('PATCH', '/api/v1/settings/consent', s),
    onSuccess: async () => { await queryClient.invalidateQueries({ queryKey: key }); setDraft(null); },
  });
  const decision = me.data ? decide(actorOf(me.data), 'consent.change') : null;
  const mayChange = decision?.allowed ?? false;
  if (settings.isPending) return <Card title="Consent"><Loading /></Card>;
  if (settings.isError) return <Card title="Consent"><ErrorNote error={settings.error} /></Card>;
  const f = draft ?? settings.data;
  const submit = (e: FormEvent) => { e.preventDefault(); save.mutate(f); };
  return (
    <Card title="Consent">
      <form className="stack" onSubmit={submit}>
        <label className="check">
          <input type="checkbox" checked={f.double_opt_in} disabled={!mayChange} onChange={(e) => setDraft({ ...f, double_opt_in: e.target.checked })} />
          {' '}Double opt-in for marketing email
        </label>
        <p className="hint">When on, a person who ticks a marketing box on a form (or is granted by identify, CSV or the API) gets a confirmation
          email and receives no marketing email until they follow its link. Their preference page and the contact's consent history show it as awaiting confirmation.</p>
        <label className="field"><span>Confirmation link works for (days)</span>
          <input type="number" min={1} max={30} required value={f.confirm_within_days} disabled={!mayChange}
            onChange={(e) => setDraft({ ...f, confirm_within_days: Number(e.target.value) })} />
        </label>
        {mayChange
          ? <div className="button-row"><button type="submit" className="button primary small" disabled={!draft || save.isPending}>Save consent settings</button></div>
          : <p className="muted small">{decision && !decision.allowed ? decision.message : null}</p>}
        {save.isSuccess && !draft ? <p className="muted small" role="status">Saved; recorded in the audit log.</p> : null}
        {save.isError ? <ErrorNote error={save.error} /> : null}
      </form>
    </Card>
  );
}
