import { useContext, useId, useRef, useState, type KeyboardEvent } from 'react';
import { activityTypes } from '../../../../src/core/activity.ts';
import {
  defaultHighIntentTypes, defaultInquiryRule, defaultRatingMatrix, fitGrades, ratings,
  type EngagementRule, type FitRule, type HandRaise, type InquiryActivityRule, type LeadDefinition, type NegativeRule, type Rating,
} from '../../../../src/core/definitions/definition-schema.ts';
import { newCondition } from './condition-fields.tsx';
import { CriteriaFields } from './criteria-fields.tsx';
import { activityTypeLabel, describeConditions, describeCriteria, type DefinitionNames, type Pickers } from './definition-words.ts';
import { ChipPicker, IssueNote, IssuesContext, TokenInput, text } from './form-controls.tsx';
import { PredictedSection } from './predicted-fields.tsx';
import { Conditions, HalfLife, LabelField, MatchField, PointsField, RuleCard, pts } from './rule-parts.tsx';
import './definition-form.css';

/**
 * The definition as a form: one tab per rule kind, each rule a card with its fields and, under them,
 * what it says in words. Every change produces a new document (the caller serializes it into the
 * YAML/JSON text, which stays the one source of truth and is validated by the server as you type).
 */

type Update = (change: (draft: LeadDefinition) => void) => void;
/** `fresh`: ids of rules added in this session, which open ready to fill in. */
type Props = { def: LeadDefinition; update: Update; pickers: Pickers | undefined; names: DefinitionNames; fresh: ReadonlySet<string> };

const sections = [
  { id: 'fit', label: 'Fit', paths: ['fit'] },
  { id: 'negative', label: 'Negatives', paths: ['negative'] },
  { id: 'engagement', label: 'Engagement & decay', paths: ['engagement'] },
  { id: 'handraises', label: 'Hand-raises', paths: ['mql.handRaises'] },
  { id: 'highintent', label: 'High-intent content', paths: ['highIntent'] },
  { id: 'matrix', label: 'Rating matrix', paths: ['rating', 'mql.ratings'] },
  { id: 'inquiry', label: 'Inquiry rule', paths: ['inquiry'] },
  { id: 'predicted', label: 'Predicted', paths: ['predicted', 'inbox'] },
] as const;
type SectionId = (typeof sections)[number]['id'];

const ruleIds = (d: LeadDefinition): string[] => [
  ...(d.fit?.rules ?? []), ...(d.negative ?? []), ...(d.engagement?.rules ?? []), ...(d.mql?.handRaises ?? []), ...(d.inquiry?.activities ?? []), ...(d.predicted ?? []),
].map((r) => r.id);

/** A rule id nobody else in the list uses, from its kind (`fit-4`): ids stay stable when labels change. */
function freshId(prefix: string, taken: { id: string }[]): string {
  for (let n = taken.length + 1; ; n++) if (!taken.some((r) => r.id === `${prefix}-${n}`)) return `${prefix}-${n}`;
}

export function DefinitionForm({ def, update: write, pickers, names }: Omit<Props, 'fresh' | 'update'> & { update: Update }) {
  const [tab, setTab] = useState<SectionId>('fit');
  const [fresh, setFresh] = useState<ReadonlySet<string>>(new Set());
  // Rules that appear after a change (an "Add" button) are new: remember them so their card opens.
  const update: Update = (change) => write((d) => {
    const before = new Set(ruleIds(d));
    change(d);
    const added = ruleIds(d).filter((id) => !before.has(id));
    if (added.length) setFresh((f) => new Set([...f, ...added]));
  });
  const props: Props = { def, update, pickers, names, fresh };
  const base = useId();
  const tabs = useRef<(HTMLButtonElement | null)[]>([]);
  const onKey = (e: KeyboardEvent, i: number) => {
    const step = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
    if (!step) return;
    const next = (i + step + sections.length) % sections.length;
    setTab(sections[next]!.id);
    tabs.current[next]?.focus();
  };
  return (
    <div className="def-form">
      <div className="def-tabs" role="tablist" aria-label="Rule kinds">
        {sections.map((s, i) => <SectionTab key={s.id} s={s} i={i} selected={tab === s.id} base={base} onSelect={() => setTab(s.id)} onKey={onKey} tabRef={(el) => { tabs.current[i] = el; }} />)}
      </div>
      <div role="tabpanel" id={`${base}-panel`} aria-labelledby={`${base}-${tab}`} className="def-panel">
        {tab === 'fit' ? <FitSection {...props} /> : null}
        {tab === 'negative' ? <NegativeSection {...props} /> : null}
        {tab === 'engagement' ? <EngagementSection {...props} /> : null}
        {tab === 'handraises' ? <HandRaiseSection {...props} /> : null}
        {tab === 'highintent' ? <HighIntentSection {...props} /> : null}
        {tab === 'matrix' ? <MatrixSection {...props} /> : null}
        {tab === 'inquiry' ? <InquirySection {...props} /> : null}
        {tab === 'predicted' ? <PredictedSection def={def} update={update} fresh={fresh} /> : null}
      </div>
    </div>
  );
}

