import { defaultInquiryRule, type ActivityCriteria, type Condition, type LeadDefinition } from '../../../../src/core/definitions/definition-schema.ts';
import { describeEngagedInquiry } from '../../../../src/core/definitions/rule-labels.ts';
import { humanize } from '../../ui/format.ts';

const opWords = (c: Condition): string => {
  const field = humanize(c.field.replace(/^(contact|account)\./, '').replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase());
  const not = c.not ? ' not' : '';
  switch (c.op) {
    case 'equals': return `${field} is${not} ${String(c.value)}`;
    case 'in': return `${field} is${not} one of ${c.values.join(', ')}`;
    case 'contains': return `${field} does${not ? ' not' : ''} contain ${c.values.join(' or ')}`;
    case 'matches': return `${field}${not ? ' does not match' : ' matches'} /${c.pattern}/`;
    case 'gte': return `${field} ≥ ${c.value}`;
    case 'lte': return `${field} ≤ ${c.value}`;
    case 'between': return `${field} between ${c.min} and ${c.max}`;
    case 'exists': return `${field}${not ? ' is missing' : ' is known'}`;
  }
};

const list = (v: unknown) => (Array.isArray(v) ? v.join(' or ') : String(v));
export function criteriaWords(r: ActivityCriteria): string {
  const parts: string[] = [];
  if (r.type) parts.push(list(r.type).replace(/_/g, ' '));
  if (r.format) parts.push(`format ${list(r.format)}`);
  if (r.buyingStage) parts.push(`stage ${list(r.buyingStage)}`);
  if (r.topic) parts.push(`topic ${list(r.topic)}`);
  if (r.url) parts.push(`URL ${list(r.url)}`);
  if (r.contentId) parts.push(`content ${list(r.contentId)}`);
  if (r.campaign) parts.push(`campaign ${list(r.campaign)}`);
  if (r.source) parts.push(`source ${list(r.source)}`);
  if (r.eventName) parts.push(`event ${list(r.eventName)}`);
  if (r.properties) parts.push(Object.entries(r.properties).map(([k, v]) => `${k} = ${list(v)}`).join(', '));
  return parts.join(' · ') || 'any activity';
}

const pts = (n: number) => (n > 0 ? `+${n}` : String(n));

/** The definition as marketing and sales would say it: who fits, what engagement counts, when a lead is sales-ready. */
export function PlainWords({ def }: { def: LeadDefinition }) {
  const matrix = def.rating?.matrix;
  return (
    <div className="def-words">
      <section aria-label="Fit rules">
        <h3>Who fits</h3>
        <ul className="rule-list">
          {def.fit.rules.map((r) => (
            <li key={r.id}><span className="pts">{pts(r.points)}</span> <strong>{r.label ?? r.id}</strong>
              <span className="muted"> — {r.conditions.map(opWords).join(r.match === 'any' ? ' or ' : ' and ')}</span></li>
          ))}
          {def.negative.map((r) => (
            <li key={r.id}><span className="pts neg">{r.exclude ? 'never' : pts(r.points ?? 0)}</span> <strong>{r.label ?? r.id}</strong>
              <span className="muted"> — {r.conditions.map(opWords).join(r.match === 'any' ? ' or ' : ' and ')}</span></li>
          ))}
        </ul>
        <p className="small">Grades: {def.fit.grades.map((g) => `${g.grade} ${g.min === undefined ? 'otherwise' : `from ${g.min}`}`).join(' · ')}</p>
      </section>
      <section aria-label="Engagement rules">
        <h3>What engagement counts</h3>
        <ul className="rule-list">
          {def.engagement.rules.map((r) => (
            <li key={r.id}><span className={`pts${r.points < 0 ? ' neg' : ''}`}>{pts(r.points)}</span> <strong>{r.label ?? r.id}</strong>
              <span className="muted"> — {criteriaWords(r)}{r.cap ? `; at most ${r.cap.max}× per ${r.cap.perDays} days` : ''}
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
          {(def.inquiry ?? defaultInquiryRule).activities.map((r) => <li key={r.id}><strong>{r.label ?? r.id}</strong> <span className="muted">— {criteriaWords(r)}</span></li>)}
          <li><strong>engagement</strong> <span className="muted">— {describeEngagedInquiry((def.inquiry ?? defaultInquiryRule).engaged)}</span></li>
        </ul>
      </section>
      <section aria-label="MQL rule">
        <h3>When a lead is an MQL</h3>
        <p>Rated <strong>{def.mql.ratings.join(' or ')}</strong>, or any hand-raise with fit grade at least as good as given:</p>
        <ul className="rule-list">
          {def.mql.handRaises.map((h) => <li key={h.id}><strong>{h.label ?? h.id}</strong> <span className="muted">— {criteriaWords(h)}; fit {h.minFitGrade} or better</span></li>)}
        </ul>
        <h3>High intent</h3>
        <p className="small">
          {[...def.highIntent.urls, ...def.highIntent.contentIds.map((c) => `content ${c.slice(0, 8)}…`)].join(', ') || 'No high-intent pages or content.'}
        </p>
      </section>
    </div>
  );
}
