import { NamespaceIngress } from './isolated-namespace';
import { describeValue } from '../defaults/kubernetes-validation';

/**
 * The pods of the namespace an `allowIngressFrom` entry opens: labels it must name, since an entry without them
 * would open its ports on every pod of the namespace (what it did before 0.2.0, e.g. an ingress controller reaching
 * an internal service's 8080). Label syntax is checked by the caller.
 */
export function ingressTargets(path: string, field: string, entry: NamespaceIngress): { [key: string]: string } {
  const labels = (entry as { toPodLabels?: unknown }).toPodLabels;
  const perWorkload = `or, for one workload, WorkloadConnections.of(w).allowFrom(NetworkPeer.inNamespace('${entry.fromNamespace}', { podLabels }))`;
  if (labels === undefined || labels === null) {
    throw new Error(`[${path}] ${field}.toPodLabels: missing; name the pods of this namespace the traffic may reach, e.g. `
      + `{ 'app.kubernetes.io/name': 'frontend' } (since 0.2.0 an entry no longer opens its ports on every pod of the namespace), ${perWorkload}`);
  }
  if (typeof labels !== 'object' || Array.isArray(labels)) {
    throw new Error(`[${path}] ${field}.toPodLabels: ${describeValue(labels)} is not a map of labels; give e.g. { 'app.kubernetes.io/name': 'frontend' }`);
  }
  if (Object.keys(labels).length === 0) {
    throw new Error(`[${path}] ${field}.toPodLabels: {} selects every pod of the namespace; name the pods the traffic may reach, ${perWorkload}`);
  }
  return labels as { [key: string]: string };
}
