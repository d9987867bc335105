import { podRule, resourcesSet } from './core/cel';
import { ControlAdmission, ControlContext, Severity, Violation } from './core/control';
import { PodControl, PodView } from './core/pod-template';
import { missingResources } from './resource-requests';

/** Every container limits memory and ephemeral-storage. */
export class ResourceLimits extends PodControl {
  constructor() {
    super({
      id: 'resource-limits',
      title: 'Containers limit memory and ephemeral-storage',
      severity: Severity.ERROR,
      rationale: 'Memory and local disk are not compressible: a container without limits can exhaust the node, '
        + 'getting other pods OOM-killed or evicted (a denial of service from one leaking or compromised workload).',
      remediation: 'Set resources.limits.memory and resources.limits.ephemeral-storage on every container and init '
        + 'container, at or above the matching requests.',
      references: {
        nsa: 'NSA/CISA Kubernetes Hardening Guide 1.2: "Resource policies"',
        kubeScore: ['container-resources', 'container-ephemeral-storage-request-and-limit'],
        polaris: ['memoryLimitsMissing'],
        kubeLinter: ['unset-memory-requirements'],
        trivy: ['KSV018'],
        kyverno: ['require-requests-limits'],
      },
    });
  }

  public admission(_context: ControlContext): ControlAdmission {
    return { rule: podRule([resourcesSet('limits', ['memory', 'ephemeral-storage'])]) };
  }

  protected checkPod(pod: PodView, _context: ControlContext): Violation[] {
    return missingResources(pod, 'limits', ['memory', 'ephemeral-storage']);
  }
}