function SectionTab({ s, i, selected, base, onSelect, onKey, tabRef }: {
  s: (typeof sections)[number]; i: number; selected: boolean; base: string; onSelect: () => void; onKey: (e: KeyboardEvent, i: number) => void;
  tabRef: (el: HTMLButtonElement | null) => void;
}) {
  const all = useContext(IssuesContext);
  const issues = all.filter((x) => (s.paths as readonly string[]).some((p) => x.path === p || x.path.startsWith(`${p}.`) || x.path.startsWith(`${p}[`))).length;
  return (
    <button type="button" role="tab" id={`${base}-${s.id}`} aria-selected={selected} aria-controls={`${base}-panel`} tabIndex={selected ? 0 : -1}
      className={selected ? 'on' : ''} ref={tabRef} onClick={onSelect} onKeyDown={(e) => onKey(e, i)}>
      {s.label}{issues ? <><span className="tab-issues" aria-hidden="true">{issues}</span><span className="sr-only"> ({issues} problem{issues === 1 ? '' : 's'})</span></> : null}
    </button>
  );
}

/**
 * A rule as one line (its name, points and what it says in words) that opens into its fields: a
 * definition has dozens of rules and people change one or two at a time. A rule with a problem opens
 * by itself, so the problem is never hidden.
 */
function FitSection({ def, update, pickers, names, fresh }: Props) {
  const rules = def.fit?.rules ?? [];
  return (
    <section className="stack" aria-label="Fit rules form">
      <p className="hint">Who fits: points for what a person and their company are. The points add up to a fit score; the grades below cut it into A–D.</p>
      <ol className="rule-editor">
        {rules.map((r, i) => {
          const path = `fit.rules[${i}]`;
          const name = r.label ?? r.id;
          const set = (change: (rule: FitRule) => void) => update((d) => change(d.fit.rules[i]!));
          return (
            <RuleCard key={r.id + i} title={name} points={pts(r.points)} fresh={fresh.has(r.id)} path={path} words={`when ${describeConditions(r, names)}`}
              removeLabel="Remove rule" onRemove={() => update((d) => { d.fit.rules.splice(i, 1); })}>
              <div className="row-fields">
                <LabelField value={r.label} name={name} path={path} onChange={(v) => set((x) => { x.label = v; })} />
                <PointsField value={r.points} name={name} path={path} onChange={(v) => set((x) => { x.points = v; })} />
                <MatchField value={r.match} name={name} onChange={(v) => set((x) => { x.match = v; })} />
              </div>
              <Conditions rule={r} path={path} pickers={pickers} names={names} set={(c) => set((x) => { x.conditions = c; })} />
            </RuleCard>
          );
        })}
      </ol>
      <div><button type="button" className="button" onClick={() => update((d) => {
        d.fit.rules.push({ id: freshId('fit', d.fit.rules), label: 'New fit rule', points: 10, match: 'all', conditions: [newCondition()] });
      })}>Add fit rule</button></div>
      <h3 className="subhead">Fit grades</h3>
      <BandsEditor def={def} update={update} />
    </section>
  );
}

