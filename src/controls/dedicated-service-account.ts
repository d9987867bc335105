import { podCheck, podRule } from './core/cel';
import { ControlAdmission, ControlContext, Severity, Violation } from './core/control';
import { PodControl, PodView, pointer } from './core/pod-template';

function named(value: any): boolean {
  return typeof value === 'string' && value !== '';
}

/** The pod runs under its own ServiceAccount, not the namespace's `default`. */
export class DedicatedServiceAccount extends PodControl {
  constructor() {
    super({
      id: 'dedicated-service-account',
      title: 'Pods use a dedicated ServiceAccount, not default',
      severity: Severity.WARNING,
      rationale: 'Every pod of a namespace that names no ServiceAccount shares `default`: a permission granted to one '
        + 'of them reaches all, and RBAC and audit logs cannot tell the workloads apart.',
      remediation: 'Create a ServiceAccount per workload and set serviceAccountName to it (not `default`; do not use '
        + 'the deprecated serviceAccount field).',
      references: {
        cis: 'CIS Kubernetes Benchmark 1.9: 5.1.5 (default service accounts not actively used)',
        kubeLinter: ['default-service-account', 'deprecated-service-account-field'],
      },
    });
  }

  public admission(_context: ControlContext): ControlAdmission {
    const name = "variables.podSpec.?serviceAccountName.orValue('')";
    const alias = "variables.podSpec.?serviceAccount.orValue('')";
    return {
      rule: podRule([
        podCheck(`${name} != 'default' && ${alias} != 'default' && (${name} != '' || ${alias} != '')`,
          'the pod must run as a ServiceAccount of its own (serviceAccountName), not "default"'),
      ]),
    };
  }

  protected checkPod(pod: PodView, _context: ControlContext): Violation[] {
    const violations: Violation[] = [];
    // serviceAccount is the deprecated alias of serviceAccountName; either one naming `default` fails.
    for (const field of ['serviceAccountName', 'serviceAccount']) {
      if (pod.spec[field] === 'default') {
        violations.push({ pointer: pointer(pod.specPointer, field), message: `pod spec has ${field} "default"` });
      }
    }
    if (!named(pod.spec.serviceAccountName) && !named(pod.spec.serviceAccount)) {
      violations.push({
        pointer: pointer(pod.specPointer, 'serviceAccountName'),
        message: `pod spec has serviceAccountName ${JSON.stringify(pod.spec.serviceAccountName) ?? 'unset'}, so it runs as "default"`,
        fix: 'Set serviceAccountName to a ServiceAccount created for this workload.',
      });
    }
    return violations;
  }
}
