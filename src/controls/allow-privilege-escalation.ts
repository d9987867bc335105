import { everyContainer, podRule, securityContextField } from './core/cel';
import { ControlAdmission, ControlContext, Severity, Violation } from './core/control';
import { isWindowsPod, PodControl, PodView, pointer } from './core/pod-template';

/** Windows pods are exempt from PSS v1.25 (upstream `allowPrivilegeEscalation_1_25`). */
const WINDOWS_EXEMPT_SINCE_MINOR = 25;

/** Every container sets allowPrivilegeEscalation: false. */
export class AllowPrivilegeEscalation extends PodControl {
  constructor() {
    super({
      id: 'allow-privilege-escalation',
      title: 'Containers explicitly disallow privilege escalation',
      severity: Severity.ERROR,
      rationale: 'Unless no_new_privs is set, a process can gain privileges through setuid/setgid binaries or file '
        + 'capabilities; the runtime only sets it when allowPrivilegeEscalation is explicitly false.',
      remediation: 'Set securityContext.allowPrivilegeEscalation: false on every container, init container and '
        + 'ephemeral container.',
      references: {
        pss: 'restricted: Privilege Escalation (v1.8+)',
        cis: 'CIS Kubernetes Benchmark 1.9: 5.2.6 (minimize the admission of containers with allowPrivilegeEscalation)',
        polaris: ['privilegeEscalationAllowed'],
        kubeLinter: ['privilege-escalation-container'],
        trivy: ['KSV001'],
        kyverno: ['disallow-privilege-escalation'],
      },
    });
  }

  public admission(context: ControlContext): ControlAdmission {
    const windowsExempt = context.pssVersion.atLeast(WINDOWS_EXEMPT_SINCE_MINOR) ? 'variables.isWindows || ' : '';
    const check = everyContainer(`${securityContextField('c', 'allowPrivilegeEscalation')}.orValue(true) == false`,
      'containers must set securityContext.allowPrivilegeEscalation: false');
    return { rule: podRule([{ ...check, expression: windowsExempt + check.expression }]) };
  }

  protected checkPod(pod: PodView, context: ControlContext): Violation[] {
    // API validation forbids the field on Windows pods, so upstream admits them without it.
    if (context.pssVersion.atLeast(WINDOWS_EXEMPT_SINCE_MINOR) && isWindowsPod(pod)) return [];
    return pod.containers
      .filter(c => c.container.securityContext?.allowPrivilegeEscalation !== false)
      .map(c => ({
        pointer: pointer(c.pointer, 'securityContext', 'allowPrivilegeEscalation'),
        message: `${c.label} has allowPrivilegeEscalation ${JSON.stringify(c.container.securityContext?.allowPrivilegeEscalation) ?? 'unset'}, not false`,
      }));
  }
}
