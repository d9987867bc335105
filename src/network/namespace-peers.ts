import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';

/* The peer side of `NetworkPeer.anyPodInNamespace()` (internal: not re-exported from index.ts). */

/**
 * A connection between one workload and every pod of its namespace, as the OTHER workloads' policies see it:
 * `direction` is the rule those policies get (Egress when the workload declared `allowFrom(anyPodInNamespace)`).
 */
export interface NamespaceWideAllowance {
  readonly direction: 'Ingress' | 'Egress';
  /** The workload that declared the connection: the peer of the rule the others get. */
  readonly workload: kplus.AbstractPod;
  /** Its namespace (undefined: the workload names none). */
  readonly namespace: string | undefined;
  /** Ports as given (rendered), or undefined to derive them from `receiver`'s containers. */
  readonly ports?: kplus.k8s.NetworkPolicyPort[];
  /** The workload whose container ports are allowed when none are given (the declaring workload, for allowFrom). */
  readonly receiver?: kplus.AbstractPod;
  readonly origin: string;
}

/** Per app (the construct tree's root), every namespace-wide connection declared in it. */
const BY_APP = new WeakMap<Construct, NamespaceWideAllowance[]>();

/** Records a namespace-wide connection: every workload that renders its own policy in `namespace` gets the rule. */
export function addNamespaceWide(allowance: NamespaceWideAllowance): void {
  const root = allowance.workload.node.root;
  const list = BY_APP.get(root) ?? [];
  list.push(allowance);
  BY_APP.set(root, list);
}

/** The namespace-wide connections that give `workload` (in `namespace`) a rule in `direction`. */
export function namespaceWideFor(workload: kplus.AbstractPod, namespace: string | undefined, direction: 'Ingress' | 'Egress'): NamespaceWideAllowance[] {
  return (BY_APP.get(workload.node.root) ?? []).filter(a => a.direction === direction && a.namespace === namespace);
}
