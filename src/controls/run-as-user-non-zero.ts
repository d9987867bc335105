import { everyContainer, podCheck, podRule, securityContextField } from './core/cel';
import { ControlAdmission, ControlContext, Severity, Violation } from './core/control';
import { PodControl, PodView, pointer } from './core/pod-template';

/** Neither the pod nor any container sets runAsUser: 0. */
export class RunAsUserNonZero extends PodControl {
  constructor() {
    super({
      id: 'run-as-user-non-zero',
      title: 'Pods and containers never set runAsUser: 0',
      severity: Severity.ERROR,
      rationale: 'runAsUser: 0 runs the container as root, which defeats the non-root requirement and gives any '
        + 'container escape root privileges on the node.',
      remediation: 'Remove runAsUser: 0 from spec.securityContext and from every container securityContext; set a '
        + 'numeric non-zero uid (hardened workloads use 65532).',
      references: {
        pss: 'restricted: Running as Non-root user (v1.23+)',
        cis: 'CIS Kubernetes Benchmark 1.9: 5.2.7 (minimize the admission of root containers)',
        nsa: 'NSA/CISA Kubernetes Hardening Guide 1.2: "Non-root containers and rootless container engines"',
        polaris: ['runAsRootAllowed'],
        kubeLinter: ['run-as-non-root'],
        trivy: ['KSV105'],
        kyverno: ['require-run-as-non-root-user'],
      },
    });
  }

  public admission(_context: ControlContext): ControlAdmission {
    return {
      rule: podRule([
        podCheck(`${securityContextField('variables.podSpec', 'runAsUser')}.orValue(1) != 0`, 'the pod must not set runAsUser 0 (root)'),
        everyContainer(`${securityContextField('c', 'runAsUser')}.orValue(1) != 0`, 'containers must not set runAsUser 0 (root)'),
      ]),
    };
  }

  protected checkPod(pod: PodView, _context: ControlContext): Violation[] {
    // Upstream runAsUser_1_23. Its hostUsers: false relaxation is gated like run-as-non-root's (alpha gate up to
    // 1.34, policy version 1.35 after): not applied at any version we accept.
    const violations: Violation[] = [];
    const podProblem = problem(pod.spec.securityContext?.runAsUser);
    if (podProblem) {
      violations.push({ pointer: pointer(pod.specPointer, 'securityContext', 'runAsUser'), message: `pod ${podProblem}` });
    }
    for (const c of pod.containers) {
      const containerProblem = problem(c.container.securityContext?.runAsUser);
      if (containerProblem) {
        violations.push({ pointer: pointer(c.pointer, 'securityContext', 'runAsUser'), message: `${c.label} ${containerProblem}` });
      }
    }
    return violations;
  }
}

function problem(value: any): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (value === 0) return 'sets runAsUser 0 (root)';
  // A non-number cannot be shown to be non-zero (e.g. the string "0").
  if (typeof value !== 'number') return `sets runAsUser ${JSON.stringify(value)}, not a number`;
  return undefined;
}
