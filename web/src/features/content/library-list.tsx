import { useMemo, useState } from 'react';
import { Link } from 'react-router-dom';
import type { ContentAsset } from '../../api/types.ts';
import { Tag } from '../../ui/badges.tsx';
import { formatDate, formatNumber, humanize } from '../../ui/format.ts';
import { EmptyState, ErrorNote, Loading } from '../../ui/states.tsx';
import { useLibrary } from './content-api.ts';
import { Stars } from './content-ui.tsx';

const distinct = (values: string[]) => [...new Set(values.filter(Boolean))].sort();

type Sort = 'title' | 'rating' | 'usage' | 'published';
const sorters: Record<Sort, (a: ContentAsset, b: ContentAsset) => number> = {
  title: (a, b) => a.title.localeCompare(b.title),
  // Unrated assets sink to the bottom; ties go to the one with more ratings.
  rating: (a, b) => (b.usage?.rating_average ?? -1) - (a.usage?.rating_average ?? -1) || (b.usage?.rating_count ?? 0) - (a.usage?.rating_count ?? 0),
  usage: (a, b) => (b.usage?.consumptions ?? 0) - (a.usage?.consumptions ?? 0),
  published: (a, b) => (b.published_on ?? '').localeCompare(a.published_on ?? ''),
};

export function LibraryList() {
  const content = useLibrary();
  const [stage, setStage] = useState('');
  const [persona, setPersona] = useState('');
  const [topic, setTopic] = useState('');
  const [text, setText] = useState('');
  const [sort, setSort] = useState<Sort>('title');
  const all = useMemo(() => content.data ?? [], [content.data]);
  const options = useMemo(() => ({
    stages: distinct(all.map((c) => c.buying_stage ?? '')), personas: distinct(all.flatMap((c) => c.personas)), topics: distinct(all.flatMap((c) => c.topics)),
  }), [all]);
  const q = text.trim().toLowerCase();
  const shown = all.filter((c) => (!stage || c.buying_stage === stage) && (!persona || c.personas.includes(persona))
    && (!topic || c.topics.includes(topic)) && (!q || c.title.toLowerCase().includes(q))).sort(sorters[sort]);

  const select = (label: string, value: string, set: (v: string) => void, list: string[]) => (
    <label className="inline-field">{label}
      <select value={value} onChange={(e) => set(e.target.value)}>
        <option value="">All</option>
        {list.map((v) => <option key={v} value={v}>{humanize(v)}</option>)}
      </select>
    </label>
  );

  return (
    <>
      <header className="page-header">
        <div>
          <h1>Content library</h1>
          <p className="muted">Every asset, tagged by buying stage, persona and topic, with what prospects and sales think of it.</p>
        </div>
        <div className="toolbar" role="group" aria-label="Content filters">
          <label className="inline-field">Search<input type="search" value={text} onChange={(e) => setText(e.target.value)} placeholder="Title…" /></label>
          {select('Stage', stage, setStage, options.stages)}
          {select('Persona', persona, setPersona, options.personas)}
          {select('Topic', topic, setTopic, options.topics)}
          <label className="inline-field">Sort
            <select value={sort} onChange={(e) => setSort(e.target.value as Sort)}>
              <option value="title">Title</option><option value="rating">Rating</option><option value="usage">Usage</option><option value="published">Newest</option>
            </select>
          </label>
        </div>
      </header>
      {content.isPending ? <Loading /> : content.isError ? <ErrorNote error={content.error} /> : shown.length === 0 ? (
        <EmptyState title={all.length ? 'No asset matches these filters.' : 'No content yet.'}>{all.length ? null : 'Add assets through the API (POST /api/v1/content).'}</EmptyState>
      ) : (
        <section className="card" aria-label="Assets">
          <div className="table-scroll">
            <table className="table content-table">
              <thead>
                <tr>
                  <th scope="col">Asset</th><th scope="col">Format</th><th scope="col">Buying stage</th><th scope="col">Personas</th><th scope="col">Topics</th>
                  <th scope="col">Rating</th><th scope="col" className="num">Usage</th><th scope="col">Published</th>
                </tr>
              </thead>
              <tbody>
                {shown.map((c) => (
                  <tr key={c.id}>
                    <td>
                      <Link className="row-title" to={`/content/${c.id}`}>{c.title}</Link>{c.gated ? <> <Tag tone="amber">gated</Tag></> : null}
                      {c.url ? <div className="row-sub url">{c.url}</div> : null}
                    </td>
                    <td>{humanize(c.format)}</td>
                    <td>{c.buying_stage ? <Tag tone="blue">{humanize(c.buying_stage)}</Tag> : <span className="muted">—</span>}</td>
                    <td><div className="tags">{c.personas.map((p) => <Tag key={p} tone="green">{p}</Tag>)}</div></td>
                    <td><div className="tags">{c.topics.map((t) => <Tag key={t}>{t}</Tag>)}</div></td>
                    <td className="nowrap">
                      {c.usage?.rating_average != null ? (
                        <><Stars value={c.usage.rating_average} /> <span className="rating-avg">{c.usage.rating_average.toFixed(1)}</span>
                          <div className="row-sub">{c.usage.rating_count} {c.usage.rating_count === 1 ? 'rating' : 'ratings'}</div></>
                      ) : <span className="muted">No ratings</span>}
                    </td>
                    <td className="num">
                      {formatNumber(c.usage?.consumptions ?? 0)}
                      <div className="row-sub">{formatNumber(c.usage?.consumers ?? 0)} people</div>
                    </td>
                    <td className="nowrap">{formatDate(c.published_on)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <p className="hint">Usage counts views, downloads and email clicks; ratings come from prospects (tracking snippet) and sales (asset page).</p>
        </section>
      )}
    </>
  );
}
