import { useCallback, useId, useMemo, useState, type ReactNode } from 'react';
import { NavLink, useSearchParams } from 'react-router-dom';
import { toCsv, type ListEntity } from '../../../../src/core/lists.rules.ts';
import { useUsers } from '../../api/queries.ts';
import type { Me, User } from '../../api/types.ts';
import { EmptyState, ErrorNote, Loading } from '../../ui/states.tsx';
import { Modal } from '../../ui/modal.tsx';
import { FilterBar } from './filter-bar.tsx';
import { fetchAllRows, useDeleteView, useListPages, useSavedViews, useSaveView, type RowOf } from './list-api.ts';
import type { BulkOutcome } from './bulk-run.ts';
import type { Progress } from './bulk-actions.tsx';
import './lists.css';

type Ctx = { userName: (id: string | null) => string };
/** A column of the table and of the CSV export (`csvOnly`: in the export, not on screen). */
export type Column<T> = { header: string; cell: (row: T, ctx: Ctx) => ReactNode; csv: (row: T, ctx: Ctx) => unknown; className?: string; csvOnly?: boolean };

const tabs: { to: string; label: string }[] = [
  { to: '/people', label: 'People' }, { to: '/leads', label: 'Leads' }, { to: '/accounts', label: 'Accounts' }, { to: '/opportunities', label: 'Opportunities' },
];

type BulkSlot<T> = (args: { selected: T[]; users: User[]; onProgress: (p: Progress) => void; onDone: (o: BulkOutcome & { verb: string }) => void }) => ReactNode;

/**
 * One list screen: tabs across the four lists, search and filters in the URL, saved views, keyset
 * pages ("Show more"), row selection with bulk actions and CSV export, and progress while they run.
 */
