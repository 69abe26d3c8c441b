import { describe, expect, it } from 'vitest';
import { defaultDefinition } from '../../../src/core/definitions/default-definition.ts';
import { diffDefinitions } from '../../../src/core/definitions/definition-diff.ts';
import type { LeadDefinition } from '../../../src/core/definitions/definition-schema.ts';

const base = (): LeadDefinition => structuredClone(defaultDefinition);
const texts = (a: LeadDefinition, b: LeadDefinition) => diffDefinitions(a, b).map((c) => c.text);

describe('diffDefinitions', () => {
  it('finds nothing between equal definitions, even with keys in another order', () => {
    const b = base();
    b.engagement.rules[4]!.properties = { formId: 'demo-request' };
    b.fit.rules[0]!.conditions = b.fit.rules[0]!.conditions.map((c) => Object.fromEntries(Object.entries(c).reverse()) as typeof c);
    expect(diffDefinitions(base(), b)).toEqual([]);
  });

  it('reports fit point changes, renames and condition changes', () => {
    const b = base();
    b.fit.rules[0]!.points = 40;
    b.fit.rules[0]!.label = 'Title is VP or C-level';
    b.fit.rules[5]!.conditions = [{ field: 'account.employeeCount', op: 'between', min: 250, max: 1000 }];
    b.fit.rules[5]!.label = undefined;
    const t = texts(base(), b);
    expect(t).toContain("Fit: 'title VP or C-level' renamed to 'Title is VP or C-level'");
    expect(t).toContain("Fit: 'Title is VP or C-level' now +40 points (was +30)");
    expect(t).toContain("Fit: 'employee count 250–1000' now applies when employee count 250–1000 (was employee count 200–1000)");
  });

  it('reports added and removed rules', () => {
    const b = base();
    b.fit.rules = b.fit.rules.filter((r) => r.id !== 'region-served');
    b.fit.rules.push({ id: 'fin', match: 'all', points: 10, conditions: [{ field: 'account.industry', op: 'equals', value: 'Fintech' }] });
    b.engagement.rules.push({ id: 'trial', label: 'trial signup', type: 'form_submit', properties: { formId: 'trial' }, points: 30, cap: { max: 1, perDays: 90 } });
    const t = texts(base(), b);
    expect(t).toContain("Fit: removed 'region we sell to' (was +5 points)");
    expect(t).toContain("Fit: new rule 'industry is Fintech' gives +10 points when industry is Fintech");
    expect(t).toContain("Engagement: new rule 'trial signup' gives +30 points for form submit (formId trial), capped at 1 per 90 days");
  });

  it('reports grade and level bands, decay and caps', () => {
    const b = base();
    b.fit.grades[0]!.min = 65;
    b.engagement.levels[1]!.min = 25;
    b.engagement.halfLifeDays = 45;
    b.engagement.rules[0]!.cap = { max: 5, perDays: 30 };
    b.engagement.rules[5]!.cap = undefined;
    b.engagement.rules[3]!.halfLifeDays = null;
    const t = texts(base(), b);
    expect(t).toEqual(expect.arrayContaining([
      'Fit grades: grade A now starts at 65 points (was 60)',
      'Engagement levels: level 2 now starts at 25 points (was 30)',
      'Engagement: points now halve every 45 days (was halved every 30 days)',
      "Engagement: 'pricing page' now capped at 5 per 30 days (was 3 per 30 days)",
      "Engagement: 'email click' no longer capped (was 5 per 30 days)",
      "Engagement: 'webinar' now never decays (was: halves every 30 days, the default)",
    ]));
  });

  it('reports the MQL rule, the rating matrix and hand-raises', () => {
    const b = base();
    b.mql.ratings = ['qualified', 'warm'];
    b.rating.matrix.B = ['qualified', 'qualified', 'warm', 'cold'];
    b.mql.handRaises[0]!.minFitGrade = 'B';
    b.mql.handRaises.splice(1, 1);
    const t = texts(base(), b);
    expect(t).toEqual(expect.arrayContaining([
      'MQL rule: warm ratings now qualify',
      'Rating: B2 is now qualified (was warm)',
      "MQL rule: hand-raise 'demo request' now needs fit B or better (was C)",
      "MQL rule: 'contact sales form' no longer qualifies immediately",
    ]));
    expect(texts(b, base())).toContain('MQL rule: warm ratings no longer qualify');
  });

  it('reports the high-intent list, negative rules and the SLA', () => {
    const a = base();
    a.highIntent.urls = ['/demo*'];
    const b = base();
    b.highIntent.urls = ['/pricing*'];
    b.negative[1]!.points = undefined;
    b.negative[1]!.exclude = true;
    b.sla.acceptWithinBusinessHours = 8;
    b.sla.businessHours.timezone = 'Europe/Berlin';
    const t = texts(a, b);
    expect(t).toEqual(expect.arrayContaining([
      'High-intent list: added /pricing*',
      'High-intent list: removed /demo*',
      "Negative rules: 'student or intern' now excludes the lead from MQL (it gives -50 points)",
      'SLA: accept within 8 business hours (was 4)',
      'SLA: business hours now Mon, Tue, Wed, Thu, Fri 09:00–17:00 Europe/Berlin (was Mon, Tue, Wed, Thu, Fri 09:00–17:00 UTC)',
    ]));
    expect(diffDefinitions(a, b).every((c) => c.text.startsWith(`${c.area}: `))).toBe(true);
  });
});
