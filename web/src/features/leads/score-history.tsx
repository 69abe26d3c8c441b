import { useMemo } from 'react';
import { useQuery } from '@tanstack/react-query';
import type { z } from 'zod';
import type { scoreEventDto } from '../../../../src/server/contract/scoring.contract.ts';
import { get, qs } from '../../api/client.ts';
import type { Page } from '../../api/types.ts';
import { escapeHtml, formatDateTime, humanize } from '../../ui/format.ts';
import { EmptyState, ErrorNote, Loading } from '../../ui/states.tsx';
import { EChart, palette, type ChartOption } from '../dashboard/echart.tsx';
import { useDefinitions } from '../definitions/definitions-api.ts';
import { ratingChanges, summarizeScores, type ScoreMarker, type ScorePoint } from './score-summary.ts';

type ScoreEvent = z.infer<typeof scoreEventDto>;

/** Score history of a contact, oldest first (the API pages newest first; 500 changes cover any real lead). */
export function useScoreHistory(contactId: string | null | undefined) {
  return useQuery({
    queryKey: ['contact', contactId ?? '', 'score-history'], enabled: !!contactId,
    queryFn: async () => [...(await get<Page<ScoreEvent>>(`/api/v1/contacts/${contactId}/score-history${qs({ limit: 500 })}`)).data].reverse() as ScorePoint[],
  });
}

const HOUR = 3_600_000;

function chartOption(points: ScorePoint[], markers: ScoreMarker[], versionOf: (id: string) => string): ChartOption {
  const changes = new Set(ratingChanges(points));
  const times = [...points.map((p) => new Date(p.at).getTime()), ...markers.map((m) => new Date(m.at).getTime())];
  let min = Math.min(...times);
  let max = Math.max(...times);
  // One point (or all at once): give the axis some room; otherwise 4 % either side keeps the first pin and the MQL line off the edges.
  if (max - min < HOUR) { min -= 12 * HOUR; max += 12 * HOUR; } else { const pad = (max - min) * 0.04; min -= pad; max += pad; }
  const few = points.length <= 20;
  const series = (name: string, value: (p: ScorePoint) => number, extra: Record<string, unknown> = {}) => ({
    name, type: 'line', step: 'end', showSymbol: few, symbolSize: 6, data: points.map((p) => [p.at, value(p)]), ...extra,
  });
  return {
    grid: { left: 44, right: 20, top: 44, bottom: 28 },
    legend: { top: 0, right: 0, data: ['Fit', 'Engagement', 'Total'], selected: { Total: false } },
    xAxis: { type: 'time', min, max, axisLabel: { formatter: { day: '{d} {MMM}', hour: '{HH}:{mm}', month: '{MMM} {yyyy}', year: '{yyyy}' }, hideOverlap: true } },
    yAxis: { type: 'value', name: 'points', minInterval: 1, nameTextStyle: { align: 'right' } },
    tooltip: {
      trigger: 'axis', confine: true, extraCssText: 'max-width: 380px; white-space: normal;',
      // Every text below is escaped: the chart tooltip is HTML, and rule labels are workspace-authored text.
      formatter: (params: unknown) => {
        const first = (Array.isArray(params) ? params[0] : params) as { dataIndex: number } | undefined;
        const p = first ? points[first.dataIndex] : undefined;
        if (!p) return '';
        const before = first!.dataIndex > 0 ? points[first!.dataIndex - 1] : undefined;
        const lines = [
          `<strong>${escapeHtml(formatDateTime(p.at))}</strong> · definition ${escapeHtml(versionOf(p.definition_id))}`,
          `${escapeHtml(humanize(p.cause))}${p.delta ? ` (${p.delta > 0 ? '+' : ''}${p.delta} engagement)` : ''}`,
          `Fit ${p.fit} · engagement ${p.engagement} · rating ${escapeHtml(p.cell)} (${escapeHtml(p.rating)})`,
          before && before.cell !== p.cell ? `Rating changed ${escapeHtml(before.cell)} → ${escapeHtml(p.cell)}` : '',
          before && before.definition_id !== p.definition_id ? `Definition changed ${escapeHtml(versionOf(before.definition_id))} → ${escapeHtml(versionOf(p.definition_id))}` : '',
          p.explanation ? `<span style="color:#5c6370">${escapeHtml(p.explanation)}</span>` : '',
        ];
        return lines.filter(Boolean).join('<br>');
      },
    },
    series: [
      series('Fit', (p) => p.fit, { color: palette[0] }),
      series('Engagement', (p) => p.engagement, {
        color: palette[1],
        markPoint: {
          symbol: 'pin', symbolSize: 30, itemStyle: { color: palette[3] }, label: { fontSize: 10, color: '#fff' },
          data: points.flatMap((p, i) => (changes.has(i) ? [{ coord: [p.at, p.engagement], value: p.cell, name: `Rating ${p.cell}` }] : [])),
        },
        markLine: {
          symbol: 'none', silent: true, lineStyle: { type: 'dashed', color: palette[4] }, label: { formatter: '{b}', position: 'end', color: palette[4] },
          data: markers.map((m) => ({ xAxis: m.at, name: m.label })),
        },
      }),
      series('Total', (p) => p.fit + p.engagement, { color: palette[6], lineStyle: { type: 'dashed' } }),
    ],
  };
}

/**
 * Fit and engagement over time (step lines: a score holds until the next change), pins where the
 * rating cell changed, dashed lines where the lead became MQL; the tooltip names the definition
 * version and what changed. A sentence and a table say the same for those who do not read charts.
 */
const noMarkers: ScoreMarker[] = [];

export function ScoreHistory({ contactId, markers = noMarkers }: { contactId: string | null | undefined; markers?: ScoreMarker[] }) {
  const history = useScoreHistory(contactId);
  const definitions = useDefinitions();
  const points = useMemo(() => history.data ?? [], [history.data]);
  const versionOf = useMemo(() => {
    const versions = new Map((definitions.data ?? []).map((d) => [d.id, `v${d.version}`]));
    return (id: string) => versions.get(id) ?? id.slice(0, 8);
  }, [definitions.data]);
  const option = useMemo(() => chartOption(points, markers, versionOf), [points, markers, versionOf]);
  if (!contactId || history.isPending) return <Loading label="Loading score history…" />;
  if (history.isError) return <ErrorNote error={history.error} />;
  if (!points.length) return <EmptyState title="No score changes recorded yet." >Scores appear here once a lead definition scores this person.</EmptyState>;
  const summary = summarizeScores(points, markers);
  return (
    <div className="score-history">
      <p className="score-summary">{summary}</p>
      <EChart option={option} height={240} label={`Score over time. ${summary}`} />
      <details className="score-table">
        <summary>Score changes as a table ({points.length})</summary>
        <div className="table-scroll">
          <table className="table compact">
            <thead>
              <tr><th scope="col">When</th><th scope="col" className="num">Fit</th><th scope="col" className="num">Engagement</th><th scope="col">Rating</th><th scope="col">Definition</th><th scope="col">What changed</th></tr>
            </thead>
            <tbody>
              {[...points].reverse().map((p) => (
                <tr key={p.id}>
                  <td>{formatDateTime(p.at)}</td><td className="num">{p.fit}</td><td className="num">{p.engagement}</td><td>{p.cell}</td>
                  <td>{versionOf(p.definition_id)}</td><td>{humanize(p.cause)}{p.delta ? ` (${p.delta > 0 ? '+' : ''}${p.delta})` : ''}: {p.explanation}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </div>
  );
}
