import * as kplus from 'cdk8s-plus-27';
import { IConstruct } from 'constructs';

/* Internal (not re-exported from index.ts): which namespaces of an app a service mesh captures, and how. */

/** How a mesh captures a namespace's traffic. */
export type DataPlane = 'sidecar' | 'ambient';

/** Istio's HBONE tunnel port: ambient traffic between meshed pods arrives on it. */
export const HBONE_PORT = 15008;

const MESHED = new WeakMap<IConstruct, Map<string, DataPlane>>();

/** Records that the mesh captures `namespace` of the app under `root`; a namespace is meshed once. */
export function markMeshed(root: IConstruct, namespace: string, dataPlane: DataPlane): void {
  const namespaces = MESHED.get(root) ?? new Map<string, DataPlane>();
  namespaces.set(namespace, dataPlane);
  MESHED.set(root, namespaces);
}

/** How the mesh captures `namespace` of the app under `root`, or undefined when it is outside the mesh. */
export function dataPlaneOf(root: IConstruct, namespace: string | undefined): DataPlane | undefined {
  return namespace === undefined ? undefined : MESHED.get(root)?.get(namespace);
}

/**
 * The HBONE port both workloads' NetworkPolicies must admit for a connection between them: when both are meshed and
 * one is ambient (sidecars speak HBONE to ambient pods, and accept it from them); else undefined.
 */
export function hbonePortBetween(a: kplus.AbstractPod, b: kplus.AbstractPod): kplus.k8s.NetworkPolicyPort | undefined {
  const root = a.node.root;
  const planes = [dataPlaneOf(root, a.metadata.namespace), dataPlaneOf(root, b.metadata.namespace)];
  if (planes.includes(undefined) || !planes.includes('ambient')) return undefined;
  return { protocol: 'TCP', port: kplus.k8s.IntOrString.fromNumber(HBONE_PORT) };
}
