import { lazy, Suspense, useState } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate } from 'react-router-dom';
import { defaultDefinition } from '../../../../src/core/definitions/default-definition.ts';
import { definitionWithModel, type PredictedUse } from '../../../../src/core/definitions/predicted.ts';
import { api } from '../../api/client.ts';
import type { Me } from '../../api/types.ts';
import { formatDate, formatNumber } from '../../ui/format.ts';
import { Card, EmptyState, ErrorNote, Loading } from '../../ui/states.tsx';
import { asDefinition, base, useDefinitions, type Definition } from './definitions-api.ts';
import { modelStatus, useModels, usesOf, type ModelDto } from './models-api.ts';
import './models-page.css';

// ECharts loads with the charts, after the numbers are on screen.
const ModelCharts = lazy(() => import('./model-charts.tsx').then((m) => ({ default: m.ModelCharts })));

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const n3 = (x: number | null | undefined) => (x === null || x === undefined ? '—' : x.toFixed(3));

/**
 * Definitions › Models: the conversion models trained on this workspace's history, each beside the rule-based
 * rating on the same holdout, its calibration and lift, and the fields left out as leaks. A model informs until a
 * definition uses it; "Use in definition" writes that into a draft, which is backtested and signed like any change.
 */
export function ModelsPage({ me }: { me: Me }) {
  const models = useModels();
  const defs = useDefinitions();
  const [selected, setSelected] = useState<string | null>(null);
  if (models.isPending || defs.isPending) return <main className="page"><Loading /></main>;
  if (models.isError) return <main className="page"><ErrorNote error={models.error} /></main>;
  if (defs.isError) return <main className="page"><ErrorNote error={defs.error} /></main>;
  const model = models.data.find((m) => m.id === selected) ?? models.data[0] ?? null;
  return (
    <main className="page models-page">
      <nav aria-label="Breadcrumb" className="small muted"><Link to="/definitions">Definitions</Link> › Models</nav>
      <header className="page-header">
        <div>
          <h1>Models</h1>
          <p className="muted">Conversion models learned from this workspace&apos;s own closed leads. A model informs; it changes scores, MQLs or the inbox only once a signed definition uses it.</p>
        </div>
      </header>
      {models.data.length === 0 ? (
        <EmptyState title="No model trained yet.">Train one on the closed history: <code>leadloop model train</code> or <code>POST /api/v1/models</code>. It needs at least 50 leads that converted and 50 that did not.</EmptyState>
      ) : (
        <>
          <Card title="Trained models">
            <ModelList models={models.data} defs={defs.data} selected={model?.id ?? null} onSelect={setSelected} />
          </Card>
          {model ? <ModelDetail key={model.id} model={model} defs={defs.data} me={me} /> : null}
        </>
      )}
    </main>
  );
}

