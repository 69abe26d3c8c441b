import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.ts';
import { decideRedirect, normalizeDomain } from '../../src/core/redirect.rules.ts';
import { rateLimitGroupOf, scrubUrl } from '../../src/server/http-hardening.ts';

describe('log URL scrubbing', () => {
  it('redacts credential query values and link tokens, keeps the rest', () => {
    expect(scrubUrl('/api/v1/forms/x/submissions?key=abc&utm_source=news')).toBe('/api/v1/forms/x/submissions?key=[redacted]&utm_source=news');
    expect(scrubUrl('/v1/settings?writeKey=w&access_token=t&Password=p&page=2')).toBe('/v1/settings?writeKey=[redacted]&access_token=[redacted]&Password=[redacted]&page=2');
    expect(scrubUrl('/u/sometoken')).toBe('/u/[redacted]');
    expect(scrubUrl('/preferences/abc.def')).toBe('/preferences/[redacted]');
    expect(scrubUrl(`/api/v1/leads/0190aaaa-0000-7000-8000-000000000001`)).toBe('/api/v1/leads/0190aaaa-0000-7000-8000-000000000001');
    expect(scrubUrl(`/api/v1/auth/reset/${'x'.repeat(43)}`)).toBe('/api/v1/auth/reset/[redacted]');
    expect(scrubUrl('/api/v1/contacts?q=ann')).toBe('/api/v1/contacts?q=ann');
  });
});

describe('rate-limit groups', () => {
  it('only public doors are limited, each in its group', () => {
    expect(rateLimitGroupOf('/api/v1/forms/:formId/submissions', 'public')).toBe('forms');
    expect(rateLimitGroupOf('/v1/batch', 'public')).toBe('ingest');
    expect(rateLimitGroupOf('/v1/content-ratings', 'public')).toBe('ratings');
    expect(rateLimitGroupOf('/t.js', 'public')).toBe('links');
    expect(rateLimitGroupOf('/api/v1/auth/login', 'public')).toBe('auth');
    expect(rateLimitGroupOf('/health/ready', 'public')).toBeNull();
    expect(rateLimitGroupOf('/api/v1/contacts', 'read')).toBeNull();
  });
});

describe('trusted proxies setting', () => {
  it('accepts IPs and CIDR ranges, refuses anything else naming the setting', () => {
    const good = parseConfig({ LEADLOOP_TRUSTED_PROXIES: '10.0.0.1, 192.168.0.0/16,::1' });
    expect(good.ok && good.config.LEADLOOP_TRUSTED_PROXIES).toEqual(['10.0.0.1', '192.168.0.0/16', '::1']);
    const none = parseConfig({});
    expect(none.ok && none.config.LEADLOOP_TRUSTED_PROXIES).toEqual([]);
    const bad = parseConfig({ LEADLOOP_TRUSTED_PROXIES: '10.0.0.1,proxy.internal' });
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.message).toMatch(/LEADLOOP_TRUSTED_PROXIES: must be a comma-separated list of IP addresses or CIDR ranges/);
  });
});

describe('rate limits setting', () => {
  it('overrides named doors, refuses unknown doors and non-numbers', () => {
    const good = parseConfig({ LEADLOOP_RATE_LIMITS: 'ingest=20000, forms=120' });
    expect(good.ok && good.config.LEADLOOP_RATE_LIMITS).toEqual({ ingest: 20000, forms: 120 });
    for (const bad of ['everything=5', 'forms=lots', 'forms=0']) {
      const r = parseConfig({ LEADLOOP_RATE_LIMITS: bad });
      expect(!r.ok && r.message, bad).toMatch(/LEADLOOP_RATE_LIMITS: must be door=requests-per-minute pairs/);
    }
  });
});

describe('form redirect rule', () => {
  it('normalises typed domains and decides redirects', () => {
    expect(normalizeDomain(' https://WWW.Example.com/thanks ')).toBe('www.example.com');
    expect(normalizeDomain('*.example.com')).toBe('example.com');
    expect(normalizeDomain('not a domain')).toBeNull();
    expect(decideRedirect('/thanks', ['example.com'], 'https://www.example.com/form', 'Settings')).toEqual({ ok: true, url: 'https://www.example.com/thanks' });
    expect(decideRedirect('https://example.com.evil.test/', ['example.com'], null, 'Settings').ok).toBe(false);
    expect(decideRedirect('https://evilexample.com/', ['example.com'], null, 'Settings').ok).toBe(false);
    expect(decideRedirect('', ['example.com'], null, 'Settings')).toEqual({ ok: true, url: null });
  });
});
