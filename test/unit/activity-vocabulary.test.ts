import { describe, expect, it } from 'vitest';
import {
  canonicalActivity, canonicalPropertyKey, canonicalView, normalizeActivityProperties, pathOfUrl, readProperty, secretFieldName,
} from '../../src/core/activity-vocabulary.rules.ts';
import type { ActivityFact } from '../../src/core/activity.ts';
import { defaultDefinition } from '../../src/core/definitions/default-definition.ts';
import { ActivityView, compileCriteria } from '../../src/core/definitions/rule-matching.ts';

const fact = (properties: Record<string, unknown>): ActivityFact => ({
  id: 'a', contactId: 'c', type: 'form_submit', occurredAt: new Date(0), source: null, medium: null, campaign: null,
  contentId: null, url: null, eventName: null, properties,
});

describe('canonical property keys', () => {
  it('maps the spellings real senders use to one snake_case key', () => {
    for (const k of ['formId', 'formID', 'FormId', 'form_id', 'form-id', 'Form ID', 'FORM_ID', 'formGuid']) expect(canonicalPropertyKey(k)).toBe('form_id');
    for (const k of ['contentId', 'content_id', 'assetId', 'asset_id', 'ContentID']) expect(canonicalPropertyKey(k)).toBe('content_id');
    for (const k of ['utmSource', 'utm_source', 'UTM Source']) expect(canonicalPropertyKey(k)).toBe('utm_source');
    expect(canonicalPropertyKey('pageUrl')).toBe('url');
    expect(canonicalPropertyKey('page_path')).toBe('path');
  });

  it('leaves every other key exactly as sent', () => {
    for (const k of ['plan', 'Plan', 'fields', 'subject', 'formation', 'content']) expect(canonicalPropertyKey(k)).toBe(k);
  });
});

describe('normalizeActivityProperties', () => {
  it('renames aliases, fills url/path and campaign tags from the door', () => {
    const out = normalizeActivityProperties(
      { formId: 'demo-request', plan: 'pro' },
      { url: 'https://acme.com/demo?x=1#top', campaign: { source: 'linkedin', medium: 'paid', name: 'q4', term: 'crm', content: 'v2' } },
    );
    expect(out).toEqual({
      form_id: 'demo-request', plan: 'pro', url: 'https://acme.com/demo?x=1#top', path: '/demo',
      utm_source: 'linkedin', utm_medium: 'paid', utm_campaign: 'q4', utm_term: 'crm', utm_content: 'v2',
    });
  });

  it('keeps the exact canonical key over an alias, and the alias too (nothing lost)', () => {
    expect(normalizeActivityProperties({ form_id: 'a', formId: 'b' })).toEqual({ form_id: 'a', formId: 'b' });
  });

  it('turns numeric ids into trimmed strings and drops empty ones', () => {
    expect(normalizeActivityProperties({ formId: 1234, contentId: '  x1 ' })).toEqual({ form_id: '1234', content_id: 'x1' });
    expect(normalizeActivityProperties({ form_id: '' })).toEqual({});
  });

  it('uses a slug-like form name as the form id, never a sentence', () => {
    expect(normalizeActivityProperties({ form_name: 'demo-request' }).form_id).toBe('demo-request');
    expect(normalizeActivityProperties({ formName: 'Request a demo' }).form_id).toBeUndefined();
  });

  it('takes campaign tags from one source only: properties, else the door, else the URL query', () => {
    const door = { source: 'door', medium: 'door-m' };
    expect(canonicalView(normalizeActivityProperties({ utmSource: 'props' }, { campaign: door }))).toEqual({ utm_source: 'props' });
    expect(canonicalView(normalizeActivityProperties({}, { campaign: door }))).toEqual({ utm_source: 'door', utm_medium: 'door-m' });
    expect(canonicalView(normalizeActivityProperties({}, { url: '/p?utm_source=g&utm_term=a%20b' })))
      .toEqual({ url: '/p?utm_source=g&utm_term=a%20b', path: '/p', utm_source: 'g', utm_term: 'a b' });
  });

  it('does not change a property set that is already canonical', () => {
    const canonical = { form_id: 'f', url: 'https://a.co/x', path: '/x', utm_source: 's', fields: { email: 'a@b.co' } };
    expect(normalizeActivityProperties(canonical, { url: 'https://a.co/x' })).toEqual(canonical);
  });
});

describe('canonicalActivity (doors with columns)', () => {
  it('mirrors source/medium/campaign columns into utm_* and fills missing columns from properties', () => {
    const fromColumns = canonicalActivity({ properties: { formId: 'demo-request' }, source: 'linkedin', medium: 'paid', utmCampaign: 'q4', url: 'https://a.co/demo' });
    expect(fromColumns).toMatchObject({ source: 'linkedin', medium: 'paid', utmCampaign: 'q4', url: 'https://a.co/demo' });
    const fromProps = canonicalActivity({ properties: { form_id: 'demo-request', utm_source: 'linkedin', utm_medium: 'paid', utm_campaign: 'q4', url: 'https://a.co/demo' } });
    expect(fromProps).toEqual(fromColumns);
  });

  it('puts a content column into the properties', () => {
    expect(canonicalActivity({ contentId: 'asset-1' }).properties).toEqual({ content_id: 'asset-1' });
  });
});

describe('rule matching through the vocabulary', () => {
  const demoRule = defaultDefinition.engagement.rules.find((r) => r.id === 'demo-request')!;
  const matches = (criteria: Parameters<typeof compileCriteria>[0], props: Record<string, unknown>) => compileCriteria(criteria)(new ActivityView().set(fact(props), null));

  it('the starter definition names the canonical key', () => {
    expect(demoRule.properties).toEqual({ form_id: 'demo-request' });
  });

  it('matches canonical activities and history stored under an alias', () => {
    expect(matches(demoRule, { form_id: 'demo-request' })).toBe(true);
    expect(matches(demoRule, { formId: 'Demo-Request' })).toBe(true);
    expect(matches(demoRule, { formID: 'demo-request' })).toBe(true);
    expect(matches(demoRule, { form_id: 'newsletter' })).toBe(false);
    expect(matches(demoRule, {})).toBe(false);
  });

  it('a definition written with `formId` still matches what the doors store', () => {
    expect(matches({ type: 'form_submit', properties: { formId: 'demo-request' } }, { form_id: 'demo-request' })).toBe(true);
    expect(readProperty({ formId: 'x' }, 'form_id')).toBe('x');
  });
});

describe('helpers', () => {
  it('pathOfUrl', () => {
    expect(pathOfUrl('https://a.co/x/y?q#h')).toBe('/x/y');
    expect(pathOfUrl('https://a.co')).toBe('/');
    expect(pathOfUrl('/only/path?x')).toBe('/only/path');
    expect(pathOfUrl('not a url')).toBeNull();
  });

  it('secret field names', () => {
    for (const n of ['password', 'csrf_token', 'csrfmiddlewaretoken', 'authenticity_token', 'card_number', 'cardNumber', 'cvc', 'cvv', 'cc-number', 'ssn', 'client_secret'])
      expect(secretFieldName.test(n), n).toBe(true);
    for (const n of ['email', 'company', 'first_name', 'title', 'message', 'country']) expect(secretFieldName.test(n), n).toBe(false);
  });
});
