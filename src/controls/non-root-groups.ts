import { everyContainer, podCheck, podRule, securityContextField } from './core/cel';
import { ControlAdmission, ControlContext, Severity, Violation } from './core/control';
import { isObject, PodControl, PodView, pointer } from './core/pod-template';

// The API only takes integers; a string "0" is treated as the root group it names.
function isRootGroup(value: any): boolean {
  return value === 0 || (typeof value === 'string' && value.trim() === '0');
}

/** No pod or container runs with, or grants, the root group (GID 0). */
export class NonRootGroups extends PodControl {
  constructor() {
    super({
      id: 'non-root-groups',
      title: 'Pods and containers never use the root group (GID 0)',
      severity: Severity.ERROR,
      rationale: 'Files owned by or writable for group 0 are common on the node and in images: a process with GID 0, '
        + 'as primary, filesystem or supplementary group, can read or write them even when its UID is not root.',
      remediation: 'Set pod securityContext.runAsGroup, fsGroup and every supplementalGroups entry, and container '
        + 'securityContext.runAsGroup, to a non-zero GID (e.g. 65532), or leave them unset.',
      references: {
        cis: 'CIS Kubernetes Benchmark 1.9: 5.7.3 (apply security context)',
        nsa: 'NSA/CISA Kubernetes Hardening Guide 1.2: "Non-root containers and rootless container engines"',
        trivy: ['KSV116'],
        kyverno: ['require-non-root-groups'],
      },
    });
  }

  public admission(_context: ControlContext): ControlAdmission {
    // The API server admits only integers for these fields, so the string "0" the check also refuses never gets here.
    const pod = (field: string) => `${securityContextField('variables.podSpec', field)}.orValue(1) != 0`;
    return {
      rule: podRule([
        podCheck(`${pod('runAsGroup')} && ${pod('fsGroup')} && ${securityContextField('variables.podSpec', 'supplementalGroups')}.orValue([]).all(g, g != 0)`,
          'the pod must not run with or grant the root group (runAsGroup, fsGroup, supplementalGroups 0)'),
        everyContainer(`${securityContextField('c', 'runAsGroup')}.orValue(1) != 0`, 'containers must not run with runAsGroup 0'),
      ]),
    };
  }

  protected checkPod(pod: PodView, _context: ControlContext): Violation[] {
    const violations: Violation[] = [];
    const podContext = isObject(pod.spec.securityContext) ? pod.spec.securityContext : {};
    const base = pointer(pod.specPointer, 'securityContext');
    for (const field of ['runAsGroup', 'fsGroup']) {
      if (isRootGroup(podContext[field])) {
        violations.push({ pointer: pointer(base, field), message: `pod securityContext has ${field} ${JSON.stringify(podContext[field])}` });
      }
    }
    const supplementalGroups = podContext.supplementalGroups;
    if (Array.isArray(supplementalGroups)) {
      supplementalGroups.forEach((group: any, index: number) => {
        if (isRootGroup(group)) {
          violations.push({ pointer: pointer(base, 'supplementalGroups', index), message: `pod securityContext has supplementalGroups[${index}] ${JSON.stringify(group)}` });
        }
      });
    }
    for (const c of pod.containers) {
      const runAsGroup = isObject(c.container.securityContext) ? c.container.securityContext.runAsGroup : undefined;
      if (isRootGroup(runAsGroup)) {
        violations.push({ pointer: pointer(c.pointer, 'securityContext', 'runAsGroup'), message: `${c.label} has runAsGroup ${JSON.stringify(runAsGroup)}` });
      }
    }
    return violations;
  }
}