function BandsEditor({ def, update }: { def: LeadDefinition; update: Update }) {
  const grades = def.fit?.grades ?? [];
  return (
    <div className="bands" role="group" aria-label="Fit grades">
      {grades.map((g, i) => (
        <label key={i} className="field narrow"><span>Grade {g.grade} from</span>
          <input type="number" value={g.min ?? ''} placeholder="the rest" aria-label={`Grade ${g.grade} from (fit points)`}
            onChange={(e) => update((d) => { const b = d.fit.grades[i]!; if (e.target.value === '') delete b.min; else b.min = Number(e.target.value); })} />
        </label>
      ))}
      <IssueNote path="fit.grades" />
      <p className="hint">Highest first; leave the last grade empty so everyone else gets it.</p>
    </div>
  );
}

function NegativeSection({ def, update, pickers, names, fresh }: Props) {
  const rules = def.negative ?? [];
  const ensure = (d: LeadDefinition) => { d.negative ??= []; return d.negative; };
  return (
    <section className="stack" aria-label="Negative rules form">
      <p className="hint">Who never becomes an MQL (competitors, unsubscribed people), or loses fit points (students).</p>
      <ol className="rule-editor">
        {rules.map((r, i) => {
          const path = `negative[${i}]`;
          const name = r.label ?? r.id;
          const set = (change: (rule: NegativeRule) => void) => update((d) => change(ensure(d)[i]!));
          const effect = r.exclude ? 'never' : pts(r.points);
          return (
            <RuleCard key={r.id + i} title={name} points={effect} fresh={fresh.has(r.id)} path={path}
              words={`${effect === 'never' ? 'never an MQL' : 'fit points'} when ${describeConditions(r, names)}`}
              removeLabel="Remove rule" onRemove={() => update((d) => { ensure(d).splice(i, 1); })}>
              <div className="row-fields">
                <LabelField value={r.label} name={name} path={path} onChange={(v) => set((x) => { x.label = v; })} />
                <label className="field"><span>Effect</span>
                  <select value={r.exclude ? 'exclude' : 'points'} aria-label={`${name} effect`} onChange={(e) => set((x) => {
                    if (e.target.value === 'exclude') { x.exclude = true; delete x.points; } else { delete x.exclude; x.points = -20; }
                  })}>
                    <option value="exclude">never an MQL while it holds</option><option value="points">subtract fit points</option>
                  </select>
                </label>
                {r.exclude ? null : <PointsField value={r.points} name={name} path={path} min={-1000} max={-1} onChange={(v) => set((x) => { x.points = v; })} />}
                <MatchField value={r.match} name={name} onChange={(v) => set((x) => { x.match = v; })} />
              </div>
              <Conditions rule={r} path={path} pickers={pickers} names={names} set={(c) => set((x) => { x.conditions = c; })} />
            </RuleCard>
          );
        })}
      </ol>
      <div><button type="button" className="button" onClick={() => update((d) => {
        const list = ensure(d);
        list.push({ id: freshId('negative', list), label: 'New negative rule', exclude: true, match: 'all', conditions: [{ field: 'contact.emailDomain', op: 'in', values: [''] }] });
      })}>Add negative rule</button></div>
    </section>
  );
}

