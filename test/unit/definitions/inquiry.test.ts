import { describe, expect, it } from 'vitest';
import { compileDefinition } from '../../../src/core/definitions/compiled-definition.ts';
import { defaultDefinition } from '../../../src/core/definitions/default-definition.ts';
import { diffDefinitions } from '../../../src/core/definitions/definition-diff.ts';
import { parseDefinition } from '../../../src/core/definitions/definition-parse.ts';
import { leadDefinitionSchema, type LeadDefinition } from '../../../src/core/definitions/definition-schema.ts';
import { firingInquiry, inquiryReason, inquirySignalsOfState } from '../../../src/core/definitions/inquiry.ts';
import { ActivityView } from '../../../src/core/definitions/rule-matching.ts';
import { applyActivity, emptyEngagementState } from '../../../src/core/definitions/scoring.ts';
import { activity, content } from '../../helpers/definition-facts.ts';

const refs = { contentIds: new Set<string>(), customFields: new Set<string>() };
const view = (a: ReturnType<typeof activity>, c: ReturnType<typeof content> | null = null) => new ActivityView().set(a, c);

/** Applies an activity and asks the inquiry rule, as live scoring does. */
function fire(def: LeadDefinition, a: ReturnType<typeof activity>, known = true, state = emptyEngagementState()) {
  const compiled = compileDefinition(def);
  const before = inquirySignalsOfState(compiled, state.rules);
  const applied = applyActivity(state, a, null, def, a.occurredAt);
  return { match: firingInquiry(compiled, view(a), known, before, inquirySignalsOfState(compiled, applied.state.rules)), state: applied.state };
}

describe('the inquiry rule', () => {
  it('a definition saved before the rule existed parses with the default rule', () => {
    const { inquiry: _omitted, ...old } = defaultDefinition;
    const parsed = leadDefinitionSchema.parse(old);
    expect(parsed.inquiry.activities.map((r) => r.id)).toEqual(['form-submit', 'gated-download']);
    expect(parsed.inquiry.engaged).toEqual({ minSignals: 1 });
  });

  it('by default a form, a download, or a known person engaging (a rule giving points) opens an inquiry; anonymous people and unscored visits never do', () => {
    const at = '2026-03-02T10:00:00Z';
    expect(fire(defaultDefinition, activity('form_submit', at, { properties: { form_id: 'newsletter' } })).match).toMatchObject({ ruleId: 'form-submit', via: 'activity' });
    expect(fire(defaultDefinition, activity('content_download', at)).match).toMatchObject({ ruleId: 'gated-download' });
    expect(fire(defaultDefinition, activity('page_view', at, { url: '/pricing' })).match).toMatchObject({ ruleId: 'engaged', via: 'engagement' });
    expect(fire(defaultDefinition, activity('page_view', at, { url: '/blog/x' })).match).toBeNull();
    // Careers pages give negative points: not an engagement signal.
    expect(fire(defaultDefinition, activity('page_view', at, { url: '/careers' })).match).toBeNull();
    expect(fire(defaultDefinition, activity('form_submit', at), false).match).toBeNull();
  });

  it('minSignals counts counted hits of the named rules, and only a new signal fires', () => {
    const def = structuredClone(defaultDefinition);
    def.inquiry = { activities: [], engaged: { minSignals: 2, rules: ['pricing-page'] } };
    const first = fire(def, activity('page_view', '2026-03-02T10:00:00Z', { url: '/pricing' }));
    expect(first.match).toBeNull();
    // An email click scores, but is not a named signal.
    const click = fire(def, activity('email_click', '2026-03-02T10:05:00Z'), true, first.state);
    expect(click.match).toBeNull();
    expect(fire(def, activity('page_view', '2026-03-02T10:10:00Z', { url: '/pricing' }), true, click.state).match).toMatchObject({ ruleId: 'engaged' });
  });

  it('the reason says what happened, under which rule and version; lead-supplied text is cut short', () => {
    const a = activity('form_submit', '2026-03-02T10:00:00Z', { properties: { form_id: 'demo-request' } });
    expect(inquiryReason({ ruleId: 'form-submit', label: 'form submission', via: 'activity' }, a, 3)).toBe("inquiry: form submit demo-request (rule 'form submission', definition v3)");
    const long = activity('form_submit', '2026-03-02T10:00:00Z', { properties: { form_id: 'x'.repeat(500) } });
    expect(inquiryReason({ ruleId: 'f', label: 'f', via: 'activity' }, long, 1).length).toBeLessThan(200);
  });

  it('is checked and diffed in plain words', () => {
    const bad = structuredClone(defaultDefinition);
    bad.inquiry = { activities: [{ id: 'x' }, { id: 'x', type: 'form_submit' }], engaged: { minSignals: 1, rules: ['nope'] } };
    const r = parseDefinition(bad, refs);
    expect(r.ok).toBe(false);
    const paths = r.ok ? [] : r.details.map((d) => d.path);
    expect(paths).toEqual(expect.arrayContaining(['inquiry.activities[0]', 'inquiry.activities[1].id', 'inquiry.engaged.rules[0]']));
    const next = structuredClone(defaultDefinition);
    next.inquiry = { activities: [defaultDefinition.inquiry.activities[0]!], engaged: null };
    expect(diffDefinitions(defaultDefinition, next).filter((c) => c.area === 'Inquiry rule').map((c) => c.text)).toEqual([
      "Inquiry rule: 'gated download' no longer opens an inquiry",
      'Inquiry rule: engagement now opens an inquiry for nobody (engagement alone never opens an inquiry) (was a known person with 1 engagement signal (any rule giving points))',
    ]);
  });
});
