import { useMemo, useState } from 'react';
import { escapeHtml, humanize } from '../../ui/format.ts';
import { EmptyState, ErrorNote, Loading } from '../../ui/states.tsx';
import { downloadCsv } from '../dashboard/csv.ts';
import { EChart, type ChartOption } from '../dashboard/echart.tsx';
import { useGapMap, type GapBy, type GapCell, type GapMap } from './content-api.ts';

// Soft fills with dark numbers: readable counts on every colour.
const statusColor = { missing: '#ffa8a8', weak: '#ffd8a8', ok: '#96f2d7' } as const;
const statusText = { missing: 'Missing', weak: 'Weak', ok: 'Covered' } as const;
const statusIndex = { missing: 0, weak: 1, ok: 2 } as const;

// Short keys are acronyms (cfo, cto, seo); longer ones read as words.
const label = (key: string) => (key === '(general)' ? 'General (untagged)' : /^[a-z]{2,3}$/.test(key) ? key.toUpperCase() : humanize(key));
const stageName = (stage: string) => humanize(stage);

/** "No decision-stage content for CFO": each missing cell in words; weak cells say why. */
export function gapSentence(c: GapCell, by: GapBy): string {
  const who = by === 'persona' ? `for ${label(c.key)}` : `on ${label(c.key)}`;
  if (c.status === 'missing') return `No ${c.stage}-stage content ${who}.`;
  const why = [c.assets === 1 ? 'only 1 asset' : null, c.average_rating !== null && c.average_rating < 3 ? `rated ${c.average_rating.toFixed(1)}` : null, c.consumers === 0 ? 'nobody reads it' : null]
    .filter(Boolean).join(', ');
  return `Weak ${c.stage}-stage content ${who}${why ? ` (${why})` : ''}.`;
}

function heatmapOption(m: GapMap): ChartOption {
  const x = m.keys;
  const y = m.stages;
  return {
    tooltip: {
      formatter: (p: { data: [number, number, number, number, number | null, number] }) => {
        const [xi, yi, assets, st, avg, consumers] = p.data;
        const status = (['missing', 'weak', 'ok'] as const)[st]!;
        // Personas, topics and stages are workspace text (any API key with write access sets them): escaped.
        return `<b>${escapeHtml(stageName(y[yi]!))}</b> × <b>${escapeHtml(label(x[xi]!))}</b><br/>${assets} assets · ${statusText[status]}<br/>`
          + `Rating ${avg === null ? '—' : avg.toFixed(1)} · ${consumers} readers`;
      },
    },
    grid: { left: 8, right: 16, top: 8, bottom: 64, containLabel: true },
    xAxis: { type: 'category', data: x.map(label), splitArea: { show: true }, axisLabel: { interval: 0, width: 110, overflow: 'break', fontSize: 12.5, color: '#5c6370' } },
    yAxis: { type: 'category', data: y.map(stageName), inverse: true, splitArea: { show: true }, axisLabel: { fontSize: 12.5, color: '#5c6370' } },
    visualMap: {
      type: 'piecewise', dimension: 3, orient: 'horizontal', left: 'center', bottom: 0,
      pieces: (['missing', 'weak', 'ok'] as const).map((s) => ({ value: statusIndex[s], label: statusText[s], color: statusColor[s] })),
    },
    series: [{
      type: 'heatmap', name: 'Assets',
      data: m.cells.map((c) => [x.indexOf(c.key), y.indexOf(c.stage), c.assets, statusIndex[c.status], c.average_rating, c.consumers]),
      label: { show: true, color: '#1f2329', fontWeight: 600, fontSize: 13, formatter: (p: { data: number[] }) => String(p.data[2]) },
      itemStyle: { borderColor: '#fff', borderWidth: 2, borderRadius: 4 },
      emphasis: { itemStyle: { shadowBlur: 6, shadowColor: 'rgba(0,0,0,.25)' } },
    }],
  };
}

