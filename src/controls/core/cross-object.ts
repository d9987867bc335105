import { apiGroupOf, namespaceOf, ofKindIn } from './manifest-index';
import { isObject } from './pod-template';

/**
 * Helpers shared by the cross-object controls (namespaces, network, availability): how to name an object in a
 * message, NetworkPolicy semantics, and how many replicas a workload runs.
 */

/** `Kind 'name'` for messages. */
export function describeObject(manifest: any): string {
  const name = manifest?.metadata?.name;
  return `${typeof manifest?.kind === 'string' ? manifest.kind : 'object'} '${typeof name === 'string' ? name : ''}'`;
}

/** The namespace a namespaced object lands in: as written, else `default` (what kubectl does without -n). */
export function effectiveNamespace(manifest: any): string {
  return namespaceOf(manifest) ?? 'default';
}

/** Objects of one kind and group that live in `namespace` (missing namespace counted as `default`). */
export function inNamespace(objects: any[], kind: string, group: string, namespace: string): any[] {
  return ofKindIn(objects, kind, group, namespace);
}

/** `{a=1, b=2}` for messages. */
export function labelsText(labels: Record<string, string>): string {
  return `{${Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(', ')}}`;
}

// ---------------------------------------------------------------------------------------------------------------
// NetworkPolicy semantics

export type PolicyType = 'Ingress' | 'Egress';

/** NetworkPolicies (networking.k8s.io) of one namespace. */
export function networkPoliciesIn(objects: any[], namespace: string): any[] {
  return inNamespace(objects, 'NetworkPolicy', 'networking.k8s.io', namespace);
}

/**
 * The directions a NetworkPolicy isolates, per Kubernetes semantics: its policyTypes when given, else Ingress,
 * plus Egress when it has egress rules.
 */
export function policyTypesOf(policy: any): Set<PolicyType> {
  const declared = policy?.spec?.policyTypes;
  const types = new Set<PolicyType>();
  if (Array.isArray(declared) && declared.length > 0) {
    for (const t of declared) {
      if (t === 'Ingress' || t === 'Egress') types.add(t);
    }
    return types;
  }
  types.add('Ingress');
  if (Array.isArray(policy?.spec?.egress) && policy.spec.egress.length > 0) types.add('Egress');
  return types;
}

/** True for a label selector that selects everything: `{}` (or empty matchLabels and matchExpressions). */
export function isEmptySelector(selector: any): boolean {
  if (!isObject(selector)) return false;
  const labels = selector.matchLabels;
  const expressions = selector.matchExpressions;
  return (labels === undefined || labels === null || (isObject(labels) && Object.keys(labels).length === 0))
    && (expressions === undefined || expressions === null || (Array.isArray(expressions) && expressions.length === 0));
}

const ANY_ADDRESS = new Set(['0.0.0.0/0', '::/0']);

/** True when one peer admits every endpoint: an empty peer, any address, or every pod of every namespace. */
function peerIsEverything(peer: any): boolean {
  if (!isObject(peer) || Object.keys(peer).length === 0) return true;
  if (isObject(peer.ipBlock) && ANY_ADDRESS.has(peer.ipBlock.cidr)) return true;
  return isEmptySelector(peer.namespaceSelector) && (peer.podSelector === undefined || isEmptySelector(peer.podSelector));
}

/**
 * True when a rule (an entry of `ingress` or `egress`) admits all traffic in its direction: every peer (no
 * `from`/`to`, or a peer that is everything) on every port (no `ports`, or a port entry without a port number).
 */
export function ruleAdmitsEverything(rule: any, direction: PolicyType): boolean {
  if (!isObject(rule)) return true;
  const peers = rule[direction === 'Ingress' ? 'from' : 'to'];
  const allPeers = !Array.isArray(peers) || peers.length === 0 || peers.some(peerIsEverything);
  const ports = rule.ports;
  const allPorts = !Array.isArray(ports) || ports.length === 0
    || ports.some((p: any) => !isObject(p) || p.port === undefined || p.port === null);
  return allPeers && allPorts;
}

/** The rules of one direction of a NetworkPolicy (`ingress` or `egress`), or [] when it has none. */
export function rulesOf(policy: any, direction: PolicyType): any[] {
  const rules = policy?.spec?.[direction === 'Ingress' ? 'ingress' : 'egress'];
  return Array.isArray(rules) ? rules : [];
}

// ---------------------------------------------------------------------------------------------------------------
// Replicas

/** Deployment or StatefulSet of the apps group: the kinds the availability controls judge. */
export function isReplicatedWorkload(manifest: any): boolean {
  return (manifest?.kind === 'Deployment' || manifest?.kind === 'StatefulSet') && apiGroupOf(manifest) === 'apps';
}

/** How many replicas a workload is guaranteed to run, and what decides it. */
export interface ReplicaCount {
  /** The guaranteed replica count, or undefined when `spec.replicas` is malformed. */
  readonly count?: number;
  /** The field the count comes from and its value, for messages (`replicas 3`, `minReplicas 2`). */
  readonly source: string;
  /** The HorizontalPodAutoscaler that owns the count, if any. */
  readonly autoscaler?: any;
}

/**
 * The replicas a Deployment/StatefulSet is guaranteed to run: the `minReplicas` (default 1) of a
 * HorizontalPodAutoscaler in its namespace targeting it (the autoscaler overrides spec.replicas and may scale down
 * to its minimum), else `spec.replicas` (unset means 1).
 */
export function replicaCountOf(manifest: any, objects: any[]): ReplicaCount {
  const namespace = effectiveNamespace(manifest);
  const autoscaler = inNamespace(objects, 'HorizontalPodAutoscaler', 'autoscaling', namespace).find(hpa => {
    const target = hpa?.spec?.scaleTargetRef;
    return isObject(target) && target.kind === manifest.kind && target.name === manifest?.metadata?.name
      && (typeof target.apiVersion !== 'string' || target.apiVersion.split('/')[0] === 'apps');
  });
  if (autoscaler) {
    const min = autoscaler.spec.minReplicas;
    const count = min === undefined || min === null ? 1 : min;
    return {
      count: Number.isInteger(count) ? count : undefined,
      source: `minReplicas ${JSON.stringify(min) ?? 'unset (1)'}`,
      autoscaler,
    };
  }
  const replicas = manifest?.spec?.replicas;
  if (replicas === undefined || replicas === null) return { count: 1, source: 'replicas unset (1)' };
  return { count: Number.isInteger(replicas) ? replicas : undefined, source: `replicas ${JSON.stringify(replicas)}` };
}

/** `replicas 3`, or `minReplicas 2 of HorizontalPodAutoscaler 'web'`, for messages. */
export function replicaCountText(replicas: ReplicaCount): string {
  return replicas.autoscaler ? `${replicas.source} of ${describeObject(replicas.autoscaler)}` : replicas.source;
}
