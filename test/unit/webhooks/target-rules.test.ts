import { describe, expect, it } from 'vitest';
import { judgeAddress, parseAllowlist, parseTargetUrl } from '../../../src/core/webhooks/target.rules.ts';

const allow = (entries: string[]) => {
  const r = parseAllowlist(entries);
  if (!r.ok) throw new Error(r.message);
  return r.value;
};

describe('outgoing call targets', () => {
  it.each([
    ['169.254.169.254', 'link-local'], ['127.0.0.1', 'loopback'], ['127.8.9.1', 'loopback'], ['10.0.0.5', 'private'], ['172.16.3.4', 'private'],
    ['192.168.1.1', 'private'], ['100.100.100.200', 'carrier-grade NAT'], ['0.0.0.0', 'unspecified'], ['::1', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'], ['::ffff:169.254.169.254', 'link-local'], ['fd00:ec2::254', 'unique-local'], ['fe80::1', 'link-local'],
    ['224.0.0.1', 'multicast'], ['64:ff9b::7f00:1', 'rfc6052'],
  ])('refuses %s (%s)', (address, why) => {
    const verdict = judgeAddress(address);
    expect(verdict.allowed).toBe(false);
    expect(verdict.allowed ? '' : verdict.reason).toContain(why);
  });

  it.each(['8.8.8.8', '93.184.216.34', '2606:4700:4700::1111'])('allows public unicast %s', (address) => {
    expect(judgeAddress(address)).toEqual({ allowed: true });
  });

  it('an allowlisted range or address is allowed, nothing more', () => {
    const list = allow(['10.20.0.0/16', '127.0.0.1', 'hooks.internal']);
    expect(judgeAddress('10.20.3.4', list).allowed).toBe(true);
    expect(judgeAddress('10.21.3.4', list).allowed).toBe(false);
    expect(judgeAddress('127.0.0.1', list).allowed).toBe(true);
    expect(judgeAddress('::ffff:127.0.0.1', list).allowed).toBe(true);
    expect(judgeAddress('127.0.0.2', list).allowed).toBe(false);
    expect(list.hosts.has('hooks.internal')).toBe(true);
  });

  it('an unreadable allowlist entry is named', () => {
    const r = parseAllowlist(['10.0.0.0/99']);
    expect(r.ok).toBe(false);
    expect(r.ok ? '' : r.message).toContain('10.0.0.0/99');
  });

  it('URL shape: http(s) only, no credentials, IP literals recognised (bracketed IPv6 too)', () => {
    expect(parseTargetUrl('ftp://example.com/x', 'body.url').ok).toBe(false);
    expect(parseTargetUrl('https://user:pw@example.com/x', 'body.url').ok).toBe(false);
    expect(parseTargetUrl('not a url', 'body.url').ok).toBe(false);
    const v6 = parseTargetUrl('http://[fd00:ec2::254]/latest', 'body.url');
    expect(v6.ok && v6.value.literal).toBe('fd00:ec2::254');
    const named = parseTargetUrl('https://Hooks.Example.com./in', 'body.url');
    expect(named.ok && [named.value.host, named.value.literal]).toEqual(['hooks.example.com', null]);
  });
});
