import { useId, useState, type ReactNode } from 'react';
import type { Condition } from '../../../../src/core/definitions/definition-schema.ts';
import { ConditionFields, newCondition } from './condition-fields.tsx';
import type { DefinitionNames, Pickers } from './definition-words.ts';
import { IssueNote, useIssues } from './form-controls.tsx';

/** The parts every rule card of the definition form is built from (definition-form.tsx): the card, its common fields, conditions and decay. */

export function RuleCard({ title, points, path, words, onRemove, removeLabel, children, fresh }: {
  title: string; points?: string; path: string; words: string; onRemove: () => void; removeLabel: string; children: ReactNode; fresh: boolean;
}) {
  const id = useId();
  const invalid = useIssues(path).length > 0;
  const [open, setOpen] = useState(fresh);
  const shown = open || invalid;
  return (
    <li className={`def-rule${invalid ? ' has-issues' : ''}${shown ? ' open' : ''}`}>
      <div className="def-rule-head">
        <button type="button" className="def-rule-toggle" aria-expanded={shown} aria-controls={`${id}-body`} onClick={() => setOpen(!open)}>
          <span className="chev" aria-hidden="true">{shown ? '▾' : '▸'}</span>
          {points !== undefined ? <span className={`pts${points.startsWith('-') || points === 'never' ? ' neg' : ''}`}>{points}</span> : null}{' '}
          <span className="def-rule-title">{title}</span>{' '}
          <span className="def-rule-words">{words}</span>
        </button>
        {invalid ? <span className="tag tag-amber">needs a fix</span> : null}
      </div>
      {shown ? (
        <fieldset className="def-rule-body" id={`${id}-body`}>
          <legend className="sr-only">{title}</legend>
          {children}
          <IssueNote path={path} />
          <div className="def-rule-foot"><button type="button" className="button small danger-ghost" onClick={onRemove}>{removeLabel}</button></div>
        </fieldset>
      ) : null}
    </li>
  );
}

export const pts = (n: number | undefined) => (n === undefined ? '' : n > 0 ? `+${n}` : String(n));

export function LabelField({ value, onChange, name, path }: { value: string | undefined; onChange: (v: string | undefined) => void; name: string; path: string }) {
  const issue = useIssues(`${path}.label`).length > 0;
  return (
    <label className="field grow"><span>Name</span>
      <input value={value ?? ''} aria-label={`${name} name`} aria-invalid={issue} placeholder="What people call this rule" onChange={(e) => onChange(e.target.value || undefined)} />
    </label>
  );
}

export function PointsField({ value, onChange, name, path, min = -1000, max = 1000 }: { value: number | undefined; onChange: (v: number) => void; name: string; path: string; min?: number; max?: number }) {
  const issue = useIssues(`${path}.points`).length > 0;
  return (
    <label className="field narrow"><span>Points</span>
      <input type="number" step={1} min={min} max={max} value={value ?? ''} aria-label={`${name} points`} aria-invalid={issue} onChange={(e) => onChange(Number(e.target.value))} />
    </label>
  );
}

export function MatchField({ value, onChange, name }: { value: 'all' | 'any' | undefined; onChange: (v: 'all' | 'any') => void; name: string }) {
  return (
    <label className="field"><span>Conditions</span>
      <select value={value ?? 'all'} aria-label={`${name} match`} onChange={(e) => onChange(e.target.value as 'all' | 'any')}>
        <option value="all">all must hold</option><option value="any">any one is enough</option>
      </select>
    </label>
  );
}

export function Conditions({ rule, path, set, pickers, names }: {
  rule: { conditions: Condition[] }; path: string; set: (c: Condition[]) => void; pickers: Pickers | undefined; names: DefinitionNames;
}) {
  return (
    <div className="conditions">
      {rule.conditions.map((c, i) => (
        <ConditionFields key={i} n={i + 1} condition={c} path={`${path}.conditions[${i}]`} pickers={pickers} names={names} canRemove={rule.conditions.length > 1}
          onChange={(next) => set(rule.conditions.map((x, j) => (j === i ? next : x)))} onRemove={() => set(rule.conditions.filter((_, j) => j !== i))} />
      ))}
      <div><button type="button" className="button small" onClick={() => set([...rule.conditions, newCondition()])}>Add condition</button></div>
    </div>
  );
}

export function HalfLife({ value, onChange, label, shown, inherit }: { value: number | null | undefined; onChange: (v: number | null | undefined) => void; label: string; shown: string; inherit?: boolean }) {
  const mode = value === undefined ? 'inherit' : value === null ? 'never' : 'days';
  return (
    <div className="row-fields">
      <label className="field"><span>{shown}</span>
        <select value={mode} aria-label={label} onChange={(e) => onChange(e.target.value === 'inherit' ? undefined : e.target.value === 'never' ? null : 30)}>
          {inherit ? <option value="inherit">as the whole definition</option> : null}
          <option value="days">halve every…</option>
          <option value="never">never decay</option>
        </select>
      </label>
      {mode === 'days' ? (
        <label className="field narrow"><span>Days</span>
          <input type="number" min={1} max={3650} value={value ?? ''} aria-label={`${label}: days`} onChange={(e) => onChange(Number(e.target.value))} />
        </label>
      ) : null}
    </div>
  );
}