export function ListScreen<E extends ListEntity>({ entity, title, intro, columns, me, bulk, emptyHint }: {
  entity: E; title: string; intro: string; columns: Column<RowOf<E>>[]; me: Me; bulk?: BulkSlot<RowOf<E>>; emptyHint: ReactNode;
}) {
  const [params, setParams] = useSearchParams();
  const apiParams = useMemo(() => { const p = new URLSearchParams(params); p.delete('view'); return p; }, [params]);
  const pages = useListPages(entity, apiParams);
  const users = useUsers();
  const [selected, setSelected] = useState<Map<string, RowOf<E>>>(new Map());
  const [progress, setProgress] = useState<Progress>(null);
  const [notice, setNotice] = useState<{ text: string; bad: boolean; details?: string[] } | null>(null);
  const rows = useMemo(() => pages.data?.pages.flatMap((p) => p.data) ?? [], [pages.data]);
  const userName = useCallback((id: string | null) => (id ? users.data?.find((u) => u.id === id)?.name ?? 'Former user' : 'Unassigned'), [users.data]);
  const ctx = { userName };
  const shownColumns = columns.filter((c) => !c.csvOnly);

  const onChange = useCallback((key: string, value: string | null) => {
    setParams((prev) => {
      const next = new URLSearchParams(prev);
      if (value === null || value === '') next.delete(key); else next.set(key, value);
      next.delete('view');
      return next;
    }, { replace: true });
    setSelected(new Map());
  }, [setParams]);

  const toggle = (row: RowOf<E>) => setSelected((prev) => {
    const next = new Map(prev);
    if (next.has(row.id)) next.delete(row.id); else next.set(row.id, row);
    return next;
  });
  const allOnScreen = rows.length > 0 && rows.every((r) => selected.has(r.id));
  const toggleAll = () => setSelected(allOnScreen ? new Map() : new Map(rows.map((r) => [r.id, r])));

  const exportCsv = async () => {
    setNotice(null);
    const chosen = [...selected.values()];
    let data: RowOf<E>[] = chosen;
    try {
      if (!chosen.length) {
        setProgress({ label: 'Exporting', finished: 0, total: 0 });
        data = await fetchAllRows(entity, apiParams, (n) => setProgress({ label: 'Exporting', finished: n, total: 0 }));
      }
      const csv = toCsv(columns.map((c) => c.header), data.map((r) => columns.map((c) => c.csv(r, ctx))));
      const url = URL.createObjectURL(new Blob([csv], { type: 'text/csv;charset=utf-8' }));
      const a = document.createElement('a');
      a.href = url;
      a.download = `${entity}-${new Date().toISOString().slice(0, 10)}.csv`;
      a.click();
      URL.revokeObjectURL(url);
      setNotice({ text: `Exported ${data.length} ${entity === 'people' ? (data.length === 1 ? 'person' : 'people') : entity} to CSV.`, bad: false });
    } catch (e) {
      setNotice({ text: `Export failed: ${e instanceof Error ? e.message : String(e)}`, bad: true });
    } finally {
      setProgress(null);
    }
  };

  const onDone = (o: BulkOutcome & { verb: string }) => {
    setSelected(new Map());
    const verb = o.verb.replace(/ing\b/, 'ed').replace('Adding', 'Added').replace('Changing', 'Changed');
    setNotice({
      text: o.failures.length ? `${verb}: ${o.done} of ${o.total} done; ${o.failures.length} not changed.` : `${verb}: all ${o.total} done.`,
      bad: o.failures.length > 0, details: o.failures.slice(0, 10).map((f) => `${f.label}: ${f.message}`),
    });
  };

  const selectedRows = [...selected.values()];
  return (
    <main className="page">
      <nav className="sub-nav" aria-label="Lists">
        {tabs.map((t) => <NavLink key={t.to} to={t.to} className={({ isActive }) => `sub-nav-link${isActive ? ' active' : ''}`}>{t.label}</NavLink>)}
      </nav>
      <header className="page-header">
        <div>
          <h1>{title}</h1>
          <p className="muted">{intro}</p>
        </div>
        <SavedViews entity={entity} me={me} params={params} onApply={(query, id) => { const p = new URLSearchParams(query); p.set('view', id); setParams(p, { replace: true }); setSelected(new Map()); }} />
      </header>
      <FilterBar entity={entity} params={params} users={users.data ?? []} onChange={onChange} onClear={() => { setParams(new URLSearchParams(), { replace: true }); setSelected(new Map()); }} />
      <div className="list-actions" role="toolbar" aria-label="Actions on the list">
        <span className="muted" aria-live="polite">{selected.size ? `${selected.size} selected` : `${rows.length}${pages.hasNextPage ? '+' : ''} shown`}</span>
        {selected.size && bulk ? bulk({ selected: selectedRows, users: users.data ?? [], onProgress: setProgress, onDone }) : null}
        <button type="button" className="button small" onClick={exportCsv} disabled={!!progress}>{selected.size ? `Export ${selected.size} to CSV` : 'Export all to CSV'}</button>
        {selected.size ? <button type="button" className="button ghost small" onClick={() => setSelected(new Map())}>Clear selection</button> : null}
      </div>
      <div className="notice-slot" aria-live="polite">
        {progress ? (
          <div className="bulk-progress" role="status">
            <span>{progress.label}{progress.total ? ` ${progress.finished} of ${progress.total}` : ` — ${progress.finished} rows so far`}…</span>
            {progress.total ? <progress max={progress.total} value={progress.finished} aria-label={`${progress.label} progress`} /> : <progress aria-label={`${progress.label} progress`} />}
          </div>
        ) : notice ? (
          <div className={`notice${notice.bad ? ' bad' : ''}`}>
            {notice.text}
            {notice.details?.length ? <ul className="bulk-failures">{notice.details.map((d) => <li key={d}>{d}</li>)}</ul> : null}
          </div>
        ) : null}
      </div>
      {pages.isPending ? <Loading label={`Loading ${entity}…`} /> : pages.isError ? <ErrorNote error={pages.error} /> : rows.length === 0 ? (
        <EmptyState title={params.toString() ? 'Nothing matches these filters.' : `No ${entity} yet.`}>{params.toString() ? <p>Loosen a filter or clear them all.</p> : emptyHint}</EmptyState>
      ) : (
        <section className="card" aria-label={title}>
          <div className="table-scroll">
            <table className="table list-table">
              <thead>
                <tr>
                  <th scope="col" className="c-check"><input type="checkbox" aria-label="Select all shown" checked={allOnScreen} onChange={toggleAll} /></th>
                  {shownColumns.map((c) => <th key={c.header} scope="col" className={c.className}>{c.header}</th>)}
                </tr>
              </thead>
              <tbody>
                {rows.map((row) => (
                  <tr key={row.id} className={selected.has(row.id) ? 'selected' : undefined}>
                    <td className="c-check"><input type="checkbox" aria-label={`Select ${String(columns[0]!.csv(row, ctx))}`} checked={selected.has(row.id)} onChange={() => toggle(row)} /></td>
                    {shownColumns.map((c) => <td key={c.header} className={c.className}>{c.cell(row, ctx)}</td>)}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {pages.hasNextPage ? (
            <div className="list-more">
              <button type="button" className="button" onClick={() => void pages.fetchNextPage()} disabled={pages.isFetchingNextPage}>{pages.isFetchingNextPage ? 'Loading…' : 'Show 50 more'}</button>
            </div>
          ) : null}
        </section>
      )}
    </main>
  );
}

function SavedViews({ entity, me, params, onApply }: { entity: ListEntity; me: Me; params: URLSearchParams; onApply: (query: string, id: string) => void }) {
  const views = useSavedViews(entity);
  const save = useSaveView(entity);
  const remove = useDeleteView(entity);
  const [open, setOpen] = useState(false);
  const [name, setName] = useState('');
  const [share, setShare] = useState<'team' | 'everyone'>('team');
  const ids = { view: useId(), name: useId() };
  const current = params.get('view') ?? '';
  const currentView = views.data?.find((v) => v.id === current);
  const query = (() => { const p = new URLSearchParams(params); p.delete('view'); return p.toString(); })();
  const mayDelete = currentView && (currentView.created_by === me.user?.id || me.user?.role === 'admin');
  return (
    <div className="toolbar">
      <label className="inline-field" htmlFor={ids.view}>Saved view</label>
      <select id={ids.view} value={current} onChange={(e) => { const v = views.data?.find((x) => x.id === e.target.value); if (v) onApply(v.query, v.id); }}>
        <option value="">{views.data?.length ? 'Choose a view…' : 'No saved views yet'}</option>
        {views.data?.map((v) => <option key={v.id} value={v.id}>{v.name}{v.team ? ` · ${v.team}` : ''}</option>)}
      </select>
      {mayDelete ? <button type="button" className="button ghost small" onClick={() => remove.mutate(currentView.id)}>Delete view</button> : null}
      {me.user ? <button type="button" className="button small" onClick={() => { setOpen(true); save.reset(); }} disabled={!query}>Save view…</button> : null}
      {open ? (
        <Modal title="Save these filters as a view" open onClose={() => setOpen(false)}>
          <form className="stack" onSubmit={(e) => { e.preventDefault(); save.mutate({ name: name.trim(), query, share }, { onSuccess: (v) => { setOpen(false); setName(''); onApply(v.query, v.id); } }); }}>
            <div className="field"><label htmlFor={ids.name}>Name</label><input id={ids.name} required maxLength={80} value={name} onChange={(e) => setName(e.target.value)} /></div>
            <fieldset className="scopes"><legend>Shared with</legend>
              <label className="check"><input type="radio" name="share" checked={share === 'team'} onChange={() => setShare('team')} /> {me.user?.team ? `My team (${me.user.team})` : 'My team (you have none: everyone)'}</label>
              <label className="check"><input type="radio" name="share" checked={share === 'everyone'} onChange={() => setShare('everyone')} /> Everyone in the workspace</label>
            </fieldset>
            {save.isError ? <div className="error-note" role="alert">{save.error.message}</div> : null}
            <div className="modal-footer"><button type="button" className="button" onClick={() => setOpen(false)}>Cancel</button><button type="submit" className="button primary" disabled={save.isPending}>Save view</button></div>
          </form>
        </Modal>
      ) : null}
    </div>
  );
}
