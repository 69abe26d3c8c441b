import { useId, useState } from 'react';
import { Link } from 'react-router-dom';
import { ratings } from '../../../../src/core/definitions/definition-schema.ts';
import { stageLabel } from '../../ui/badges.tsx';
import { formatDate, formatDateTime } from '../../ui/format.ts';
import { EmptyState, ErrorNote, Loading } from '../../ui/states.tsx';
import { Checks } from './track-editor.tsx';
import { useEnrollments, useEnrollSegment, useRemoveEnrollment, type EntryRules, type SegmentOutcome, type Track } from './nurture-api.ts';

const statusLabels: Record<string, string> = { active: 'Active', paused: 'Paused (with sales)', exited: 'Exited', finished: 'Finished' };

function outcomeText(o: SegmentOutcome): string {
  const skipped = [o.not_emailable ? `${o.not_emailable} cannot be emailed` : '', o.already_in_track ? `${o.already_in_track} already in a track` : ''].filter(Boolean).join(', ');
  const main = o.dry_run ? `${o.enrolled} ${o.enrolled === 1 ? 'person' : 'people'} will be enrolled` : `Enrolled ${o.enrolled} ${o.enrolled === 1 ? 'person' : 'people'}`;
  const recheck = !o.dry_run && o.waiting_for_recheck ? ` ${o.waiting_for_recheck} start on the recheck date sales set.` : '';
  return `${main}${skipped ? ` (${skipped})` : ''}.${recheck}`;
}

/**
 * Enrol a segment: people with an open inquiry or nurture lead who match the filters (the track's own
 * entry rules to start with). "Count" asks the server for a dry run first, so nobody is emailed by surprise.
 */
function SegmentForm({ track }: { track: Track }) {
  const enroll = useEnrollSegment(track.id);
  const [segment, setSegment] = useState<EntryRules>(() => ({ ...(track.entry as EntryRules) }));
  const [counted, setCounted] = useState<SegmentOutcome | null>(null);
  const [done, setDone] = useState<SegmentOutcome | null>(null);
  const sourcesId = useId();
  const change = (patch: Partial<EntryRules>) => {
    setSegment((s) => Object.fromEntries(Object.entries({ ...s, ...patch }).filter(([, v]) => v !== undefined)) as EntryRules);
    setCounted(null);
  };
  return (
    <div className="stack segment-form">
      <Checks legend="Lead stage" options={['inquiry', 'nurture'] as const} label={stageLabel} value={segment.stages as ('inquiry' | 'nurture')[] | undefined}
        onChange={(v) => change({ stages: v.length ? v : undefined })} />
      <Checks legend="Rating" options={ratings} label={(r) => r[0]!.toUpperCase() + r.slice(1)} value={segment.ratings} onChange={(v) => change({ ratings: v.length ? v : undefined })} />
      <div className="field">
        <label htmlFor={sourcesId}>Lead source (optional)</label>
        <input id={sourcesId} type="text" value={(segment.sources ?? []).join(', ')} placeholder="e.g. google, linkedin"
          onChange={(e) => { const l = e.target.value.split(',').map((s) => s.trim()).filter(Boolean); change({ sources: l.length ? l : undefined }); }} />
      </div>
      <div className="button-row">
        <button type="button" className="button small" disabled={enroll.isPending || !track.active}
          onClick={() => { setDone(null); enroll.mutate({ segment, dry_run: true }, { onSuccess: setCounted }); }}>Count people</button>
        <button type="button" className="button small primary" disabled={enroll.isPending || !counted || counted.enrolled === 0}
          onClick={() => enroll.mutate({ segment, dry_run: false }, { onSuccess: (o) => { setDone(o); setCounted(null); } })}>
          {counted ? `Enrol ${counted.enrolled} ${counted.enrolled === 1 ? 'person' : 'people'}` : 'Enrol'}
        </button>
      </div>
      <div aria-live="polite">
        {!track.active ? <p className="hint">Activate the track before enrolling people.</p> : null}
        {counted ? <p className="small">{outcomeText(counted)}</p> : null}
        {done ? <div className="notice" role="status">{outcomeText(done)}</div> : null}
        {enroll.isError ? <div className="error-note" role="alert">{enroll.error.message}</div> : null}
      </div>
    </div>
  );
}

/** Who is in the track, and the way to take someone out. */
export function TrackPeople({ track }: { track: Track }) {
  const enrollments = useEnrollments(track.id);
  const remove = useRemoveEnrollment(track.id);
  const list = enrollments.data?.data ?? [];
  const live = list.filter((e) => e.status === 'active' || e.status === 'paused');
  return (
    <section className="card" aria-label="People">
      <header className="card-header"><h2 className="card-title">People <span className="count">{live.length}</span></h2></header>
      <h3 className="subhead">Enrol a segment</h3>
      <SegmentForm key={track.id} track={track} />
      <h3 className="subhead">In this track</h3>
      {enrollments.isPending ? <Loading /> : enrollments.isError ? <ErrorNote error={enrollments.error} /> : list.length === 0 ? (
        <EmptyState title="Nobody in this track yet.">Count and enrol a segment above, or wait for new inquiries that fit the entry rules.</EmptyState>
      ) : (
        <div className="table-scroll">
          <table className="table compact">
            <thead><tr><th scope="col">Person</th><th scope="col">Status</th><th scope="col">Step</th><th scope="col">Next email</th><th scope="col"><span className="sr-only">Actions</span></th></tr></thead>
            <tbody>
              {list.slice(0, 200).map((e) => {
                const name = e.person?.name ?? 'Unknown person';
                return (
                  <tr key={e.id}>
                    <td><Link to={`/leads/${e.lead_id}`}>{name}</Link><div className="row-sub">{e.person?.email ?? ''}</div></td>
                    <td>{statusLabels[e.status] ?? e.status}{e.exit_reason ? <div className="row-sub">{e.exit_reason.replaceAll('_', ' ')}</div> : null}</td>
                    <td className="num">{e.current_step + 1}</td>
                    <td>{e.status === 'active' ? formatDateTime(e.next_run_at) : e.exited_at ? `left ${formatDate(e.exited_at)}` : '—'}</td>
                    <td className="actions">
                      {e.status === 'active' || e.status === 'paused' ? (
                        <button type="button" className="button small danger-ghost" disabled={remove.isPending} onClick={() => remove.mutate(e.id)} aria-label={`Remove ${name} from the track`}>Remove</button>
                      ) : null}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          {list.length > 200 ? <p className="hint">Showing the first 200 of {list.length}.</p> : null}
        </div>
      )}
    </section>
  );
}
