import { useId, useMemo, useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, qs } from '../../api/client.ts';
import { useUsers } from '../../api/queries.ts';
import type { Me } from '../../api/types.ts';
import { canWrite } from '../../app/roles.ts';
import { Tag } from '../../ui/badges.tsx';
import { formatDate, humanize, localToday } from '../../ui/format.ts';
import { Modal } from '../../ui/modal.tsx';
import { EmptyState, ErrorNote, Loading } from '../../ui/states.tsx';
import { contentKeys, planStatuses, useCalendar, useGapMap, type ContentPlan, type PlanStatus } from './content-api.ts';
import { ApiErrorNote, statusLabels } from './content-ui.tsx';

const monthFmt = new Intl.DateTimeFormat(undefined, { month: 'long', year: 'numeric', timeZone: 'UTC' });
const monthName = (ym: string) => monthFmt.format(new Date(`${ym}-01T00:00:00Z`));
// planned_on is a calendar date: format it in UTC so no time zone moves it a day.
const dayFmt = new Intl.DateTimeFormat(undefined, { weekday: 'short', day: 'numeric', month: 'short', timeZone: 'UTC' });
const dayName = (d: string) => dayFmt.format(new Date(`${d}T00:00:00Z`));
const statusTone: Record<PlanStatus, 'neutral' | 'blue' | 'green' | 'amber'> = { idea: 'neutral', planned: 'blue', in_progress: 'amber', published: 'green', cancelled: 'neutral' };

type Draft = { title: string; planned_on: string; status: PlanStatus; owner_id: string; target_stage: string; target_persona: string; target_topic: string; notes: string };
const emptyDraft = (): Draft => ({ title: '', planned_on: localToday(), status: 'planned', owner_id: '', target_stage: '', target_persona: '', target_topic: '', notes: '' });
const draftOf = (p: ContentPlan): Draft => ({
  title: p.title, planned_on: p.planned_on, status: p.status, owner_id: p.owner_id ?? '', target_stage: p.target_stage ?? '',
  target_persona: p.target_persona ?? '', target_topic: p.target_topic ?? '', notes: p.notes ?? '',
});

