import { useMemo } from 'react';
import { escapeHtml, formatMoney, formatNumber, formatPercent, formatUnitMoney, humanLabel } from '../../ui/format.ts';
import type { ChartModel, FlagTableModel, SeriesModel, ValueFormat } from './reports/report-model.ts';
import { EChart, palette, type ChartOption } from './echart.tsx';

const axisLabel = { color: '#5c6370', fontSize: 11 };
const splitLine = { lineStyle: { color: '#eef0f3' } };
// Sankey nodes: the waterfall in blue, wins green, detours back to marketing amber, exits red.
const nodeColor = (name: string) => (/won/i.test(name) ? '#12b886' : /nurture/i.test(name) ? '#f59f00' : /disqualified|lost/i.test(name) ? '#e8590c' : palette[0]);
const funnelBlues = ['#364fc7', '#3b5bdb', '#4263eb', '#4c6ef5', '#5c7cfa', '#748ffc', '#91a7ff'];

const monthFmt = new Intl.DateTimeFormat(undefined, { month: 'short', year: 'numeric', timeZone: 'UTC' });
const isMonth = (c: string) => /^\d{4}-\d{2}(-01)?$/.test(c);
/** "2026-03" → "Mar 2026"; "google_ads" → "Google ads"; labels already in words (stages, names) stay as they are. */
export function categoryLabel(c: string): string {
  if (isMonth(c)) return monthFmt.format(new Date(`${c.slice(0, 7)}-01T00:00:00Z`));
  if (c === '' || c === 'null') return '(none)';
  return /^[a-z0-9]+(_[a-z0-9]+)+$/.test(c) ? humanLabel(c) : c;
}

/** A value as people read it, by the model's format (percentages arrive already ×100). */
export function formatValue(v: number | null | undefined, format: ValueFormat | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  switch (format) {
    case 'money': return formatMoney(v);
    case 'ratio_money': return formatUnitMoney(v);
    case 'percent': return formatPercent(v / 100);
    case 'days': return `${formatNumber(Math.round(v * 10) / 10)} d`;
    default: return formatNumber(Math.round(v * 100) / 100);
  }
}
/** Short axis ticks: $1.2M, 45%, 3.5k. */
function axisValue(v: number, format: ValueFormat | undefined): string {
  if (format === 'percent') return `${v}%`;
  const compact = new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 1 });
  if (format === 'money') return new Intl.NumberFormat(undefined, { notation: 'compact', style: 'currency', currency: 'USD', maximumFractionDigits: 1 }).format(v);
  if (format === 'ratio_money') return formatUnitMoney(v);
  return compact.format(v);
}

const formatOf = (model: SeriesModel): ValueFormat | undefined => model.format ?? (model.unit === '%' ? 'percent' : model.unit === 'days' ? 'days' : undefined);

/**
 * Bars and lines that name every category they show: months and short lists stand upright (months
 * rotated when many); long lists of names (sources, campaigns, content) turn into horizontal bars,
 * where every name has a row of its own, cut with … only past 26 characters (the tooltip has it whole).
 */
export function horizontal(model: SeriesModel): boolean {
  return model.kind === 'bar' && !model.categories.every(isMonth) && model.categories.length > 6;
}

function seriesOption(model: SeriesModel): ChartOption {
  const format = formatOf(model);
  const labels = model.categories.map(categoryLabel);
  const flip = horizontal(model);
  const many = model.categories.length > 8;
  const tooltip = {
    trigger: 'axis',
    formatter: (params: { axisValueLabel: string; marker: string; seriesName: string; value: number | null }[]) => {
      const head = escapeHtml(params[0]?.axisValueLabel ?? '');
      return [head, ...params.map((p) => `${p.marker}${escapeHtml(p.seriesName)}: <b>${escapeHtml(formatValue(p.value, format))}</b>`)].join('<br/>');
    },
  };
  const categoryAxis = {
    type: 'category', data: labels, axisLine: { lineStyle: { color: '#d0d4da' } },
    axisLabel: flip
      ? { ...axisLabel, interval: 0, width: 170, overflow: 'truncate' }
      : { ...axisLabel, interval: 0, rotate: many ? 40 : 0, ...(many ? {} : { width: 90, overflow: 'break' }) },
    ...(flip ? { inverse: true } : {}),
  };
  const valueAxis = { type: 'value', axisLabel: { ...axisLabel, formatter: (v: number) => axisValue(v, format) }, splitLine };
  return {
    tooltip,
    legend: { top: 0, textStyle: { color: '#5c6370' } },
    grid: { left: 8, right: 24, top: 36, bottom: 8, containLabel: true },
    xAxis: flip ? valueAxis : categoryAxis,
    yAxis: flip ? categoryAxis : valueAxis,
    series: model.series.map((s) => ({
      name: s.name, type: model.kind, data: s.values, smooth: 0.2, symbolSize: 6, barMaxWidth: flip ? 16 : 28,
      ...(model.stacked ? { stack: 'total' } : {}),
      ...(model.kind === 'line' ? { areaStyle: { opacity: 0.06 } } : { itemStyle: { borderRadius: flip ? [0, 3, 3, 0] : [3, 3, 0, 0] } }),
    })),
  };
}

/** Horizontal bars need a row per category: the chart grows with them instead of squeezing labels. */
export function heightFor(model: ChartModel, requested: number | undefined): number | undefined {
  if ((model.kind !== 'bar') || !horizontal(model)) return requested;
  const perRow = model.series.length > 2 ? 34 : 24;
  return Math.max(requested ?? 280, 70 + model.categories.length * perRow);
}

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
      return seriesOption(model);
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

const columnLabels: Record<string, string> = {
  group: 'Segment', leads: 'Leads', mqls: 'MQLs', sals: 'SALs', won: 'Won', mql_pct: 'MQL rate', win_pct: 'Win rate',
  revenue: 'Revenue', cost_per_lead: 'Cost per lead', cost_per_won_deal: 'Cost per won deal',
};
/** A table cell as people read it: money with its currency, rates as percentages, counts grouped. */
function cellText(column: string, v: unknown): string {
  if (v === null || v === undefined) return '—';
  if (typeof v !== 'number') return column === 'group' ? categoryLabel(String(v)) : String(v);
  if (column.endsWith('_pct')) return formatPercent(v / 100);
  if (column === 'revenue') return formatMoney(v);
  if (column.startsWith('cost_per')) return formatUnitMoney(v);
  return formatNumber(v);
}

export function FlagTable({ model }: { model: FlagTableModel }) {
  const { table, flags } = model;
  const shown = table.columns.map((c, j) => [c, j] as const).filter(([c]) => c !== 'flag');
  return (
    <div className="table-scroll">
      <table className="table compact">
        <thead><tr>{shown.map(([c]) => <th key={c} scope="col" className={c === 'group' ? undefined : 'num'}>{columnLabels[c] ?? humanLabel(c.replace(/_pct$/, ' %'))}</th>)}<th scope="col">Flag</th></tr></thead>
        <tbody>
          {table.rows.map((row, i) => (
            <tr key={i} className={flags[i] ? 'flagged' : undefined}>
              {shown.map(([c, j]) => <td key={c} className={c === 'group' ? undefined : 'num'}>{cellText(c, row[j])}</td>)}
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
  return <EChart option={option!} label={label} height={heightFor(model, height)} />;
}
