import type { LeadDefinition, PredictedRule } from '../../../../src/core/definitions/definition-schema.ts';
import { IssueNote, useIssues } from './form-controls.tsx';
import { useModels, type ModelDto } from './models-api.ts';
import { LabelField, PointsField, RuleCard, pts } from './rule-parts.tsx';

type Update = (change: (draft: LeadDefinition) => void) => void;

const modelName = (id: string, models: ModelDto[] | undefined) => {
  const m = models?.find((x) => x.id === id);
  return m ? `model v${m.version} (reaches ${m.target_stage} within ${m.horizon_days} d)` : `model ${id.slice(0, 8)}… (not trained here)`;
};

/** What a predicted rule says, in words ("MQL when model v3 gives ≥ 40%"). */
export function describePredicted(r: PredictedRule, models: ModelDto[] | undefined): string {
  const name = modelName(r.model, models);
  if (r.use === 'mql') return `MQL when ${name} gives ${r.minProbability === undefined ? '(no threshold)' : `≥ ${Math.round(r.minProbability * 100)}%`}`;
  return r.minProbability !== undefined
    ? `${r.use} points when ${name} gives ≥ ${Math.round(r.minProbability * 100)}%`
    : `${r.use} points × the probability from ${name}`;
}

/**
 * The `predicted` rule kind: a trained model's probability as fit or engagement points, or an MQL condition, and
 * the inbox order. People without a prediction yet get nothing from these rules (said here, so nobody is surprised).
 */
export function PredictedSection({ def, update, fresh }: { def: LeadDefinition; update: Update; fresh: ReadonlySet<string> }) {
  const models = useModels();
  const rules = def.predicted ?? [];
  const latest = models.data?.[0];
  return (
    <section className="stack" aria-label="Predicted rules form">
      <p className="hint">A trained conversion model as part of the agreement: points scaled by its probability (or given in full from a threshold), or an MQL condition such as “probability ≥ 40%”. A person without a prediction yet gets nothing from these rules; predictions are refreshed when people act and nightly.</p>
      {models.data && models.data.length === 0 ? <p className="small notice warning">No model is trained yet: train one (<code>leadloop model train</code>) before adding a predicted rule.</p> : null}
      <ol className="rule-editor">
        {rules.map((r, i) => {
          const path = `predicted[${i}]`;
          const name = r.label ?? r.id;
          const set = (change: (rule: PredictedRule) => void) => update((d) => change(d.predicted![i]!));
          return (
            <RuleCard key={r.id + i} title={name} points={r.use === 'mql' ? 'MQL' : pts(r.points)} fresh={fresh.has(r.id)} path={path} words={describePredicted(r, models.data)}
              removeLabel="Remove rule" onRemove={() => update((d) => { d.predicted!.splice(i, 1); if (d.predicted!.length === 0) delete d.predicted; })}>
              <div className="row-fields">
                <LabelField value={r.label} name={name} path={path} onChange={(v) => set((x) => { if (v === undefined) delete x.label; else x.label = v; })} />
                <ModelField value={r.model} models={models.data} label={`${name} model`} path={`${path}.model`} onChange={(v) => set((x) => { x.model = v; })} />
                <label className="field"><span>Used as</span>
                  <select value={r.use} aria-label={`${name} used as`} onChange={(e) => set((x) => {
                    x.use = e.target.value as PredictedRule['use'];
                    if (x.use === 'mql') { delete x.points; x.minProbability ??= 0.4; } else x.points ??= 20;
                  })}>
                    <option value="fit">fit points</option><option value="engagement">engagement points</option><option value="mql">MQL condition</option>
                  </select>
                </label>
                {r.use !== 'mql' ? <PointsField value={r.points} name={name} path={path} onChange={(v) => set((x) => { x.points = v; })} /> : null}
                <ThresholdField value={r.minProbability} required={r.use === 'mql'} name={name} path={`${path}.minProbability`}
                  onChange={(v) => set((x) => { if (v === undefined) delete x.minProbability; else x.minProbability = v; })} />
              </div>
            </RuleCard>
          );
        })}
      </ol>
      <div><button type="button" className="button" disabled={!latest} onClick={() => update((d) => {
        const taken = d.predicted ?? [];
        let n = taken.length + 1;
        while (taken.some((x) => x.id === `predicted-${n}`)) n++;
        d.predicted = [...taken, { id: `predicted-${n}`, model: latest!.id, use: 'mql', minProbability: 0.4 }];
      })}>Add predicted rule</button></div>
      <InboxSortField def={def} update={update} models={models.data} />
    </section>
  );
}

function ModelField({ value, models, label, path, onChange }: { value: string; models: ModelDto[] | undefined; label: string; path: string; onChange: (v: string) => void }) {
  const invalid = useIssues(path).length > 0;
  const known = models?.some((m) => m.id === value);
  return (
    <label className="field"><span>Model</span>
      <select value={value} aria-label={label} aria-invalid={invalid} onChange={(e) => onChange(e.target.value)}>
        {!known ? <option value={value}>{modelName(value, models)}</option> : null}
        {(models ?? []).map((m) => <option key={m.id} value={m.id}>v{m.version} · reaches {m.target_stage} within {m.horizon_days} d</option>)}
      </select>
    </label>
  );
}

function ThresholdField({ value, required, name, path, onChange }: { value: number | undefined; required: boolean; name: string; path: string; onChange: (v: number | undefined) => void }) {
  const invalid = useIssues(path).length > 0;
  return (
    <label className="field narrow"><span>{required ? 'Probability at least' : 'Full points from'}</span>
      <input type="number" min={0} max={1} step={0.05} value={value ?? ''} placeholder={required ? '0.4' : 'scaled'} aria-label={`${name} ${required ? 'threshold' : 'full points from'} (0–1)`} aria-invalid={invalid}
        onChange={(e) => onChange(e.target.value === '' ? undefined : Number(e.target.value))} />
    </label>
  );
}

function InboxSortField({ def, update, models }: { def: LeadDefinition; update: Update; models: ModelDto[] | undefined }) {
  const value = def.inbox?.sort === 'predicted' ? def.inbox.model : '';
  return (
    <div className="stack">
      <h3 className="subhead">Inbox order</h3>
      <label className="field"><span>Sales see open leads</span>
        <select value={value} aria-label="Inbox order" onChange={(e) => update((d) => {
          if (e.target.value) d.inbox = { sort: 'predicted', model: e.target.value };
          else delete d.inbox;
        })}>
          <option value="">by the usual priority (new, on the clock, overdue)</option>
          {(models ?? []).map((m) => <option key={m.id} value={m.id}>most likely first, by model v{m.version} (leads without a prediction last)</option>)}
          {value && !models?.some((m) => m.id === value) ? <option value={value}>{modelName(value, models)}</option> : null}
        </select>
      </label>
      <IssueNote path="inbox" />
    </div>
  );
}
