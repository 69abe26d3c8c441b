import { describe, expect, it } from 'vitest';
import { defaultDefinition } from '../../../src/core/definitions/default-definition.ts';
import { parseDefinition, parseDefinitionText } from '../../../src/core/definitions/definition-parse.ts';
import type { LeadDefinition } from '../../../src/core/definitions/definition-schema.ts';

const refs = { contentIds: new Set(['cs-acme', 'ebook-roi']), customFields: new Set(['plan', 'account.tier']) };
const clone = (): any => structuredClone(defaultDefinition) as any;

function errors(input: unknown): { path: string; message: string }[] {
  const r = parseDefinition(input, refs);
  if (r.ok) throw new Error('expected the definition to be refused');
  expect(r.code).toBe('ValidationFailed');
  return r.details;
}

describe('parseDefinition', () => {
  it('accepts the default definition unchanged', () => {
    const r = parseDefinition(defaultDefinition, refs);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.value).toEqual(defaultDefinition);
  });

  it('fills defaults: rating matrix, MQL ratings, high-intent, negative', () => {
    const d = clone();
    delete d.rating; delete d.highIntent; delete d.negative; d.mql = {};
    const r = parseDefinition(d, refs);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.rating.matrix.A).toEqual(['qualified', 'qualified', 'warm', 'cold']);
    expect(r.value.mql).toEqual({ ratings: ['qualified'], handRaises: [] });
    expect(r.value.negative).toEqual([]);
  });

  it('rejects unknown fields with the path of the field', () => {
    const d = clone();
    d.fit.rules[1].pointz = 3;
    d.surprise = true;
    const details = errors(d);
    expect(details).toContainEqual({ path: 'fit.rules[1].pointz', message: "unknown field 'pointz'" });
    expect(details).toContainEqual({ path: 'surprise', message: "unknown field 'surprise'" });
  });

  it('requires schemaVersion 1', () => {
    const d = clone();
    d.schemaVersion = 2;
    expect(errors(d).map((e) => e.path)).toContain('schemaVersion');
  });

  it('names a missing content asset at its path', () => {
    const d = clone();
    d.engagement.rules.splice(2, 0, { id: 'x', type: 'content_download', contentId: 'nope', points: 5 });
    d.engagement.rules.push({ id: 'y', contentId: ['cs-acme', 'gone'], points: 5 });
    d.highIntent.contentIds = ['cs-acme', 'missing'];
    const details = errors(d);
    expect(details).toContainEqual({ path: 'engagement.rules[2].contentId', message: 'content asset nope does not exist' });
    expect(details).toContainEqual({ path: `engagement.rules[${d.engagement.rules.length - 1}].contentId[1]`, message: 'content asset gone does not exist' });
    expect(details).toContainEqual({ path: 'highIntent.contentIds[1]', message: 'content asset missing does not exist' });
  });

  it('refuses unknown activity types and missing content in hand-raises', () => {
    const d = clone();
    d.engagement.rules[0].type = 'page_vew';
    expect(errors(d).map((e) => e.path)).toContain('engagement.rules[0].type');
    const e = clone();
    e.mql.handRaises.push({ id: 'x', contentId: 'nope' });
    expect(errors(e)).toContainEqual({ path: `mql.handRaises[${e.mql.handRaises.length - 1}].contentId`, message: 'content asset nope does not exist' });
  });

  it('accepts existing content and custom fields (plain or entity-qualified)', () => {
    const d = clone();
    d.engagement.rules.push({ id: 'cs', contentId: 'cs-acme', points: 5 });
    d.fit.rules.push({ id: 'plan', conditions: [{ field: 'contact.attributes.plan', op: 'equals', value: 'pro' }], points: 5 });
    d.fit.rules.push({ id: 'tier', conditions: [{ field: 'account.attributes.tier', op: 'gte', value: 2 }], points: 5 });
    expect(parseDefinition(d, refs).ok).toBe(true);
  });

  it('refuses unknown custom fields and unknown built-in fields', () => {
    const d = clone();
    d.fit.rules.push({ id: 'p', conditions: [{ field: 'contact.attributes.tier', op: 'exists' }], points: 5 });
    d.fit.rules.push({ id: 'q', conditions: [{ field: 'contact.shoeSize', op: 'exists' }], points: 5 });
    const details = errors(d);
    const n = d.fit.rules.length;
    expect(details).toContainEqual({ path: `fit.rules[${n - 2}].conditions[0].field`, message: "custom field 'tier' does not exist" });
    expect(details.find((e) => e.path === `fit.rules[${n - 1}].conditions[0].field`)?.message).toMatch(/unknown field 'contact.shoeSize'/);
  });

  it('refuses operators that do not fit the field, bad regexes and inverted ranges', () => {
    const d = clone();
    d.fit.rules = [
      { id: 'a', conditions: [{ field: 'contact.title', op: 'gte', value: 3 }], points: 1 },
      { id: 'b', conditions: [{ field: 'account.employeeCount', op: 'contains', values: ['1'] }], points: 1 },
      { id: 'c', conditions: [{ field: 'contact.title', op: 'matches', pattern: '(unclosed' }], points: 1 },
      { id: 'd', conditions: [{ field: 'account.employeeCount', op: 'between', min: 1000, max: 200 }], points: 1 },
    ];
    const paths = errors(d).map((e) => e.path);
    expect(paths).toEqual(expect.arrayContaining([
      'fit.rules[0].conditions[0].op', 'fit.rules[1].conditions[0].op', 'fit.rules[2].conditions[0].pattern', 'fit.rules[3].conditions[0].max',
    ]));
  });

  it('refuses duplicate rule ids and engagement rules with no condition', () => {
    const d = clone();
    d.engagement.rules.push({ id: 'pricing-page', type: 'page_view', points: 1 });
    d.engagement.rules.push({ id: 'everything', points: 1 });
    const details = errors(d);
    const n = d.engagement.rules.length;
    expect(details.find((e) => e.path === `engagement.rules[${n - 2}].id`)?.message).toBe("id 'pricing-page' is already used by engagement.rules[0]");
    expect(details.find((e) => e.path === `engagement.rules[${n - 1}]`)?.message).toMatch(/at least one condition/);
  });

  describe('bands', () => {
    const withGrades = (grades: unknown) => { const d = clone(); d.fit.grades = grades; return d; };
    it('refuses unordered bands', () => {
      const details = errors(withGrades([{ grade: 'A', min: 40 }, { grade: 'B', min: 60 }, { grade: 'C', min: 20 }, { grade: 'D' }]));
      expect(details[0]).toMatchObject({ path: 'fit.grades[1].min' });
      expect(details[0]!.message).toMatch(/B starts at 60, which is out of order with grade A \(starts at 40\)/);
    });
    it('refuses overlapping bands (equal minimums make one unreachable)', () => {
      const details = errors(withGrades([{ grade: 'A', min: 60 }, { grade: 'B', min: 60 }, { grade: 'C', min: 20 }, { grade: 'D' }]));
      expect(details[0]!.message).toMatch(/overlaps grade A/);
    });
    it('refuses a gap below the lowest band', () => {
      const details = errors(withGrades([{ grade: 'A', min: 60 }, { grade: 'B', min: 40 }, { grade: 'C', min: 20 }, { grade: 'D', min: 0 }]));
      expect(details[0]).toMatchObject({ path: 'fit.grades[3].min' });
      expect(details[0]!.message).toMatch(/gap: scores below 0/);
    });
    it('refuses missing, duplicated and misordered grades', () => {
      expect(errors(withGrades([{ grade: 'A', min: 60 }, { grade: 'C', min: 20 }, { grade: 'D' }]))[0]!.message).toMatch(/missing grade B/);
      expect(errors(withGrades([{ grade: 'A', min: 60 }, { grade: 'A', min: 50 }, { grade: 'C', min: 20 }, { grade: 'D' }]))[0]!.message).toMatch(/grade A listed twice/);
      expect(errors(withGrades([{ grade: 'B', min: 60 }, { grade: 'A', min: 50 }, { grade: 'C', min: 20 }, { grade: 'D' }]))[0]!.message).toMatch(/out of order/);
    });
    it('refuses a middle band without a minimum, and checks engagement levels the same way', () => {
      const d = clone();
      d.engagement.levels = [{ level: 1, min: 60 }, { level: 2 }, { level: 3, min: 5 }, { level: 4 }];
      expect(errors(d)[0]).toMatchObject({ path: 'engagement.levels[1].min' });
    });
  });

  it('refuses a definition under which nothing can qualify', () => {
    const d = clone();
    d.mql = { ratings: ['qualified'], handRaises: [] };
    d.rating = { matrix: { A: ['warm', 'warm', 'cold', 'cold'], B: ['cold', 'cold', 'cold', 'cold'], C: ['cold', 'cold', 'cold', 'cold'], D: ['cold', 'cold', 'cold', 'cold'] } };
    expect(errors(d)[0]).toMatchObject({ path: 'mql.ratings' });
  });

  it('refuses negative rules that neither exclude nor subtract, or positive negative points', () => {
    const d = clone();
    d.negative.push({ id: 'n1', conditions: [{ field: 'contact.title', op: 'contains', values: ['x'] }] });
    expect(errors(d).map((e) => e.path)).toEqual([`negative[${d.negative.length - 1}]`]);
    const e = clone();
    e.negative.push({ id: 'n2', conditions: [{ field: 'contact.title', op: 'contains', values: ['x'] }], points: 5 });
    expect(errors(e).map((x) => x.path)).toEqual([`negative[${e.negative.length - 1}].points`]);
  });

  it('validates the SLA policy shape', () => {
    const d = clone();
    d.sla.businessHours = { timezone: 'Mars/Olympus', days: ['mon', 'mon'], start: '18:00', end: '09:00' };
    d.sla.holidays = ['2026-02-30'];
    d.sla.escalation = [{ on: 'accept', afterBusinessHours: 8, action: 'notify', to: 'owner' }, { on: 'accept', afterBusinessHours: 2, action: 'notify', to: 'owner' }];
    const paths = errors(d).map((e) => e.path);
    expect(paths).toEqual(expect.arrayContaining([
      'sla.businessHours.timezone', 'sla.businessHours.end', 'sla.businessHours.days[1]', 'sla.holidays[0]', 'sla.escalation[1].afterBusinessHours',
    ]));
    const bad = clone();
    bad.sla.businessHours.start = '9am';
    expect(errors(bad).map((e) => e.path)).toContain('sla.businessHours.start');
  });

  it('summarizes the first problem and the count in the message', () => {
    const d = clone();
    d.x = 1; d.y = 2;
    const r = parseDefinition(d, refs);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toBe("The lead definition is invalid: x: unknown field 'x' (and 1 more).");
  });
});