export function GapMapView() {
  const [by, setBy] = useState<GapBy>('persona');
  const map = useGapMap(by);
  const option = useMemo(() => (map.data ? heatmapOption(map.data) : null), [map.data]);
  const m = map.data;
  const missing = m?.cells.filter((c) => c.status === 'missing') ?? [];
  const weak = m?.cells.filter((c) => c.status === 'weak') ?? [];
  const exportCsv = () => m && downloadCsv(`content-gap-map-by-${by}.csv`, {
    columns: ['buying_stage', by, 'assets', 'average_rating', 'consumers', 'status'],
    rows: m.cells.map((c) => [c.stage, c.key, c.assets, c.average_rating, c.consumers, c.status]),
  });
  const cell = (stage: string, key: string) => m?.cells.find((c) => c.stage === stage && c.key === key);
  const dimension = by === 'persona' ? 'persona' : 'topic';

  return (
    <>
      <header className="page-header">
        <div>
          <h1>Content gap map</h1>
          <p className="muted">Live assets per buying stage × {dimension}. Missing: none; weak: fewer than 2, rated under 3 or unread.</p>
        </div>
        <div className="toolbar">
          <div className="segmented" role="group" aria-label="Columns">
            {(['persona', 'topic'] as const).map((b) => (
              <button key={b} type="button" className={by === b ? 'on' : ''} aria-pressed={by === b} onClick={() => setBy(b)}>By {b}</button>
            ))}
          </div>
        </div>
      </header>
      {map.isPending ? <Loading /> : map.isError ? <ErrorNote error={map.error} /> : !m || m.keys.length === 0 ? (
        <EmptyState title={`No ${dimension}s yet.`}>Tag assets with {dimension}s (or list them in the workspace settings) to see coverage.</EmptyState>
      ) : (
        <div className="gap-layout">
          <section className="card chart-card" aria-label="Coverage heat map">
            <header className="card-header">
              <div>
                <h2 className="card-title">Coverage: buying stage × {dimension}</h2>
                <p className="card-subtitle">Number in a cell: live assets. Colour: coverage.</p>
              </div>
              <div className="card-actions">
                <button type="button" className="button small ghost" aria-label="Export CSV: content gap map" onClick={exportCsv}>Export CSV</button>
              </div>
            </header>
            {option ? <EChart option={option} height={Math.max(300, 56 * m.stages.length + 110)}
              label={`Heat map of content coverage by buying stage and ${dimension}: ${missing.length} missing and ${weak.length} weak cells; the gap list and the table below give every cell.`} /> : null}
          </section>
          <section className="card" aria-labelledby="gap-list-title">
            <header className="card-header"><h2 className="card-title" id="gap-list-title">Gaps <span className="count">{missing.length}</span></h2></header>
            {missing.length === 0 ? <p className="muted">Every stage has content for every {dimension}.</p> : (
              <ul className="gap-list" aria-label="Missing content">
                {missing.map((c) => <li key={`${c.stage}|${c.key}`}><span className="gap-dot missing" aria-hidden="true" />{gapSentence(c, by)}</li>)}
              </ul>
            )}
            {weak.length > 0 ? (
              <>
                <h3 className="subhead">Weak <span className="count">{weak.length}</span></h3>
                <ul className="gap-list" aria-label="Weak content">
                  {weak.map((c) => <li key={`${c.stage}|${c.key}`}><span className="gap-dot weak" aria-hidden="true" />{gapSentence(c, by)}</li>)}
                </ul>
              </>
            ) : null}
          </section>
          <details className="card gap-table">
            <summary>Show the grid as a table</summary>
            <div className="table-scroll">
              <table className="table compact matrix">
                <caption className="sr-only">Live assets by buying stage (rows) and {dimension} (columns), with coverage</caption>
                <thead><tr><th scope="col">Stage</th>{m.keys.map((k) => <th key={k} scope="col">{label(k)}</th>)}</tr></thead>
                <tbody>
                  {m.stages.map((s) => (
                    <tr key={s}>
                      <th scope="row">{stageName(s)}</th>
                      {m.keys.map((k) => {
                        const c = cell(s, k);
                        return <td key={k} className={c ? `gap-${c.status}` : ''}>{c ? `${c.assets} · ${statusText[c.status]}` : '—'}</td>;
                      })}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </details>
        </div>
      )}
    </>
  );
}
