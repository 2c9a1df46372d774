// The access-control chain of proxy requests (inherited policy): client IP allowlists (CIDR, v4 and v6) and
// resource (API path) allowlists. Pure; every layer that sets a list must allow the request, like
// allow_models. Parsed CIDR lists are memoized per policy object, so warm requests parse nothing.
import ipaddr from 'ipaddr.js';
import type { EffectivePolicy } from '../policy/effective';
import { globMatch } from '../policy/glob';

export type IpRange = [ipaddr.IPv4 | ipaddr.IPv6, number];

/** `10.0.0.0/8`, `2001:db8::/32`, or a single address (a /32 or /128). Null when invalid. */
export function parseCidr(text: string): IpRange | null {
  const value = text.trim();
  const [address = '', bits] = value.split('/');
  try {
    if (address.includes(':')) {
      if (bits === undefined) return ipaddr.IPv6.isValid(address) ? [ipaddr.IPv6.parse(address), 128] : null;
      return ipaddr.IPv6.isValidCIDR(value) ? ipaddr.IPv6.parseCIDR(value) : null;
    }
    // Four-part decimal only: "10.1" or hex forms are legal for inet_aton but surprising here.
    if (bits === undefined)
      return ipaddr.IPv4.isValidFourPartDecimal(address) ? [ipaddr.IPv4.parse(address), 32] : null;
    return ipaddr.IPv4.isValidCIDRFourPartDecimal(value) ? ipaddr.IPv4.parseCIDR(value) : null;
  } catch {
    return null;
  }
}

/** The client address as Cloudflare reports it (clients cannot set this header through Cloudflare). */
export function clientIp(headers: Headers): string | null {
  return headers.get('cf-connecting-ip')?.trim() || null;
}

/** IPv4-mapped IPv6 (`::ffff:10.0.0.1`) is read as IPv4, so v4 allowlists still apply. */
export function parseIp(text: string): ipaddr.IPv4 | ipaddr.IPv6 | null {
  try {
    return ipaddr.isValid(text) ? ipaddr.process(text) : null;
  } catch {
    return null;
  }
}

export function ipInRanges(ip: ipaddr.IPv4 | ipaddr.IPv6, ranges: readonly IpRange[]): boolean {
  return ranges.some(([net, bits]) => net.kind() === ip.kind() && ip.match(net, bits));
}

/** Whether every address of `inner` is inside `outer`. */
export function rangeWithin(inner: IpRange, outer: IpRange): boolean {
  const [innerNet, innerBits] = inner;
  const [outerNet, outerBits] = outer;
  return innerNet.kind() === outerNet.kind() && innerBits >= outerBits && innerNet.match(outerNet, outerBits);
}

const parsed = new WeakMap<readonly string[], IpRange[]>();

function rangesOf(cidrs: readonly string[]): IpRange[] {
  let ranges = parsed.get(cidrs);
  if (!ranges) {
    // Invalid entries (the API refuses them; an old policy file might hold one) match nothing.
    ranges = cidrs.map(parseCidr).filter((r): r is IpRange => r !== null);
    parsed.set(cidrs, ranges);
  }
  return ranges;
}

export interface AclRefusal {
  code: 'ip_not_allowed' | 'resource_not_allowed';
  message: string;
  /** The layer whose list refused, e.g. `account:eng`. */
  source: string;
}

export function checkIp(policy: Pick<EffectivePolicy, 'ipAllow'>, ip: string | null): AclRefusal | null {
  if (policy.ipAllow.length === 0) return null;
  const address = ip === null ? null : parseIp(ip);
  for (const { source, cidrs } of policy.ipAllow) {
    // No (or an unreadable) client address cannot prove it is allowed: fail closed.
    if (address === null || !ipInRanges(address, rangesOf(cidrs))) {
      return {
        code: 'ip_not_allowed',
        message: `Requests from ${ip ?? 'an unknown address'} are not allowed by the IP allowlist set on ${source}.`,
        source,
      };
    }
  }
  return null;
}

export function checkResource(policy: Pick<EffectivePolicy, 'resources'>, path: string): AclRefusal | null {
  for (const { source, patterns } of policy.resources) {
    if (!patterns.some((p) => globMatch(p, path))) {
      return {
        code: 'resource_not_allowed',
        message: `The endpoint ${path} is not allowed by the resource allowlist set on ${source}.`,
        source,
      };
    }
  }
  return null;
}

/** The whole chain, IP first: a request from outside the allowlist learns nothing about paths. */
export function checkAcl(
  policy: Pick<EffectivePolicy, 'ipAllow' | 'resources'>,
  request: { ip: string | null; path: string },
): AclRefusal | null {
  return checkIp(policy, request.ip) ?? checkResource(policy, request.path);
}
