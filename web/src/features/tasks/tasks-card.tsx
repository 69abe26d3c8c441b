import { Link } from 'react-router-dom';
import { formatDateTime } from '../../ui/format.ts';
import { EmptyState, ErrorNote, Loading } from '../../ui/states.tsx';
import { useCompleteTask, useMyTasks } from './tasks-api.ts';
import './tasks.css';

/** The signed-in rep's open follow-up tasks, soonest first; overdue ones say so. Ticking one marks it done. */
export function TasksCard({ now, leadNames }: { now: number; leadNames: (leadId: string | null) => string | null }) {
  const tasks = useMyTasks();
  const complete = useCompleteTask();
  const list = tasks.data?.data ?? [];
  return (
    <section className="card" aria-label="My tasks">
      <header className="card-header"><h2 className="card-title">My tasks <span className="count">{list.length}</span></h2></header>
      {tasks.isPending ? <Loading /> : tasks.isError ? <ErrorNote error={tasks.error} /> : list.length === 0 ? (
        <EmptyState title="No open tasks.">Add one when you log a call: “Log” on a lead, then “Add a follow-up task”.</EmptyState>
      ) : (
        <ul className="plain-list task-list">
          {list.map((t) => {
            const late = new Date(t.due_at).getTime() < now;
            const name = leadNames(t.lead_id);
            return (
              <li key={t.id} className="task-row">
                <input type="checkbox" id={`task-${t.id}`} aria-label={`Done: ${t.title}`} disabled={complete.isPending}
                  onChange={(e) => complete.mutate({ id: t.id, done: e.target.checked })} />
                <label htmlFor={`task-${t.id}`} className="task-title">{t.title}</label>
                {t.lead_id ? <Link to={`/leads/${t.lead_id}`} className="task-lead">{name ?? 'Open lead'}</Link> : null}
                <span className={late ? 'sla sla-breached task-due' : 'muted task-due'}>{late ? 'Overdue · ' : 'Due '}{formatDateTime(t.due_at)}</span>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
