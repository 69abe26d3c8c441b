import { useQuery } from '@tanstack/react-query';
import { getOptional } from '../../api/queries.ts';

type Reason = { field: string; label: string; value: string; effect: number; words: string };
type Prediction = { probability: number; model_version: number; reasons_up: Reason[]; reasons_down: Reason[]; computed_at: string; governed: boolean; definition_version: number | null };

/**
 * The conversion model's view of this person beside the agreed score: a probability and its reasons. It informs;
 * the signed definition decides — said on the card, so nobody mistakes it for the rating.
 */
export function PredictionPanel({ contactId }: { contactId: string }) {
  const q = useQuery({ queryKey: ['contact', contactId, 'prediction'], queryFn: () => getOptional<Prediction>(`/api/v1/contacts/${contactId}/prediction`) });
  if (q.isPending) return <p className="muted small">Predicting…</p>;
  if (q.isError) return <p className="muted small">The prediction could not be loaded.</p>;
  if (!q.data) return <p className="muted small">No conversion model yet. Train one from the workspace's history: <code>leadloop model train</code>.</p>;
  const p = q.data;
  const reasons = [...p.reasons_up, ...p.reasons_down];
  return (
    <div className="score">
      <dl className="score-figures">
        <div><dt>Likely to convert</dt><dd>{Math.round(p.probability * 100)}%</dd></div>
        <div><dt>Model</dt><dd>v{p.model_version}</dd></div>
      </dl>
      {reasons.length ? (
        <table className="table compact">
          <caption className="sr-only">Why this probability</caption>
          <thead><tr><th scope="col">Why</th><th scope="col" className="num">Effect</th></tr></thead>
          <tbody>
            {reasons.map((r) => (
              <tr key={r.field}><td>{r.label}: {r.value}</td><td className={`num ${r.effect < 0 ? 'neg' : ''}`}>{r.effect > 0 ? '+' : '−'}{Math.abs(Math.round(r.effect * 100))} pts</td></tr>
            ))}
          </tbody>
        </table>
      ) : <p className="muted small">Nothing sets this person apart from a typical lead.</p>}
      {p.governed
        ? <p className="small governed-note">Part of the agreement: the signed definition v{p.definition_version} uses this model in its scores, MQLs or inbox order.</p>
        : <p className="muted small">Informs only: the signed definition decides scores and MQLs.</p>}
    </div>
  );
}
