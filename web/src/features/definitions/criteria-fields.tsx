import { useId, useState } from 'react';
import { activityTypes } from '../../../../src/core/activity.ts';
import type { ActivityCriteria } from '../../../../src/core/definitions/definition-schema.ts';
import { activityTypeLabel, asList, formIdsOf, formTitle, type Pickers } from './definition-words.ts';
import { ChipPicker, IssueNote, TokenInput, text } from './form-controls.tsx';

/**
 * What an activity must be for an engagement rule, a hand-raise or an inquiry activity: its type,
 * which content (by title) or form (by name), URL patterns, and the rarer criteria behind "More".
 * A criterion left empty is removed from the rule (it then does not restrict anything).
 */

type Scalar = string | number | boolean;
/** One value as a scalar, several as a list, none as absent: how people write these by hand. */
const oneOrMany = <T,>(values: T[]): T | T[] | undefined => (values.length === 0 ? undefined : values.length === 1 ? values[0] : values);

function setKey<C extends ActivityCriteria>(c: C, key: keyof ActivityCriteria, value: unknown): C {
  const next = { ...c } as Record<string, unknown>;
  if (value === undefined) delete next[key];
  else next[key] = value;
  return next as C;
}

function withForms<C extends ActivityCriteria>(c: C, forms: string[]): C {
  const props: Record<string, Scalar | Scalar[]> = { ...(c.properties ?? {}) };
  delete props.formId;
  const v = oneOrMany(forms);
  if (v === undefined) delete props.form_id;
  else props.form_id = v;
  let next = setKey(c, 'properties', Object.keys(props).length ? props : undefined);
  // A form picked means a form submission; saying so keeps the rule from matching other acts with a form id.
  if (forms.length && !asList(c.type).length) next = setKey(next, 'type', 'form_submit');
  return next;
}

export function CriteriaFields<C extends ActivityCriteria>({ criteria: c, path, onChange, pickers }: {
  criteria: C; path: string; onChange: (c: C) => void; pickers: Pickers | undefined;
}) {
  const id = useId();
  const [more, setMore] = useState(() => !!(c.campaign || c.source || c.medium || c.eventName || c.buyingStage || c.topic
    || Object.keys(c.properties ?? {}).some((k) => k !== 'form_id' && k !== 'formId')));
  const types = asList(c.type);
  const forms = formIdsOf(c);
  const content = pickers?.content ?? [];
  const formats = [...new Set(content.map((x) => x.format))].sort();
  const stages = [...new Set(content.map((x) => x.buying_stage).filter((s): s is string => !!s))].sort();
  const topics = [...new Set(content.flatMap((x) => x.topics))].sort();
  const list = (key: keyof ActivityCriteria, label: string, suggestions: string[] = [], placeholder?: string) => (
    <TokenInput<string> label={label} values={asList(c[key] as string | string[] | undefined)} suggestions={suggestions} parse={text} placeholder={placeholder}
      invalid={false} onChange={(v) => onChange(setKey(c, key, oneOrMany(v)))} />
  );
  const otherProps = Object.entries(c.properties ?? {}).filter(([k]) => k !== 'form_id' && k !== 'formId');
  const setProp = (key: string, values: string[] | null, rename?: string) => {
    const props: Record<string, Scalar | Scalar[]> = { ...(c.properties ?? {}) };
    delete props[key];
    const v = values ? oneOrMany(values) : undefined;
    if (v !== undefined) props[rename ?? key] = v;
    onChange(setKey(c, 'properties', Object.keys(props).length ? props : undefined));
  };
  return (
    <div className="criteria">
      <fieldset className="type-picks">
        <legend>Activity type <span className="muted">(none ticked: any)</span></legend>
        {activityTypes.map((t) => (
          <label key={t} className="check"><input type="checkbox" checked={types.includes(t)}
            onChange={(e) => onChange(setKey(c, 'type', oneOrMany(e.target.checked ? [...types, t] : types.filter((x) => x !== t))))} /> {activityTypeLabel(t)}</label>
        ))}
      </fieldset>
      <div className="criteria-grid">
        <ChipPicker label="Forms" chosen={forms} onChange={(f) => onChange(withForms(c, f))}
          options={(pickers?.forms ?? []).map((f) => ({ id: f.id, title: formTitle(f.id), detail: `${f.submissions.toLocaleString()} recent submission${f.submissions === 1 ? '' : 's'}${f.page_url ? ` on ${f.page_url}` : ''}` }))
            .concat(forms.filter((f) => !(pickers?.forms ?? []).some((p) => p.id === f)).map((f) => ({ id: f, title: formTitle(f), detail: 'no recent submissions' })))}
          empty="No form submissions yet: forms appear here once people submit them." />
        <ChipPicker label="Content" chosen={asList(c.contentId)} onChange={(ids) => onChange(setKey(c, 'contentId', oneOrMany(ids)))}
          options={content.map((x) => ({ id: x.id, title: x.title, detail: [x.format.replace(/_/g, ' '), x.buying_stage].filter(Boolean).join(' · ') }))}
          empty="The content library is empty: add assets under Content to pick them here." />
        {list('url', 'Page URL patterns', [], '/pricing*  (* any characters)')}
        {list('format', 'Content format', formats, 'case_study, ebook…')}
      </div>
      <button type="button" className="button small ghost" aria-expanded={more} aria-controls={`${id}-more`} onClick={() => setMore(!more)}>
        {more ? 'Fewer criteria' : 'More criteria (stage, topic, campaign, source, event, properties)'}
      </button>
      {more ? (
        <div className="criteria-grid" id={`${id}-more`}>
          {list('buyingStage', 'Buying stage', stages)}
          {list('topic', 'Topic', topics)}
          {list('campaign', 'Campaign (utm_campaign)')}
          {list('source', 'Source (utm_source)')}
          {list('medium', 'Medium (utm_medium)')}
          {list('eventName', 'Event name (custom events)')}
          <fieldset className="props">
            <legend>Other properties</legend>
            {otherProps.map(([k, v], i) => (
              <div className="prop-row" key={i}>
                <label className="field"><span>Property</span><input aria-label={`Property ${i + 1} name`} value={k} onChange={(e) => e.target.value && setProp(k, asList(v).map(String), e.target.value)} /></label>
                <TokenInput<string> label={`Property ${i + 1} values`} values={asList(v).map(String)} parse={text} onChange={(vals) => setProp(k, vals.length ? vals : [''])} />
                <button type="button" className="button small ghost" aria-label={`Remove property ${k}`} onClick={() => setProp(k, null)}>Remove</button>
              </div>
            ))}
            <button type="button" className="button small" onClick={() => setProp(`property_${otherProps.length + 1}`, ['value'])}>Add a property</button>
          </fieldset>
        </div>
      ) : null}
      <IssueNote path={`${path}.properties`} />
    </div>
  );
}
