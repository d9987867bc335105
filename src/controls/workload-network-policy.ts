import { Control, ControlAdmission, ControlContext, Severity, Violation } from './core/control';
import { describeObject, effectiveNamespace, labelsText, PolicyType, policyTypesOf } from './core/cross-object';
import { manifestsOf, podLabelsOf, selecting as selectingObjects } from './core/manifest-index';
import { podOf, pointer } from './core/pod-template';

const DIRECTIONS: PolicyType[] = ['Ingress', 'Egress'];

/**
 * Every pod template is isolated in both directions by NetworkPolicies of its namespace.
 *
 * Kubernetes isolates a pod for a direction as soon as any policy selecting it lists that policy type, and the
 * allowed traffic is the union of all such policies; so one policy with both types, or several selecting the pod
 * that together cover Ingress and Egress, give the same isolation and both pass.
 */
export class WorkloadNetworkPolicy extends Control {
  constructor() {
    super({
      id: 'workload-network-policy',
      title: 'Pods are selected by NetworkPolicies isolating both ingress and egress',
      severity: Severity.ERROR,
      rationale: 'A pod no NetworkPolicy selects accepts connections from every pod of the cluster and may connect '
        + 'anywhere: one compromised workload can then reach databases, the cloud metadata endpoint and the internet. '
        + 'Kubernetes isolates a pod per direction when any policy selecting it lists that policy type, so policies '
        + 'that together cover Ingress and Egress count the same as one policy with both.',
      remediation: 'Add a NetworkPolicy in the workload\'s namespace whose podSelector matches the pod template labels, '
        + 'with policyTypes: [Ingress, Egress] and rules allowing only the declared peers, ports and DNS (hardened '
        + 'workloads create one; a namespace default deny with podSelector {} also isolates every pod).',
      references: {
        cis: 'CIS Kubernetes Benchmark 1.9: 5.3.2 (ensure that all Namespaces have NetworkPolicies defined)',
        nsa: 'NSA/CISA Kubernetes Hardening Guide 1.2: "Network separation and hardening: Network policies"',
        kubeScore: ['pod-networkpolicy'],
        polaris: ['missingNetworkPolicy'],
        kubeLinter: ['non-isolated-pod'],
      },
    });
  }

  public admission(_context: ControlContext): ControlAdmission {
    return { notEnforcedReason: "Needs other objects: needs the namespace's NetworkPolicies, to see that one selects the workload." };
  }

  public appliesTo(manifest: any, _context: ControlContext): boolean {
    return podOf(manifest) !== undefined;
  }

  public check(manifest: any, context: ControlContext): Violation[] {
    const pod = podOf(manifest);
    const labels = podLabelsOf(manifest);
    if (!pod || !labels) return [];
    const namespace = effectiveNamespace(manifest);
    const selecting = selectingObjects(manifestsOf(manifest, context), 'NetworkPolicy', 'networking.k8s.io', namespace, 'podSelector', labels);
    const missing = DIRECTIONS.filter(d => !selecting.some(np => policyTypesOf(np).has(d)));
    if (missing.length === 0) return [];
    const subject = `${describeObject(manifest)}${manifest.kind === 'Pod' ? '' : ' pod template'} `
      + `(labels ${labelsText(labels)}) in namespace '${namespace}'`;
    const message = selecting.length === 0
      ? `${subject} is selected by no NetworkPolicy`
      : `${subject} is not isolated for ${missing.join(' and ')}: no selecting NetworkPolicy `
        + `(${selecting.map(describeObject).join(', ')}) lists policyType ${missing.join(' or ')}`;
    return [{
      pointer: pointer(pod.metadataPointer, 'labels'),
      message,
      fix: `Add a NetworkPolicy in namespace '${namespace}' whose podSelector matches ${labelsText(labels)} with `
        + `policyTypes [Ingress, Egress]${selecting.length > 0 ? ` (or add ${missing.join(' and ')} to a selecting policy)` : ''}.`,
    }];
  }
}
