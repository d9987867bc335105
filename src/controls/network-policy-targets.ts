import { Control, ControlAdmission, ControlContext, Severity, Violation } from './core/control';
import { describeObject, effectiveNamespace, isEmptySelector } from './core/cross-object';
import { apiGroupOf, manifestsOf, selectsSomePodTemplate } from './core/manifest-index';

/** Every NetworkPolicy that selects specific pods selects at least one pod template of the app. */
export class NetworkPolicyTargets extends Control {
  constructor() {
    super({
      id: 'network-policy-targets',
      title: 'NetworkPolicies select at least one pod of the app',
      severity: Severity.WARNING,
      rationale: 'A policy whose podSelector matches no pod (a typo in a label, a renamed workload, the wrong '
        + 'namespace) protects nothing while looking like it does; the workload it was written for is left with '
        + 'whatever the namespace default allows.',
      remediation: 'Make spec.podSelector match the pod template labels of a workload in the policy\'s namespace '
        + '(select pods by one stable label such as app.kubernetes.io/name), or delete the policy. Policies with '
        + 'podSelector {} apply to the whole namespace and are not checked.',
      references: {
        kubeScore: ['networkpolicy-targets-pod'],
        kubeLinter: ['dangling-networkpolicy'],
      },
    });
  }

  public admission(_context: ControlContext): ControlAdmission {
    return { notEnforcedReason: 'Needs other objects: needs the pod templates of the namespace, to see that the podSelector selects some.' };
  }

  public appliesTo(manifest: any, _context: ControlContext): boolean {
    return manifest?.kind === 'NetworkPolicy' && apiGroupOf(manifest) === 'networking.k8s.io';
  }

  public check(manifest: any, context: ControlContext): Violation[] {
    if (!this.appliesTo(manifest, context)) return [];
    const selector = manifest.spec?.podSelector;
    if (isEmptySelector(selector)) return [];
    const namespace = effectiveNamespace(manifest);
    if (selectsSomePodTemplate(manifestsOf(manifest, context), namespace, selector)) return [];
    return [{
      pointer: '/spec/podSelector',
      message: `${describeObject(manifest)} podSelector ${JSON.stringify(selector) ?? 'unset'} selects no pod template in namespace '${namespace}'`,
    }];
  }
}
