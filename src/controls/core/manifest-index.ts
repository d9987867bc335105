import { ControlContext } from './control';
import { isObject, podOf } from './pod-template';

/** The manifests a control evaluates against: the whole set when given, else the manifest alone. */
export function manifestsOf(manifest: any, context: ControlContext): any[] {
  return context.objects ?? [manifest];
}

const BY_KIND = new WeakMap<any[], Map<string, any[]>>();

/** Manifests of one kind (optionally of one API group: '' for core), indexed once per set. */
export function ofKind(objects: any[], kind: string, group?: string): any[] {
  let index = BY_KIND.get(objects);
  if (!index) {
    index = new Map();
    for (const o of objects) {
      if (!isObject(o) || typeof o.kind !== 'string') continue;
      const list = index.get(o.kind) ?? [];
      list.push(o);
      index.set(o.kind, list);
    }
    BY_KIND.set(objects, index);
  }
  const found = index.get(kind) ?? [];
  return group === undefined ? found : found.filter(o => apiGroupOf(o) === group);
}

/** The API group of a manifest ('' for the core group). */
export function apiGroupOf(manifest: any): string {
  const apiVersion = typeof manifest?.apiVersion === 'string' ? manifest.apiVersion : '';
  return apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
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