function PlanForm({ initial, editing, me, onDone }: { initial: Draft; editing: ContentPlan | null; me: Me; onDone: (message: string) => void }) {
  const queryClient = useQueryClient();
  const users = useUsers();
  const coverage = useGapMap('persona');
  const [d, setD] = useState<Draft>(initial);
  const ids = { title: useId(), date: useId(), status: useId(), owner: useId(), stage: useId(), persona: useId(), topic: useId(), notes: useId(), personas: useId() };
  const set = <K extends keyof Draft>(k: K, v: Draft[K]) => setD((x) => ({ ...x, [k]: v }));
  const save = useMutation({
    mutationFn: () => {
      const body = {
        title: d.title, planned_on: d.planned_on, status: d.status, owner_id: d.owner_id || null, target_stage: d.target_stage || null,
        target_persona: d.target_persona.trim() || null, target_topic: d.target_topic.trim() || null, notes: d.notes.trim() || null,
      };
      return editing ? api<ContentPlan>('PATCH', `/api/v1/content-calendar/${editing.id}`, body) : api<ContentPlan>('POST', '/api/v1/content-calendar', body);
    },
    onSuccess: async (p) => {
      await queryClient.invalidateQueries({ queryKey: contentKeys.calendarAll });
      onDone(editing ? `Saved “${p.title}”.` : `Added “${p.title}” on ${formatDate(p.planned_on)}.`);
    },
  });
  const submit = (e: FormEvent) => { e.preventDefault(); save.mutate(); };
  const stages = coverage.data?.stages ?? [];
  const personas = coverage.data?.keys.filter((k) => k !== '(general)') ?? [];
  return (
    <form className="stack" onSubmit={submit}>
      <div className="field"><label htmlFor={ids.title}>Title</label><input id={ids.title} value={d.title} onChange={(e) => set('title', e.target.value)} maxLength={300} /></div>
      <div className="form-grid cal-form-grid">
        <div className="field"><label htmlFor={ids.date}>Publish date</label><input id={ids.date} type="date" value={d.planned_on} onChange={(e) => set('planned_on', e.target.value)} /></div>
        <div className="field"><label htmlFor={ids.status}>Status</label>
          <select id={ids.status} value={d.status} onChange={(e) => set('status', e.target.value as PlanStatus)}>
            {planStatuses.map((s) => <option key={s} value={s}>{statusLabels[s]}</option>)}
          </select></div>
        <div className="field"><label htmlFor={ids.owner}>Owner</label>
          <select id={ids.owner} value={d.owner_id} onChange={(e) => set('owner_id', e.target.value)}>
            <option value="">Nobody yet</option>
            {(users.data ?? []).filter((u) => !u.disabled).map((u) => <option key={u.id} value={u.id}>{u.name || u.email}{u.id === me.user?.id ? ' (you)' : ''}</option>)}
          </select></div>
        <div className="field"><label htmlFor={ids.stage}>Buying stage</label>
          <select id={ids.stage} value={d.target_stage} onChange={(e) => set('target_stage', e.target.value)}>
            <option value="">Any</option>
            {stages.map((s) => <option key={s} value={s}>{humanize(s)}</option>)}
            {d.target_stage && !stages.includes(d.target_stage) ? <option value={d.target_stage}>{d.target_stage}</option> : null}
          </select></div>
        <div className="field"><label htmlFor={ids.persona}>Persona</label>
          <input id={ids.persona} list={ids.personas} value={d.target_persona} onChange={(e) => set('target_persona', e.target.value)} maxLength={100} />
          <datalist id={ids.personas}>{personas.map((p) => <option key={p} value={p} />)}</datalist></div>
        <div className="field"><label htmlFor={ids.topic}>Topic</label><input id={ids.topic} value={d.target_topic} onChange={(e) => set('target_topic', e.target.value)} maxLength={100} /></div>
      </div>
      <div className="field"><label htmlFor={ids.notes}>Notes</label><textarea id={ids.notes} rows={3} value={d.notes} onChange={(e) => set('notes', e.target.value)} maxLength={5000} /></div>
      {save.isError ? <ApiErrorNote error={save.error} /> : null}
      <div className="modal-footer">
        <button type="submit" className="button primary" disabled={save.isPending}>{save.isPending ? 'Saving…' : editing ? 'Save entry' : 'Add entry'}</button>
      </div>
    </form>
  );
}

