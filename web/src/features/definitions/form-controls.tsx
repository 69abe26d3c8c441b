import { createContext, useContext, useId, useState, type ReactNode } from 'react';

/** Small controls of the definition form: a list of values typed as chips, a picker by title, and issues in place. */

export type Issue = { path: string; message: string };

/** The validation issues of the document being edited, so every field can show its own. */
export const IssuesContext = createContext<Issue[]>([]);

const under = (issue: Issue, path: string) => issue.path === path || issue.path.startsWith(`${path}.`) || issue.path.startsWith(`${path}[`);

/** Issues at or under a document path (`engagement.rules[2]`). */
export function useIssues(path: string): Issue[] {
  return useContext(IssuesContext).filter((i) => under(i, path));
}

/** The issues of one part of the form, shown where they are (a card's foot, under a field). */
export function IssueNote({ path, id, exact }: { path: string; id?: string; exact?: boolean }) {
  const issues = useIssues(path).filter((i) => !exact || i.path === path);
  if (!issues.length) return null;
  return (
    <ul className="field-issues" id={id}>
      {issues.map((i, n) => <li key={n}>{i.message}</li>)}
    </ul>
  );
}

/**
 * Values typed one by one (Enter or comma adds, × removes): URL patterns, formats, department names.
 * `suggestions` fill a datalist; `parse` turns typed text into a value (numbers for number fields).
 */
export function TokenInput<T extends string | number>({ label, values, onChange, suggestions = [], placeholder, parse, describe, invalid, disabled }: {
  label: string; values: T[]; onChange: (v: T[]) => void; suggestions?: string[]; placeholder?: string;
  parse: (s: string) => T | null; describe?: (v: T) => string; invalid?: boolean; disabled?: boolean;
}) {
  const id = useId();
  const [draft, setDraft] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const commit = () => {
    const parts = draft.split(',').map((s) => s.trim()).filter(Boolean);
    if (!parts.length) return;
    const parsed = parts.map(parse);
    if (parsed.some((p) => p === null)) { setProblem(`“${draft}” is not a valid value here.`); return; }
    const next = [...values];
    for (const p of parsed as T[]) if (!next.includes(p)) next.push(p);
    onChange(next);
    setDraft('');
    setProblem(null);
  };
  return (
    <div className="field token-field">
      <label htmlFor={id}>{label}</label>
      <div className={`tokens${invalid || problem ? ' invalid' : ''}`}>
        {values.map((v) => (
          <span className="token" key={String(v)}>
            {describe ? describe(v) : String(v)}
            {disabled ? null : <button type="button" className="token-x" aria-label={`Remove ${describe ? describe(v) : String(v)} from ${label}`}
              onClick={() => onChange(values.filter((x) => x !== v))}>×</button>}
          </span>
        ))}
        <input id={id} value={draft} list={suggestions.length ? `${id}-list` : undefined} placeholder={values.length ? '' : placeholder} disabled={disabled}
          aria-invalid={invalid || !!problem}
          onChange={(e) => setDraft(e.target.value)} onBlur={commit}
          onKeyDown={(e) => {
            if (e.key === 'Enter' || e.key === ',') { e.preventDefault(); commit(); }
            if (e.key === 'Backspace' && !draft && values.length) onChange(values.slice(0, -1));
          }} />
      </div>
      {suggestions.length ? <datalist id={`${id}-list`}>{suggestions.map((s) => <option key={s} value={s} />)}</datalist> : null}
      {problem ? <p className="field-issues" role="alert">{problem}</p> : null}
    </div>
  );
}

export const text = (s: string) => s;
export const number = (s: string) => (s.trim() !== '' && Number.isFinite(Number(s)) ? Number(s) : null);

/**
 * Choose items by their title from a known list (content assets, forms); chosen items show as chips.
 * Items no longer in the list (a deleted asset) stay visible with their id so they can be removed.
 */
export function ChipPicker({ label, chosen, options, onChange, empty, disabled }: {
  label: string; chosen: string[]; options: { id: string; title: string; detail?: string }[]; onChange: (ids: string[]) => void;
  empty: ReactNode; disabled?: boolean;
}) {
  const id = useId();
  const titleOf = (v: string) => options.find((o) => o.id === v)?.title ?? `${v.slice(0, 12)}… (not found)`;
  const rest = options.filter((o) => !chosen.includes(o.id));
  return (
    <div className="field token-field">
      <label htmlFor={id}>{label}</label>
      <div className="tokens">
        {chosen.map((v) => (
          <span className="token" key={v}>{titleOf(v)}
            {disabled ? null : <button type="button" className="token-x" aria-label={`Remove ${titleOf(v)} from ${label}`} onClick={() => onChange(chosen.filter((x) => x !== v))}>×</button>}
          </span>
        ))}
        {options.length ? (
          <select id={id} value="" disabled={disabled || !rest.length} onChange={(e) => { if (e.target.value) onChange([...chosen, e.target.value]); }}>
            <option value="">{rest.length ? `Add…` : 'All chosen'}</option>
            {rest.map((o) => <option key={o.id} value={o.id}>{o.detail ? `${o.title} — ${o.detail}` : o.title}</option>)}
          </select>
        ) : <span id={id} className="muted small">{empty}</span>}
      </div>
    </div>
  );
}
