import { everyContainer, podCheck, podRule, securityContextField } from './core/cel';
import { ControlAdmission, ControlContext, Severity, Violation } from './core/control';
import { PodControl, PodView, pointer } from './core/pod-template';

/** Anything but unset or false counts as enabled: a malformed value must not slip through. */
function enabled(value: unknown): boolean {
  return value !== undefined && value !== null && value !== false;
}

/** No pod or container runs as a Windows HostProcess (PSA `windowsHostProcess`). */
export class HostProcess extends PodControl {
  constructor() {
    super({
      id: 'host-process',
      title: 'Windows HostProcess containers are not used',
      severity: Severity.ERROR,
      rationale: 'A Windows HostProcess container runs directly on the node with host-level access (network, '
        + 'filesystem, processes), which is equivalent to full control of the node.',
      remediation: 'Remove securityContext.windowsOptions.hostProcess (or set it to false) on the pod and on every '
        + 'container, init container and ephemeral container.',
      references: {
        pss: 'baseline: HostProcess',
        cis: 'CIS Kubernetes Benchmark 1.9: 5.2.11 (minimize the admission of Windows HostProcess containers)',
        trivy: ['KSV103'],
        kyverno: ['disallow-host-process'],
      },
    });
  }

  public admission(_context: ControlContext): ControlAdmission {
    return {
      rule: podRule([
        podCheck(`!${securityContextField('variables.podSpec', 'windowsOptions')}.?hostProcess.orValue(false)`,
          'the pod must not run as a Windows HostProcess (securityContext.windowsOptions.hostProcess)'),
        everyContainer(`!${securityContextField('c', 'windowsOptions')}.?hostProcess.orValue(false)`,
          'containers must not run as Windows HostProcess containers (securityContext.windowsOptions.hostProcess)'),
      ]),
    };
  }

  protected checkPod(pod: PodView, _context: ControlContext): Violation[] {
    const violations: Violation[] = [];
    const podValue = pod.spec.securityContext?.windowsOptions?.hostProcess;
    if (enabled(podValue)) {
      violations.push({
        pointer: pointer(pod.specPointer, 'securityContext', 'windowsOptions', 'hostProcess'),
        message: `pod has windowsOptions.hostProcess ${JSON.stringify(podValue)}`,
      });
    }
    for (const c of pod.containers) {
      const value = c.container.securityContext?.windowsOptions?.hostProcess;
      if (enabled(value)) {
        violations.push({
          pointer: pointer(c.pointer, 'securityContext', 'windowsOptions', 'hostProcess'),
          message: `${c.label} has windowsOptions.hostProcess ${JSON.stringify(value)}`,
        });
      }
    }
    return violations;
  }
}
