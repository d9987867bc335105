/**
 * Kubernetes quantities as exact integer amounts, for sizing and checking namespace quotas (internal helpers, not
 * part of the jsii API). cpu is counted in millicores, memory and ephemeral-storage in bytes, both rounded up as
 * Kubernetes does.
 */

/** The compute resources a LimitRange defaults and a ResourceQuota caps. */
export type ResourceName = 'cpu' | 'memory' | 'ephemeral-storage';

/** Every ResourceName, in output order. */
export const RESOURCES: ResourceName[] = ['cpu', 'memory', 'ephemeral-storage'];

/** An amount per resource: millicores of cpu, bytes of memory and ephemeral-storage. */
export type Amounts = Record<ResourceName, number>;

/** Zero of every resource. */
export function zeroAmounts(): Amounts {
  return { 'cpu': 0, 'memory': 0, 'ephemeral-storage': 0 };
}

const KI = 1024n;
const SUFFIXES: Record<string, [bigint, bigint]> = {
  '': [1n, 1n],
  'm': [1n, 1000n],
  'k': [10n ** 3n, 1n],
  'M': [10n ** 6n, 1n],
  'G': [10n ** 9n, 1n],
  'T': [10n ** 12n, 1n],
  'P': [10n ** 15n, 1n],
  'E': [10n ** 18n, 1n],
  'Ki': [KI, 1n],
  'Mi': [KI ** 2n, 1n],
  'Gi': [KI ** 3n, 1n],
  'Ti': [KI ** 4n, 1n],
  'Pi': [KI ** 5n, 1n],
  'Ei': [KI ** 6n, 1n],
};

/**
 * A quantity (`500m`, `0.5`, `128Mi`, `1e3`, a number) as an integer amount of the resource's unit, rounded up;
 * undefined when it is not a non-negative quantity.
 */
export function parseAmount(value: unknown, resource: ResourceName): number | undefined {
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string') return undefined;
  const match = /^\+?([0-9]+)?(?:\.([0-9]+))?(?:(?:[eE]([+-]?[0-9]+))|(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei))?$/.exec(text.trim());
  if (!match || (match[1] === undefined && match[2] === undefined)) return undefined;
  const fraction = match[2] ?? '';
  let numerator = BigInt(`${match[1] ?? '0'}${fraction}`);
  let denominator = 10n ** BigInt(fraction.length);
  const exponent = match[3] === undefined ? 0 : Number(match[3]);
  if (exponent >= 0) numerator *= 10n ** BigInt(exponent); else denominator *= 10n ** BigInt(-exponent);
  const [factor, divisor] = SUFFIXES[match[4] ?? ''];
  numerator *= factor * (resource === 'cpu' ? 1000n : 1n);
  denominator *= divisor;
  const amount = (numerator + denominator - 1n) / denominator;
  return amount > BigInt(Number.MAX_SAFE_INTEGER) ? undefined : Number(amount);
}

/** An amount as a quantity: whole cores or millicores; the largest binary unit (Gi, Mi, Ki) that divides it, else bytes. */
export function formatAmount(amount: number, resource: ResourceName): string {
  if (resource === 'cpu') {
    return amount % 1000 === 0 ? String(amount / 1000) : `${amount}m`;
  }
  for (const [suffix, size] of [['Gi', 1024 ** 3], ['Mi', 1024 ** 2], ['Ki', 1024]] as const) {
    if (amount !== 0 && amount % size === 0) return `${amount / size}${suffix}`;
  }
  return String(amount);
}

/** Bytes in a mebibyte. */
export const MEBIBYTE = 1024 ** 2;
