import { useEffect, useId, useMemo, useState } from 'react';
import YAML from 'yaml';
import { ApiError, api } from '../../api/client.ts';
import type { LeadDefinition } from './definitions-api.ts';
import { base } from './definitions-api.ts';

type Issue = { path: string; message: string };
type Check = { state: 'idle' | 'checking' | 'valid' | 'invalid'; issues: Issue[] };

/** Rules whose points can be changed in the small form (negative rules only when they carry points). */
function pointRules(def: LeadDefinition | null): { key: string; label: string; points: number }[] {
  if (!def) return [];
  return [
    ...(def.fit?.rules ?? []).map((r, i) => ({ key: `fit.rules.${i}`, label: `Fit: ${r.label ?? r.id}`, points: r.points })),
    ...(def.engagement?.rules ?? []).map((r, i) => ({ key: `engagement.rules.${i}`, label: `Engagement: ${r.label ?? r.id}`, points: r.points })),
  ];
}

export type Format = 'json' | 'yaml';

export function parse(text: string, format: Format): LeadDefinition | null {
  try {
    const v: unknown = format === 'json' ? JSON.parse(text) : YAML.parse(text);
    return v && typeof v === 'object' ? v as LeadDefinition : null;
  } catch {
    return null;
  }
}

export const serialize = (doc: unknown, format: Format) => (format === 'json' ? JSON.stringify(doc, null, 2) : YAML.stringify(doc));

/** Raw JSON of the draft, validated by the server as you type, with a small form for rule points. */
export function DraftEditor({ text, format, onText, onFormat, readOnly }: {
  text: string; format: Format; onText: (t: string) => void; onFormat: (f: Format) => void; readOnly: boolean;
}) {
  const editorId = useId();
  const [check, setCheck] = useState<Check>({ state: 'idle', issues: [] });
  useEffect(() => {
    let stale = false;
    const timer = setTimeout(() => {
      setCheck((c) => ({ ...c, state: 'checking' }));
      api<{ valid: true }>('POST', `${base}/validate`, { text, format })
        .then(() => { if (!stale) setCheck({ state: 'valid', issues: [] }); })
        .catch((e: unknown) => {
          if (stale) return;
          const issues = e instanceof ApiError && e.details.length ? e.details : [{ path: '', message: e instanceof Error ? e.message : 'Invalid' }];
          setCheck({ state: 'invalid', issues });
        });
    }, 350);
    return () => { stale = true; clearTimeout(timer); };
  }, [text, format]);

  const def = useMemo(() => parse(text, format), [text, format]);
  const rules = pointRules(def);
  const [ruleKey, setRuleKey] = useState('');
  const rule = rules.find((r) => r.key === ruleKey) ?? rules[0];
  // The typed points belong to the rule they were typed for; picking another rule shows its own points.
  const [typed, setTyped] = useState<{ key: string; value: string } | null>(null);
  const points = typed && typed.key === rule?.key ? typed.value : String(rule?.points ?? '');
  const setPoints = (value: string) => setTyped(rule ? { key: rule.key, value } : null);

  const applyPoints = () => {
    if (!def || !rule) return;
    const [area, , index] = rule.key.split('.') as ['fit' | 'engagement', string, string];
    const next = structuredClone(def);
    next[area].rules[Number(index)]!.points = Number(points);
    onText(serialize(next, format));
  };

  return (
    <div className="stack">
      {!readOnly ? (
        <form className="points-form" aria-label="Change a rule's points" onSubmit={(e) => { e.preventDefault(); applyPoints(); }}>
          <label className="field"><span>Rule</span>
            <select value={rule?.key ?? ''} onChange={(e) => setRuleKey(e.target.value)} disabled={!def}>
              {rules.map((r) => <option key={r.key} value={r.key}>{r.label} ({r.points > 0 ? '+' : ''}{r.points})</option>)}
            </select>
          </label>
          <label className="field narrow"><span>Points</span>
            <input type="number" min={-1000} max={1000} step={1} value={points} onChange={(e) => setPoints(e.target.value)} disabled={!def} />
          </label>
          <button type="submit" className="button" disabled={!def || points === '' || Number(points) === rule?.points}>Apply points</button>
        </form>
      ) : null}
      <div className="field">
        <div className="editor-head">
          <label htmlFor={editorId}>Definition {format.toUpperCase()}</label>
          <label className="inline-field small">Format{' '}
            <select value={format} onChange={(e) => onFormat(e.target.value as Format)} disabled={!def}>
              <option value="json">JSON</option><option value="yaml">YAML</option>
            </select>
          </label>
        </div>
        <textarea id={editorId} className="code-editor" spellCheck={false} value={text} readOnly={readOnly}
          aria-invalid={check.state === 'invalid'} aria-describedby={`${editorId}-status`} onChange={(e) => onText(e.target.value)} rows={18} />
      </div>
      <div id={`${editorId}-status`} aria-live="polite">
        {check.state === 'checking' ? <p className="small muted">Checking…</p> : null}
        {check.state === 'valid' ? <p className="small valid-note">✓ Valid definition</p> : null}
        {check.state === 'invalid' ? (
          <ul className="issue-list" aria-label="Validation errors">
            {check.issues.map((i, n) => <li key={n}><code>{i.path || '(document)'}</code> {i.message}</li>)}
          </ul>
        ) : null}
      </div>
    </div>
  );
}

