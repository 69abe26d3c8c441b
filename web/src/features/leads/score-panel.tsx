import { useQuery } from '@tanstack/react-query';
import { getOptional } from '../../api/queries.ts';
import type { Lead } from '../../api/types.ts';
import { RatingBadge } from '../../ui/badges.tsx';
import { formatNumber } from '../../ui/format.ts';

// Decayed engagement carries fractions; the explanation text rounds to whole points, and so does the table.
const formatPoints = (p: number) => String(Math.round(p));

type Contribution = { label: string; points: number; kind?: string };

/**
 * Reads the rule-by-rule explanation of GET /leads/:id/score (definitions issue) without knowing
 * its final shape: any array of objects carrying a label-ish and a points-ish field qualifies.
 */
export function contributionsOf(score: unknown): Contribution[] {
  const out: Contribution[] = [];
  const visit = (value: unknown, kind?: string) => {
    if (Array.isArray(value)) {
      for (const item of value) {
        if (item && typeof item === 'object') {
          const o = item as Record<string, unknown>;
          const label = [o.label, o.rule, o.description, o.name, o.id].find((v) => typeof v === 'string') as string | undefined;
          const points = [o.points, o.contribution, o.delta, o.score].find((v) => typeof v === 'number') as number | undefined;
          if (label && points !== undefined) out.push({ label, points, kind });
        }
      }
    } else if (value && typeof value === 'object') {
      // GET /leads/:id/score nests { fit: { contributions }, engagement: { contributions } }: name the part, not the list.
      for (const [k, v] of Object.entries(value)) visit(v, k === 'contributions' && kind ? kind : k);
    }
  };
  visit(score);
  return out;
}

export function ScorePanel({ lead }: { lead: Lead }) {
  const score = useQuery({ queryKey: ['lead', lead.id, 'score'], queryFn: () => getOptional<unknown>(`/api/v1/leads/${lead.id}/score`) });
  const rows = score.data ? contributionsOf(score.data) : [];
  return (
    <div className="score">
      <dl className="score-figures">
        <div><dt>Rating</dt><dd><RatingBadge rating={lead.rating} /></dd></div>
        <div><dt>Fit</dt><dd>{formatNumber(lead.fit_score)}</dd></div>
        <div><dt>Engagement</dt><dd>{formatNumber(lead.engagement_score)}</dd></div>
      </dl>
      {score.isPending ? null : rows.length ? (
        <table className="table compact">
          <caption className="sr-only">Score explanation</caption>
          <thead><tr><th scope="col">Rule</th><th scope="col" className="num">Points</th></tr></thead>
          <tbody>
            {rows.map((r, i) => (
              <tr key={i}><td>{r.kind ? <span className="muted">{r.kind}: </span> : null}{r.label}</td><td className={`num ${r.points < 0 ? 'neg' : ''}`}>{r.points > 0 ? '+' : ''}{formatPoints(r.points)}</td></tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="muted small">{score.isError ? 'The score explanation could not be loaded.' : score.data === null ? 'The rule-by-rule explanation appears here once scoring is enabled.' : 'No rule contributed to this score.'}</p>
      )}
    </div>
  );
}
