import { everyContainer, podRule, securityContextField } from './core/cel';
import { ControlAdmission, ControlContext, Severity, Violation } from './core/control';
import { PodControl, PodView, pointer } from './core/pod-template';

/** Every container mounts its root filesystem read-only. */
export class ReadOnlyRootFilesystem extends PodControl {
  constructor() {
    super({
      id: 'read-only-root-filesystem',
      title: 'Containers run with a read-only root filesystem',
      severity: Severity.ERROR,
      rationale: 'A writable root filesystem lets an attacker who gains code execution drop binaries, alter '
        + 'configuration and persist for the life of the container.',
      remediation: 'Set securityContext.readOnlyRootFilesystem: true on every container and mount an emptyDir '
        + 'for each path the application writes to (hardened workloads mount /tmp and every declared writablePaths entry).',
      references: {
        cis: 'CIS Kubernetes Benchmark 1.9: 5.7.3 (apply security context)',
        nsa: 'NSA/CISA Kubernetes Hardening Guide 1.2: "Use immutable container file systems"',
        kubeScore: ['container-security-context-readonlyrootfilesystem'],
        polaris: ['notReadOnlyRootFilesystem'],
        kubeLinter: ['no-read-only-root-fs'],
        trivy: ['KSV014'],
        kyverno: ['require-ro-rootfs'],
      },
    });
  }

  public admission(_context: ControlContext): ControlAdmission {
    return {
      rule: podRule([
        everyContainer(`${securityContextField('c', 'readOnlyRootFilesystem')}.orValue(false) == true`,
          'containers must set securityContext.readOnlyRootFilesystem: true'),
      ]),
    };
  }

  protected checkPod(pod: PodView, _context: ControlContext): Violation[] {
    return pod.containers
      .filter(c => c.container.securityContext?.readOnlyRootFilesystem !== true)
      .map(c => ({
        pointer: pointer(c.pointer, 'securityContext', 'readOnlyRootFilesystem'),
        message: `${c.label} has readOnlyRootFilesystem ${JSON.stringify(c.container.securityContext?.readOnlyRootFilesystem) ?? 'unset'}, not true`,
      }));
  }
}
