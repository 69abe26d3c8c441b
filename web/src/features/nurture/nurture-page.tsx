import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { NavLink, useNavigate, useParams } from 'react-router-dom';
import { fetchAll } from '../../api/queries.ts';
import type { ContentAsset, Me } from '../../api/types.ts';
import { canWrite } from '../../app/roles.ts';
import { EmptyState, ErrorNote, Loading } from '../../ui/states.tsx';
import { useNurtureReport, useTracks, type TrackStats } from './nurture-api.ts';
import { formatPercent } from './nurture-format.ts';
import { TrackEditor } from './track-editor.tsx';
import { TrackPeople } from './track-people.tsx';
import './nurture.css';

/**
 * Nurture tracks: the list with each track's numbers on the left, the selected track as a form on the
 * right (entry rules, steps with email previews, cadence, exit), and who is in it. `/nurture/new` starts one.
 */
export function NurturePage({ me }: { me: Me }) {
  const { id } = useParams();
  const navigate = useNavigate();
  const tracks = useTracks();
  const report = useNurtureReport();
  const assets = useQuery({ queryKey: ['content', 'all'], queryFn: () => fetchAll<ContentAsset>('/api/v1/content', {}, 2000), staleTime: 300_000 });
  const list = tracks.data?.data ?? [];
  const selected = id && id !== 'new' ? list.find((t) => t.id === id) ?? null : null;
  const creating = id === 'new';
  const statsOf = (trackId: string) => report.data?.tracks.find((t) => t.track_id === trackId);
  const editable = canWrite(me);
  // A track's setup is a long form; its people are the other half of the work, one click away instead of below it.
  const [view, setView] = useState<'setup' | 'people'>('setup');

  return (
    <main className="page nurture-page">
      <header className="page-header">
        <div>
          <h1>Nurture</h1>
          <p className="muted">Email tracks for people who are not ready for sales yet. One track per person; sales stages pause it.</p>
        </div>
        {editable ? <button type="button" className="button primary" onClick={() => navigate('/nurture/new')}>New track</button> : null}
      </header>
      {tracks.isPending ? <Loading label="Loading tracks…" /> : tracks.isError ? <ErrorNote error={tracks.error} /> : (
        <div className="nurture-layout">
          <nav className="card track-list" aria-label="Tracks">
            {list.length === 0 ? <EmptyState title="No tracks yet.">Create one with “New track”: who enters, the emails, when they leave.</EmptyState> : (
              <ul className="plain-list">
                {list.map((t) => {
                  const s = statsOf(t.id);
                  return (
                    <li key={t.id}>
                      <NavLink to={`/nurture/${t.id}`} className={({ isActive }) => `track-link${isActive ? ' active' : ''}`}>
                        <span className="track-name">{t.name}</span>
                        <span className="row-sub">
                          {t.active ? null : <span className="tag">Inactive</span>} {s ? `${s.active} active · ${s.entered} entered · ${formatPercent(s.mql_conversion)} to MQL` : `${(t.steps as unknown[]).length} steps`}
                        </span>
                      </NavLink>
                    </li>
                  );
                })}
              </ul>
            )}
          </nav>
          <div className="stack-lg track-main">
            {creating || selected ? (
              <>
                {selected ? <TrackSummary stats={statsOf(selected.id)} /> : null}
                {selected && editable ? (
                  <div className="segmented" role="radiogroup" aria-label="Track view">
                    <button type="button" role="radio" aria-checked={view === 'setup'} className={view === 'setup' ? 'on' : ''} onClick={() => setView('setup')}>Rules and emails</button>
                    <button type="button" role="radio" aria-checked={view === 'people'} className={view === 'people' ? 'on' : ''} onClick={() => setView('people')}>People</button>
                  </div>
                ) : null}
                {!editable ? <p className="muted">You can read tracks; marketing and admins change them.</p>
                  : selected && view === 'people' ? <TrackPeople track={selected} />
                  : (
                    <TrackEditor key={selected?.id ?? 'new'} track={selected} assets={assets.data ?? []} stats={selected ? statsOf(selected.id) : undefined}
                      onSaved={(t) => { if (!selected) navigate(`/nurture/${t.id}`, { replace: true }); }} />
                  )}
              </>
            ) : id ? <EmptyState title="No such track.">It may have been renamed or removed; pick one from the list.</EmptyState>
              : <EmptyState title="Pick a track to see and edit it.">Or start a new one.</EmptyState>}
          </div>
        </div>
      )}
    </main>
  );
}

function TrackSummary({ stats }: { stats: TrackStats | undefined }) {
  if (!stats) return null;
  const exits = Object.entries(stats.exited_by_reason).filter(([, n]) => n > 0);
  return (
    <section className="kpi-row" aria-label="Track numbers">
      <div className="kpi-tile"><span className="kpi-label">Entered</span><span className="kpi-value">{stats.entered}</span></div>
      <div className="kpi-tile"><span className="kpi-label">Active now</span><span className="kpi-value">{stats.active}</span></div>
      <div className="kpi-tile"><span className="kpi-label">Became MQL</span><span className="kpi-value">{stats.mql} <small>{formatPercent(stats.mql_conversion)}</small></span></div>
      <div className="kpi-tile"><span className="kpi-label">Median days to sales-ready</span><span className="kpi-value">{stats.median_days_to_sales_ready === null ? '—' : Math.round(stats.median_days_to_sales_ready)}</span></div>
      {exits.length ? <div className="kpi-tile wide"><span className="kpi-label">Left because</span><span className="small">{exits.map(([r, n]) => `${r.replaceAll('_', ' ')} ${n}`).join(' · ')}</span></div> : null}
    </section>
  );
}
