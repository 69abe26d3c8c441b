import { useEffect, useId, useMemo, useRef, useState } from 'react';
import YAML from 'yaml';
import { ApiError, api } from '../../api/client.ts';
import type { LeadDefinition } from './definitions-api.ts';
import { base, usePickers } from './definitions-api.ts';
import { DefinitionForm } from './definition-form.tsx';
import { namesOf } from './definition-words.ts';
import { IssuesContext, type Issue } from './form-controls.tsx';
import { PlainWords } from './plain-words.tsx';

type Check = { state: 'idle' | 'checking' | 'valid' | 'invalid'; issues: Issue[] };

export type Format = 'json' | 'yaml';
export type Mode = 'form' | 'text';

export function parse(text: string, format: Format): LeadDefinition | null {
  try {
    const v: unknown = format === 'json' ? JSON.parse(text) : YAML.parse(text);
    return v && typeof v === 'object' && !Array.isArray(v) ? v as LeadDefinition : null;
  } catch {
    return null;
  }
}

export const serialize = (doc: unknown, format: Format) => (format === 'json' ? JSON.stringify(doc, null, 2) : YAML.stringify(doc));

export type SyntaxProblem = { line: number; column: number; offset: number; message: string };

function positionOf(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, Math.max(0, Math.min(offset, text.length)));
  const lines = before.split('\n');
  return { line: lines.length, column: (lines[lines.length - 1]?.length ?? 0) + 1 };
}

/**
 * Where the text stops being JSON or YAML, as a line and column people can go to: JSON.parse names a
 * position (or none at the end of the input), the yaml parser names line and column itself.
 */
export function syntaxProblem(text: string, format: Format): SyntaxProblem | null {
  if (format === 'json') {
    try {
      JSON.parse(text);
      return null;
    } catch (e) {
      const raw = e instanceof Error ? e.message : String(e);
      const at = /position (\d+)/.exec(raw);
      const offset = at ? Number(at[1]) : text.length;
      const message = raw.replace(/ in JSON at position \d+.*$/, '').replace(/^JSON\.parse: /, '').replace(/^Unexpected end of JSON input$/, 'The text ends too early (a missing } or ]?)');
      return { ...positionOf(text, offset), offset, message };
    }
  }
  const doc = YAML.parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  const err = doc.errors[0];
  if (!err) return null;
  const pos = err.linePos?.[0];
  const offset = err.pos[0];
  const where = pos ? { line: pos.line, column: pos.col } : positionOf(text, offset);
  return { ...where, offset, message: (err.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '') };
}

/**
 * The draft's document, edited as a form (every rule kind, pickers by title) or as YAML/JSON text.
 * The text is the one source of truth: the form writes it, and the server validates it as you type;
 * its issues show in place in the form (and as a list under the text).
 */
export function DraftEditor({ text, format, onText, onFormat, readOnly }: {
  text: string; format: Format; onText: (t: string) => void; onFormat: (f: Format) => void; readOnly: boolean;
}) {
  const editorId = useId();
  const textarea = useRef<HTMLTextAreaElement>(null);
  const [mode, setMode] = useState<Mode>('form');
  const [check, setCheck] = useState<Check>({ state: 'idle', issues: [] });
  const syntax = useMemo(() => syntaxProblem(text, format), [text, format]);
  useEffect(() => {
    // A syntax error is found here at once; the server would only say the same thing later.
    if (syntax) return undefined;
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
  }, [text, format, syntax]);

  const def = useMemo(() => (syntax ? null : parse(text, format)), [text, format, syntax]);
  const pickers = usePickers();
  const names = useMemo(() => namesOf(pickers.data), [pickers.data]);
  const update = (change: (draft: LeadDefinition) => void) => {
    if (!def) return;
    const next = structuredClone(def);
    change(next);
    onText(serialize(next, format));
  };
  const goTo = (offset: number) => {
    setMode('text');
    // The textarea mounts with the text view; select the spot once it is there.
    setTimeout(() => { const t = textarea.current; if (t) { t.focus(); t.setSelectionRange(offset, Math.min(offset + 1, t.value.length)); } }, 0);
  };
  const issues = syntax ? [] : check.state === 'invalid' ? check.issues : [];

  return (
    <IssuesContext.Provider value={issues}>
      <div className="stack">
        <div className="mode-bar">
          <div className="segmented" role="group" aria-label="Edit as">
            <button type="button" className={mode === 'form' ? 'on' : ''} aria-pressed={mode === 'form'} onClick={() => setMode('form')}>{readOnly ? 'In words' : 'Form'}</button>
            <button type="button" className={mode === 'text' ? 'on' : ''} aria-pressed={mode === 'text'} onClick={() => setMode('text')}>YAML / JSON text</button>
          </div>
          {mode === 'text' ? (
            <label className="inline-field small">Format{' '}
              <select value={format} onChange={(e) => onFormat(e.target.value as Format)} disabled={!def}>
                <option value="json">JSON</option><option value="yaml">YAML</option>
              </select>
            </label>
          ) : null}
        </div>
        {mode === 'form' ? (
          def ? (readOnly ? <PlainWords def={def} names={names} /> : <DefinitionForm def={def} update={update} pickers={pickers.data} names={names} />) : (
            <p className="small muted">The text does not read as {format.toUpperCase()}, so the form cannot show it. Fix it in the text view.</p>
          )
        ) : (
          <div className="field">
            <div className="editor-head">
              <label htmlFor={editorId}>Definition {format.toUpperCase()}</label>
            </div>
            <textarea id={editorId} ref={textarea} className="code-editor" spellCheck={false} value={text} readOnly={readOnly}
              aria-invalid={!!syntax || check.state === 'invalid'} aria-describedby={`${editorId}-status`} onChange={(e) => onText(e.target.value)} rows={22} />
          </div>
        )}
        <div id={`${editorId}-status`} aria-live="polite">
          {syntax ? (
            <div className="issue-list syntax-error" role="alert">
              <span><strong>{format.toUpperCase()} syntax error at line {syntax.line}, column {syntax.column}:</strong> {syntax.message}</span>
              <button type="button" className="button small" onClick={() => goTo(syntax.offset)}>Go to line {syntax.line}</button>
            </div>
          ) : null}
          {!syntax && check.state === 'checking' ? <p className="small muted">Checking…</p> : null}
          {!syntax && check.state === 'valid' ? <p className="small valid-note">✓ Valid definition</p> : null}
          {!syntax && check.state === 'invalid' ? (
            <div>
              <p className="small error-text">{check.issues.length === 1 ? 'One problem' : `${check.issues.length} problems`} to fix before saving{mode === 'form' ? ' (marked in place; tabs show where)' : ''}:</p>
              <ul className="issue-list" aria-label="Validation errors">
                {check.issues.map((i, n) => <li key={n}><code>{i.path || '(document)'}</code> {i.message}</li>)}
              </ul>
            </div>
          ) : null}
        </div>
      </div>
    </IssuesContext.Provider>
  );
}
