import { useMemo } from 'react';
import { categoryLabel } from '../dashboard/chart-view.tsx';
import { EChart, type ChartOption } from '../dashboard/echart.tsx';
import { formatDate, formatDateTime, formatMoney, formatNumber, reportCurrency } from '../../ui/format.ts';
import type { BacktestResult } from './definitions-api.ts';

const money = (n: number | undefined) => (n === undefined ? '—' : formatMoney(n, reportCurrency));

/** Every month of the window ("2026-01"), so empty months still show as zero bars. */
function windowMonths(from: string | null, to: string | null): string[] {
  if (!from || !to) return [];
  const out: string[] = [];
  const d = new Date(from);
  d.setUTCDate(1);
  const end = new Date(to);
  while (d <= end && out.length < 60) {
    out.push(d.toISOString().slice(0, 7));
    d.setUTCMonth(d.getUTCMonth() + 1);
  }
  return out;
}

/** Proposal vs active over the same history: MQLs per month as bars, then the numbers that decide. */
export function BacktestPanel({ result }: { result: BacktestResult }) {
  const { proposal, active } = result;
  const option = useMemo<ChartOption>(() => {
    const months = [...new Set([...windowMonths(result.from, result.to), ...proposal.mqlsPerMonth.map((m) => m.month), ...(active?.mqlsPerMonth ?? []).map((m) => m.month)])].sort();
    const series = (r: BacktestResult['proposal'] | null) => months.map((m) => r?.mqlsPerMonth.find((x) => x.month === m)?.count ?? 0);
    return {
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
      // Every month named ("Mar 2026"), slanted when a year of them would collide.
      xAxis: { type: 'category', data: months.map(categoryLabel), axisLabel: { color: '#5c6370', fontSize: 11, interval: 0, rotate: months.length > 8 ? 40 : 0 } },
      yAxis: { type: 'value', minInterval: 1, splitLine: { lineStyle: { color: '#eef0f3' } } },
      series: [
        { name: `Proposal (v${proposal.version ?? '?'})`, type: 'bar', data: series(proposal) },
        ...(active ? [{ name: `Active (v${active.version})`, type: 'bar', data: series(active), itemStyle: { color: '#adb5bd' } }] : []),
      ],
    };
  }, [proposal, active, result.from, result.to]);
  const rows: [string, (r: BacktestResult['proposal']) => string][] = [
    // Backtests stored before the inquiry rule have no inquiry count.
    ['Inquiries', (r) => (r.inquiries === undefined ? '—' : formatNumber(r.inquiries))],
    ['Inquiry → MQL', (r) => (r.inquiriesToMql === undefined ? '—' : formatNumber(r.inquiriesToMql))],
    ['MQLs', (r) => formatNumber(r.mqls)],
    ...(proposal.viaPredicted || active?.viaPredicted ? [['… of which by a predicted probability', (r: BacktestResult['proposal']) => formatNumber(r.viaPredicted ?? 0)] as [string, (r: BacktestResult['proposal']) => string]] : []),
    ['Reached SAL', (r) => formatNumber(r.reached.sal)],
    ['Reached won', (r) => formatNumber(r.reached.won)],
    ['Revenue covered', (r) => money(r.revenueCovered)],
    ['Missed wins', (r) => `${formatNumber(r.missedWon.count)} (${money(r.missedWon.revenue)})`],
    ['MQLs per rep per week', (r) => r.perRepPerWeek.average.toFixed(1)],
  ];
  return (
    <section className="backtest" aria-label="Backtest result">
      <p className="small muted">Replayed {result.from ? formatDate(result.from) : 'all history'} – {result.to ? formatDate(result.to) : 'now'}; ran {formatDateTime(result.ranAt)}.</p>
      {result.notes?.length ? <ul className="small backtest-notes" aria-label="How this backtest got its facts">{result.notes.map((n) => <li key={n}>{n}</li>)}</ul> : null}
      {proposal.mqls === 0 && !active?.mqls ? <p className="small muted">Neither version makes an MQL in this window.</p> : null}
      <EChart option={option} height={240} label="MQLs per month: proposal vs active" />
      <BacktestVsDashboard result={result} />
      <table className="table compact">
        <thead><tr><th scope="col">Measure</th><th scope="col">Proposal</th><th scope="col">Active</th></tr></thead>
        <tbody>
          {rows.map(([label, value]) => (
            <tr key={label}><th scope="row">{label}</th><td>{value(proposal)}</td><td>{active ? value(active) : '—'}</td></tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/**
 * The dashboard and the backtest answer different questions, so their MQL counts differ (545 against
 * 274 for one year in the demo): said here, with this run's own numbers, before anyone reconciles by hand.
 */
function BacktestVsDashboard({ result }: { result: BacktestResult }) {
  const { proposal } = result;
  const window = `${result.from ? formatDate(result.from) : 'the first activity'} – ${result.to ? formatDate(result.to) : 'now'}`;
  return (
    <details className="explain small">
      <summary>Why these counts differ from the dashboard</summary>
      <ul>
        <li><strong>Window.</strong> This replay counts {window}. The dashboard counts the period chosen in its filter.</li>
        <li><strong>People, once.</strong> The backtest counts each person&apos;s <em>first</em> MQL under this version: {formatNumber(proposal.mqls)} people.
          {proposal.mqlsBeforeWindow ? ` ${formatNumber(proposal.mqlsBeforeWindow)} more would already have been MQLs before the window and are not counted again.` : ''}
          {' '}The dashboard counts leads, so a person recycled to nurture who qualifies again counts twice there (see “recycled” in its funnel).</li>
        <li><strong>Cohort, not events.</strong> The dashboard&apos;s funnel follows the leads <em>opened</em> in its period and counts those that reached MQL (by any version, or by sales and imports moving them); the backtest dates each MQL at the activity that would have qualified the person.</li>
        <li><strong>Today&apos;s facts.</strong> Fit is judged on people&apos;s and companies&apos; current fields, and only activity history is replayed: leads created by hand, imports or CRM sync without a qualifying activity are not MQLs here.</li>
      </ul>
    </details>
  );
}
