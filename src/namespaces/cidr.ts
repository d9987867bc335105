/** IPv4 and IPv6 CIDR blocks as NetworkPolicy `ipBlock`s need them (internal helpers, not part of the jsii API). */

/** A parsed CIDR block. */
export interface Cidr {
  readonly version: 4 | 6;
  /** The address as an integer. */
  readonly address: bigint;
  /** The prefix length. */
  readonly prefix: number;
}

/** Parses `a.b.c.d/n` or an IPv6 `addr/n`; undefined when it is neither. */
export function parseCidr(text: unknown): Cidr | undefined {
  if (typeof text !== 'string') return undefined;
  const slash = text.lastIndexOf('/');
  if (slash < 0 || !/^[0-9]{1,3}$/.test(text.slice(slash + 1))) return undefined;
  const ip = text.slice(0, slash);
  const prefix = Number(text.slice(slash + 1));
  const v4 = parseIpv4(ip);
  if (v4 !== undefined) return prefix <= 32 ? { version: 4, address: v4, prefix } : undefined;
  const v6 = parseIpv6(ip);
  if (v6 !== undefined) return prefix <= 128 ? { version: 6, address: v6, prefix } : undefined;
  return undefined;
}

/** True when `inner` is a strict subset of `outer` (same family, longer prefix, same network bits), as `except` must be. */
export function strictlyContains(outer: Cidr, inner: Cidr): boolean {
  if (outer.version !== inner.version || inner.prefix <= outer.prefix) return false;
  const block = 2n ** BigInt((outer.version === 4 ? 32 : 128) - outer.prefix);
  return outer.address / block === inner.address / block;
}

function parseIpv4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || parts.some(p => !/^(0|[1-9][0-9]{0,2})$/.test(p) || Number(p) > 255)) return undefined;
  return parts.reduce((n, p) => n * 256n + BigInt(p), 0n);
}

function parseIpv6(text: string): bigint | undefined {
  if (!/^[0-9a-fA-F:]+$/.test(text) || text.split('::').length > 2) return undefined;
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const groups = (s: string) => (s === '' ? [] : s.split(':'));
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const missing = 8 - left.length - right.length;
  if ((tail === undefined && missing !== 0) || (tail !== undefined && missing < 1)) return undefined;
  const all = [...left, ...Array(tail === undefined ? 0 : missing).fill('0'), ...right];
  if (all.some(g => !/^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
  return all.reduce((n, g) => n * 65536n + BigInt(`0x${g}`), 0n);
}
