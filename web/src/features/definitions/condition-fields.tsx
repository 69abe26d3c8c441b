import { useId } from 'react';
import { fitFieldTypes, type Condition } from '../../../../src/core/definitions/definition-schema.ts';
import {
  describePattern, fieldLabel, fieldType, opLabels, opsFor, patternProblem, type DefinitionNames, type Pickers,
} from './definition-words.ts';
import { IssueNote, TokenInput, number, text } from './form-controls.tsx';

/** One condition on a person or company field (fit and negative rules): field, operator, value, "not". */

type Values = (string | number)[];

/** A new condition of `op` keeping what can be kept from the old one (its values, its number). */
function reshape(c: Condition, op: Condition['op'], type: ReturnType<typeof fieldType>): Condition {
  const base = { field: c.field, ...(c.not ? { not: true } : {}) };
  const values: Values = 'values' in c ? c.values : 'value' in c && typeof c.value !== 'boolean' ? [c.value] : [];
  const firstNumber = values.map(Number).find((n) => Number.isFinite(n)) ?? 0;
  switch (op) {
    case 'equals': return { ...base, op, value: type === 'boolean' ? true : type === 'number' ? firstNumber : String(values[0] ?? '') };
    case 'in': return { ...base, op, values: values.length ? values : [''] };
    case 'contains': return { ...base, op, values: values.length ? values.map(String) : [''] };
    case 'matches': return { ...base, op, pattern: 'pattern' in c ? c.pattern : values.length ? `\\b(${values.join('|')})\\b` : '' };
    case 'gte': case 'lte': return { ...base, op, value: firstNumber };
    case 'between': return { ...base, op, min: firstNumber, max: firstNumber };
    case 'exists': return { ...base, op };
  }
}

export function ConditionFields({ condition: c, path, onChange, onRemove, canRemove, pickers, names, n }: {
  condition: Condition; path: string; onChange: (c: Condition) => void; onRemove: () => void; canRemove: boolean;
  pickers: Pickers | undefined; names: DefinitionNames; n: number;
}) {
  const id = useId();
  const type = fieldType(c.field);
  const ops = opsFor(type);
  const standard = Object.keys(fitFieldTypes);
  const custom = (pickers?.fields ?? []).map((f) => f.field);
  const known = [...standard, ...custom];
  const setField = (field: string) => {
    const t = fieldType(field);
    onChange(opsFor(t).includes(c.op) ? { ...c, field } as Condition : reshape({ ...c, field } as Condition, opsFor(t)[0] ?? 'equals', t));
  };
  const parseValue = type === 'number' ? number : text;
  const problem = c.op === 'matches' ? patternProblem(c.pattern) : null;
  return (
    <div className="condition" role="group" aria-label={`Condition ${n}`}>
      <label className="field"><span>Field</span>
        <select id={`${id}-field`} value={c.field} onChange={(e) => setField(e.target.value)} aria-label={`Condition ${n} field`}>
          <optgroup label="Person">{standard.filter((f) => f.startsWith('contact.')).map((f) => <option key={f} value={f}>{fieldLabel(f)}</option>)}</optgroup>
          <optgroup label="Company">{standard.filter((f) => f.startsWith('account.')).map((f) => <option key={f} value={f}>{fieldLabel(f)}</option>)}</optgroup>
          {custom.length ? <optgroup label="Custom fields">{custom.map((f) => <option key={f} value={f}>{fieldLabel(f, names)}</option>)}</optgroup> : null}
          {known.includes(c.field) ? null : <option value={c.field}>{fieldLabel(c.field, names)}</option>}
        </select>
      </label>
      <label className="field cond-not"><span>Test</span>
        <select value={c.not ? 'not' : 'is'} aria-label={`Condition ${n} negation`} onChange={(e) => onChange({ ...c, not: e.target.value === 'not' ? true : undefined } as Condition)}>
          <option value="is">holds</option><option value="not">does not hold</option>
        </select>
      </label>
      <label className="field"><span>Operator</span>
        <select value={c.op} aria-label={`Condition ${n} operator`} onChange={(e) => onChange(reshape(c, e.target.value as Condition['op'], type))}>
          {(ops.includes(c.op) ? ops : [...ops, c.op]).map((o) => <option key={o} value={o}>{opLabels[o]}</option>)}
        </select>
      </label>
      <div className="cond-value">
        {c.op === 'equals' && typeof c.value === 'boolean' ? (
          <label className="field"><span>Value</span>
            <select value={String(c.value)} aria-label={`Condition ${n} value`} onChange={(e) => onChange({ ...c, value: e.target.value === 'true' })}>
              <option value="true">yes</option><option value="false">no</option>
            </select>
          </label>
        ) : null}
        {c.op === 'equals' && typeof c.value !== 'boolean' ? (
          <label className="field"><span>Value</span>
            <input aria-label={`Condition ${n} value`} type={type === 'number' ? 'number' : 'text'} value={String(c.value)}
              onChange={(e) => onChange({ ...c, value: type === 'number' ? Number(e.target.value) : e.target.value })} />
          </label>
        ) : null}
        {c.op === 'in' ? (
          <TokenInput<string | number> label={`Condition ${n} values`} values={c.values.filter((v) => v !== '')} parse={parseValue} placeholder="Type a value, press Enter"
            onChange={(values) => onChange({ ...c, values: values.length ? values : [''] })} />
        ) : null}
        {c.op === 'contains' ? (
          <TokenInput<string> label={`Condition ${n} words`} values={c.values.filter((v) => v !== '')} parse={text} placeholder="Type a word, press Enter"
            onChange={(values) => onChange({ ...c, values: values.length ? values : [''] })} />
        ) : null}
        {c.op === 'matches' ? (
          <label className="field"><span>Pattern (regular expression, any case)</span>
            <input className="mono" aria-label={`Condition ${n} pattern`} value={c.pattern} aria-invalid={!!problem} aria-describedby={`${id}-reads`}
              onChange={(e) => onChange({ ...c, pattern: e.target.value })} />
            <span id={`${id}-reads`} className={problem ? 'field-issues' : 'hint'}>{problem ?? `Reads: ${describePattern(c.pattern)}`}</span>
          </label>
        ) : null}
        {c.op === 'gte' || c.op === 'lte' ? (
          <label className="field"><span>Value</span>
            <input type="number" aria-label={`Condition ${n} value`} value={c.value} onChange={(e) => onChange({ ...c, value: Number(e.target.value) })} />
          </label>
        ) : null}
        {c.op === 'between' ? (
          <div className="pair">
            <label className="field"><span>From</span><input type="number" aria-label={`Condition ${n} from`} value={c.min} onChange={(e) => onChange({ ...c, min: Number(e.target.value) })} /></label>
            <label className="field"><span>To</span><input type="number" aria-label={`Condition ${n} to`} value={c.max} onChange={(e) => onChange({ ...c, max: Number(e.target.value) })} /></label>
          </div>
        ) : null}
      </div>
      <button type="button" className="button small ghost cond-remove" disabled={!canRemove} aria-label={`Remove condition ${n}`} onClick={onRemove}
        title={canRemove ? undefined : 'A rule needs at least one condition'}>Remove</button>
      <IssueNote path={path} />
    </div>
  );
}

export const newCondition = (): Condition => ({ field: 'contact.title', op: 'contains', values: [''] });