function EngagementSection({ def, update, pickers, names, fresh }: Props) {
  const rules = def.engagement?.rules ?? [];
  const levels = def.engagement?.levels ?? [];
  return (
    <section className="stack" aria-label="Engagement rules form">
      <p className="hint">What engagement counts: points per activity, capped so a repeat visitor does not become an MQL on their own; points fade over time (decay).</p>
      <div className="decay-box">
        <h3 className="subhead">Decay</h3>
        <HalfLife label="Engagement points decay" shown="Engagement points" value={def.engagement?.halfLifeDays} onChange={(v) => update((d) => { d.engagement.halfLifeDays = v ?? null; })} />
        <IssueNote path="engagement.halfLifeDays" />
      </div>
      <ol className="rule-editor">
        {rules.map((r, i) => {
          const path = `engagement.rules[${i}]`;
          const name = r.label ?? r.id;
          const set = (change: (rule: EngagementRule) => void) => update((d) => change(d.engagement.rules[i]!));
          const cap = r.cap ? `; at most ${r.cap.max}× per ${r.cap.perDays} days` : '';
          return (
            <RuleCard key={r.id + i} title={name} points={pts(r.points)} fresh={fresh.has(r.id)} path={path} words={`each ${describeCriteria(r, names)}${cap}`}
              removeLabel="Remove rule" onRemove={() => update((d) => {
                d.engagement.rules.splice(i, 1);
                // An inquiry rule naming the removed rule would fail validation: drop the reference with it.
                const engaged = d.inquiry?.engaged;
                if (engaged?.rules) { engaged.rules = engaged.rules.filter((x) => x !== r.id); if (!engaged.rules.length) delete engaged.rules; }
              })}>
              <div className="row-fields">
                <LabelField value={r.label} name={name} path={path} onChange={(v) => set((x) => { x.label = v; })} />
                <PointsField value={r.points} name={name} path={path} onChange={(v) => set((x) => { x.points = v; })} />
                <label className="field narrow"><span>At most (times)</span>
                  <input type="number" min={1} value={r.cap?.max ?? ''} placeholder="no cap" aria-label={`${name} cap: times`}
                    onChange={(e) => set((x) => { if (e.target.value === '') delete x.cap; else x.cap = { max: Number(e.target.value), perDays: x.cap?.perDays ?? 30 }; })} />
                </label>
                {r.cap ? (
                  <label className="field narrow"><span>per (days)</span>
                    <input type="number" min={1} value={r.cap.perDays} aria-label={`${name} cap: days`} onChange={(e) => set((x) => { x.cap = { max: x.cap?.max ?? 1, perDays: Number(e.target.value) }; })} />
                  </label>
                ) : null}
              </div>
              <CriteriaFields criteria={r} path={path} pickers={pickers} onChange={(c) => update((d) => { d.engagement.rules[i] = c; })} />
              <HalfLife label={`${name}: decay`} shown="Decay of these points" inherit value={r.halfLifeDays} onChange={(v) => set((x) => { if (v === undefined) delete x.halfLifeDays; else x.halfLifeDays = v; })} />
            </RuleCard>
          );
        })}
      </ol>
      <div><button type="button" className="button" onClick={() => update((d) => {
        d.engagement.rules.push({ id: freshId('engagement', d.engagement.rules), label: 'New engagement rule', type: 'page_view', points: 5, cap: { max: 3, perDays: 30 } });
      })}>Add engagement rule</button></div>
      <h3 className="subhead">Engagement levels</h3>
      <div className="bands" role="group" aria-label="Engagement levels">
        {levels.map((l, i) => (
          <label key={i} className="field narrow"><span>Level {l.level} from</span>
            <input type="number" value={l.min ?? ''} placeholder="the rest" aria-label={`Level ${l.level} from (engagement points)`}
              onChange={(e) => update((d) => { const b = d.engagement.levels[i]!; if (e.target.value === '') delete b.min; else b.min = Number(e.target.value); })} />
          </label>
        ))}
        <IssueNote path="engagement.levels" />
        <p className="hint">Level 1 is the most engaged; leave the last level empty so everyone else gets it.</p>
      </div>
    </section>
  );
}

