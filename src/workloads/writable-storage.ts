import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { WritablePath } from './writable-path';
import { HardenedDefaults } from '../defaults/hardened-defaults';
import { parseAmount } from '../namespaces/quantity';

/** A writable path as the core reads it: where it came from (for errors) and its own size, if it has one. */
export interface WritablePathEntry {
  readonly path: string;
  /** The prop it came from, e.g. `writablePaths[0]` or `sizedWritablePaths[1].path`. */
  readonly field: string;
  /** Its own size in MiB; undefined: the preset's scratch size. */
  readonly mebibytes?: number;
  /** Its own size as given (cdk8s-plus renders it in Mi). */
  readonly size?: Size;
}

/** `writablePaths` and `sizedWritablePaths` as one list, sizes checked (they may come from plain JavaScript). */
export function writablePathEntries(path: string, props: { writablePaths?: string[]; sizedWritablePaths?: WritablePath[] }): WritablePathEntry[] {
  const sized = props.sizedWritablePaths;
  if (sized !== undefined && !Array.isArray(sized)) {
    throw new Error(`[${path}] sizedWritablePaths: ${JSON.stringify(sized)} is not a list; give [{ path, sizeLimit }], or leave it out`);
  }
  return [
    ...(props.writablePaths ?? []).map((p, i) => ({ path: p, field: `writablePaths[${i}]` })),
    ...(sized ?? []).map((entry, i) => {
      const field = `sizedWritablePaths[${i}]`;
      if (entry === null || typeof entry !== 'object') {
        throw new Error(`[${path}] ${field}: ${JSON.stringify(entry)} is not a writable path; give { path, sizeLimit: Size.gibibytes(n) }`);
      }
      const mebibytes = positiveMebibytes(`[${path}] ${field}.sizeLimit`, entry.sizeLimit);
      return { path: entry.path, field: `${field}.path`, mebibytes, size: entry.sizeLimit };
    }),
  ];
}

function positiveMebibytes(where: string, size: unknown): number {
  const fix = 'use a positive whole number of MiB, e.g. Size.gibibytes(10) or Size.mebibytes(512)';
  if (!(size instanceof Size)) {
    throw new Error(`${where}: ${JSON.stringify(size) ?? 'undefined'} is not a Size; ${fix}`);
  }
  let mib: number;
  try {
    mib = size.toMebibytes();
  } catch {
    throw new Error(`${where}: ${size.asString()} is not a whole number of MiB; ${fix}`);
  }
  if (!Number.isInteger(mib) || mib <= 0) {
    throw new Error(`${where}: ${size.asString()} is not a positive quantity; ${fix}`);
  }
  return mib;
}

/**
 * Makes room for the sized writable paths in the pod's ephemeral storage. The kubelet evicts a pod whose emptyDirs,
 * writable layers and logs together exceed the sum of its containers' ephemeral-storage limits, and schedules by the
 * requests: the first container's request and limit grow by the sizes (unless it declared its own), and the pod's
 * total limit must then cover every writable emptyDir's sizeLimit.
 */
export function withWritableStorage(
  path: string, containers: kplus.k8s.Container[], entries: WritablePathEntry[], scratchMebibytes: number, ownFirst: boolean,
): kplus.k8s.Container[] {
  const extra = entries.reduce((sum, e) => sum + (e.mebibytes ?? 0), 0);
  if (extra === 0 || containers.length === 0) return containers;
  const key = 'ephemeral-storage';
  const mib = (q: kplus.k8s.Quantity | undefined) => parseMebibytes(q?.value);
  const grow = (q: kplus.k8s.Quantity | undefined) => kplus.k8s.Quantity.fromString(`${(mib(q) ?? 0) + extra}Mi`);
  const [first, ...rest] = containers;
  const grown = ownFirst ? first : {
    ...first,
    resources: {
      ...first.resources,
      requests: { ...first.resources?.requests, [key]: grow(first.resources?.requests?.[key]) },
      limits: { ...first.resources?.limits, [key]: grow(first.resources?.limits?.[key]) },
    },
  };
  const result = [grown, ...rest];
  const needed = extra + entries.filter(e => e.mebibytes === undefined).length * scratchMebibytes + scratchMebibytes; // + /tmp
  const total = result.reduce((sum, c) => sum + (mib(c.resources?.limits?.[key]) ?? 0), 0);
  if (total < needed) {
    throw new Error(`[${path}] sizedWritablePaths: the containers' ephemeral-storage limits add up to ${total}Mi, less than the ${needed}Mi `
      + 'their writable emptyDirs may hold (the kubelet evicts the pod when they fill); raise containers[0] resources.ephemeralStorage.limit '
      + `by at least ${needed - total}Mi, or leave it unset so it grows by the sizes`);
  }
  return result;
}

/** A quantity in MiB, rounded down (bytes, the unit of ephemeral-storage, to MiB). */
function parseMebibytes(value: unknown): number | undefined {
  const bytes = parseAmount(value, 'ephemeral-storage');
  return bytes === undefined ? undefined : Math.floor(bytes / (1024 * 1024));
}

/** An absolute, normalized directory path that collides with no earlier writable path. */
export function checkWritablePath(path: string, field: string, value: unknown, earlier: string[]): void {
  const where = `[${path}] ${field}`;
  if (typeof value !== 'string' || !value.startsWith('/')) {
    throw new Error(`${where}: ${JSON.stringify(value)} is not an absolute path; use a path such as '/var/cache/app'`);
  }
  if (value === '/' || value.endsWith('/') || value.split('/').slice(1).some(s => s === '' || s === '.' || s === '..')) {
    throw new Error(`${where}: '${value}' is not a normalized directory path; use a path such as '/var/cache/app' (no trailing '/', '.', '..' or '//', and not '/')`);
  }
  for (const other of earlier) {
    if (other === value || value.startsWith(other + '/') || other.startsWith(value + '/')) {
      throw new Error(`${where}: '${value}' collides with writable path '${other}'${other === HardenedDefaults.TMP_PATH ? ' (always mounted)' : ''}; declare each writable directory once and not inside another`);
    }
  }
}

/** A volume name for a writable path, unique among `taken`. */
export function volumeNameFor(path: string, taken: Set<string>): string {
  const base = path.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 50).replace(/-+$/, '') || 'writable';
  let name = base;
  for (let n = 2; taken.has(name); n++) name = `${base}-${n}`;
  return name;
}
