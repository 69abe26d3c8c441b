import { useMemo } from 'react';
import type { ChartModel, FlagTableModel } from './reports/report-model.ts';
import { EChart, palette, type ChartOption } from './echart.tsx';

const axisLabel = { color: '#5c6370', fontSize: 11 };
const splitLine = { lineStyle: { color: '#eef0f3' } };
// Sankey nodes: the waterfall in blue, wins green, detours back to marketing amber, exits red.
const nodeColor = (name: string) => (/won/i.test(name) ? '#12b886' : /nurture/i.test(name) ? '#f59f00' : /disqualified|lost/i.test(name) ? '#e8590c' : palette[0]);
const funnelBlues = ['#364fc7', '#3b5bdb', '#4263eb', '#4c6ef5', '#5c7cfa', '#748ffc', '#91a7ff'];

/** One place that turns a chart model into an ECharts option, so all charts share a look. */
export function optionFor(model: Exclude<ChartModel, FlagTableModel>): ChartOption {
  switch (model.kind) {
    case 'funnel':
      return {
        tooltip: { trigger: 'item', formatter: '{b}: {c}' },
        series: [{
          type: 'funnel', left: '4%', width: '68%', top: 8, bottom: 8, sort: 'none', gap: 2, minSize: '12%',
          // Labels beside the shapes: the narrow, light bottom steps cannot carry white text legibly.
          label: { show: true, position: 'right', formatter: '{b}  {c}', color: '#2b2f36', fontWeight: 600 },
          labelLine: { show: true, lineStyle: { color: '#c4c9d0' } },
          data: model.steps.map((s, i) => ({ ...s, itemStyle: { color: funnelBlues[Math.min(i, funnelBlues.length - 1)] } })),
        }],
      };
    case 'sankey':
      return {
        tooltip: { trigger: 'item' },
        series: [{
          type: 'sankey', left: 8, right: 130, top: 8, bottom: 8, nodeGap: 10, emphasis: { focus: 'adjacency' },
          lineStyle: { color: 'gradient', opacity: 0.35 }, label: { color: '#2b2f36', fontSize: 12 },
          data: model.nodes.map((name) => ({ name, itemStyle: { color: nodeColor(name) } })),
          links: model.links,
        }],
      };
    case 'line':
    case 'bar':
      return {
        tooltip: { trigger: 'axis' },
        legend: { top: 0, textStyle: { color: '#5c6370' } },
        grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
        // A few categories (stages, reps) are all named; long series (months, sources) drop labels that would overlap.
        xAxis: { type: 'category', data: model.categories, axisLabel: model.categories.length <= 8 ? { ...axisLabel, interval: 0 } : { ...axisLabel, hideOverlap: true }, axisLine: { lineStyle: { color: '#d0d4da' } } },
        yAxis: { type: 'value', axisLabel: { ...axisLabel, formatter: model.unit === '%' ? '{value}%' : '{value}' }, splitLine },
        series: model.series.map((s) => ({
          name: s.name, type: model.kind, data: s.values, smooth: 0.2, symbolSize: 6, barMaxWidth: 28,
          ...(model.stacked ? { stack: 'total' } : {}), ...(model.kind === 'line' ? { areaStyle: { opacity: 0.06 } } : { itemStyle: { borderRadius: [3, 3, 0, 0] } }),
        })),
      };
    case 'heatmap': {
      const max = Math.max(1, ...model.cells.map((c) => c[2]));
      return {
        tooltip: { position: 'top' },
        grid: { left: 8, right: 16, top: 8, bottom: 56, containLabel: true },
        xAxis: { type: 'category', data: model.x, axisLabel: { ...axisLabel, interval: 0 }, splitArea: { show: true } },
        yAxis: { type: 'category', data: model.y, axisLabel, splitArea: { show: true } },
        visualMap: { min: 0, max, calculable: true, orient: 'horizontal', left: 'center', bottom: 0, itemHeight: 120, inRange: { color: ['#f1f4ff', '#91a7ff', '#3b5bdb'] }, textStyle: axisLabel },
        series: [{ type: 'heatmap', data: model.cells, label: { show: true, fontSize: 11, color: '#2b2f36' }, emphasis: { itemStyle: { borderColor: '#333', borderWidth: 1 } } }],
      };
    }
  }
}

export function FlagTable({ model }: { model: FlagTableModel }) {
  const { table, flags } = model;
  return (
    <div className="table-scroll">
      <table className="table compact">
        <thead><tr>{table.columns.filter((c) => c !== 'flag').map((c) => <th key={c} scope="col">{c.replace(/_pct$/, ' %').replace(/_/g, ' ')}</th>)}<th scope="col">Flag</th></tr></thead>
        <tbody>
          {table.rows.map((row, i) => (
            <tr key={i} className={flags[i] ? 'flagged' : undefined}>
              {row.filter((_, j) => table.columns[j] !== 'flag').map((v, j) => <td key={j} className={typeof v === 'number' ? 'num' : undefined}>{v === null ? '—' : String(v)}</td>)}
              <td>{flags[i] ? <span className="flag" title={flags[i] ?? ''}>⚑ {flags[i]}</span> : null}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function ChartView({ model, label, height }: { model: ChartModel; label: string; height?: number }) {
  const option = useMemo(() => (model.kind === 'table' ? null : optionFor(model)), [model]);
  if (model.kind === 'table') return <FlagTable model={model} />;
  return <EChart option={option!} label={label} height={height} />;
}
