import { useId, useMemo, useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Link, useParams } from 'react-router-dom';
import { api, isNotFound } from '../../api/client.ts';
import { useContentAsset, useUsers } from '../../api/queries.ts';
import type { Me } from '../../api/types.ts';
import { canWrite } from '../../app/roles.ts';
import { Tag, stageLabel } from '../../ui/badges.tsx';
import { formatDate, formatDateTime, formatMoney, formatNumber, formatPercent, humanize } from '../../ui/format.ts';
import { Card, EmptyState, ErrorNote, Loading } from '../../ui/states.tsx';
import { EChart, type ChartOption } from '../dashboard/echart.tsx';
import { contentKeys, useAssetStats, useRatings, type AssetStats, type ContentRating } from './content-api.ts';
import { ApiErrorNote, safeHref, Stars } from './content-ui.tsx';

const lifecycleOrder = ['inquiry', 'mql', 'sal', 'sql', 'opportunity', 'won', 'lost', 'nurture', 'disqualified', 'unknown'];

function barOption(entries: [string, number][], name: string): ChartOption {
  return {
    grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    xAxis: { type: 'value', minInterval: 1 },
    yAxis: { type: 'category', inverse: true, data: entries.map(([k]) => k), axisTick: { show: false } },
    series: [{ type: 'bar', name, data: entries.map(([, v]) => v), barMaxWidth: 18, label: { show: true, position: 'right' } }],
  };
}

function ConsumptionCharts({ stats }: { stats: AssetStats }) {
  const byStage = useMemo(() => Object.entries(stats.by_lifecycle_stage)
    .sort(([a], [b]) => lifecycleOrder.indexOf(a) - lifecycleOrder.indexOf(b))
    .map(([k, v]): [string, number] => [k === 'unknown' ? 'No lead yet' : stageLabel(k), v]), [stats]);
  const byPersona = useMemo(() => Object.entries(stats.by_persona).sort(([, a], [, b]) => b - a)
    .map(([k, v]): [string, number] => [k === 'unknown' ? 'Unknown' : humanize(k), v]), [stats]);
  const stageOption = useMemo(() => barOption(byStage, 'Consumptions'), [byStage]);
  const personaOption = useMemo(() => barOption(byPersona, 'Consumptions'), [byPersona]);
  if (stats.consumptions === 0) return <EmptyState title="Nobody has viewed, downloaded or clicked this asset yet." />;
  const height = (n: number) => Math.max(120, 36 * n + 24);
  return (
    <div className="content-grid-2">
      <figure className="chart-figure">
        <figcaption className="subhead">By lifecycle stage at the time</figcaption>
        <EChart option={stageOption} height={height(byStage.length)} label={`Consumptions by lifecycle stage: ${byStage.map(([k, v]) => `${k} ${v}`).join(', ')}`} />
      </figure>
      <figure className="chart-figure">
        <figcaption className="subhead">By persona</figcaption>
        {/* All "Unknown" is not a finding: it means no persona is recorded, which the chart would hide behind one full bar. */}
        {byPersona.every(([k]) => k === 'Unknown') ? (
          <EmptyState title="No persona recorded for these people.">
            Personas come from the contact attribute <code>persona</code>: set it in a CSV import column, an identify trait or a form field, and this split fills in.
          </EmptyState>
        ) : <EChart option={personaOption} height={height(byPersona.length)} label={`Consumptions by persona: ${byPersona.map(([k, v]) => `${k} ${v}`).join(', ')}`} />}
      </figure>
    </div>
  );
}

