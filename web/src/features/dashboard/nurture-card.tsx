import { Link } from 'react-router-dom';
import { useNurtureReport } from '../nurture/nurture-api.ts';
import { formatPercent } from '../nurture/nurture-format.ts';
import { EmptyState, ErrorNote, Loading } from '../../ui/states.tsx';

const days = (d: number | null) => (d === null ? '—' : `${Math.round(d)} days`);

/**
 * Nurture on the dashboard: each track's people, emails, opens, clicks and conversion to MQL, and whether
 * nurtured leads get sales-ready sooner than the rest (GET /api/v1/reports/nurture, all time).
 */
export function NurtureCard() {
  const report = useNurtureReport();
  const r = report.data;
  const sum = (steps: { sent: number; opened: number; clicked: number }[], k: 'sent' | 'opened' | 'clicked') => steps.reduce((a, s) => a + s[k], 0);
  return (
    <section className="card chart-card" aria-label="Nurture">
      <header className="card-header">
        <div><h2 className="card-title">Nurture</h2><p className="card-subtitle">Tracks, emails and conversion to MQL (all time)</p></div>
        <div className="card-actions"><Link to="/nurture" className="button small">Open nurture</Link></div>
      </header>
      {report.isPending ? <Loading /> : report.isError ? <ErrorNote error={report.error} /> : !r || r.tracks.length === 0 ? (
        <EmptyState title="No nurture tracks yet.">A track keeps leads that are not ready for sales warm. <Link to="/nurture/new" className="button small">Create a track</Link></EmptyState>
      ) : (
        <>
          <div className="table-scroll">
            <table className="table compact">
              <thead><tr><th scope="col">Track</th><th scope="col" className="num">In track</th><th scope="col" className="num">Emails sent</th><th scope="col" className="num">Opened</th><th scope="col" className="num">Clicked</th><th scope="col" className="num">To MQL</th></tr></thead>
              <tbody>
                {r.tracks.map((t) => {
                  const sent = sum(t.steps, 'sent');
                  return (
                    <tr key={t.track_id}>
                      <td><Link to={`/nurture/${t.track_id}`}>{t.name}</Link></td>
                      <td className="num">{t.active + t.paused}</td>
                      <td className="num">{sent}</td>
                      <td className="num">{formatPercent(sent ? sum(t.steps, 'opened') / sent : null)}</td>
                      <td className="num">{formatPercent(sent ? sum(t.steps, 'clicked') / sent : null)}</td>
                      <td className="num">{t.mql} <span className="muted">({formatPercent(t.mql_conversion)})</span></td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          <p className="small muted nurture-speed">
            Median time to sales-ready: <strong>{days(r.time_to_sales_ready.nurtured_median_days)}</strong> for nurtured leads ({r.time_to_sales_ready.nurtured_leads}),
            {' '}<strong>{days(r.time_to_sales_ready.not_nurtured_median_days)}</strong> for the others ({r.time_to_sales_ready.not_nurtured_leads}).
          </p>
        </>
      )}
    </section>
  );
}
