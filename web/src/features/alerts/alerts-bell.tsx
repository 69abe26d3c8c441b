import { useEffect, useRef, useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import { Link } from 'react-router-dom';
import type { alertDto } from '../../../../src/server/contract/handoff.contract.ts';
import { api, get } from '../../api/client.ts';
import type { Page } from '../../api/types.ts';
import { timeAgo } from '../../ui/format.ts';

type Alert = z.infer<typeof alertDto>;
const alertsKey = ['alerts'] as const;

/** The top bar's bell: unread count, and a dropdown of the latest alerts that can be marked read. */
export function AlertsBell() {
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const box = useRef<HTMLDivElement>(null);
  const alerts = useQuery({ queryKey: alertsKey, queryFn: () => get<Page<Alert>>('/api/v1/alerts?limit=20'), refetchInterval: 60_000 });
  const markRead = useMutation({
    mutationFn: (id: string) => api<Alert>('POST', `/api/v1/alerts/${id}/read`),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: alertsKey }),
  });
  useEffect(() => {
    if (!open) return;
    const close = (e: MouseEvent | KeyboardEvent) => {
      if (e instanceof KeyboardEvent ? e.key === 'Escape' : !box.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', close);
    document.addEventListener('keydown', close);
    return () => { document.removeEventListener('mousedown', close); document.removeEventListener('keydown', close); };
  }, [open]);
  const list = alerts.data?.data ?? [];
  const unread = list.filter((a) => !a.read_at).length;
  return (
    <div className="alerts" ref={box}>
      <button type="button" className="icon-button bell" aria-expanded={open} aria-haspopup="true" onClick={() => setOpen((o) => !o)}
        aria-label={`Alerts, ${unread} unread`}>
        <svg aria-hidden="true" width="20" height="20" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round">
          <path d="M18 8a6 6 0 0 0-12 0c0 7-3 9-3 9h18s-3-2-3-9" /><path d="M13.73 21a2 2 0 0 1-3.46 0" />
        </svg>{unread ? <span className="bell-count" aria-hidden="true">{unread}</span> : null}
      </button>
      {open ? (
        <section className="alerts-menu" aria-label="Alerts">
          {alerts.isError ? <p className="small muted">Alerts are not available.</p> : list.length === 0 ? <p className="small muted">No alerts.</p> : (
            <ul className="plain-list">
              {list.map((a) => (
                <li key={a.id} className={a.read_at ? 'read' : 'unread'}>
                  <div className="alert-title">
                    {typeof a.context.path === 'string' ? <Link to={a.context.path} onClick={() => setOpen(false)}>{a.title}</Link> : a.title}
                  </div>
                  <div className="small muted">{a.body}</div>
                  <div className="alert-foot">
                    <span className="small muted">{timeAgo(a.created_at)}</span>
                    {!a.read_at ? <button type="button" className="button ghost small" disabled={markRead.isPending}
                      onClick={() => markRead.mutate(a.id)} aria-label={`Mark read: ${a.title}`}>Mark read</button> : null}
                  </div>
                </li>
              ))}
            </ul>
          )}
        </section>
      ) : null}
    </div>
  );
}