function RatingForm({ assetId }: { assetId: string }) {
  const queryClient = useQueryClient();
  const [rating, setRating] = useState<number | null>(null);
  const [comment, setComment] = useState('');
  const [saved, setSaved] = useState(false);
  const commentId = useId();
  const rate = useMutation({
    mutationFn: () => api<ContentRating>('POST', `/api/v1/content/${assetId}/ratings`, { ...(rating ? { rating } : {}), comment: comment.trim() ? comment : null }),
    onSuccess: async () => {
      setRating(null);
      setComment('');
      setSaved(true);
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: contentKeys.ratings(assetId) }),
        queryClient.invalidateQueries({ queryKey: ['content', assetId, 'stats'] }),
        queryClient.invalidateQueries({ queryKey: contentKeys.library }),
        queryClient.invalidateQueries({ queryKey: ['content-gap-map'] }),
      ]);
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setSaved(false);
    rate.mutate();
  };
  return (
    <form className="rating-form stack" onSubmit={submit} aria-label="Rate this asset">
      <fieldset className="star-input">
        <legend>Your rating</legend>
        <div className="star-options">
          {[1, 2, 3, 4, 5].map((n) => (
            <label key={n} className={`star-option${rating !== null && n <= rating ? ' on' : ''}`}>
              <input type="radio" name="rating" value={n} checked={rating === n} onChange={() => setRating(n)} />
              <span aria-hidden="true">★</span>
              <span className="sr-only">{n === 1 ? '1 star' : `${n} stars`}</span>
            </label>
          ))}
          <span className="muted small" aria-hidden="true">{rating ? `${rating} of 5` : 'Pick 1–5'}</span>
        </div>
      </fieldset>
      <div className="field">
        <label htmlFor={commentId}>Comment</label>
        <textarea id={commentId} rows={3} maxLength={5000} value={comment} onChange={(e) => setComment(e.target.value)}
          placeholder="Used it in a call? Did it help the deal?" />
      </div>
      {rate.isError ? <ApiErrorNote error={rate.error} /> : null}
      {saved ? <p className="notice" role="status">Thanks: your rating is in the list.</p> : null}
      <div><button type="submit" className="button primary" disabled={rate.isPending}>{rate.isPending ? 'Saving…' : 'Submit rating'}</button></div>
    </form>
  );
}

