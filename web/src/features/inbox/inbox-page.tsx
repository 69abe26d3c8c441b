import { useMemo, useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router-dom';
import { api, get, qs } from '../../api/client.ts';
import { keys, useUsers } from '../../api/queries.ts';
import type { InboxSort, Lead, Me, Page, User } from '../../api/types.ts';
import { usePermissions } from '../../app/permissions.ts';
import { canWrite, isManager } from '../../app/roles.ts';
import { contactName, formatDate } from '../../ui/format.ts';
import { EmptyState, ErrorNote, Loading } from '../../ui/states.tsx';
import { LogActivityDialog } from '../tasks/log-activity-dialog.tsx';
import { TasksCard } from '../tasks/tasks-card.tsx';
import { InboxRow } from './inbox-row.tsx';
import { comparePredicted, comparePriority } from './priority.ts';
import { ReassignDialog } from './reassign-dialog.tsx';
import { ReasonDialog, type ReasonMode } from './reason-dialog.tsx';
import { useNow } from './sla-countdown.tsx';
import { useTransitionLead, type TransitionRequest } from './use-transition.ts';
import { useUndoable } from './use-undoable.ts';
import './inbox.css';

type Scope = 'mine' | 'team';

/** Leads this rep handed back with a date to look again: the date they chose, soonest first. */
function HandedBack({ enabled, now }: { enabled: boolean; now: number }) {
  const back = useQuery({
    queryKey: keys.leads({ owner: 'me', stage: 'nurture' }), enabled, staleTime: 60_000,
    queryFn: () => get<Page<Lead>>(`/api/v1/leads${qs({ owner: 'me', stage: 'nurture', limit: 200, include: 'contact,account' })}`),
  });
  const rows = (back.data?.data ?? []).filter((l) => l.recheck_at).sort((a, b) => a.recheck_at!.localeCompare(b.recheck_at!));
  if (!enabled || rows.length === 0) return null;
  return (
    <section className="card" aria-label="Handed back, to recheck">
      <header className="card-header"><h2 className="card-title">Handed back, to recheck <span className="count">{rows.length}</span></h2></header>
      <ul className="plain-list task-list">
        {rows.map((l) => {
          const due = new Date(l.recheck_at!).getTime() <= now;
          return (
            <li key={l.id} className="task-row">
              <Link to={`/leads/${l.id}`} className="task-title">{contactName(l.contact ?? undefined)}</Link>
              <span className="muted">{l.account?.name ?? ''}</span>
              <span className={due ? 'sla sla-soon task-due' : 'muted task-due'}>{due ? 'Recheck now · since ' : 'Recheck on '}{formatDate(l.recheck_at)}</span>
            </li>
          );
        })}
      </ul>
    </section>
  );
}

export function InboxPage({ me }: { me: Me }) {
  const manager = isManager(me);
  const [scope, setScope] = useState<Scope>(manager ? 'team' : 'mine');
  const [stageFilter, setStageFilter] = useState('open');
  const [ownerFilter, setOwnerFilter] = useState('');
  const filter = { owner: scope === 'mine' ? 'me' : ownerFilter || undefined, stage: stageFilter === 'open' ? 'mql,sal,sql' : stageFilter };
  const leads = useQuery({
    queryKey: keys.leads(filter),
    queryFn: () => get<Page<Lead> & { inbox_sort?: InboxSort }>(`/api/v1/leads${qs({ ...filter, limit: 500, include: 'contact,account,qualification,prediction' })}`),
    refetchInterval: 60_000,
  });
  const users = useUsers();
  const { may } = usePermissions(me);
  const now = useNow();
  const transition = useTransitionLead();
  const { pending, hold, undo } = useUndoable();
  const [dialog, setDialog] = useState<{ lead: Lead; mode: ReasonMode; name: string } | null>(null);
  const [confirm, setConfirm] = useState<{ lead: Lead; to: User; name: string } | null>(null);
  const [logFor, setLogFor] = useState<{ lead: Lead; name: string } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const order = leads.data?.inbox_sort;
  const predicted = order?.sort === 'predicted';
  const sorted = useMemo(() => [...(leads.data?.data ?? [])].sort(predicted ? comparePredicted(now) : comparePriority(now))
    .filter((l) => !(pending?.effect === 'hide' && pending.leadId === l.id)), [leads.data, now, pending, predicted]);
  const needsAnswer = sorted.filter((l) => l.stage === 'mql');
  const working = sorted.filter((l) => l.stage !== 'mql');
  const userName = (id: string | null) => (id ? users.data?.find((u) => u.id === id)?.name ?? 'Unknown user' : 'Unassigned');
  const showOwner = scope === 'team';
  const breached = sorted.filter((l) => l.sla?.state === 'breached').length;
  const leadNames = (id: string | null) => {
    const l = id ? leads.data?.data.find((x) => x.id === id) : undefined;
    return l ? contactName(l.contact ?? undefined) : null;
  };

  const run = (request: TransitionRequest, done: string) => {
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
    onError: (e) => setNotice(`Not saved: ${e.message}`),
  });
  /** Holds a decision for the undo window (use-undoable.ts says why), then sends it. */
  const decide = (lead: Lead, effect: 'hide' | 'keep', label: string, send: () => void) => {
    setNotice(null);
    hold({ leadId: lead.id, effect, label, run: send });
  };
  const reps = manager && canWrite(me) ? (users.data ?? []).filter((u) => u.role === 'sales' || u.role === 'sales_manager') : undefined;
  const rowProps = {
    now, canAct: canWrite(me), may,
    reps: showOwner ? reps : undefined,
    onReassign: (lead: Lead, ownerId: string, name: string) => {
      const to = users.data?.find((u) => u.id === ownerId);
      if (to && ownerId !== lead.owner_id) setConfirm({ lead, to, name });
    },
    onAccept: (lead: Lead, name: string) => decide(lead, 'keep', `Accepting ${name}`, () => run({ lead, to: 'sal' }, `Accepted ${name}.`)),
    onReason: (lead: Lead, mode: ReasonMode, name: string) => setDialog({ lead, mode, name }),
    onLog: (lead: Lead, name: string) => setLogFor({ lead, name }),
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
            {rows.map((lead) => (
              <InboxRow key={lead.id} lead={lead} ownerName={showOwner ? userName(lead.owner_id) : undefined}
                pending={pending?.leadId === lead.id ? `${pending.label}…` : undefined} {...rowProps} />
            ))}
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
          <p className="muted">
            {predicted ? `Most likely to convert first (model v${order.model_version ?? '?'}, as definition v${order.definition_version ?? '?'} agreed); leads without a prediction last.`
              : 'New leads first, then those on the clock, then overdue ones.'}{breached ? ` ${breached} past their SLA.` : ''}
          </p>
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
      <div aria-live="polite" className="notice-slot">
        {pending ? (
          <div className="notice notice-undo">
            <span>{pending.label}…</span>
            <button type="button" className="button small" onClick={() => { const a = undo(); if (a) setNotice(`Undone: ${a.label.charAt(0).toLowerCase()}${a.label.slice(1)} was cancelled.`); }}>Undo</button>
          </div>
        ) : notice ? <div className={`notice${notice.startsWith('Not saved') ? ' bad' : ''}`}>{notice}</div> : null}
      </div>
      {leads.isPending ? <Loading label="Loading leads…" /> : leads.isError ? <ErrorNote error={leads.error} /> : (
        <div className="stack-lg">
          {table('Needs your answer', needsAnswer, 'No new leads waiting. Nice work.')}
          {me.user ? <TasksCard now={now} leadNames={leadNames} /> : null}
          {table('Working', working, 'Nothing accepted yet.')}
          <HandedBack enabled={scope === 'mine' && !!me.user} now={now} />
        </div>
      )}
      {dialog ? (
        <ReasonDialog
          lead={dialog.lead} mode={dialog.mode} leadName={dialog.name} onClose={() => setDialog(null)}
          onSubmit={(request) => {
            const d = dialog;
            setDialog(null);
            const verb = d.mode === 'reject' ? 'Rejecting' : 'Handing back';
            decide(d.lead, 'hide', `${verb} ${d.name}`, () => run(request, `${d.mode === 'reject' ? 'Rejected' : 'Handed back'} ${d.name}.`));
          }}
        />
      ) : null}
      {confirm ? (
        <ReassignDialog lead={confirm.lead} leadName={confirm.name} from={userName(confirm.lead.owner_id)} to={confirm.to} onCancel={() => setConfirm(null)}
          onConfirm={() => {
            const c = confirm;
            setConfirm(null);
            decide(c.lead, 'keep', `Reassigning ${c.name} to ${c.to.name || c.to.email}`, () => reassign.mutate({ lead: c.lead, ownerId: c.to.id, name: c.name }));
          }} />
      ) : null}
      {logFor ? (
        <LogActivityDialog leadId={logFor.lead.id} contactId={logFor.lead.contact_id} leadName={logFor.name} onClose={() => setLogFor(null)}
          onDone={(message) => { setLogFor(null); setNotice(message); }} />
      ) : null}
    </main>
  );
}
