import ipaddr from 'ipaddr.js';
import { fail, ok, type Result } from '../result.ts';

/**
 * Outgoing calls (webhooks, integrations) only reach public unicast addresses, unless the operator's
 * allowlist names the address (a CIDR range) or the host. Everything else — loopback, private,
 * link-local (where cloud metadata services answer, 169.254.169.254), carrier-grade NAT, unique-local
 * IPv6, multicast, reserved, IPv4 embedded in IPv6 transition ranges — is refused: a webhook must
 * never become a way to read the inside of the network Leadloop runs in.
 */

const why: Record<string, string> = {
  loopback: 'a loopback address (this machine)',
  private: 'a private network address',
  linkLocal: 'a link-local address (cloud metadata services answer there)',
  uniqueLocal: 'a unique-local IPv6 address (a private network)',
  carrierGradeNat: 'a carrier-grade NAT address (provider-internal; some clouds serve metadata there)',
  unspecified: 'the unspecified address (reaches this machine)',
  broadcast: 'a broadcast address',
  multicast: 'a multicast address',
  reserved: 'a reserved address',
};

export type AddressVerdict = { allowed: true } | { allowed: false; reason: string };

/** Parsed allowlist entries: CIDR ranges and exact host names (lower case). */
export type OutboundAllowlist = { ranges: [ipaddr.IPv4 | ipaddr.IPv6, number][]; hosts: Set<string> };

/** Reads the operator setting (comma-separated CIDRs, addresses or host names); answers what cannot be read. */
export function parseAllowlist(entries: readonly string[]): Result<OutboundAllowlist> {
  const list: OutboundAllowlist = { ranges: [], hosts: new Set() };
  for (const raw of entries.map((e) => e.trim()).filter(Boolean)) {
    if (raw.includes('/')) {
      try {
        list.ranges.push(ipaddr.parseCIDR(raw));
      } catch {
        return fail('ValidationFailed', `'${raw}' is not a CIDR range; write e.g. 10.0.0.0/8 or fd00::/8.`);
      }
    } else if (ipaddr.isValid(raw)) {
      const a = ipaddr.process(raw);
      list.ranges.push([a, a.kind() === 'ipv4' ? 32 : 128]);
    } else {
      list.hosts.add(raw.toLowerCase().replace(/\.$/, ''));
    }
  }
  return ok(list);
}

export const emptyAllowlist: OutboundAllowlist = { ranges: [], hosts: new Set() };

/** Whether an outgoing call may connect to `address` (an IP literal), given the allowlist. */
export function judgeAddress(address: string, allow: OutboundAllowlist = emptyAllowlist): AddressVerdict {
  if (!ipaddr.isValid(address)) return { allowed: false, reason: 'not an IP address' };
  // process() turns IPv4-mapped IPv6 (::ffff:127.0.0.1) back into IPv4, so the mapping hides nothing.
  const ip = ipaddr.process(address);
  if (allow.ranges.some(([net, bits]) => net.kind() === ip.kind() && ip.match(net, bits))) return { allowed: true };
  const range = ip.range();
  if (range === 'unicast') return { allowed: true };
  return { allowed: false, reason: why[range] ?? `an address in the ${range} range (not public unicast)` };
}

export type TargetUrl = { url: URL; host: string; literal: string | null };

/** The shape rules of a target URL: http(s), no credentials in it, a host. `path` names the field in errors. */
export function parseTargetUrl(raw: string, path: string): Result<TargetUrl> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return fail('ValidationFailed', `'${raw.slice(0, 200)}' is not a URL; give an http or https address like https://hooks.example.com/leadloop.`, [{ path, message: 'an http or https URL' }]);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return fail('ValidationFailed', `'${url.protocol}' URLs cannot receive webhooks; use http or https.`, [{ path, message: 'an http or https URL' }]);
  }
  if (url.username || url.password) {
    return fail('ValidationFailed', 'Put no credentials in the URL (they would be logged and shown); verify deliveries with the signing secret instead.', [{ path, message: 'no user:password@ part' }]);
  }
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase().replace(/\.$/, '');
  return ok({ url, host, literal: ipaddr.isValid(host) ? host : null });
}

/** The refusal for a target whose address is not allowed: what, where, and how an operator can allow it. */
export function refusedTarget(host: string, address: string, reason: string, path: string): Result<never> {
  const shown = host === address ? address : `${host} (${address})`;
  return fail('ValidationFailed',
    `Refused target ${shown}: it is ${reason}. Leadloop only calls public addresses; to call an internal service on purpose, the operator names it in LEADLOOP_OUTBOUND_ALLOW (a CIDR range or a host name).`,
    [{ path, message: `public address required (${address} is ${reason})` }]);
}

/** Whether the host name itself is allowlisted (then any address it resolves to is accepted). */
export function hostAllowed(host: string, allow: OutboundAllowlist = emptyAllowlist): boolean {
  return allow.hosts.has(host);
}
