import { Control, ControlAdmission, ControlContext, Severity, Violation } from './core/control';
import { describeObject, effectiveNamespace, isReplicatedWorkload, replicaCountOf, replicaCountText } from './core/cross-object';
import { manifestsOf, podLabelsOf, selectorMatches } from './core/manifest-index';
import { isObject, podOf, pointer } from './core/pod-template';

const HOSTNAME = 'kubernetes.io/hostname';

/** True when an anti-affinity term spreads the workload's own pods across nodes. */
function termSpreadsOwnPods(term: any, labels: Record<string, string>, namespace: string): boolean {
  if (!isObject(term) || term.topologyKey !== HOSTNAME || !selectorMatches(term.labelSelector, labels)) return false;
  // An explicit namespace list without the pod's own namespace (and no namespaceSelector) counts other pods only.
  const namespaces = term.namespaces;
  if (Array.isArray(namespaces) && namespaces.length > 0 && !namespaces.includes(namespace) && !isObject(term.namespaceSelector)) {
    return false;
  }
  return true;
}

/** Deployments and StatefulSets with two or more replicas spread them across nodes. */
export class TopologySpread extends Control {
  constructor() {
    super({
      id: 'topology-spread',
      title: 'Replicated workloads spread their pods across nodes',
      severity: Severity.WARNING,
      rationale: 'Replicas the scheduler packs onto one node fail together when that node fails, is drained or is '
        + 'compromised, so the extra replicas buy no availability.',
      remediation: 'Add to the pod template a topologySpreadConstraints entry with topologyKey kubernetes.io/hostname '
        + '(maxSkew 1) and a labelSelector matching the pod labels, or a podAntiAffinity term (required or preferred) '
        + 'with topologyKey kubernetes.io/hostname and a labelSelector matching the pod labels. A zone-only spread is '
        + 'not enough: several replicas may still share a node within a zone.',
      references: {
        kubeScore: ['deployment-has-host-podantiaffinity', 'statefulset-has-host-podantiaffinity'],
        polaris: ['topologySpreadConstraint'],
        kubeLinter: ['no-anti-affinity'],
        kyverno: ['topologyspreadconstraints-policy'],
      },
    });
  }

  public admission(_context: ControlContext): ControlAdmission {
    return { notEnforcedReason: "Needs other objects: needs the replica count, which the workload's HorizontalPodAutoscaler may set." };
  }

  public appliesTo(manifest: any, _context: ControlContext): boolean {
    return isReplicatedWorkload(manifest) && podOf(manifest) !== undefined;
  }

  public check(manifest: any, context: ControlContext): Violation[] {
    const pod = podOf(manifest);
    const labels = podLabelsOf(manifest);
    if (!this.appliesTo(manifest, context) || !pod || !labels) return [];
    const replicas = replicaCountOf(manifest, manifestsOf(manifest, context));
    if (replicas.count === undefined || replicas.count < 2) return [];
    const namespace = effectiveNamespace(manifest);
    const constraints = Array.isArray(pod.spec.topologySpreadConstraints) ? pod.spec.topologySpreadConstraints : [];
    const spread = constraints.some((c: any) =>
      isObject(c) && c.topologyKey === HOSTNAME && selectorMatches(c.labelSelector, labels));
    const antiAffinity = pod.spec.affinity?.podAntiAffinity;
    const required = Array.isArray(antiAffinity?.requiredDuringSchedulingIgnoredDuringExecution)
      ? antiAffinity.requiredDuringSchedulingIgnoredDuringExecution : [];
    const preferred = Array.isArray(antiAffinity?.preferredDuringSchedulingIgnoredDuringExecution)
      ? antiAffinity.preferredDuringSchedulingIgnoredDuringExecution.map((p: any) => p?.podAffinityTerm) : [];
    const anti = [...required, ...preferred].some(term => termSpreadsOwnPods(term, labels, namespace));
    if (spread || anti) return [];
    const partial = constraints.length > 0 || required.length > 0 || preferred.length > 0;
    return [{
      pointer: pointer(pod.specPointer, 'topologySpreadConstraints'),
      message: `${describeObject(manifest)} (${replicaCountText(replicas)}) has no topologySpreadConstraints or podAntiAffinity `
        + `on ${HOSTNAME} selecting its own pods${partial ? ' (its constraints use another topologyKey or a selector that misses its pod labels)' : ''}`,
    }];
  }
}
