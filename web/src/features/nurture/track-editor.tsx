import { useEffect, useId, useState, type FormEvent } from 'react';
import { ratings } from '../../../../src/core/definitions/definition-schema.ts';
import { stages } from '../../../../src/core/lifecycle.ts';
import { ApiError } from '../../api/client.ts';
import { useReasonCodes } from '../../api/queries.ts';
import type { ContentAsset } from '../../api/types.ts';
import { stageLabel } from '../../ui/badges.tsx';
import { StepEditor } from './step-editor.tsx';
import { toDraft, useSaveTrack, type EntryRules, type Track, type TrackDraft, type TrackStats, type TrackStep } from './nurture-api.ts';

export const emptyDraft = (): TrackDraft => ({
  name: '', priority: 0, active: true, entry: { stages: ['inquiry', 'nurture'] },
  steps: [{ type: 'send_email', subject: '{{asset_title}}', template: `Hi {{first_name}},\n\nThought this might help: {{asset_link}}`, content: { by: 'inferred_stage' } }],
  cadence: { min_hours_between_emails: 48 }, exit: { stages: ['mql'] },
});
const newStep: Record<TrackStep['type'], () => TrackStep> = {
  send_email: () => ({ type: 'send_email', subject: '{{asset_title}}', template: `Hi {{first_name}},\n\n{{asset_link}}`, content: { by: 'inferred_stage' } }),
  wait: () => ({ type: 'wait', business_days: 5 }),
  branch: () => ({ type: 'branch', if: 'clicked', then: 0, else: 0 }),
};

function toggle<T>(list: readonly T[] | undefined, value: T, on: boolean): T[] {
  const set = new Set(list ?? []);
  if (on) set.add(value); else set.delete(value);
  return [...set];
}

/** A group of checkboxes for one list-valued rule (stages, ratings, reasons). */
export function Checks<T extends string>({ legend, options, label, value, onChange, hint }: {
  legend: string; options: readonly T[]; label: (v: T) => string; value: readonly T[] | undefined; onChange: (v: T[]) => void; hint?: string;
}) {
  return (
    <fieldset className="field checks">
      <legend>{legend}</legend>
      <div className="check-row">
        {options.map((o) => (
          <label key={o} className="check"><input type="checkbox" checked={value?.includes(o) ?? false} onChange={(e) => onChange(toggle(value, o, e.target.checked))} /> {label(o)}</label>
        ))}
      </div>
      {hint ? <p className="hint">{hint}</p> : null}
    </fieldset>
  );
}

/** A step index shifts when steps move: branches keep pointing at the same step. */
function remapBranches(steps: TrackStep[], map: (i: number) => number): TrackStep[] {
  return steps.map((s) => (s.type === 'branch' ? { ...s, then: map(s.then), else: map(s.else) } : s));
}

/**
 * The whole track as a form: entry rules, steps (emails with live preview, waits, branches), cadence and
 * exit rules. The server validates the track as a whole; its answer is shown where it points (path).
 */
export function TrackEditor({ track, assets, stats, onSaved }: { track: Track | null; assets: readonly ContentAsset[]; stats: TrackStats | undefined; onSaved: (t: Track) => void }) {
  return <TrackForm key={track?.id ?? 'new'} track={track} assets={assets} stats={stats} onSaved={onSaved} />;
}

