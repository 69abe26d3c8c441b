import { useMemo } from 'react';
import { EChart, type ChartOption } from '../dashboard/echart.tsx';
import type { ModelDto } from './models-api.ts';

const pctAxis = { type: 'value', min: 0, max: 1, axisLabel: { formatter: (v: number) => `${Math.round(v * 100)}%`, color: '#5c6370' }, splitLine: { lineStyle: { color: '#eef0f3' } } };

/** The holdout's calibration (predicted against observed, per band) and cumulative capture by top share, model beside the rating. */
export function ModelCharts({ model }: { model: ModelDto }) {
  const r = model.report;
  const calibration = useMemo<ChartOption>(() => {
    const bins = r.calibration.filter((b) => b.count > 0);
    return {
      tooltip: { trigger: 'item', formatter: (p: { data: [number, number, number] }) => `predicted ${(p.data[0] * 100).toFixed(1)}% · observed ${(p.data[1] * 100).toFixed(1)}% · ${p.data[2]} leads` },
      legend: { top: 0 },
      grid: { left: 8, right: 16, top: 36, bottom: 28, containLabel: true },
      xAxis: { ...pctAxis, name: 'predicted', nameLocation: 'middle', nameGap: 24 },
      yAxis: { ...pctAxis, name: 'observed' },
      series: [
        { name: 'Perfectly calibrated', type: 'line', data: [[0, 0], [1, 1]], symbol: 'none', lineStyle: { type: 'dashed', color: '#adb5bd' }, itemStyle: { color: '#adb5bd' } },
        { name: `Model v${model.version}`, type: 'line', data: bins.map((b) => [b.mean_predicted, b.observed_rate, b.count]), symbolSize: 8 },
      ],
    };
  }, [r.calibration, model.version]);
  const gains = useMemo<ChartOption>(() => {
    const points = r.gains;
    return {
      tooltip: { trigger: 'axis', valueFormatter: (v: number) => `${(v * 100).toFixed(1)}%` },
      legend: { top: 0 },
      grid: { left: 8, right: 16, top: 36, bottom: 28, containLabel: true },
      xAxis: { ...pctAxis, name: 'top share of leads, most likely first', nameLocation: 'middle', nameGap: 24 },
      yAxis: { ...pctAxis, name: 'conversions captured' },
      series: [
        { name: 'Random order', type: 'line', data: [[0, 0], [1, 1]], symbol: 'none', lineStyle: { type: 'dashed', color: '#adb5bd' }, itemStyle: { color: '#adb5bd' } },
        { name: `Model v${model.version}`, type: 'line', data: [[0, 0], ...points.map((g) => [g.fraction, g.model.capture])] },
        ...(points.some((g) => g.rules) ? [{ name: 'Rule-based rating', type: 'line', data: [[0, 0], ...points.map((g) => [g.fraction, g.rules?.capture ?? null])] }] : []),
      ],
    };
  }, [r.gains, model.version]);
  return (
    <div className="model-charts">
      <figure>
        <figcaption className="subhead">Calibration: predicted against observed (holdout)</figcaption>
        <EChart option={calibration} height={260} label={`Calibration of model v${model.version}: ${r.calibration.filter((b) => b.count > 0).map((b) => `predicted ${Math.round(b.mean_predicted * 100)}%, observed ${Math.round(b.observed_rate * 100)}%`).join('; ')}`} />
      </figure>
      <figure>
        <figcaption className="subhead">Lift and capture: conversions found in the top share of leads</figcaption>
        {r.gains.length ? (
          <EChart option={gains} height={260} label={`Capture by top share: ${r.gains.filter((g) => [0.1, 0.2, 0.5].includes(g.fraction)).map((g) => `top ${Math.round(g.fraction * 100)}%: model ${Math.round(g.model.capture * 100)}%${g.rules ? `, rating ${Math.round(g.rules.capture * 100)}%` : ''}`).join('; ')}`} />
        ) : <p className="small muted">This model was trained before capture curves were reported: retrain it to see the curve. Top 10% lift: {r.holdout.model.top_decile.lift.toFixed(2)}×.</p>}
        {r.gains.length ? (
          <table className="table compact">
            <caption className="sr-only">Lift by top share</caption>
            <thead><tr><th scope="col">Top share</th><th scope="col" className="num">Lift, model</th><th scope="col" className="num">Lift, rating</th></tr></thead>
            <tbody>{r.gains.filter((g) => [0.1, 0.2, 0.3, 0.5].includes(g.fraction)).map((g) => (
              <tr key={g.fraction}><th scope="row">{Math.round(g.fraction * 100)}%</th><td className="num">{g.model.lift.toFixed(2)}×</td><td className="num">{g.rules ? `${g.rules.lift.toFixed(2)}×` : '—'}</td></tr>
            ))}</tbody>
          </table>
        ) : null}
      </figure>
    </div>
  );
}
