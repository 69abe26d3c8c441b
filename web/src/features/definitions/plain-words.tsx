import { defaultInquiryRule, type LeadDefinition } from '../../../../src/core/definitions/definition-schema.ts';
import { activityTypeLabel, contentTitle, describeConditions, describeCriteria, describeUrl, emptyNames, type DefinitionNames } from './definition-words.ts';

/** "a known person with 2 engagement signals of pricing page or webinar": rules by their names, not ids. */
function engagedWords(def: LeadDefinition): string {
  const engaged = (def.inquiry ?? defaultInquiryRule).engaged;
  if (!engaged) return 'nobody: engagement alone never opens an inquiry';
  const n = engaged.minSignals ?? 1;
  const nameOf = (id: string) => def.engagement.rules.find((r) => r.id === id)?.label ?? id;
  const of = engaged.rules ? `of ${engaged.rules.map(nameOf).join(' or ')}` : '(hits of any rule giving points)';
  return `a known person with ${n} engagement signal${n === 1 ? '' : 's'} ${of}`;
}

function highIntentWords(def: LeadDefinition, names: DefinitionNames): string {
  const hi = def.highIntent ?? { urls: [], contentIds: [] };
  const things = [...(hi.urls ?? []).map(describeUrl), ...(hi.contentIds ?? []).map((c) => contentTitle(c, names))];
  if (!things.length) return 'No high-intent pages or content.';
  const acts = hi.activityTypes ? ` (counted on ${hi.activityTypes.map(activityTypeLabel).join(', ')})` : '';
  return `The owner is alerted when their lead looks at ${things.join(', ')}${acts}.`;
}

const pts = (n: number) => (n > 0 ? `+${n}` : String(n));

/** The definition as marketing and sales would say it: who fits, what engagement counts, when a lead is sales-ready. */
export function PlainWords({ def, names = emptyNames }: { def: LeadDefinition; names?: DefinitionNames }) {
  const matrix = def.rating?.matrix;
  return (
    <div className="def-words">
      <section aria-label="Fit rules">
        <h3>Who fits</h3>
        <ul className="rule-list">
          {def.fit.rules.map((r) => (
            <li key={r.id}><span className="pts">{pts(r.points)}</span> <strong>{r.label ?? r.id}</strong>
              <span className="muted"> — {describeConditions(r, names)}</span></li>
          ))}
          {def.negative.map((r) => (
            <li key={r.id}><span className="pts neg">{r.exclude ? 'never' : pts(r.points ?? 0)}</span> <strong>{r.label ?? r.id}</strong>
              <span className="muted"> — {describeConditions(r, names)}</span></li>
          ))}
        </ul>
        <p className="small">Grades: {def.fit.grades.map((g) => `${g.grade} ${g.min === undefined ? 'otherwise' : `from ${g.min}`}`).join(' · ')}</p>
      </section>
      <section aria-label="Engagement rules">
        <h3>What engagement counts</h3>
        <ul className="rule-list">
          {def.engagement.rules.map((r) => (
            <li key={r.id}><span className={`pts${r.points < 0 ? ' neg' : ''}`}>{pts(r.points)}</span> <strong>{r.label ?? r.id}</strong>
              <span className="muted"> — {describeCriteria(r, names)}{r.cap ? `; at most ${r.cap.max}× per ${r.cap.perDays} days` : ''}
                {r.halfLifeDays === null ? '; never decays' : r.halfLifeDays ? `; halves every ${r.halfLifeDays} days` : ''}</span></li>
          ))}
        </ul>
        <p className="small">
          {def.engagement.halfLifeDays ? `Points halve every ${def.engagement.halfLifeDays} days. ` : 'Points do not decay. '}
          Levels: {def.engagement.levels.map((l) => `${l.level} ${l.min === undefined ? 'otherwise' : `from ${l.min}`}`).join(' · ')}
        </p>
      </section>
      {matrix ? (
        <section aria-label="Rating matrix">
          <h3>Rating (fit × engagement)</h3>
          <table className="table matrix">
            <thead><tr><th scope="col">Fit</th>{[1, 2, 3, 4].map((l) => <th scope="col" key={l}>Level {l}</th>)}</tr></thead>
            <tbody>
              {(['A', 'B', 'C', 'D'] as const).map((g) => (
                <tr key={g}><th scope="row">{g}</th>{matrix[g].map((r, i) => <td key={i} className={`cell-${r}`}>{r}</td>)}</tr>
              ))}
            </tbody>
          </table>
        </section>
      ) : null}
      <section aria-label="Inquiry rule">
        <h3>When a known person is an inquiry</h3>
        {/* Versions saved before the inquiry rule existed are read with the default rule. */}
        <p>A lead opens at inquiry, dated at the activity, when a person with an email on file does one of these{def.inquiry ? '' : ' (the default rule: this version predates it)'}:</p>
        <ul className="rule-list">
          {(def.inquiry ?? defaultInquiryRule).activities.map((r) => <li key={r.id}><strong>{r.label ?? r.id}</strong> <span className="muted">— {describeCriteria(r, names)}</span></li>)}
          <li><strong>engagement</strong> <span className="muted">— {engagedWords(def)}</span></li>
        </ul>
      </section>
      <section aria-label="MQL rule">
        <h3>When a lead is an MQL</h3>
        <p>Rated <strong>{def.mql.ratings.join(' or ')}</strong>, or any hand-raise with fit grade at least as good as given:</p>
        <ul className="rule-list">
          {def.mql.handRaises.map((h) => <li key={h.id}><strong>{h.label ?? h.id}</strong> <span className="muted">— {describeCriteria(h, names)}; fit {h.minFitGrade} or better</span></li>)}
        </ul>
        <h3>High intent</h3>
        <p className="small">
          {highIntentWords(def, names)}
        </p>
      </section>
    </div>
  );
}
