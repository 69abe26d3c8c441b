import type { ReactNode } from 'react';
import { EmptyState, ErrorNote, Loading } from '../../ui/states.tsx';
import { ChartView } from './chart-view.tsx';
import { downloadCsv } from './csv.ts';
import type { ReportState } from './use-report.ts';

/** What to do when a chart has nothing to draw: the usual causes, in the order people hit them. */
const defaultEmpty = 'No leads entered between these dates. Widen the From and To dates above; if the workspace is new, import leads (CSV) or have an admin add the tracking snippet (Settings → API keys) so leads start arriving.';

/** A dashboard tile: title, the chart or an honest empty state, and an Export CSV of the rows behind it. */
export function ChartCard({ title, subtitle, note, state, csvName, height, extra, className }: {
  title: string; subtitle?: string; note?: string; state: ReportState; csvName: string; height?: number; extra?: ReactNode; className?: string;
}) {
  const view = state.status === 'ready' ? state.view : null;
  return (
    <section className={`card chart-card ${className ?? ''}`} aria-label={title}>
      <header className="card-header">
        <div>
          <h2 className="card-title">{title}</h2>
          {subtitle ? <p className="card-subtitle">{subtitle}</p> : null}
        </div>
        <div className="card-actions">
          {extra}
          <button type="button" className="button small ghost" disabled={!view} aria-label={`Export CSV: ${title}`}
            onClick={() => view && downloadCsv(`${csvName}.csv`, view.table)}>Export CSV</button>
        </div>
      </header>
      {note ? <p className="card-note">{note}</p> : null}
      {state.status === 'loading' ? <Loading /> : null}
      {state.status === 'error' ? <ErrorNote error={state.error} /> : null}
      {state.status === 'empty' ? <EmptyState title="No data for this period.">{state.reason ?? defaultEmpty}</EmptyState> : null}
      {view ? <ChartView model={view.model} label={title} height={height} /> : null}
    </section>
  );
}
