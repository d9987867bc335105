import { everyContainer, podRule, securityContextField } from './core/cel';
import { ControlAdmission, ControlContext, Severity, Violation } from './core/control';
import { PodControl, PodView, pointer } from './core/pod-template';

/** Containers keep the default masked /proc (PSA `procMount`). */
export class ProcMount extends PodControl {
  constructor() {
    super({
      id: 'proc-mount',
      title: 'Containers keep the default /proc masks',
      severity: Severity.ERROR,
      rationale: 'The default proc mount masks sensitive /proc and /sys paths; an Unmasked proc mount exposes '
        + 'host kernel information and tunables to the container.',
      remediation: 'Remove securityContext.procMount (or set it to Default) on every container, init container and '
        + 'ephemeral container.',
      references: {
        pss: 'baseline: /proc Mount Type',
        kubeLinter: ['unsafe-proc-mount'],
        trivy: ['KSV027'],
        kyverno: ['disallow-proc-mount'],
      },
    });
  }

  public admission(_context: ControlContext): ControlAdmission {
    return {
      rule: podRule([
        everyContainer(`${securityContextField('c', 'procMount')}.orValue('Default') == 'Default'`, 'containers must keep procMount Default'),
      ]),
    };
  }

  protected checkPod(pod: PodView, _context: ControlContext): Violation[] {
    // Upstream procMount_1_0. Baseline relaxes it for hostUsers: false pods only at policy version 1.35, past
    // v1.33 (and restricted never does): user-namespace pods are not relaxed here.
    const violations: Violation[] = [];
    for (const c of pod.containers) {
      const value = c.container.securityContext?.procMount;
      if (value === undefined || value === null || value === 'Default') continue;
      violations.push({
        pointer: pointer(c.pointer, 'securityContext', 'procMount'),
        message: `${c.label} has procMount ${JSON.stringify(value)}, not Default`,
      });
    }
    return violations;
  }
}
