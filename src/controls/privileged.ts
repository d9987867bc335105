import { everyContainer, podRule, securityContextField } from './core/cel';
import { ControlAdmission, ControlContext, Severity, Violation } from './core/control';
import { PodControl, PodView, pointer } from './core/pod-template';

/** No container runs privileged (PSA `privileged`). */
export class Privileged extends PodControl {
  constructor() {
    super({
      id: 'privileged',
      title: 'Containers do not run privileged',
      severity: Severity.ERROR,
      rationale: 'A privileged container gets every capability, all host devices and no seccomp, AppArmor or '
        + 'SELinux confinement: a process in it can take over the node.',
      remediation: 'Remove securityContext.privileged (or set it to false) on every container, init container and '
        + 'ephemeral container; grant only the specific capability a workload needs, if any.',
      references: {
        pss: 'baseline: Privileged Containers',
        cis: 'CIS Kubernetes Benchmark 1.9: 5.2.2 (minimize the admission of privileged containers)',
        nsa: 'NSA/CISA Kubernetes Hardening Guide 1.2: "Pod security enforcement"',
        kubeScore: ['container-security-context-privileged'],
        polaris: ['runAsPrivileged'],
        kubeLinter: ['privileged-container'],
        trivy: ['KSV017'],
        kyverno: ['disallow-privileged-containers'],
      },
    });
  }

  public admission(_context: ControlContext): ControlAdmission {
    return {
      rule: podRule([
        everyContainer(`!${securityContextField('c', 'privileged')}.orValue(false)`, 'containers must not run privileged (securityContext.privileged)'),
      ]),
    };
  }

  protected checkPod(pod: PodView, _context: ControlContext): Violation[] {
    const violations: Violation[] = [];
    for (const c of pod.containers) {
      const value = c.container.securityContext?.privileged;
      // Anything but unset or false counts as privileged: a malformed value must not slip through.
      if (value !== undefined && value !== null && value !== false) {
        violations.push({
          pointer: pointer(c.pointer, 'securityContext', 'privileged'),
          message: `${c.label} has privileged ${JSON.stringify(value)}`,
        });
      }
    }
    return violations;
  }
}
