import * as kplus from 'cdk8s-plus-27';

/* Internal model of the connection API (not re-exported from index.ts, so not part of the jsii API). */

/** What a peer is, for the connection model (not part of the jsii API). */
export type PeerSpec =
  /** A workload (or pod) of the app: selected by its pod selector, in its namespace. */
  | { readonly kind: 'workload'; readonly workload: kplus.AbstractPod }
  /**
   * Pods not managed here, selected by labels. Each entry of `namespaces` is one rendered peer: a namespace name
   * (selected by `kubernetes.io/metadata.name`), a namespace label selector, or `undefined` for the namespace of the
   * policy that holds the rule.
   */
  | {
    readonly kind: 'pods';
    readonly namespaces: Array<{ readonly name?: string; readonly selector?: kplus.k8s.LabelSelector } | undefined>;
    readonly podSelector?: kplus.k8s.LabelSelector;
    /** The ServiceAccount the pods run as (their mesh identity), when known. */
    readonly serviceAccountName?: string;
  }
  /** Addresses outside the cluster. */
  | { readonly kind: 'ipBlock'; readonly cidr: string; readonly except: string[] }
  /**
   * Every pod of the namespace of the workload that declares the connection: `podSelector: {}` on its side, and the
   * matching rule on every workload of that namespace that renders its own policy (the hardened ones).
   */
  | { readonly kind: 'sameNamespace' };

/** A label selector without empty fields; undefined when it is empty. */
export function normalizeSelector(selector: kplus.k8s.LabelSelector | undefined): kplus.k8s.LabelSelector | undefined {
  const matchLabels = selector?.matchLabels && Object.keys(selector.matchLabels).length > 0 ? { ...selector.matchLabels } : undefined;
  const matchExpressions = selector?.matchExpressions && selector.matchExpressions.length > 0 ? selector.matchExpressions : undefined;
  if (!matchLabels && !matchExpressions) return undefined;
  return { ...(matchLabels ? { matchLabels } : {}), ...(matchExpressions ? { matchExpressions } : {}) };
}

