import { everyContainer, podCheck, podRule, securityContextField } from './core/cel';
import { ControlAdmission, ControlContext, Severity, Violation } from './core/control';
import { isObject, isWindowsPod, PodControl, PodView, pointer } from './core/pod-template';

const MIN_ID = 10000;
const FIELDS = ['runAsUser', 'runAsGroup'];

function isSet(value: any): boolean {
  return value !== undefined && value !== null;
}

function isHighId(value: any): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= MIN_ID;
}

function securityContextOf(holder: any): any {
  return isObject(holder?.securityContext) ? holder.securityContext : {};
}

/** Every container runs with a numeric UID and GID of at least 10000, set on it or inherited from the pod. */
export class HighUidGid extends PodControl {
  constructor() {
    super({
      id: 'high-uid-gid',
      title: 'Containers run with a UID and GID of at least 10000',
      severity: Severity.ERROR,
      rationale: 'Low UIDs and GIDs collide with users and groups of the node (and of the image\'s own /etc/passwd): '
        + 'a container that escapes would act as an existing host account. An unset UID or GID falls back to the image, '
        + 'which is often root.',
      remediation: 'Set securityContext.runAsUser and securityContext.runAsGroup to a number >= 10000 (e.g. 65532) on the pod, '
        + 'on each container, or both; the image must work under that UID. Hardened workloads set both levels.',
      references: {
        cis: 'CIS Kubernetes Benchmark 1.9: 5.7.3 (apply security context)',
        kubeScore: ['container-security-context-user-group-id'],
        // Trivy asks for > 10000 and reads the container level only.
        trivy: ['KSV020', 'KSV021'],
      },
    });
  }

  public admission(_context: ControlContext): ControlAdmission {
    const high = (value: string) => `(type(${value}) == int && ${value} >= ${MIN_ID})`;
    const validations = FIELDS.flatMap(field => {
      const podValue = securityContextField('variables.podSpec', field);
      const containerValue = securityContextField('c', field);
      const checkContainers = everyContainer(`${containerValue}.hasValue() ? ${high(`${containerValue}.value()`)} : ${podValue}.hasValue()`,
        `containers must run with ${field} >= ${MIN_ID}, set on them or inherited from the pod`);
      return [
        podCheck(`variables.isWindows || !${podValue}.hasValue() || ${high(`${podValue}.value()`)}`, `the pod ${field}, where set, must be >= ${MIN_ID}`),
        { ...checkContainers, expression: `variables.isWindows || ${checkContainers.expression}` },
      ];
    });
    return { rule: podRule(validations) };
  }

  protected checkPod(pod: PodView, _context: ControlContext): Violation[] {
    // Windows pods cannot set runAsUser/runAsGroup (they use windowsOptions.runAsUserName).
    if (isWindowsPod(pod)) {
      return [];
    }
    const podContext = securityContextOf(pod.spec);
    const violations: Violation[] = [];
    for (const field of FIELDS) {
      const podValue = podContext[field];
      // A low pod-level value fails even where containers override it: containers added later
      // (e.g. ephemeral debug containers) inherit it.
      // One finding per workload and value: containers that repeat the pod's low value are named in the pod's finding
      // (an image's own uid set at both levels is one decision, and one exemption pinned to the pod value covers it);
      // a container with another value still gets its own finding.
      const lowPod = isSet(podValue) && !isHighId(podValue);
      if (lowPod) {
        const inheritors = pod.containers.filter(c => !isSet(securityContextOf(c.container)[field])).map(c => c.label);
        const repeaters = pod.containers.filter(c => securityContextOf(c.container)[field] === podValue).map(c => c.label);
        violations.push({
          pointer: pointer(pod.specPointer, 'securityContext', field),
          message: `pod securityContext has ${field} ${JSON.stringify(podValue)}, not a number >= ${MIN_ID}`
            + (inheritors.length > 0 ? ` (inherited by ${inheritors.join(', ')})` : '')
            + (repeaters.length > 0 ? ` (set the same on ${repeaters.join(', ')})` : ''),
          fix: `Use a ${field} >= ${MIN_ID} that the image works under, or, for an image that must run as its own id, exempt high-uid-gid `
            + `pinned to this value: pointer ${pointer(pod.specPointer, 'securityContext', field)}, pointerValue ${JSON.stringify(podValue)} `
            + '(ImageUser.of(uid, reason) as the workload\'s imageUser does this)',
        });
      }
      for (const c of pod.containers) {
        const value = securityContextOf(c.container)[field];
        if (isSet(value)) {
          if (lowPod && value === podValue) continue;
          if (!isHighId(value)) {
            violations.push({
              pointer: pointer(c.pointer, 'securityContext', field),
              message: `${c.label} has ${field} ${JSON.stringify(value)}, not a number >= ${MIN_ID}`,
            });
          }
        } else if (!isSet(podValue)) {
          violations.push({
            pointer: pointer(c.pointer, 'securityContext', field),
            message: `${c.label} has ${field} unset at container and pod level, so the image decides (often root)`,
          });
        }
      }
    }
    return violations;
  }
}
