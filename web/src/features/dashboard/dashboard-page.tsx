import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { formatNumber, formatPercent } from '../../ui/format.ts';
import { ChartCard } from './chart-card.tsx';
import { NurtureCard } from './nurture-card.tsx';
import { adaptAttribution, adaptContribution, modelLabel } from './reports/attribution.adapter.ts';
import { label, num, type Envelope } from './reports/envelope.ts';
import { adaptConversion, adaptFunnel, adaptFunnelFlows, adaptMqlTrend, adaptVelocity } from './reports/funnel.adapter.ts';
import { adaptCpod, adaptSegmentBars, adaptSla, adaptSources, adaptTimeToSalesReady } from './reports/process.adapter.ts';
import { dashboardQueries, defaultFilters, useReportState, type DashboardFilters } from './use-report.ts';

const segments = [{ value: 'source', label: 'Source' }, { value: 'campaign', label: 'Campaign' }, { value: 'owner', label: 'Owner' }, { value: 'month', label: 'Month entered' }];
const attributionModels = ['first_touch', 'last_touch', 'lead_creation', 'linear', 'u_shaped', 'w_shaped', 'full_path', 'time_decay', 'markov_path', 'markov', 'shapley'];
const dimensions = ['channel', 'campaign', 'content', 'source'];

function Kpi({ name, value, sub }: { name: string; value: string; sub?: string }) {
  return <div className="kpi"><span className="kpi-label">{name}</span><span className="kpi-value">{value}</span><span className="kpi-sub">{sub ?? '\u00a0'}</span></div>;
}

