import { podRule, resourcesSet } from './core/cel';
import { ControlAdmission, ControlContext, Severity, Violation } from './core/control';
import { PodControl, PodView } from './core/pod-template';
import { missingResources } from './resource-requests';

/** Every container limits cpu. */
export class CpuLimit extends PodControl {
  constructor() {
    super({
      id: 'cpu-limit',
      title: 'Containers limit cpu',
      severity: Severity.ERROR,
      rationale: 'A CPU limit caps what a runaway or compromised container can take from its neighbours and keeps '
        + 'cost predictable. It is a separate control because CPU limits are contested: CPU is compressible, and '
        + 'some teams forbid limits to avoid CFS throttling and rely on requests alone. Opting out is an exemption '
        + 'of this control with a reason, so the choice stays visible in the report.',
      remediation: 'Set resources.limits.cpu on every container and init container, at or above resources.requests.cpu; '
        + 'or exempt this control with a reason (e.g. "CPU limits cause throttling; requests sized from load tests").',
      references: {
        nsa: 'NSA/CISA Kubernetes Hardening Guide 1.2: "Resource policies"',
        kubeScore: ['container-resources'],
        polaris: ['cpuLimitsMissing'],
        kubeLinter: ['unset-cpu-requirements'],
        trivy: ['KSV011'],
      },
    });
  }

  public admission(_context: ControlContext): ControlAdmission {
    return { rule: podRule([resourcesSet('limits', ['cpu'])]) };
  }

  protected checkPod(pod: PodView, _context: ControlContext): Violation[] {
    return missingResources(pod, 'limits', ['cpu']);
  }
}
