import { useMemo, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { qs } from '../../api/client.ts';
import { formatNumber } from '../../ui/format.ts';
import { ChartCard } from './chart-card.tsx';
import { dashboardLeadsQuery } from './dashboard-data.ts';
import { adaptAttribution } from './reports/attribution.adapter.ts';
import { adaptCpod } from './reports/cpod.adapter.ts';
import { adaptFunnel, adaptFunnelFlows } from './reports/funnel.adapter.ts';
import { funnelFromLeads, mqlTrendFromLeads, sankeyFromLeads, sourcesFromLeads, stageBySourceHeatmap } from './reports/leads-fallback.ts';
import type { ReportView } from './reports/report-model.ts';
import { adaptSla } from './reports/sla.adapter.ts';
import { adaptSources } from './reports/sources.adapter.ts';
import { adaptTimeToSalesReady } from './reports/time-to-sales-ready.adapter.ts';
import { reportState, useReportData, type ReportState } from './use-report.ts';

const periods = [
  { value: '90', label: 'Last 90 days' }, { value: '365', label: 'Last 12 months' }, { value: 'all', label: 'All time' },
];
const attributionModels = ['first_touch', 'last_touch', 'lead_creation', 'linear', 'u_shaped', 'w_shaped', 'full_path', 'time_decay', 'markov'];

const ready = (view: ReportView): ReportState => ({ status: 'ready', view });

/** The live report when its endpoint exists, else the snapshot computed from leads (labelled as such). */
function preferReport(report: ReportState, fallback: ReportState | null): { state: ReportState; live: boolean } {
  if (report.status === 'ready' || report.status === 'loading' || !fallback) return { state: report, live: true };
  return { state: fallback, live: false };
}

export function DashboardPage() {
  const [period, setPeriod] = useState('365');
  const [model, setModel] = useState('linear');
  const from = period === 'all' ? undefined : new Date(Date.now() - Number(period) * 86_400_000).toISOString().slice(0, 10);
  const params = qs({ from });

  const leads = useQuery(dashboardLeadsQuery);
  const inPeriod = useMemo(() => (leads.data ?? []).filter((l) => !from || l.opened_at >= from), [leads.data, from]);
  const local = leads.data ? {
    funnel: ready(funnelFromLeads(inPeriod)), sankey: ready(sankeyFromLeads(inPeriod)), trend: ready(mqlTrendFromLeads(inPeriod)),
    sources: sourcesFromLeads(inPeriod), heat: ready(stageBySourceHeatmap(inPeriod)),
  } : null;
  const pending: ReportState = leads.isError ? { status: 'error', error: leads.error } : { status: 'loading' };

  const funnelRaw = useReportData('funnel', params);
  const funnel = preferReport(reportState(funnelRaw, adaptFunnel, 'funnel'), local?.funnel ?? pending);
  const sankey = preferReport(reportState(funnelRaw, adaptFunnelFlows, 'funnel'), local?.sankey ?? pending);
  const sources = preferReport(reportState(useReportData('sources', params), adaptSources, 'sources'), local ? ready(local.sources.table) : pending);
  const ttsr = reportState(useReportData('time-to-sales-ready', params), adaptTimeToSalesReady, 'time-to-sales-ready');
  const attribution = reportState(useReportData('attribution', params), (raw) => adaptAttribution(raw, model), 'attribution');
  const cpod = reportState(useReportData('cpod', params), adaptCpod, 'cpod');
  const sla = reportState(useReportData('sla', params), adaptSla, 'sla');
  const snapshot = 'Computed from current lead stages until the report service is available.';

  const total = inPeriod.length;
  const mqls = inPeriod.filter((l) => l.mql_at).length;
  const sals = inPeriod.filter((l) => ['sal', 'sql', 'opportunity', 'won', 'lost'].includes(l.stage)).length;
  const won = inPeriod.filter((l) => l.stage === 'won').length;

  return (
    <main className="page dashboard">
      <header className="page-header">
        <div>
          <h1>Marketing dashboard</h1>
          <p className="muted">From first touch to revenue: where leads come from, how they move, and what closes.</p>
        </div>
        <div className="toolbar">
          <label className="inline-field">Period
            <select value={period} onChange={(e) => setPeriod(e.target.value)}>
              {periods.map((p) => <option key={p.value} value={p.value}>{p.label}</option>)}
            </select>
          </label>
        </div>
      </header>

      <section className="kpis" aria-label="Key figures">
        <div className="kpi"><span className="kpi-label">Leads</span><span className="kpi-value">{leads.data ? formatNumber(total) : '…'}</span></div>
        <div className="kpi"><span className="kpi-label">Reached MQL</span><span className="kpi-value">{leads.data ? formatNumber(mqls) : '…'}</span><span className="kpi-sub">{total ? `${((mqls / total) * 100).toFixed(1)}% of leads` : '\u00a0'}</span></div>
        <div className="kpi"><span className="kpi-label">Accepted by sales</span><span className="kpi-value">{leads.data ? formatNumber(sals) : '…'}</span><span className="kpi-sub">{mqls ? `${((sals / mqls) * 100).toFixed(1)}% of MQLs` : '\u00a0'}</span></div>
        <div className="kpi"><span className="kpi-label">Won</span><span className="kpi-value">{leads.data ? formatNumber(won) : '…'}</span><span className="kpi-sub">{sals ? `${((won / sals) * 100).toFixed(1)}% of SALs` : '\u00a0'}</span></div>
      </section>

      <div className="dash-grid">
        <ChartCard title="Lead waterfall" subtitle={funnel.live ? 'Cohort funnel' : snapshot} state={funnel.state} csvName="funnel" />
        <ChartCard title="Flow of leads" subtitle={sankey.live ? 'Including recycles and rejections' : 'Including recycles and rejections. ' + snapshot} state={sankey.state} csvName="flow" />
        <ChartCard title="New MQLs per month" subtitle="Net-new vs recycled, by the month they qualified" state={local?.trend ?? pending} csvName="mql-trend" />
        <ChartCard title="Time to sales-ready" subtitle="Median days from first touch to MQL and SAL" state={ttsr} csvName="time-to-sales-ready" />
        <ChartCard title="Source quality" subtitle={sources.live ? 'Flags mark sources significantly below average' : 'Flag: MQL rate below the other sources, one-sided z-test at 95%. ' + snapshot} state={sources.state} csvName="sources" className="wide" />
        <ChartCard title="Leads by source" subtitle="Leads, MQLs and SALs per first-touch source" state={local ? ready(local.sources.bars) : pending} csvName="leads-by-source" className="wide" />
        <ChartCard title="Revenue attribution" subtitle="Credited revenue by channel" state={attribution} csvName={`attribution-${model}`}
          extra={<label className="inline-field small">Model
            <select value={model} onChange={(e) => setModel(e.target.value)}>{attributionModels.map((m) => <option key={m} value={m}>{m.replace(/_/g, ' ')}</option>)}</select>
          </label>} />
        <ChartCard title="Cost per order dollar" subtitle="(Marketing + sales cost) / won revenue" state={cpod} csvName="cpod" />
        <ChartCard title="Follow-up SLA" subtitle="SLA hit rate per rep" state={sla} csvName="sla" />
        <ChartCard title="Stage by source" subtitle="Where each source's leads are now" state={local?.heat ?? pending} csvName="stage-by-source" height={320} />
      </div>
    </main>
  );
}