function RatingsList({ assetId, me }: { assetId: string; me: Me }) {
  const ratings = useRatings(assetId);
  const users = useUsers();
  const names = useMemo(() => new Map((users.data ?? []).map((u) => [u.id, u.name || u.email])), [users.data]);
  const distribution = useMemo(() => {
    const counts = [0, 0, 0, 0, 0];
    for (const r of ratings.data?.data ?? []) counts[r.rating - 1] = (counts[r.rating - 1] ?? 0) + 1;
    return counts;
  }, [ratings.data]);
  if (ratings.isPending) return <Loading />;
  if (ratings.isError) return <ErrorNote error={ratings.error} />;
  const { summary, data } = ratings.data;
  const who = (r: ContentRating) => r.source === 'sales'
    ? (r.user_id ? (r.user_id === me.user?.id ? 'You' : names.get(r.user_id) ?? 'A colleague') : 'Sales')
    : r.contact_id ? <Link to={`/contacts/${r.contact_id}`}>Known prospect</Link> : 'Anonymous visitor';
  const most = Math.max(1, ...distribution);
  return (
    <>
      <div className="rating-summary">
        <div>
          <div className="kpi-value">{summary.average !== null ? summary.average.toFixed(1) : '—'}</div>
          {summary.average !== null ? <Stars value={summary.average} /> : null}
          <div className="kpi-sub">{summary.count} {summary.count === 1 ? 'rating' : 'ratings'}</div>
        </div>
        <dl className="rating-sources">
          <div><dt>Sales</dt><dd>{summary.by_source.sales.average?.toFixed(1) ?? '—'} <span className="muted">({summary.by_source.sales.count})</span></dd></div>
          <div><dt>Prospects</dt><dd>{summary.by_source.prospect.average?.toFixed(1) ?? '—'} <span className="muted">({summary.by_source.prospect.count})</span></dd></div>
        </dl>
        <ul className="rating-bars" aria-label="Ratings by stars">
          {[5, 4, 3, 2, 1].map((n) => (
            <li key={n}>
              <span className="rating-bar-label">{n} ★</span>
              <span className="rating-bar" aria-hidden="true"><span style={{ width: `${(distribution[n - 1]! / most) * 100}%` }} /></span>
              <span className="rating-bar-count">{distribution[n - 1]}<span className="sr-only"> with {n} {n === 1 ? 'star' : 'stars'}</span></span>
            </li>
          ))}
        </ul>
      </div>
      {data.length === 0 ? <EmptyState title="No ratings yet." /> : (
        <ul className="plain-list rating-list" aria-label="Ratings and comments">
          {data.map((r) => (
            <li key={r.id} className="rating-item">
              <div className="timeline-line">
                <span className="row-title">{who(r)}</span>
                <Tag tone={r.source === 'sales' ? 'blue' : 'green'}>{r.source === 'sales' ? 'Sales' : 'Prospect'}</Tag>
                {r.scale === 'thumbs' ? <span className={`thumbs ${r.rating >= 4 ? 'up' : 'down'}`}>{r.rating >= 4 ? 'Thumbs up' : 'Thumbs down'}</span> : <Stars value={r.rating} />}
                <time className="muted small" dateTime={r.at}>{formatDateTime(r.at)}</time>
              </div>
              {r.comment ? <p className="rating-comment">{r.comment}</p> : null}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

export function AssetPage({ me }: { me: Me }) {
  const { id = '' } = useParams();
  const asset = useContentAsset(id);
  const [days, setDays] = useState(30);
  const stats = useAssetStats(id, days);
  if (asset.isPending) return <Loading />;
  if (asset.isError) {
    return isNotFound(asset.error) || (asset.error as { status?: number }).status === 400
      ? <EmptyState title="No such asset.">It may have been removed. <Link to="/content">Back to the library</Link></EmptyState>
      : <ErrorNote error={asset.error} />;
  }
  const c = asset.data;
  const href = safeHref(c.url);
  const s = stats.data;
  const mayRate = canWrite(me) && !!me.user;
  return (
    <>
      <div className="crumbs"><Link to="/content">Content library</Link> / {c.title}</div>
      <header className="page-header lead-header">
        <div>
          <h1>{c.title}</h1>
          <div className="meta-row">
            <Tag>{humanize(c.format)}</Tag>
            {c.buying_stage ? <Tag tone="blue">{humanize(c.buying_stage)}</Tag> : null}
            {c.gated ? <Tag tone="amber">gated</Tag> : null}
            {c.personas.map((p) => <Tag key={p} tone="green">{p}</Tag>)}
            {c.topics.map((t) => <Tag key={t}>{t}</Tag>)}
          </div>
          <p className="meta">
            {href ? <a className="url" href={href} target="_blank" rel="noopener noreferrer">{c.url}</a> : c.url ? <span className="url">{c.url}</span> : 'No URL'}
            {' · '}Published {formatDate(c.published_on)}{c.expires_on ? ` · expires ${formatDate(c.expires_on)}` : ''}
          </p>
        </div>
      </header>

      <section className="kpis" aria-label="Asset figures">
        <div className="kpi"><span className="kpi-label">Consumptions</span><span className="kpi-value">{s ? formatNumber(s.consumptions) : '…'}</span><span className="kpi-sub">views, downloads, email clicks</span></div>
        <div className="kpi"><span className="kpi-label">People reached</span><span className="kpi-value">{s ? formatNumber(s.consumers) : '…'}</span><span className="kpi-sub">distinct contacts</span></div>
        <div className="kpi"><span className="kpi-label">Influence</span>
          <span className="kpi-value">{s ? formatPercent(s.influence.share) : '…'}</span>
          <span className="kpi-sub">{s ? `${s.influence.progressed} of ${s.consumers} moved forward within ${s.influence.window_days} days` : ' '}</span></div>
        <div className="kpi"><span className="kpi-label">Influenced pipeline</span>
          <span className="kpi-value">{s ? formatMoney(s.influenced_pipeline.amount) : '…'}</span>
          <span className="kpi-sub">{s ? `${s.influenced_pipeline.opportunities} opportunities, ${formatMoney(s.influenced_pipeline.won_amount)} won · correlation, not attribution` : ' '}</span></div>
      </section>

      <div className="content-asset-grid">
        <Card title="Who consumes it" actions={(
          <label className="inline-field small">Influence window
            <select value={days} onChange={(e) => setDays(Number(e.target.value))}>
              {[7, 30, 90, 180].map((d) => <option key={d} value={d}>{d} days</option>)}
            </select>
          </label>
        )}>
          {stats.isPending ? <Loading /> : stats.isError ? <ErrorNote error={stats.error} /> : <ConsumptionCharts stats={stats.data} />}
        </Card>
        <div className="stack-lg">
          {mayRate ? <Card title="Rate this asset"><RatingForm assetId={c.id} /></Card> : null}
          <Card title="Ratings and comments"><RatingsList assetId={c.id} me={me} /></Card>
        </div>
      </div>
    </>
  );
}
