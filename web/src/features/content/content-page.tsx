import { useMemo, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { fetchAll } from '../../api/queries.ts';
import type { ContentAsset, Me } from '../../api/types.ts';
import { Tag } from '../../ui/badges.tsx';
import { formatDate, humanize } from '../../ui/format.ts';
import { EmptyState, ErrorNote, Loading } from '../../ui/states.tsx';

const distinct = (values: string[]) => [...new Set(values.filter(Boolean))].sort();

export function ContentPage(_props: { me: Me }) {
  const content = useQuery({ queryKey: ['content-library'], queryFn: () => fetchAll<ContentAsset>('/api/v1/content', {}, 5000), staleTime: 60_000 });
  const [stage, setStage] = useState('');
  const [persona, setPersona] = useState('');
  const [topic, setTopic] = useState('');
  const [text, setText] = useState('');
  const all = useMemo(() => content.data ?? [], [content.data]);
  const options = useMemo(() => ({
    stages: distinct(all.map((c) => c.buying_stage ?? '')), personas: distinct(all.flatMap((c) => c.personas)), topics: distinct(all.flatMap((c) => c.topics)),
  }), [all]);
  const q = text.trim().toLowerCase();
  const shown = all.filter((c) => (!stage || c.buying_stage === stage) && (!persona || c.personas.includes(persona))
    && (!topic || c.topics.includes(topic)) && (!q || c.title.toLowerCase().includes(q)));

  const select = (label: string, value: string, set: (v: string) => void, list: string[]) => (
    <label className="inline-field">{label}
      <select value={value} onChange={(e) => set(e.target.value)}>
        <option value="">All</option>
        {list.map((v) => <option key={v} value={v}>{humanize(v)}</option>)}
      </select>
    </label>
  );

  return (
    <main className="page">
      <header className="page-header">
        <div>
          <h1>Content library</h1>
          <p className="muted">Every asset, tagged by buying stage, persona and topic.</p>
        </div>
        <div className="toolbar" role="group" aria-label="Content filters">
          <label className="inline-field">Search<input type="search" value={text} onChange={(e) => setText(e.target.value)} placeholder="Title…" /></label>
          {select('Stage', stage, setStage, options.stages)}
          {select('Persona', persona, setPersona, options.personas)}
          {select('Topic', topic, setTopic, options.topics)}
        </div>
      </header>
      {content.isPending ? <Loading /> : content.isError ? <ErrorNote error={content.error} /> : shown.length === 0 ? (
        <EmptyState title={all.length ? 'No asset matches these filters.' : 'No content yet.'}>{all.length ? null : 'Add assets through the API (POST /api/v1/content).'}</EmptyState>
      ) : (
        <section className="card" aria-label="Assets">
          <table className="table">
            <thead><tr><th scope="col">Asset</th><th scope="col">Format</th><th scope="col">Buying stage</th><th scope="col">Personas</th><th scope="col">Topics</th><th scope="col">Published</th></tr></thead>
            <tbody>
              {shown.map((c) => (
                <tr key={c.id}>
                  <td>
                    <span className="row-title">{c.title}</span>{c.gated ? <> <Tag tone="amber">gated</Tag></> : null}
                    {c.url ? <div className="row-sub url">{c.url}</div> : null}
                  </td>
                  <td>{humanize(c.format)}</td>
                  <td>{c.buying_stage ? <Tag tone="blue">{humanize(c.buying_stage)}</Tag> : <span className="muted">—</span>}</td>
                  <td><div className="tags">{c.personas.map((p) => <Tag key={p} tone="green">{p}</Tag>)}</div></td>
                  <td><div className="tags">{c.topics.map((t) => <Tag key={t}>{t}</Tag>)}</div></td>
                  <td>{formatDate(c.published_on)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
    </main>
  );
}
