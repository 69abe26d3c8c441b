import { useMemo, useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, get, qs } from '../../api/client.ts';
import { keys, useUsers } from '../../api/queries.ts';
import type { Lead, Me, Page } from '../../api/types.ts';
import { usePermissions } from '../../app/permissions.ts';
import { canWrite, isManager } from '../../app/roles.ts';
import { EmptyState, ErrorNote, Loading } from '../../ui/states.tsx';
import { InboxRow } from './inbox-row.tsx';
import { comparePriority } from './priority.ts';
import { ReasonDialog, type ReasonMode } from './reason-dialog.tsx';
import { useNow } from './sla-countdown.tsx';
import { useTransitionLead } from './use-transition.ts';

type Scope = 'mine' | 'team';

export function InboxPage({ me }: { me: Me }) {
  const manager = isManager(me);
  const [scope, setScope] = useState<Scope>(manager ? 'team' : 'mine');
  const [stageFilter, setStageFilter] = useState('open');
  const [ownerFilter, setOwnerFilter] = useState('');
  const filter = { owner: scope === 'mine' ? 'me' : ownerFilter || undefined, stage: stageFilter === 'open' ? 'mql,sal,sql' : stageFilter };
  const leads = useQuery({
    queryKey: keys.leads(filter),
    queryFn: () => get<Page<Lead>>(`/api/v1/leads${qs({ ...filter, limit: 500, include: 'contact,account,qualification' })}`),
    refetchInterval: 60_000,
  });
  const users = useUsers();
  const { may } = usePermissions(me);
  const now = useNow();
  const transition = useTransitionLead();
  const [dialog, setDialog] = useState<{ lead: Lead; mode: ReasonMode; name: string } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const sorted = useMemo(() => [...(leads.data?.data ?? [])].sort(comparePriority), [leads.data]);
  const needsAnswer = sorted.filter((l) => l.stage === 'mql');
  const working = sorted.filter((l) => l.stage !== 'mql');
  const userName = (id: string | null) => (id ? users.data?.find((u) => u.id === id)?.name ?? 'Unknown user' : 'Unassigned');
  const showOwner = scope === 'team';
  const breached = sorted.filter((l) => l.sla?.state === 'breached').length;

  const run = (request: Parameters<typeof transition.mutate>[0], done: string) => {
    setNotice(null);
    transition.mutate(request, {
      onSuccess: () => setNotice(done),
      onError: (e) => setNotice(`Not saved: ${e.message}`),
    });
  };
  const queryClient = useQueryClient();
  const reassign = useMutation({
    mutationFn: ({ lead, ownerId }: { lead: Lead; ownerId: string; name: string }) =>
      api('POST', `/api/v1/leads/${lead.id}/assign`, { owner_id: ownerId, note: 'Reassigned from the team inbox' }),
    onSuccess: async (_r, v) => {
      setNotice(`Reassigned ${v.name} to ${userName(v.ownerId)}.`);
      await queryClient.invalidateQueries({ queryKey: ['leads'] });
      await queryClient.invalidateQueries({ queryKey: ['lead', v.lead.id] });
    },
    onError: (e) => setNotice(`Not reassigned: ${e.message}`),
  });
  const reps = manager && canWrite(me) ? (users.data ?? []).filter((u) => u.role === 'sales' || u.role === 'sales_manager') : undefined;
  const rowProps = {
    now, canAct: canWrite(me), may,
    reps: showOwner ? reps : undefined,
    onReassign: (lead: Lead, ownerId: string, name: string) => { setNotice(null); reassign.mutate({ lead, ownerId, name }); },
    onAccept: (lead: Lead, name: string) => run({ lead, to: 'sal' }, `Accepted ${name}.`),
    onReason: (lead: Lead, mode: ReasonMode, name: string) => setDialog({ lead, mode, name }),
  };

  const table = (title: string, rows: Lead[], emptyText: string) => (
    <section className="card" aria-label={title}>
      <header className="card-header"><h2 className="card-title">{title} <span className="count">{rows.length}</span></h2></header>
      {rows.length === 0 ? <EmptyState title={emptyText} /> : (
        <table className="table inbox-table">
          {/* Fixed column widths keep the two sections aligned with each other. */}
          <colgroup>
            <col className="c-lead" /><col className="c-stage" /><col className="c-rating" /><col />
            <col className="c-sla" />{showOwner ? <col className="c-owner" /> : null}<col className="c-actions" />
          </colgroup>
          <thead>
            <tr>
              <th scope="col">Lead</th><th scope="col">Stage</th><th scope="col">Rating</th><th scope="col">Why it qualified</th>
              <th scope="col">SLA</th>{showOwner ? <th scope="col">Owner</th> : null}<th scope="col"><span className="sr-only">Actions</span></th>
            </tr>
          </thead>
          <tbody>
            {rows.map((lead) => <InboxRow key={lead.id} lead={lead} ownerName={showOwner ? userName(lead.owner_id) : undefined} {...rowProps} />)}
          </tbody>
        </table>
      )}
    </section>
  );

  return (
    <main className="page">
      <header className="page-header">
        <div>
          <h1>{scope === 'team' ? 'Team inbox' : 'My inbox'}</h1>
          <p className="muted">Leads in sales' hands, most promising first.{breached ? ` ${breached} past their SLA.` : ''}</p>
        </div>
        <div className="toolbar" role="group" aria-label="Inbox filters">
          {manager ? (
            <div className="segmented" role="radiogroup" aria-label="Whose leads">
              {(['mine', 'team'] as const).map((s) => (
                <button key={s} type="button" role="radio" aria-checked={scope === s} className={scope === s ? 'on' : ''} onClick={() => setScope(s)}>
                  {s === 'mine' ? 'Mine' : 'Team'}
                </button>
              ))}
            </div>
          ) : null}
          {manager && scope === 'team' ? (
            <label className="inline-field">Owner
              <select value={ownerFilter} onChange={(e) => setOwnerFilter(e.target.value)}>
                <option value="">Everyone</option>
                {(users.data ?? []).filter((u) => u.role === 'sales' || u.role === 'sales_manager').map((u) => <option key={u.id} value={u.id}>{u.name}</option>)}
              </select>
            </label>
          ) : null}
          <label className="inline-field">Stage
            <select value={stageFilter} onChange={(e) => setStageFilter(e.target.value)}>
              <option value="open">All open</option><option value="mql">MQL</option><option value="sal">SAL</option><option value="sql">SQL</option>
            </select>
          </label>
        </div>
      </header>
      <div aria-live="polite" className="notice-slot">{notice ? <div className={`notice${notice.startsWith('Not saved') ? ' bad' : ''}`}>{notice}</div> : null}</div>
      {leads.isPending ? <Loading label="Loading leads…" /> : leads.isError ? <ErrorNote error={leads.error} /> : (
        <div className="stack-lg">
          {table('Needs your answer', needsAnswer, 'No new leads waiting. Nice work.')}
          {table('Working', working, 'Nothing accepted yet.')}
        </div>
      )}
      {/* Reassigning needs an assign endpoint (hand-off issue); the owner column shows the team's load meanwhile. */}
      {dialog ? (
        <ReasonDialog
          lead={dialog.lead} mode={dialog.mode} leadName={dialog.name} onClose={() => setDialog(null)}
          onSubmit={(request) => { setDialog(null); run(request, `${dialog.mode === 'reject' ? 'Rejected' : 'Handed back'} ${dialog.name}.`); }}
        />
      ) : null}
    </main>
  );
}