function HandRaiseSection({ def, update, pickers, names, fresh }: Props) {
  const rules = def.mql?.handRaises ?? [];
  const ensure = (d: LeadDefinition) => { d.mql ??= { ratings: ['qualified'], handRaises: [] }; d.mql.handRaises ??= []; return d.mql.handRaises; };
  return (
    <section className="stack" aria-label="Hand-raises form">
      <p className="hint">Acts that make a person an MQL at once, whatever their engagement, when their fit is good enough: a demo request, a contact-sales form.</p>
      <ol className="rule-editor">
        {rules.map((r, i) => {
          const path = `mql.handRaises[${i}]`;
          const name = r.label ?? r.id;
          return (
            <RuleCard key={r.id + i} title={name} points="MQL" fresh={fresh.has(r.id)} path={path} words={`at once on ${describeCriteria(r, names)}, for fit ${r.minFitGrade ?? 'C'} or better`}
              removeLabel="Remove hand-raise" onRemove={() => update((d) => { ensure(d).splice(i, 1); })}>
              <div className="row-fields">
                <LabelField value={r.label} name={name} path={path} onChange={(v) => update((d) => { ensure(d)[i]!.label = v; })} />
                <label className="field"><span>Worst fit that still qualifies</span>
                  <select value={r.minFitGrade ?? 'C'} aria-label={`${name} worst fit grade`} onChange={(e) => update((d) => { ensure(d)[i]!.minFitGrade = e.target.value as HandRaise['minFitGrade']; })}>
                    {fitGrades.map((g) => <option key={g} value={g}>{g}{g === 'A' ? ' only' : ` (A–${g})`}</option>)}
                  </select>
                </label>
              </div>
              <CriteriaFields criteria={r} path={path} pickers={pickers} onChange={(c) => update((d) => { ensure(d)[i] = c; })} />
            </RuleCard>
          );
        })}
      </ol>
      <div><button type="button" className="button" onClick={() => update((d) => {
        const list = ensure(d);
        list.push({ id: freshId('hand-raise', list), label: 'New hand-raise', type: 'form_submit', minFitGrade: 'C' });
      })}>Add hand-raise</button></div>
    </section>
  );
}

function HighIntentSection({ def, update, pickers }: Props) {
  const hi = def.highIntent ?? { contentIds: [], urls: [] };
  const ensure = (d: LeadDefinition) => { d.highIntent ??= { contentIds: [], urls: [] }; return d.highIntent; };
  const types = hi.activityTypes ?? [...defaultHighIntentTypes];
  return (
    <section className="stack" aria-label="High-intent content form">
      <p className="hint">Content and pages that tell a lead&apos;s owner “they are looking now” (pricing, comparisons, the demo page): an alert, not points.</p>
      <ChipPicker label="High-intent content" chosen={hi.contentIds ?? []} onChange={(ids) => update((d) => { ensure(d).contentIds = ids; })}
        options={(pickers?.content ?? []).map((c) => ({ id: c.id, title: c.title, detail: [c.format.replace(/_/g, ' '), c.buying_stage].filter(Boolean).join(' · ') }))}
        empty="The content library is empty: add assets under Content to pick them here." />
      <IssueNote path="highIntent.contentIds" />
      <TokenInput<string> label="High-intent page URL patterns" values={hi.urls ?? []} parse={text} placeholder="/pricing*"
        onChange={(urls) => update((d) => { ensure(d).urls = urls; })} />
      <IssueNote path="highIntent.urls" />
      <fieldset className="type-picks">
        <legend>Acts that count as looking at it</legend>
        {activityTypes.map((t) => (
          <label key={t} className="check"><input type="checkbox" checked={types.includes(t)} onChange={(e) => update((d) => {
            const next = e.target.checked ? [...types, t] : types.filter((x) => x !== t);
            ensure(d).activityTypes = next.length ? next : undefined;
          })} /> {activityTypeLabel(t)}</label>
        ))}
      </fieldset>
      <IssueNote path="highIntent.activityTypes" />
    </section>
  );
}

const ratingWords: Record<Rating, string> = { qualified: 'qualified', warm: 'warm', cold: 'cold' };

