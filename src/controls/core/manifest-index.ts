import { ControlContext } from './control';
import { apiGroupOfVersion } from './kubernetes-schema-data';
import { isObject, podOf } from './pod-template';

/** The manifests a control evaluates against: the whole set when given, else the manifest alone. */
export function manifestsOf(manifest: any, context: ControlContext): any[] {
  return context.objects ?? [manifest];
}

// Indexes are built once per evaluated set (the app, or the CLI's input) and keyed by that array, so that
// cross-object controls stay linear: a naive "scan every object" per object is quadratic (10,000 objects: 10^8).
const BY_KIND = new WeakMap<any[], Map<string, any[]>>();
const BY_KIND_GROUP_NAMESPACE = new WeakMap<any[], Map<string, Map<string, any[]>>>();
const POD_TEMPLATES = new WeakMap<any[], Map<string, LabelIndex>>();
const SELECTORS = new WeakMap<any[], Map<string, SelectorIndex>>();

/**
 * The kinds cross-object controls read from objects other than the one they judge (kind and API group). The check
 * CLI reads its input file by file: it collects these objects first, and evaluates each object against them alone.
 */
export const REFERENCE_KINDS: ReadonlyArray<{ readonly kind: string; readonly group: string }> = [
  { kind: 'NetworkPolicy', group: 'networking.k8s.io' },
  { kind: 'LimitRange', group: '' },
  { kind: 'ResourceQuota', group: '' },
  { kind: 'HorizontalPodAutoscaler', group: 'autoscaling' },
  { kind: 'PodDisruptionBudget', group: 'policy' },
  { kind: 'CustomResourceDefinition', group: 'apiextensions.k8s.io' },
];

/** A pod template as selectsSomePodTemplate sees it: the namespace its pods land in, and their labels. */
export interface PodTemplateRecord {
  readonly namespace: string;
  readonly labels: Record<string, string>;
}

/** The record of a manifest's pod template, or undefined when it has none. */
export function podTemplateRecordOf(manifest: any): PodTemplateRecord | undefined {
  const labels = podLabelsOf(manifest);
  return labels === undefined ? undefined : { namespace: namespaceOf(manifest) ?? 'default', labels };
}

/** Sets of objects that hold the REFERENCE_KINDS only, with the pod templates of the whole input when known. */
const REFERENCE_SETS = new WeakMap<any[], { readonly podTemplates?: PodTemplateRecord[] }>();

/**
 * Marks `objects` as the REFERENCE_KINDS objects of an input (not all of its objects), and gives the records of all of
 * its pod templates when they are known. Looking up any other kind in such a set, or pod templates it was not given,
 * throws: a control that reads more than the set holds must not be judged on a part of the input.
 */
export function referenceSet(objects: any[], podTemplates?: PodTemplateRecord[]): any[] {
  REFERENCE_SETS.set(objects, { podTemplates });
  return objects;
}

/** Manifests of one kind (optionally of one API group: '' for core), indexed once per set, in set order. */
export function ofKind(objects: any[], kind: string, group?: string): any[] {
  if (REFERENCE_SETS.has(objects) && !REFERENCE_KINDS.some(r => r.kind === kind && (group === undefined || r.group === group))) {
    throw new Error(`internal: a control looked up ${kind} (group '${group ?? '*'}') in a set of reference objects, which holds `
      + `only ${REFERENCE_KINDS.map(r => r.kind).join(', ')}: add it to REFERENCE_KINDS`);
  }
  let index = BY_KIND.get(objects);
  if (!index) {
    index = new Map();
    for (const o of objects) {
      if (!isObject(o) || typeof o.kind !== 'string') continue;
      for (const key of [o.kind, `${o.kind}\u0000${apiGroupOf(o)}`]) {
        const list = index.get(key);
        if (list) list.push(o); else index.set(key, [o]);
      }
    }
    BY_KIND.set(objects, index);
  }
  return index.get(group === undefined ? kind : `${kind}\u0000${group}`) ?? [];
}

/** Manifests of one kind and group in one namespace (a missing namespace counts as `default`), in set order. */
export function ofKindIn(objects: any[], kind: string, group: string, namespace: string): any[] {
  let byKey = BY_KIND_GROUP_NAMESPACE.get(objects);
  if (!byKey) BY_KIND_GROUP_NAMESPACE.set(objects, byKey = new Map());
  const key = `${kind}\u0000${group}`;
  let byNamespace = byKey.get(key);
  if (!byNamespace) {
    byKey.set(key, byNamespace = new Map());
    for (const o of ofKind(objects, kind, group)) {
      const ns = namespaceOf(o) ?? 'default';
      const list = byNamespace.get(ns);
      if (list) list.push(o); else byNamespace.set(ns, [o]);
    }
  }
  return byNamespace.get(namespace) ?? [];
}

/** True when some pod template (Pod, Deployment, ..., CronJob) of `namespace` has labels that `selector` selects. */
export function selectsSomePodTemplate(objects: any[], namespace: string, selector: any): boolean {
  let byNamespace = POD_TEMPLATES.get(objects);
  if (!byNamespace) {
    const grouped = new Map<string, Array<Record<string, string>>>();
    for (const record of podTemplateRecords(objects)) {
      const list = grouped.get(record.namespace);
      if (list) list.push(record.labels); else grouped.set(record.namespace, [record.labels]);
    }
    byNamespace = new Map([...grouped].map(([ns, labelSets]) => [ns, new LabelIndex(labelSets)]));
    POD_TEMPLATES.set(objects, byNamespace);
  }
  return byNamespace.get(namespace)?.someSelectedBy(selector) ?? false;
}