function TrackForm({ track, assets, stats, onSaved }: { track: Track | null; assets: readonly ContentAsset[]; stats: TrackStats | undefined; onSaved: (t: Track) => void }) {
  const save = useSaveTrack();
  const reasons = useReasonCodes();
  const [draft, setDraft] = useState<TrackDraft>(() => (track ? toDraft(track) : emptyDraft()));
  const [saved, setSaved] = useState(false);
  useEffect(() => setSaved(false), [draft]);
  const ids = { name: useId(), priority: useId(), sources: useId(), cadence: useId() };
  const set = (patch: Partial<TrackDraft>) => setDraft((d) => ({ ...d, ...patch }));
  const setEntry = (patch: Partial<EntryRules>) => setDraft((d) => ({ ...d, entry: clean({ ...d.entry, ...patch }) }));
  const setStep = (i: number, s: TrackStep) => set({ steps: draft.steps.map((x, j) => (j === i ? s : x)) });
  const removeStep = (i: number) => set({ steps: remapBranches(draft.steps.filter((_, j) => j !== i), (t) => (t > i ? t - 1 : t)) });
  const moveStep = (i: number, delta: -1 | 1) => {
    const j = i + delta;
    const steps = [...draft.steps];
    [steps[i], steps[j]] = [steps[j]!, steps[i]!];
    set({ steps: remapBranches(steps, (t) => (t === i ? j : t === j ? i : t)) });
  };
  const errors = save.error instanceof ApiError ? save.error.details ?? [] : [];
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate({ id: track?.id ?? null, draft }, { onSuccess: (t) => { setSaved(true); onSaved(t); } });
  };

  return (
    <form className="stack-lg track-form" onSubmit={submit} aria-label={track ? `Edit ${track.name}` : 'New track'}>
      <section className="card" aria-label="Track">
        <div className="form-row">
          <div className="field grow">
            <label htmlFor={ids.name}>Track name</label>
            <input id={ids.name} type="text" required maxLength={200} value={draft.name} onChange={(e) => set({ name: e.target.value })} placeholder="e.g. Education for new inquiries" />
          </div>
          <div className="field">
            <label htmlFor={ids.priority}>Priority</label>
            <input id={ids.priority} type="number" min={-1000} max={1000} value={draft.priority} onChange={(e) => set({ priority: Number(e.target.value) })} />
          </div>
          <label className="check active-check"><input type="checkbox" checked={draft.active} onChange={(e) => set({ active: e.target.checked })} /> Active</label>
        </div>
        <p className="hint">When several tracks fit a person, the higher priority wins; a person is in one track at a time.</p>
      </section>

      <section className="card" aria-label="Entry rules">
        <header className="card-header"><h2 className="card-title">Who enters</h2></header>
        <div className="stack">
          <Checks legend="Lead stage" options={['inquiry', 'nurture'] as const} label={stageLabel} value={draft.entry.stages as ('inquiry' | 'nurture')[] | undefined}
            onChange={(v) => setEntry({ stages: v.length ? v : undefined })} hint="Nothing ticked: inquiries and nurture leads." />
          <Checks legend="Rating" options={ratings} label={(r) => r[0]!.toUpperCase() + r.slice(1)} value={draft.entry.ratings} onChange={(v) => setEntry({ ratings: v.length ? v : undefined })}
            hint="Nothing ticked: any rating. An unrated lead counts as cold." />
          <Checks legend="Handed back by sales for" options={(reasons.data ?? []).filter((r) => r.outcome === 'nurture').map((r) => r.code)}
            label={(c) => reasons.data?.find((r) => r.code === c)?.label ?? c} value={draft.entry.recycled_reasons} onChange={(v) => setEntry({ recycled_reasons: v.length ? v : undefined })}
            hint="Nothing ticked: whether or not sales handed the lead back." />
          <div className="field">
            <label htmlFor={ids.sources}>Lead source (optional)</label>
            <input id={ids.sources} type="text" value={(draft.entry.sources ?? []).join(', ')} placeholder="e.g. google, linkedin"
              onChange={(e) => { const list = e.target.value.split(',').map((s) => s.trim()).filter(Boolean); setEntry({ sources: list.length ? list : undefined }); }} />
          </div>
          <label className="check"><input type="checkbox" checked={!!draft.entry.consent?.includes('email_marketing')}
            onChange={(e) => setEntry({ consent: e.target.checked ? ['email_marketing'] : undefined })} /> Only people who opted in to marketing email</label>
        </div>
      </section>

      <section className="card" aria-label="Steps">
        <header className="card-header">
          <h2 className="card-title">Steps <span className="count">{draft.steps.length}</span></h2>
          <div className="button-row">
            <button type="button" className="button small" onClick={() => set({ steps: [...draft.steps, newStep.send_email()] })}>Add email</button>
            <button type="button" className="button small" onClick={() => set({ steps: [...draft.steps, newStep.wait()] })}>Add wait</button>
            <button type="button" className="button small" onClick={() => set({ steps: [...draft.steps, newStep.branch()] })}>Add branch</button>
          </div>
        </header>
        <ol className="steps">
          {draft.steps.map((s, i) => (
            <StepEditor key={i} step={s} index={i} count={draft.steps.length} assets={assets} stats={stats?.steps.find((x) => x.step === i)}
              onChange={(x) => setStep(i, x)} onRemove={() => removeStep(i)} onMove={(d) => moveStep(i, d)} />
          ))}
        </ol>
      </section>

      <section className="card" aria-label="Cadence and exit">
        <header className="card-header"><h2 className="card-title">Cadence and exit</h2></header>
        <div className="stack">
          <div className="field narrow">
            <label htmlFor={ids.cadence}>At least this many hours between two emails</label>
            <input id={ids.cadence} type="number" min={0} max={2160} value={draft.cadence.min_hours_between_emails} onChange={(e) => set({ cadence: { min_hours_between_emails: Number(e.target.value) } })} />
          </div>
          <Checks legend="Leaves the track on reaching" options={stages.filter((s) => s !== 'inquiry' && s !== 'nurture')} label={stageLabel}
            value={draft.exit.stages} onChange={(v) => set({ exit: { stages: v } })} hint="Other sales stages pause the track until the lead comes back." />
        </div>
      </section>

      <div className="save-bar">
        {errors.length || save.isError ? (
          <div className="error-note" role="alert">
            <strong>Not saved: </strong>{save.error?.message}
            {errors.length ? <ul>{errors.map((d, i) => <li key={i}><code>{d.path}</code> {d.message}</li>)}</ul> : null}
          </div>
        ) : saved ? <div className="notice" role="status">Saved.</div> : <span />}
        <button type="submit" className="button primary" disabled={save.isPending}>{save.isPending ? 'Saving…' : track ? 'Save track' : 'Create track'}</button>
      </div>
    </form>
  );
}

/** Drops list rules left empty, so "nothing ticked" means "any" (the schema refuses some empty lists). */
function clean(e: EntryRules): EntryRules {
  return Object.fromEntries(Object.entries(e).filter(([, v]) => v !== undefined && !(Array.isArray(v) && v.length === 0))) as EntryRules;
}