export function DashboardPage() {
  const [filters, setFilters] = useState<DashboardFilters>(() => defaultFilters());
  const [dimension, setDimension] = useState('channel');
  const set = (patch: Partial<DashboardFilters>) => setFilters((f) => ({ ...f, ...patch }));
  const q = dashboardQueries(filters);
  // All six requests start together (and were prefetched by the app shell on a direct load).
  const funnel = useQuery(q.funnel);
  const ttsr = useQuery(q.ttsr);
  const sources = useQuery(q.sources);
  const attribution = useQuery(q.attribution);
  const cpod = useQuery(q.cpod);
  const sla = useQuery(q.sla);
  // Hooks in a fixed order: each chart's state changes only when its own data does.
  const charts = {
    funnel: useReportState(funnel, adaptFunnel),
    funnelFlows: useReportState(funnel, adaptFunnelFlows),
    conversion: useReportState(funnel, adaptConversion),
    velocity: useReportState(funnel, adaptVelocity),
    mqlTrend: useReportState(funnel, adaptMqlTrend),
    timeToSalesReady: useReportState(ttsr, adaptTimeToSalesReady),
    sources: useReportState(sources, adaptSources),
    segmentBars: useReportState(sources, adaptSegmentBars),
    contribution: useReportState(attribution, adaptContribution),
    cpod: useReportState(cpod, adaptCpod, [], 'It needs monthly costs and won deals in the period. Record marketing and sales costs per month (import a CSV with `leadloop costs import costs.csv`, columns period_start, category, amount), then reload.'),
    attribution: useReportState(attribution, (e) => adaptAttribution(e, filters.model, dimension), [filters.model, dimension]),
    sla: useReportState(sla, adaptSla, [], 'No MQLs were handed to sales in this period. Widen the dates, or check Settings → Routing so new MQLs get an owner.'),
  };

  const total = funnel.data?.rows.find((r) => r.group === 'total');
  const share = (a: number, b: number) => (b ? `${formatPercent(a / b)} of ` : undefined);
  const versions = funnel.data?.definition_versions ?? [];
  const segLabel = segments.find((s) => s.value === filters.by)?.label ?? filters.by;
  const notes = (e: Envelope | undefined) => e?.notes.find((n) => /censor/i.test(n));

  return (
    <main className="page dashboard">
      <header className="page-header">
        <div>
          <h1>Marketing dashboard</h1>
          <p className="muted">
            Leads that entered from {filters.from} to {filters.to}
            {versions.length ? ` · definition ${versions.map((v) => `v${v.version} (${v.status})`).join(', ')}` : ''}
          </p>
        </div>
        <form className="toolbar" aria-label="Dashboard filters" onSubmit={(e) => e.preventDefault()}>
          <label className="inline-field">From
            <input type="date" value={filters.from} max={filters.to} onChange={(e) => e.target.value && set({ from: e.target.value })} />
          </label>
          <label className="inline-field">To
            <input type="date" value={filters.to} min={filters.from} onChange={(e) => e.target.value && set({ to: e.target.value })} />
          </label>
          <label className="inline-field">Segment
            <select value={filters.by} onChange={(e) => set({ by: e.target.value })}>
              {segments.map((s) => <option key={s.value} value={s.value}>{s.label}</option>)}
            </select>
          </label>
        </form>
      </header>

      <section className="kpis" aria-label="Key figures">
        <Kpi name="Leads" value={total ? formatNumber(num(total.leads)) : '…'} />
        <Kpi name="Reached MQL" value={total ? formatNumber(num(total.mql)) : '…'} sub={total ? share(num(total.mql), num(total.leads))?.concat('leads') : undefined} />
        <Kpi name="Accepted by sales" value={total ? formatNumber(num(total.sal)) : '…'} sub={total ? share(num(total.sal), num(total.mql))?.concat('MQLs') : undefined} />
        <Kpi name="Won" value={total ? formatNumber(num(total.won)) : '…'} sub={total ? share(num(total.won), num(total.mql))?.concat('MQLs') : undefined} />
      </section>

      <div className="dash-grid">
        <ChartCard title="Lead waterfall" subtitle="How far this period's leads got (cohort funnel)" state={charts.funnel} csvName="funnel" />
        <ChartCard title="Flow of leads" subtitle="Including recycles to nurture and rejections" state={charts.funnelFlows} csvName="flow" />
        <ChartCard title="Stage conversion" subtitle="Share of leads reaching the next stage" state={charts.conversion} csvName="stage-conversion" />
        <ChartCard title="Stage velocity" subtitle="Days spent in each stage (completed stays)" state={charts.velocity} csvName="stage-velocity" />
        <ChartCard title="New MQLs per month" subtitle="Net-new vs recycled, by the month leads entered" state={charts.mqlTrend} csvName="mql-trend" />
        <ChartCard title="Time to sales-ready" subtitle="Days from first touch to MQL and SAL, by month entered" state={charts.timeToSalesReady} csvName="time-to-sales-ready" />
        <ChartCard title="Source quality" className="wide" csvName={`quality-by-${filters.by}`} state={charts.sources}
          subtitle={`By ${segLabel.toLowerCase()}. ⚑ = win rate significantly below the rest of the cohort.`} note={notes(sources.data)} />
        <ChartCard title={`Leads by ${segLabel.toLowerCase()}`} subtitle="Leads, MQLs, SALs and wins per segment (top 20)" state={charts.segmentBars} csvName={`leads-by-${filters.by}`} className="wide" height={300} />
        <ChartCard title="Revenue attribution" subtitle={`Credited revenue by ${dimension}, deals closed in the period`} csvName={`attribution-${filters.model}-${dimension}`}
          state={charts.attribution}
          extra={<>
            <label className="inline-field small">Model
              <select value={filters.model} onChange={(e) => set({ model: e.target.value })}>{attributionModels.map((m) => <option key={m} value={m}>{modelLabel(m)}</option>)}</select>
            </label>
            <label className="inline-field small">By
              <select value={dimension} onChange={(e) => setDimension(e.target.value)}>{dimensions.map((d) => <option key={d} value={d}>{label(d)}</option>)}</select>
            </label>
          </>} />
        <ChartCard title="Marketing contribution vs target" subtitle="Share of closed revenue credited to marketing channels" state={charts.contribution} csvName="contribution" />
        <ChartCard title="Cost per order dollar" subtitle="(Marketing + sales cost) / won revenue, per month" state={charts.cpod} csvName="cpod" />
        <ChartCard title="Follow-up SLA" subtitle="SLA hit rate per rep (hand-offs in the period)" state={charts.sla} csvName="sla" />
        <NurtureCard />
      </div>
    </main>
  );
}