function* podTemplateRecords(objects: any[]): Iterable<PodTemplateRecord> {
  const references = REFERENCE_SETS.get(objects);
  if (references) {
    if (!references.podTemplates) throw new Error('internal: a control looked up pod templates in a set of reference objects given none');
    yield* references.podTemplates;
    return;
  }
  for (const o of objects) {
    const record = podTemplateRecordOf(o);
    if (record) yield record;
  }
}

/**
 * The objects of one kind and group in `namespace` whose selector (read by `selectorField`: `podSelector` or
 * `selector` under spec) selects `labels`, in set order.
 */
export function selecting(
  objects: any[], kind: string, group: string, namespace: string, selectorField: string, labels: Record<string, string>,
): any[] {
  let byKey = SELECTORS.get(objects);
  if (!byKey) SELECTORS.set(objects, byKey = new Map());
  const key = `${kind}\u0000${group}\u0000${namespace}\u0000${selectorField}`;
  let index = byKey.get(key);
  if (!index) byKey.set(key, index = new SelectorIndex(ofKindIn(objects, kind, group, namespace), o => o?.spec?.[selectorField]));
  return index.selecting(labels);
}

function pairKey(key: string, value: unknown): string {
  return `${key}\u0000${String(value)}`;
}

/** The first matchLabels pair of a selector, under which it is indexed; undefined when it has none. */
function firstPair(selector: any): string | undefined {
  const matchLabels = isObject(selector) ? selector.matchLabels : undefined;
  if (!isObject(matchLabels)) return undefined;
  const keys = Object.keys(matchLabels).sort();
  return keys.length ? pairKey(keys[0], matchLabels[keys[0]]) : undefined;
}

/** Label sets, indexed by each key=value pair: "does this selector select any of them". */
class LabelIndex {
  private readonly byPair = new Map<string, Array<Record<string, string>>>();
  constructor(private readonly labelSets: Array<Record<string, string>>) {
    for (const labels of labelSets) {
      for (const [k, v] of Object.entries(labels)) {
        const list = this.byPair.get(pairKey(k, v));
        if (list) list.push(labels); else this.byPair.set(pairKey(k, v), [labels]);
      }
    }
  }

  public someSelectedBy(selector: any): boolean {
    // Every selected label set carries the selector's first matchLabels pair: only those are candidates.
    const pair = firstPair(selector);
    const candidates = pair === undefined ? this.labelSets : this.byPair.get(pair) ?? [];
    return candidates.some(labels => selectorMatches(selector, labels));
  }
}

/** Objects with a label selector, indexed by their selector's first matchLabels pair: "which select these labels". */
class SelectorIndex {
  private readonly byPair = new Map<string, number[]>();
  private readonly unindexed: number[] = [];
  constructor(private readonly items: any[], private readonly selectorOf: (item: any) => any) {
    items.forEach((item, position) => {
      const pair = firstPair(selectorOf(item));
      const list = pair === undefined ? undefined : this.byPair.get(pair);
      if (pair === undefined) this.unindexed.push(position);
      else if (list) list.push(position);
      else this.byPair.set(pair, [position]);
    });
  }

  public selecting(labels: Record<string, string>): any[] {
    const positions = new Set(this.unindexed);
    for (const [k, v] of Object.entries(labels)) {
      for (const position of this.byPair.get(pairKey(k, v)) ?? []) positions.add(position);
    }
    return [...positions].sort((a, b) => a - b).map(p => this.items[p]).filter(item => selectorMatches(this.selectorOf(item), labels));
  }
}

/** The API group of a manifest ('' for the core group). */
export function apiGroupOf(manifest: any): string {
  return apiGroupOfVersion(typeof manifest?.apiVersion === 'string' ? manifest.apiVersion : '');
}

/** The namespace a manifest lives in, as written (undefined when it names none). */
export function namespaceOf(manifest: any): string | undefined {
  const ns = manifest?.metadata?.namespace;
  return typeof ns === 'string' && ns !== '' ? ns : undefined;
}

/** Labels of the pods a manifest creates (its pod template's labels), or undefined if it has no pod template. */
export function podLabelsOf(manifest: any): Record<string, string> | undefined {
  const pod = podOf(manifest);
  if (!pod) return undefined;
  const labels = pod.metadata?.labels;
  return isObject(labels) ? labels : {};
}

/**
 * Kubernetes LabelSelector semantics: matchLabels AND every matchExpression (In, NotIn, Exists, DoesNotExist).
 * An empty selector `{}` selects everything; a missing (undefined/null) selector selects nothing; a malformed
 * one selects nothing (fail closed for "is this pod protected", callers decide for the other direction).
 */
export function selectorMatches(selector: any, labels: Record<string, string>): boolean {
  if (!isObject(selector)) return false;
  const matchLabels = selector.matchLabels ?? {};
  if (!isObject(matchLabels)) return false;
  for (const [key, value] of Object.entries(matchLabels)) {
    if (labels[key] !== value) return false;
  }
  const expressions = selector.matchExpressions ?? [];
  if (!Array.isArray(expressions)) return false;
  for (const e of expressions) {
    const has = Object.prototype.hasOwnProperty.call(labels, e?.key);
    const values: unknown[] = Array.isArray(e?.values) ? e.values : [];
    switch (e?.operator) {
      case 'In': if (!has || !values.includes(labels[e.key])) return false; break;
      case 'NotIn': if (has && values.includes(labels[e.key])) return false; break;
      case 'Exists': if (!has) return false; break;
      case 'DoesNotExist': if (has) return false; break;
      default: return false;
    }
  }
  return true;
}