export function CalendarView({ me }: { me: Me }) {
  const queryClient = useQueryClient();
  const [status, setStatus] = useState('');
  const plans = useCalendar(status);
  const users = useUsers();
  const names = useMemo(() => new Map((users.data ?? []).map((u) => [u.id, u.name || u.email])), [users.data]);
  const writer = canWrite(me);
  const [editing, setEditing] = useState<{ plan: ContentPlan | null } | null>(null);
  const [removing, setRemoving] = useState<ContentPlan | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const remove = useMutation({
    mutationFn: (p: ContentPlan) => api<{ id: string }>('DELETE', `/api/v1/content-calendar/${p.id}`),
    onSuccess: async (_r, p) => {
      await queryClient.invalidateQueries({ queryKey: contentKeys.calendarAll });
      setRemoving(null);
      setNotice(`Deleted “${p.title}”.`);
    },
  });
  const months = useMemo(() => {
    const groups = new Map<string, ContentPlan[]>();
    for (const p of plans.data ?? []) {
      const ym = p.planned_on.slice(0, 7);
      groups.set(ym, [...(groups.get(ym) ?? []), p]);
    }
    return [...groups.entries()];
  }, [plans.data]);
  const exportQuery = qs({ status });
  const now = localToday();

  return (
    <>
      <header className="page-header">
        <div>
          <h1>Editorial calendar</h1>
          <p className="muted">What is planned, for which stage and persona, by whom and when.</p>
        </div>
        <div className="toolbar">
          <label className="inline-field">Status
            <select value={status} onChange={(e) => setStatus(e.target.value)}>
              <option value="">All</option>
              {planStatuses.map((s) => <option key={s} value={s}>{statusLabels[s]}</option>)}
            </select>
          </label>
          <a className="button small" href={`/api/v1/content-calendar.csv${exportQuery}`} download="editorial-calendar.csv">Download CSV</a>
          <a className="button small" href={`/api/v1/content-calendar.ics${exportQuery}`} download="editorial-calendar.ics">Download iCal</a>
          {writer ? <button type="button" className="button primary" onClick={() => { setNotice(null); setEditing({ plan: null }); }}>New entry</button> : null}
        </div>
      </header>
      <div className="notice-slot" aria-live="polite">{notice ? <p className="notice">{notice}</p> : null}</div>
      {plans.isPending ? <Loading /> : plans.isError ? <ErrorNote error={plans.error} /> : months.length === 0 ? (
        <EmptyState title={status ? 'No entries with this status.' : 'Nothing planned yet.'}>{writer && !status ? 'Add the first entry with “New entry”.' : null}</EmptyState>
      ) : (
        <div className="stack-lg">
          {months.map(([ym, entries]) => (
            <section key={ym} className="card" aria-label={monthName(ym)}>
              <header className="card-header"><h2 className="card-title">{monthName(ym)} <span className="count">{entries.length}</span></h2></header>
              <div className="table-scroll">
                <table className="table compact cal-table">
                  <thead>
                    <tr>
                      <th scope="col" className="c-date">Publish date</th><th scope="col">Title</th><th scope="col" className="c-status">Status</th>
                      <th scope="col" className="c-target">Stage · persona · topic</th><th scope="col" className="c-owner">Owner</th>
                      {writer ? <th scope="col" className="c-actions"><span className="sr-only">Actions</span></th> : null}
                    </tr>
                  </thead>
                  <tbody>
                    {entries.map((p) => (
                      <tr key={p.id} className={p.status === 'cancelled' ? 'revoked' : ''}>
                        <td className="nowrap"><time dateTime={p.planned_on}>{dayName(p.planned_on)}</time>
                          {p.planned_on < now && p.status !== 'published' && p.status !== 'cancelled' ? <div className="flag">overdue</div> : null}</td>
                        <td><span className="row-title">{p.title}</span>{p.notes ? <div className="row-sub">{p.notes}</div> : null}</td>
                        <td><Tag tone={statusTone[p.status]}>{statusLabels[p.status] ?? p.status}</Tag></td>
                        <td><div className="tags">
                          {p.target_stage ? <Tag tone="blue">{humanize(p.target_stage)}</Tag> : null}
                          {p.target_persona ? <Tag tone="green">{p.target_persona}</Tag> : null}
                          {p.target_topic ? <Tag>{p.target_topic}</Tag> : null}
                          {!p.target_stage && !p.target_persona && !p.target_topic ? <span className="muted">—</span> : null}
                        </div></td>
                        <td className="owner-cell">{p.owner_id ? <>{names.get(p.owner_id) ?? p.owner_email}{names.has(p.owner_id) && p.owner_email ? <div className="row-sub">{p.owner_email}</div> : null}</> : <span className="muted">Nobody</span>}</td>
                        {writer ? (
                          <td className="actions"><div className="button-row">
                            <button type="button" className="button small" aria-label={`Edit ${p.title}`} onClick={() => { setNotice(null); setEditing({ plan: p }); }}>Edit</button>
                            <button type="button" className="button small danger-ghost" aria-label={`Delete ${p.title}`} onClick={() => { setNotice(null); setRemoving(p); }}>Delete</button>
                          </div></td>
                        ) : null}
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </section>
          ))}
        </div>
      )}
      <Modal title={editing?.plan ? 'Edit calendar entry' : 'New calendar entry'} open={!!editing} onClose={() => setEditing(null)}>
        {editing ? <PlanForm key={editing.plan?.id ?? 'new'} me={me} editing={editing.plan} initial={editing.plan ? draftOf(editing.plan) : emptyDraft()}
          onDone={(m) => { setEditing(null); setNotice(m); }} /> : null}
      </Modal>
      <Modal title="Delete calendar entry" open={!!removing} onClose={() => { setRemoving(null); remove.reset(); }}>
        {removing ? (
          <>
            <p>Delete “{removing.title}” planned for {formatDate(removing.planned_on)}? This cannot be undone.</p>
            {remove.isError ? <ApiErrorNote error={remove.error} /> : null}
            <div className="modal-footer">
              <button type="button" className="button" onClick={() => setRemoving(null)}>Keep it</button>
              <button type="button" className="button danger" disabled={remove.isPending} onClick={() => remove.mutate(removing)}>Delete entry</button>
            </div>
          </>
        ) : null}
      </Modal>
    </>
  );
}
