import { isObject } from './pod-template';

/**
 * What "every peer on every port" means for a NetworkPolicy rule (network-policy-allow-all). Reads manifest JSON
 * only; anything the API server would reject is read the permissive way, so a malformed rule never hides a hole.
 */

export type Direction = 'ingress' | 'egress';

/** The label every Namespace carries (set by the API server since Kubernetes 1.21): `Exists` on it is no filter. */
const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';
const EXCLUDING_OPERATORS = new Set(['DoesNotExist', 'NotIn']);

/**
 * True for a label selector that requires nothing: `{}`, or only exclusions (`DoesNotExist`, `NotIn`) and, for
 * namespaces, `kubernetes.io/metadata.name Exists`. It selects every object that lacks the excluded labels,
 * including every one created later, so it is open-ended.
 */
export function selectorRequiresNothing(selector: any, namespaces: boolean): boolean {
  if (!isObject(selector)) return false;
  const labels = selector.matchLabels;
  if (labels !== undefined && labels !== null && !(isObject(labels) && Object.keys(labels).length === 0)) return false;
  const expressions = selector.matchExpressions;
  if (expressions === undefined || expressions === null) return true;
  if (!Array.isArray(expressions)) return false;
  return expressions.every((e: any) => isObject(e) && (EXCLUDING_OPERATORS.has(e.operator)
    || (namespaces && e.key === NAMESPACE_NAME_LABEL && e.operator === 'Exists')));
}

// ---------------------------------------------------------------------------------------------------------------
// Addresses

interface Family { readonly name: string; readonly bits: number }
const IPV4: Family = { name: 'IPv4', bits: 32 };
const IPV6: Family = { name: 'IPv6', bits: 128 };

interface Range { readonly family: Family; readonly start: bigint; readonly end: bigint }

function parseIpv4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || parts.some(p => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return undefined;
  return parts.reduce((acc, p) => acc * 256n + BigInt(Number(p)), 0n);
}