describe('parseDefinitionText', () => {
  const yaml = `schemaVersion: 1
name: Tiny
fit:
  rules:
    - id: vp
      label: Title is VP or C-level
      conditions:
        - { field: contact.title, op: contains, values: [vp, chief] }
      points: 30
  grades: [{ grade: A, min: 60 }, { grade: B, min: 40 }, { grade: C, min: 20 }, { grade: D }]
engagement:
  halfLifeDays: 30
  rules:
    - { id: pricing, type: page_view, url: /pricing*, points: 10, cap: { max: 3, perDays: 30 } }
  levels: [{ level: 1, min: 60 }, { level: 2, min: 30 }, { level: 3, min: 5 }, { level: 4 }]
mql: {}
sla:
  acceptWithinBusinessHours: 4
  firstTouchWithinBusinessHours: 24
  opportunityDecisionWithinDays: 30
  businessHours: { timezone: Europe/Berlin, days: [mon, tue, wed, thu, fri], start: "09:00", end: "17:00" }
`;

  it('parses valid YAML', () => {
    const r = parseDefinitionText(yaml, 'yaml', refs);
    expect(r.ok).toBe(true);
    if (r.ok) expect((r.value as LeadDefinition).engagement.rules[0]!.url).toBe('/pricing*');
  });

  it('maps YAML syntax errors to line and column', () => {
    const r = parseDefinitionText('schemaVersion: 1\nname: [unclosed\nfit: {}\n', 'yaml', refs);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(/^YAML syntax error at line \d+, column \d+/);
  });

  it('adds the YAML line to validation errors', () => {
    const r = parseDefinitionText(yaml.replace('points: 30', 'points: 30\n      bonus: 1'), 'yaml', refs);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.details[0]).toEqual({ path: 'fit.rules[0].bonus', message: "unknown field 'bonus' (line 10)" });
  });

  it('refuses hostile nesting before the recursive YAML parser sees it, and keeps brackets in quotes and plain scalars', () => {
    for (const [text, where] of [
      [`name: ${'['.repeat(65)}${']'.repeat(65)}`, /line 1 nests lists or maps more than 64 levels/],
      [`name: "]]]]"\nx: ${'{a: '.repeat(65)}1${'}'.repeat(65)}`, /line 2 nests lists or maps more than 64 levels/],
      [`name:\n${'- '.repeat(200)}1`, /line 2 starts its content beyond column 256/],
    ] as const) {
      const r = parseDefinitionText(text, 'yaml', refs);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.message).toMatch(where);
    }
    // 64 levels, brackets inside quotes and a regex in a plain scalar are not hostile.
    const fine = `${yaml}# ]]]] [[[[\nname2: "[[[[" \npattern: ^[a-z]+$\nx: ${'['.repeat(64)}${']'.repeat(64)}\n`;
    const r = parseDefinitionText(fine, 'yaml', refs);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).not.toMatch(/nested too deeply/);
  });

  it('parses JSON and reports JSON syntax errors with line and column', () => {
    expect(parseDefinitionText(JSON.stringify(defaultDefinition), 'json', refs).ok).toBe(true);
    const r = parseDefinitionText('{\n  "schemaVersion": 1,\n  }', 'json', refs);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(/^JSON syntax error at line 3, column 3/);
  });
});