function ModelList({ models, defs, selected, onSelect }: { models: ModelDto[]; defs: Definition[]; selected: string | null; onSelect: (id: string) => void }) {
  return (
    <table className="table">
      <caption className="sr-only">Trained models, newest first</caption>
      <thead>
        <tr><th scope="col">Model</th><th scope="col">Predicts</th><th scope="col">Trained</th><th scope="col">Status</th>
          <th scope="col" className="num">ROC-AUC model</th><th scope="col" className="num">ROC-AUC rating</th><th scope="col" className="num">Top-10% lift</th><th scope="col"><span className="sr-only">Open</span></th></tr>
      </thead>
      <tbody>
        {models.map((m) => {
          const status = modelStatus(usesOf(m.id, defs));
          const r = m.report.holdout;
          return (
            <tr key={m.id} aria-current={m.id === selected ? 'true' : undefined} className={m.id === selected ? 'selected' : undefined}>
              <th scope="row">v{m.version}</th>
              <td>reaches {m.target_stage} within {m.horizon_days} days</td>
              <td>{formatDate(m.created_at)}</td>
              <td><span className={`tag tag-${status.tone}`}>{status.text}</span></td>
              <td className="num">{n3(r.model.roc_auc)}</td>
              <td className="num">{n3(r.rules?.roc_auc)}</td>
              <td className="num">{r.model.top_decile.lift.toFixed(2)}×</td>
              <td><button type="button" className="button small" onClick={() => onSelect(m.id)} disabled={m.id === selected}>{m.id === selected ? `Showing v${m.version}` : `Show v${m.version}`}</button></td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function ModelDetail({ model, defs, me }: { model: ModelDto; defs: Definition[]; me: Me }) {
  const r = model.report;
  const uses = usesOf(model.id, defs);
  const rows: [string, (x: ModelDto['report']['holdout']['model']) => string][] = [
    ['ROC-AUC (ranking, 0.5 = chance)', (x) => n3(x.roc_auc)],
    ['PR-AUC (average precision)', (x) => n3(x.pr_auc)],
    ['Log-loss (lower is better)', (x) => n3(x.log_loss)],
    ['Brier score (lower is better)', (x) => n3(x.brier)],
    ['Top 10%: lift', (x) => `${x.top_decile.lift.toFixed(2)}×`],
    ['Top 10%: share of conversions captured', (x) => pct(x.top_decile.capture)],
  ];
  const drift = Math.abs(r.rates.holdout - r.rates.train) > 0.5 * Math.max(r.rates.train, 0.01);
  return (
    <div className="models-detail">
      <Card title={`Model v${model.version} on the holdout (newest ${formatNumber(r.examples.holdout)} leads)`}>
        <div className="stack">
          <p className="small muted">
            Trained {formatDate(model.created_at)} on {formatNumber(r.examples.train)} leads opened {formatDate(r.split.train_from)} onwards, calibrated on the next {formatNumber(r.examples.validation)},
            tested on the newest {formatNumber(r.examples.holdout)} ({formatDate(r.split.holdout_from)} – {formatDate(r.split.holdout_to)}).
            {' '}Class balance: {formatNumber(r.class_balance.positives)} reached {model.target_stage}, {formatNumber(r.class_balance.negatives)} did not ({pct(r.class_balance.rate)}).
          </p>
          <table className="table compact">
            <caption className="sr-only">Holdout metrics: the model beside the rule-based rating</caption>
            <thead><tr><th scope="col">Measure</th><th scope="col" className="num">Model v{model.version}</th><th scope="col" className="num">Rule-based rating (fit + engagement)</th></tr></thead>
            <tbody>
              {rows.map(([label, value]) => (
                <tr key={label}><th scope="row">{label}</th><td className="num">{value(r.holdout.model)}</td><td className="num">{r.holdout.rules ? (label.startsWith('Log-loss') || label.startsWith('Brier') ? '— (not a probability)' : value(r.holdout.rules)) : '—'}</td></tr>
              ))}
            </tbody>
          </table>
          {!r.holdout.rules ? <p className="small muted">No rule-based scores on these leads (no active definition scored them), so there is nothing to compare with.</p> : null}
          <p className={`small ${drift ? 'notice warning' : 'muted'}`}>
            Conversion rate by period: training {pct(r.rates.train)}, calibration {pct(r.rates.validation)}, holdout {pct(r.rates.holdout)}.
            {drift ? ' The rate drifts over time: expect the probabilities to be off by as much.' : ''}
          </p>
        </div>
      </Card>
      <Card title="Calibration and lift">
        <Suspense fallback={<Loading label="Loading charts…" />}><ModelCharts model={model} /></Suspense>
      </Card>
      <Card title="Left out as leaks">
        {r.excluded.length ? (
          <ul className="plain-list leak-list">
            {r.excluded.map((e) => <li key={e.field}><strong>{e.label}</strong> <code className="small">{e.field}</code><div className="small muted">{e.reason}</div></li>)}
          </ul>
        ) : <p className="small muted">No field looked recorded after the outcome.</p>}
        {r.kept_despite_leak.length ? <p className="small notice warning">Kept although flagged: {r.kept_despite_leak.join(', ')}.</p> : null}
      </Card>
      <Card title="What weighs most">
        {/* Inputs the regularized model left at (almost) no weight say nothing: listing them as 0.000 read as noise. */}
        <ol className="importance-list">
          {r.importance.filter((i) => i.mean_abs_contribution >= 0.0005).slice(0, 8).map((i) => <li key={i.field}><span>{i.label}</span> <span className="muted small" title="Mean absolute contribution to the log-odds">{i.mean_abs_contribution.toFixed(3)}</span></li>)}
        </ol>
        <p className="muted small">Mean absolute effect on the log-odds per lead; inputs with no weight are not listed.</p>
      </Card>
      <UseInDefinition model={model} defs={defs} me={me} uses={uses.map((u) => `v${u.version} (${u.status}): ${u.how.join(', ')}`)} />
    </div>
  );
}

/** Writes the model into a definition draft (a new one from the active definition, or the open draft) and opens the editor. */
function UseInDefinition({ model, defs, me, uses }: { model: ModelDto; defs: Definition[]; me: Me; uses: string[] }) {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [use, setUse] = useState<PredictedUse>('mql');
  const [threshold, setThreshold] = useState('0.4');
  const [points, setPoints] = useState('20');
  const [inbox, setInbox] = useState(true);
  const active = defs.find((d) => d.status === 'active') ?? null;
  const open = defs.find((d) => d.status === 'draft' || d.status === 'proposed' || d.status === 'approved') ?? null;
  const blocked = open && open.status !== 'draft' ? `v${open.version} is ${open.status}: settle it (or withdraw it) before starting another change.` : null;
  const save = useMutation({
    mutationFn: async () => {
      const from = asDefinition((open ?? active)?.document ?? (defaultDefinition as unknown as Record<string, unknown>));
      const p = Number(threshold);
      const document = definitionWithModel(from, {
        modelId: model.id, modelVersion: model.version, targetStage: model.target_stage, use,
        points: Number(points), minProbability: use === 'mql' || threshold.trim() ? p : undefined, inbox,
      });
      return open ? api<Definition>('PATCH', `${base}/${open.id}`, { document }) : api<Definition>('POST', base, { document });
    },
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['definitions'] });
      navigate('/definitions');
    },
  });
  if (!me.permissions.includes('write')) return null;
  return (
    <Card title="Use in definition">
      <form className="stack" onSubmit={(e) => { e.preventDefault(); save.mutate(); }}>
        <p className="small muted">Adds the model to {open ? `the open draft v${open.version}` : `a new draft from ${active ? `the active v${active.version}` : 'the starter definition'}`}. Nothing changes until the draft is backtested, proposed and signed by marketing and sales.</p>
        {uses.length ? <p className="small">Already used by {uses.join('; ')}.</p> : null}
        <div className="row-fields">
          <label className="field"><span>How</span>
            <select value={use} onChange={(e) => setUse(e.target.value as PredictedUse)}>
              <option value="mql">MQL when the probability reaches a threshold</option>
              <option value="fit">Fit points</option>
              <option value="engagement">Engagement points</option>
            </select>
          </label>
          <label className="field narrow"><span>{use === 'mql' ? 'Threshold (0–1)' : 'Full points from (optional, 0–1)'}</span>
            <input type="number" min={0} max={1} step={0.05} value={threshold} required={use === 'mql'} onChange={(e) => setThreshold(e.target.value)} />
          </label>
          {use !== 'mql' ? (
            <label className="field narrow"><span>Points</span><input type="number" step={1} min={-1000} max={1000} value={points} onChange={(e) => setPoints(e.target.value)} /></label>
          ) : null}
        </div>
        <label className="check"><input type="checkbox" checked={inbox} onChange={(e) => setInbox(e.target.checked)} /> Sort the inbox by this model (most likely first)</label>
        {save.isError ? <ErrorNote error={save.error} /> : null}
        {blocked ? <p className="small notice warning">{blocked}</p> : null}
        <div><button type="submit" className="button primary" disabled={save.isPending || !!blocked}>{save.isPending ? 'Writing the draft…' : 'Use in definition'}</button></div>
      </form>
    </Card>
  );
}