function MatrixSection({ def, update }: Props) {
  const matrix = def.rating?.matrix ?? defaultRatingMatrix;
  const mqlRatings = def.mql?.ratings ?? ['qualified'];
  return (
    <section className="stack" aria-label="Rating matrix form">
      <p className="hint">Each person gets a cell, fit grade × engagement level (A1 is the best). The cell&apos;s rating decides whether they are an MQL.</p>
      <table className="table matrix edit-matrix">
        <caption className="sr-only">Rating per fit grade and engagement level</caption>
        <thead><tr><th scope="col">Fit</th>{[1, 2, 3, 4].map((l) => <th scope="col" key={l}>Level {l}</th>)}</tr></thead>
        <tbody>
          {fitGrades.map((g) => (
            <tr key={g}><th scope="row">{g}</th>
              {matrix[g].map((r, i) => (
                <td key={i} className={`cell-${r}`}>
                  <select value={r} aria-label={`Rating of ${g}${i + 1}`} onChange={(e) => update((d) => {
                    d.rating ??= { matrix: structuredClone(defaultRatingMatrix) };
                    d.rating.matrix[g][i] = e.target.value as Rating;
                  })}>
                    {ratings.map((x) => <option key={x} value={x}>{ratingWords[x]}</option>)}
                  </select>
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      <IssueNote path="rating" />
      <fieldset className="type-picks">
        <legend>MQL when rated</legend>
        {ratings.map((x) => (
          <label key={x} className="check"><input type="checkbox" checked={mqlRatings.includes(x)} onChange={(e) => update((d) => {
            d.mql ??= { ratings: ['qualified'], handRaises: [] };
            const now = d.mql.ratings ?? ['qualified'];
            d.mql.ratings = e.target.checked ? [...now, x] : now.filter((y) => y !== x);
          })} /> {ratingWords[x]}</label>
        ))}
      </fieldset>
      <IssueNote path="mql.ratings" />
    </section>
  );
}

function InquirySection({ def, update, pickers, names, fresh }: Props) {
  const rule = def.inquiry ?? defaultInquiryRule;
  const ensure = (d: LeadDefinition) => { d.inquiry ??= structuredClone(defaultInquiryRule); d.inquiry.activities ??= []; return d.inquiry; };
  const engaged = rule.engaged === undefined ? { minSignals: 1 } : rule.engaged;
  const positive = (def.engagement?.rules ?? []).filter((r) => r.points > 0);
  return (
    <section className="stack" aria-label="Inquiry rule form">
      <p className="hint">When a known person (an email on file) becomes an inquiry: a lead opens at inquiry, dated at the activity.{def.inquiry ? '' : ' This version predates the rule: it uses the default until you change it.'}</p>
      <ol className="rule-editor">
        {(rule.activities ?? []).map((r, i) => {
          const path = `inquiry.activities[${i}]`;
          const name = r.label ?? r.id;
          return (
            <RuleCard key={r.id + i} title={name} fresh={fresh.has(r.id)} path={path} words={`on ${describeCriteria(r, names)}`}
              removeLabel="Remove activity" onRemove={() => update((d) => { ensure(d).activities.splice(i, 1); })}>
              <div className="row-fields"><LabelField value={r.label} name={name} path={path} onChange={(v) => update((d) => { ensure(d).activities[i]!.label = v; })} /></div>
              <CriteriaFields criteria={r} path={path} pickers={pickers} onChange={(c: InquiryActivityRule) => update((d) => { ensure(d).activities[i] = c; })} />
            </RuleCard>
          );
        })}
      </ol>
      <div><button type="button" className="button" onClick={() => update((d) => {
        const inq = ensure(d);
        inq.activities.push({ id: freshId('inquiry', inq.activities), label: 'New inquiry activity', type: 'form_submit' });
      })}>Add inquiry activity</button></div>
      <fieldset className="rule-card">
        <legend>Engagement alone</legend>
        <label className="check"><input type="checkbox" checked={engaged !== null} onChange={(e) => update((d) => { ensure(d).engaged = e.target.checked ? { minSignals: 1 } : null; })} /> A known person who engages becomes an inquiry</label>
        {engaged ? (
          <div className="stack">
            <label className="field narrow"><span>After this many signals</span>
              <input type="number" min={1} max={1000} value={engaged.minSignals ?? 1} aria-label="Signals needed"
                onChange={(e) => update((d) => { const g = ensure(d).engaged; if (g) g.minSignals = Number(e.target.value); })} />
            </label>
            <fieldset className="type-picks">
              <legend>Counting hits of <span className="muted">(none ticked: any rule giving points)</span></legend>
              {positive.map((r) => (
                <label key={r.id} className="check"><input type="checkbox" checked={engaged.rules?.includes(r.id) ?? false} onChange={(e) => update((d) => {
                  const g = ensure(d).engaged;
                  if (!g) return;
                  const now = g.rules ?? [];
                  const next = e.target.checked ? [...now, r.id] : now.filter((x) => x !== r.id);
                  if (next.length) g.rules = next; else delete g.rules;
                })} /> {r.label ?? r.id}</label>
              ))}
            </fieldset>
          </div>
        ) : null}
        <IssueNote path="inquiry.engaged" />
      </fieldset>
    </section>
  );
}
