import { describe, expect, it } from 'vitest';
import type { AccountFact, ContactFact } from '../../src/core/activity.ts';
import { defaultDefinition } from '../../src/core/definitions/default-definition.ts';
import { evaluateLead } from '../../src/core/definitions/lead-evaluation.ts';
import { emptyEngagementState, fitSignature } from '../../src/core/definitions/scoring.ts';

/**
 * Imports rate people without activities once per fit signature: people with the same signature
 * must get the same evaluation, whatever else differs (ids, emails, names of their companies).
 */
const contact = (id: string, title: string | null, email: string): ContactFact => ({
  id, email, title, seniority: null, department: null, country: 'United States', unsubscribed: false, attributes: {},
});
const account = (id: string, industry: string | null, employeeCount: number | null): AccountFact => ({
  id, name: `Company ${id}`, domain: `${id}.example`, industry, employeeCount, country: 'United States', region: null, annualRevenue: null, attributes: {},
});
const now = new Date('2026-06-01T12:00:00Z');
const evaluate = (c: ContactFact, a: AccountFact | null) => {
  const ev = evaluateLead({ definition: defaultDefinition, version: 1, contact: c, account: a, state: emptyEngagementState(), now });
  return { fit: ev.fit, rating: ev.rating, qualification: ev.qualification, explanation: ev.explanation };
};

describe('fitSignature', () => {
  const people: [ContactFact, AccountFact | null][] = [
    [contact('c1', 'VP Marketing', 'ann@one.example'), account('one', 'Software', 450)],
    [contact('c2', 'VP Marketing', 'bob@two.example'), account('two', 'Software', 450)],
    [contact('c3', 'Student', 'cy@three.example'), account('three', 'Retail', 12)],
    [contact('c4', 'Student', 'dee@gmail.com'), null],
    [contact('c5', null, 'eve@five.example'), account('five', 'Finance', 5000)],
    [contact('c6', 'Chief Executive Officer', 'fay@six.example'), account('six', 'Software', 80)],
  ];

  it('equal signatures give equal evaluations', () => {
    for (const [c1, a1] of people) {
      for (const [c2, a2] of people) {
        if (fitSignature(c1, a1, defaultDefinition) === fitSignature(c2, a2, defaultDefinition)) expect(evaluate(c1, a1)).toEqual(evaluate(c2, a2));
      }
    }
  });

  it('tells apart people the fit rules score differently, and not people who differ only in who they are', () => {
    const [vp1, vp2, student] = people;
    expect(fitSignature(vp1![0], vp1![1], defaultDefinition)).toBe(fitSignature(vp2![0], vp2![1], defaultDefinition));
    expect(fitSignature(vp1![0], vp1![1], defaultDefinition)).not.toBe(fitSignature(student![0], student![1], defaultDefinition));
    expect(evaluate(vp1![0], vp1![1]).fit.points).not.toBe(evaluate(student![0], student![1]).fit.points);
  });
});
