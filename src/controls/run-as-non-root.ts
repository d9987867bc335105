import { everyContainer, podCheck, podRule, securityContextField } from './core/cel';
import { ControlAdmission, ControlContext, Severity, Violation } from './core/control';
import { PodControl, PodView, pointer } from './core/pod-template';

/** The pod, or else every container, sets runAsNonRoot: true; nothing sets it false. */
export class RunAsNonRoot extends PodControl {
  constructor() {
    super({
      id: 'run-as-non-root',
      title: 'Containers must run as non-root (runAsNonRoot: true)',
      severity: Severity.ERROR,
      rationale: 'With runAsNonRoot: true the kubelet refuses to start a container whose effective uid is 0, so an '
        + 'image that defaults to root cannot run as root in the cluster.',
      remediation: 'Set spec.securityContext.runAsNonRoot: true on the pod (or securityContext.runAsNonRoot: true on '
        + 'every container), never false at either level, and give a numeric non-zero runAsUser.',
      references: {
        pss: 'restricted: Running as Non-root',
        cis: 'CIS Kubernetes Benchmark 1.9: 5.2.7 (minimize the admission of root containers)',
        nsa: 'NSA/CISA Kubernetes Hardening Guide 1.2: "Non-root containers and rootless container engines"',
        polaris: ['runAsRootAllowed'],
        kubeLinter: ['run-as-non-root'],
        trivy: ['KSV012'],
        kyverno: ['require-run-as-nonroot'],
      },
    });
  }

  public admission(_context: ControlContext): ControlAdmission {
    const podValue = securityContextField('variables.podSpec', 'runAsNonRoot');
    return {
      rule: podRule([
        podCheck(`${podValue}.orValue(true) == true`, 'the pod must not set securityContext.runAsNonRoot false'),
        // A container without its own value inherits the pod's, which must then be true.
        everyContainer(`${securityContextField('c', 'runAsNonRoot')}.orValue(${podValue}.orValue(false)) == true`,
          'containers must run with runAsNonRoot: true, set on the container or inherited from the pod'),
      ]),
    };
  }

  protected checkPod(pod: PodView, _context: ControlContext): Violation[] {
    // Mirrors upstream runAsNonRoot_1_0: null is unset (Go nil). Its user-namespace relaxation (hostUsers: false)
    // sits behind the alpha, default-off UserNamespacesPodSecurityStandards gate (1.29-1.34) and became
    // unconditional only at policy version 1.35, past v1.33: not applied at any version we accept.
    const violations: Violation[] = [];
    const podValue = pod.spec.securityContext?.runAsNonRoot ?? undefined;
    const podTrue = podValue === true;
    const podExplicitlyBad = podValue !== undefined && !podTrue;
    if (podExplicitlyBad) {
      violations.push({
        pointer: pointer(pod.specPointer, 'securityContext', 'runAsNonRoot'),
        message: `pod sets runAsNonRoot ${JSON.stringify(podValue)}, not true`,
      });
    }
    for (const c of pod.containers) {
      const value = c.container.securityContext?.runAsNonRoot ?? undefined;
      const at = pointer(c.pointer, 'securityContext', 'runAsNonRoot');
      if (value !== undefined && value !== true) {
        violations.push({ pointer: at, message: `${c.label} sets runAsNonRoot ${JSON.stringify(value)}, not true` });
      } else if (value === undefined && !podTrue && !podExplicitlyBad) {
        // With the pod explicitly wrong, fixing the pod field fixes these containers too: report it once.
        violations.push({ pointer: at, message: `${c.label} leaves runAsNonRoot unset and the pod does not set it true` });
      }
    }
    return violations;
  }
}
