import { celStrings, everyContainer, podCheck, podRule, securityContextField } from './core/cel';
import { ControlAdmission, ControlContext, Severity, Violation } from './core/control';
import { isObject, isWindowsPod, PodControl, PodView, pointer } from './core/pod-template';

const ALLOWED_TYPES = ['RuntimeDefault', 'Localhost'];

/** Windows pods are exempt from PSS v1.25 (upstream `seccompProfileRestricted_1_25`). */
const WINDOWS_EXEMPT_SINCE_MINOR = 25;

/** The pod, or else every container, sets a RuntimeDefault or Localhost seccomp profile. */
export class SeccompRequired extends PodControl {
  constructor() {
    super({
      id: 'seccomp-required',
      title: 'A RuntimeDefault or Localhost seccomp profile is set for every container',
      severity: Severity.ERROR,
      rationale: 'Without a seccomp profile the kubelet runs containers Unconfined by default, leaving the whole '
        + 'syscall surface of the node kernel reachable from the container.',
      remediation: 'Set spec.securityContext.seccompProfile.type: RuntimeDefault (or Localhost with localhostProfile) '
        + 'on the pod, or on every container; never any other type at either level.',
      references: {
        pss: 'restricted: Seccomp (v1.19+)',
        cis: 'CIS Kubernetes Benchmark 1.9: 5.7.2 (ensure that the seccomp profile is set to docker/default)',
        kubeScore: ['container-seccomp-profile'],
        trivy: ['KSV030'],
        kyverno: ['restrict-seccomp-strict'],
      },
    });
  }

  public admission(context: ControlContext): ControlAdmission {
    const windowsExempt = context.pssVersion.atLeast(WINDOWS_EXEMPT_SINCE_MINOR) ? 'variables.isWindows || ' : '';
    const podProfile = securityContextField('variables.podSpec', 'seccompProfile');
    const valid = (profile: string) => `${profile}.orValue({}).?type.orValue('') in ${celStrings(ALLOWED_TYPES)}`;
    // Upstream seccompProfileRestricted: a profile that is set is judged by its type; a container without one needs
    // the pod's. No profile anywhere is refused (where public CEL policies such as Kyverno's admit it).
    const container = `${securityContextField('c', 'seccompProfile')}.hasValue() ? ${valid(securityContextField('c', 'seccompProfile'))} : ${podProfile}.hasValue()`;
    const checkContainers = everyContainer(container, 'containers must have a RuntimeDefault or Localhost seccompProfile, set on them or on the pod');
    return {
      rule: podRule([
        podCheck(`${windowsExempt}!${podProfile}.hasValue() || ${valid(podProfile)}`, 'the pod seccompProfile.type must be RuntimeDefault or Localhost'),
        { ...checkContainers, expression: windowsExempt + checkContainers.expression },
      ]),
    };
  }

  protected checkPod(pod: PodView, context: ControlContext): Violation[] {
    // API validation forbids seccomp on Windows pods, so upstream admits them without it.
    if (context.pssVersion.atLeast(WINDOWS_EXEMPT_SINCE_MINOR) && isWindowsPod(pod)) return [];
    // Mirrors upstream seccompProfileRestricted_1_19: a profile object that is present is judged by its type.
    const violations: Violation[] = [];
    const podProfile = pod.spec.securityContext?.seccompProfile ?? undefined;
    const podSet = podProfile !== undefined && validType(podProfile);
    const podExplicitlyBad = podProfile !== undefined && !podSet;
    if (podExplicitlyBad) {
      violations.push({
        pointer: pointer(pod.specPointer, 'securityContext', 'seccompProfile', 'type'),
        message: `pod sets seccompProfile type ${describe(podProfile)}, not RuntimeDefault or Localhost`,
      });
    }
    for (const c of pod.containers) {
      const profile = c.container.securityContext?.seccompProfile ?? undefined;
      if (profile !== undefined && !validType(profile)) {
        violations.push({
          pointer: pointer(c.pointer, 'securityContext', 'seccompProfile', 'type'),
          message: `${c.label} sets seccompProfile type ${describe(profile)}, not RuntimeDefault or Localhost`,
        });
      } else if (profile === undefined && !podSet && !podExplicitlyBad) {
        // With the pod explicitly wrong, fixing the pod profile fixes these containers too: report it once.
        violations.push({
          pointer: pointer(c.pointer, 'securityContext', 'seccompProfile'),
          message: `${c.label} has no seccompProfile and the pod sets none`,
        });
      }
    }
    return violations;
  }
}

function validType(profile: any): boolean {
  return isObject(profile) && ALLOWED_TYPES.includes(profile.type);
}

function describe(profile: any): string {
  return isObject(profile) ? (JSON.stringify(profile.type) ?? 'unset') : `(profile ${JSON.stringify(profile)})`;
}
