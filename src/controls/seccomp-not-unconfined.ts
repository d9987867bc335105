import { celStrings, everyContainer, podCheck, podRule, securityContextField } from './core/cel';
import { ControlAdmission, ControlContext, Severity, Violation } from './core/control';
import { PodControl, PodView, pointer } from './core/pod-template';

const ALLOWED_TYPES = ['RuntimeDefault', 'Localhost'];

/**
 * Seccomp is never explicitly disabled (PSA `seccompProfile_baseline`, policy 1.19+): a seccompProfile, where
 * set on the pod or a container, has type RuntimeDefault or Localhost. That rejects Unconfined and any other
 * value; leaving the profile unset is the restricted control `seccomp-required`'s concern.
 */
export class SeccompNotUnconfined extends PodControl {
  constructor() {
    super({
      id: 'seccomp-not-unconfined',
      title: 'Seccomp profiles are never Unconfined',
      severity: Severity.ERROR,
      rationale: 'Seccomp filters the system calls a container can make; an Unconfined profile exposes the whole '
        + 'kernel syscall surface, which most container escapes rely on.',
      remediation: 'Set securityContext.seccompProfile.type to RuntimeDefault (or Localhost with a localhostProfile) '
        + 'on the pod and wherever a container sets its own seccompProfile.',
      references: {
        pss: 'baseline: Seccomp',
        cis: 'CIS Kubernetes Benchmark 1.9: 5.7.2 (ensure that the seccomp profile is set to docker/default in your pod definitions)',
        nsa: 'NSA/CISA Kubernetes Hardening Guide 1.2: "Pod security enforcement"',
        trivy: ['KSV104'],
        kyverno: ['restrict-seccomp'],
      },
    });
  }

  public admission(_context: ControlContext): ControlAdmission {
    const allowed = (holder: string) => `!${securityContextField(holder, 'seccompProfile')}.hasValue()`
      + ` || ${securityContextField(holder, 'seccompProfile')}.value().?type.orValue('') in ${celStrings(ALLOWED_TYPES)}`;
    return {
      rule: podRule([
        podCheck(allowed('variables.podSpec'), 'the pod seccompProfile.type, where set, must be RuntimeDefault or Localhost (never Unconfined)'),
        everyContainer(allowed('c'), 'containers\' seccompProfile.type, where set, must be RuntimeDefault or Localhost (never Unconfined)'),
      ]),
    };
  }

  protected checkPod(pod: PodView, _context: ControlContext): Violation[] {
    const violations: Violation[] = [];
    const check = (profile: any, base: string, who: string) => {
      if (profile === undefined || profile === null || ALLOWED_TYPES.includes(profile?.type)) return;
      violations.push({
        pointer: pointer(base, 'securityContext', 'seccompProfile', 'type'),
        message: `${who} has seccompProfile.type ${JSON.stringify(profile?.type) ?? 'unset'}, not RuntimeDefault or Localhost`,
      });
    };
    check(pod.spec.securityContext?.seccompProfile, pod.specPointer, 'pod');
    for (const c of pod.containers) {
      check(c.container.securityContext?.seccompProfile, c.pointer, c.label);
    }
    return violations;
  }
}
