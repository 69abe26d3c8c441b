import { useQuery } from '@tanstack/react-query';
import { getOptional } from '../../api/queries.ts';
import { rowsOf } from '../dashboard/reports/report-model.ts';
import { humanize } from '../../ui/format.ts';
import { EmptyState, ErrorNote, Loading } from '../../ui/states.tsx';

/** The definition workspace grows with the definitions API; today it lists versions when the endpoint exists. */
export function DefinitionsPage() {
  const defs = useQuery({ queryKey: ['definitions'], queryFn: () => getOptional<unknown>('/api/v1/definitions') });
  const rows = defs.data ? rowsOf(defs.data) ?? [] : [];
  return (
    <main className="page">
      <header className="page-header">
        <div>
          <h1>Lead definitions</h1>
          <p className="muted">The agreement between marketing and sales on what a sales-ready lead is: versioned, signed by both, backtested.</p>
        </div>
      </header>
      {defs.isPending ? <Loading /> : defs.isError ? <ErrorNote error={defs.error} /> : defs.data === null ? (
        <EmptyState title="The definitions service is not available yet.">Drafting, backtests and sign-off appear here once the definitions API is part of this server.</EmptyState>
      ) : rows.length === 0 ? <EmptyState title="No definition yet." /> : (
        <section className="card" aria-label="Versions">
          <table className="table">
            <thead><tr><th scope="col">Version</th><th scope="col">Name</th><th scope="col">Status</th><th scope="col">Updated</th></tr></thead>
            <tbody>
              {rows.map((r, i) => (
                <tr key={String(r.id ?? i)}>
                  <td>{String(r.version ?? '—')}</td><td>{String(r.name ?? r.title ?? '—')}</td>
                  <td>{typeof r.status === 'string' ? humanize(r.status) : '—'}</td><td>{String(r.updated_at ?? r.created_at ?? '—')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
    </main>
  );
}