function parseIpv6(text: string): bigint | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groupsOf = (s: string) => (s === '' ? [] : s.split(':'));
  const head = groupsOf(halves[0]);
  const tail = halves.length === 2 ? groupsOf(halves[1]) : [];
  // A trailing dotted quad (::ffff:1.2.3.4) is two groups.
  const last = halves.length === 2 ? tail : head;
  if (last.length > 0 && last[last.length - 1].includes('.')) {
    const v4 = parseIpv4(last[last.length - 1]);
    if (v4 === undefined) return undefined;
    last.splice(last.length - 1, 1, (v4 / 65536n).toString(16), (v4 % 65536n).toString(16));
  }
  if ([...head, ...tail].some(g => !/^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const groups = [...head, ...Array(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  return groups.reduce((acc, g) => acc * 65536n + BigInt(parseInt(g, 16)), 0n);
}

/**
 * The addresses of a CIDR, masked to its prefix as the API server's parser does (so `10.1.2.3/0` is every IPv4
 * address), or undefined when it is not a CIDR.
 */
export function rangeOfCidr(cidr: unknown): Range | undefined {
  if (typeof cidr !== 'string') return undefined;
  const match = /^([^/]+)\/(\d{1,3})$/.exec(cidr.trim());
  if (!match) return undefined;
  const family = match[1].includes(':') ? IPV6 : IPV4;
  const address = family === IPV6 ? parseIpv6(match[1]) : parseIpv4(match[1]);
  const prefix = Number(match[2]);
  if (address === undefined || prefix > family.bits) return undefined;
  // BigInt arithmetic, not bit operators (the lint rule): size of the block, then the address rounded down to it.
  const size = 2n ** BigInt(family.bits - prefix);
  const start = address - address % size;
  return { family, start, end: start + size - 1n };
}

/** The ranges of an ipBlock: its CIDR minus its `except` CIDRs (of the same family). */
function rangesOfIpBlock(block: any): Range[] {
  const whole = rangeOfCidr(block?.cidr);
  if (!whole) return [];
  let ranges: Range[] = [whole];
  const except = Array.isArray(block.except) ? block.except : [];
  for (const cut of except.map(rangeOfCidr)) {
    if (!cut || cut.family !== whole.family) continue;
    ranges = ranges.flatMap(r => {
      if (cut.end < r.start || cut.start > r.end) return [r];
      const left = cut.start > r.start ? [{ ...r, end: cut.start - 1n }] : [];
      const right = cut.end < r.end ? [{ ...r, start: cut.end + 1n }] : [];
      return [...left, ...right];
    });
  }
  return ranges;
}

/** The families (IPv4, IPv6) whose every address the ranges cover together. */
function coveredFamilies(ranges: Range[]): string[] {
  return [IPV4, IPV6].filter(family => {
    const sorted = ranges.filter(r => r.family === family).sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
    let next = 0n;
    for (const r of sorted) {
      if (r.start > next) return false;
      if (r.end + 1n > next) next = r.end + 1n;
    }
    return next === 2n ** BigInt(family.bits);
  }).map(f => f.name);
}

// ---------------------------------------------------------------------------------------------------------------
// Peers and ports

/** Why one peer admits everything on its own, or undefined when it does not. */
export function peerAdmitsEveryone(peer: any): string | undefined {
  if (!isObject(peer) || Object.keys(peer).length === 0) return 'an empty peer';
  if (isObject(peer.ipBlock)) {
    const families = coveredFamilies(rangesOfIpBlock(peer.ipBlock));
    return families.length > 0 ? `ipBlock ${JSON.stringify(peer.ipBlock.cidr)}: every ${families.join(' and ')} address` : undefined;
  }
  if (selectorRequiresNothing(peer.namespaceSelector, true)
    && (peer.podSelector === undefined || peer.podSelector === null || selectorRequiresNothing(peer.podSelector, false))) {
    return `namespaceSelector ${JSON.stringify(peer.namespaceSelector)}${peer.podSelector ? ` with podSelector ${JSON.stringify(peer.podSelector)}` : ''}: `
      + 'every pod of every namespace';
  }
  return undefined;
}

const ALL_PORTS_END = 65535;

/** Why a rule's `ports` admit every port, or undefined when they name some ports only. */
export function portsAdmitEvery(ports: any): string | undefined {
  if (ports === undefined || ports === null) return 'no ports';
  if (!Array.isArray(ports) || ports.length === 0) return `ports ${JSON.stringify(ports)}`;
  const ranges = new Map<string, Array<[number, number]>>();
  for (const [index, p] of ports.entries()) {
    if (!isObject(p) || p.port === undefined || p.port === null) return `ports[${index}] without a port number (every port of its protocol)`;
    if (typeof p.port !== 'number') continue; // a named port is one port
    const protocol = typeof p.protocol === 'string' ? p.protocol : 'TCP';
    const end = typeof p.endPort === 'number' && p.endPort > p.port ? p.endPort : p.port;
    ranges.set(protocol, [...ranges.get(protocol) ?? [], [p.port, end]]);
  }
  for (const [protocol, list] of ranges) {
    let next = 1;
    for (const [start, end] of list.sort((a, b) => a[0] - b[0])) {
      if (start > next) break;
      next = Math.max(next, end + 1);
    }
    if (next > ALL_PORTS_END) return `ports covering every ${protocol} port 1-${ALL_PORTS_END}`;
  }
  return undefined;
}

/** One way a policy admits every peer on every port in one direction: the pointer to blame and why. */
export interface OpenRule {
  readonly pointer: string;
  readonly reason: string;
}

/**
 * Where the rules of one direction admit every peer on every port: each rule that does so on its own (no peers, or a
 * peer that is everyone), then the rules admitting every port whose ipBlocks together cover every IPv4 or IPv6
 * address (`0.0.0.0/1` and `128.0.0.0/1`, in one rule or several).
 */
export function openRulesOf(policy: any, direction: Direction): OpenRule[] {
  const rules = policy?.spec?.[direction];
  if (!Array.isArray(rules)) return [];
  const peersField = direction === 'ingress' ? 'from' : 'to';
  const found: OpenRule[] = [];
  const everyPortRanges: Range[] = [];
  const everyPortRules: number[] = [];
  rules.forEach((rule: any, index: number) => {
    const allPorts = portsAdmitEvery(isObject(rule) ? rule.ports : undefined);
    if (!allPorts) return;
    const base = `/spec/${direction}/${index}`;
    const peers = isObject(rule) ? rule[peersField] : undefined;
    if (!Array.isArray(peers) || peers.length === 0) {
      found.push({ pointer: base, reason: `${direction}[${index}] has ${peers === undefined || peers === null ? `no ${peersField}` : `${peersField} ${JSON.stringify(peers)}`} (every peer) and ${allPorts}` });
      return;
    }
    const everyone = peers.map(peerAdmitsEveryone).findIndex(r => r !== undefined);
    if (everyone >= 0) {
      found.push({ pointer: `${base}/${peersField}/${everyone}`, reason: `${direction}[${index}].${peersField}[${everyone}] is ${peerAdmitsEveryone(peers[everyone])}, and the rule has ${allPorts}` });
      return;
    }
    const ranges = peers.filter((p: any) => isObject(p) && isObject(p.ipBlock)).flatMap((p: any) => rangesOfIpBlock(p.ipBlock));
    if (ranges.length > 0) {
      everyPortRanges.push(...ranges);
      everyPortRules.push(index);
    }
  });
  const families = coveredFamilies(everyPortRanges);
  if (families.length > 0) {
    found.push({
      pointer: `/spec/${direction}`,
      reason: `the ipBlocks of ${direction} rules ${everyPortRules.map(i => `[${i}]`).join(', ')} together cover every ${families.join(' and ')} `
        + 'address, and those rules admit every port',
    });
  }
  return found;
}
