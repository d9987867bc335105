import { celStrings, everyContainer, podCheck, podRule, securityContextField } from './core/cel';
import { ControlAdmission, ControlContext, Severity, Violation } from './core/control';
import { PodControl, PodView, isObject, pointer } from './core/pod-template';

/** PSA `selinuxAllowedTypes1_0`; `container_engine_t` joined at policy version 1.31. */
const ALLOWED_TYPES = ['', 'container_t', 'container_init_t', 'container_kvm_t'];
const ALLOWED_TYPES_1_31 = [...ALLOWED_TYPES, 'container_engine_t'];

/** SELinux options keep the container types and set no user or role (PSA `seLinuxOptions`). */
export class Selinux extends PodControl {
  constructor() {
    super({
      id: 'selinux',
      title: 'SELinux options use a container type and set no custom user or role',
      severity: Severity.ERROR,
      rationale: 'SELinux labels confine container processes; a custom type (such as spc_t or unconfined_t), '
        + 'user or role can lift that confinement and give the container access to host resources.',
      remediation: 'In seLinuxOptions of the pod and of every container, leave type unset or use container_t, '
        + 'container_init_t or container_kvm_t (container_engine_t from PSS v1.31), and remove user and role; '
        + 'level may be set.',
      references: {
        pss: 'baseline: SELinux',
        nsa: 'NSA/CISA Kubernetes Hardening Guide 1.2: "Pod security enforcement"',
        trivy: ['KSV025'],
        kyverno: ['disallow-selinux'],
      },
    });
  }

  public admission(context: ControlContext): ControlAdmission {
    const allowedTypes = context.pssVersion.atLeast(31) ? ALLOWED_TYPES_1_31 : ALLOWED_TYPES;
    // Absent options and empty ones are the same: type '' is allowed, user and role must be empty.
    const allowed = (holder: string) => {
      const options = `${securityContextField(holder, 'seLinuxOptions')}.orValue({})`;
      return `${options}.?type.orValue('') in ${celStrings(allowedTypes)} && ${options}.?user.orValue('') == '' && ${options}.?role.orValue('') == ''`;
    };
    const what = `seLinuxOptions must keep a container type (${allowedTypes.filter(t => t).join(', ')}) and set no user or role`;
    return { rule: podRule([podCheck(allowed('variables.podSpec'), `the pod ${what}`), everyContainer(allowed('c'), `containers' ${what}`)]) };
  }

  protected checkPod(pod: PodView, context: ControlContext): Violation[] {
    const allowedTypes = context.pssVersion.atLeast(31) ? ALLOWED_TYPES_1_31 : ALLOWED_TYPES;
    const violations: Violation[] = [];
    const check = (options: any, base: string, who: string) => {
      if (options === undefined || options === null) return;
      const optionsPointer = pointer(base, 'securityContext', 'seLinuxOptions');
      if (!isObject(options)) {
        violations.push({ pointer: optionsPointer, message: `${who} has seLinuxOptions ${JSON.stringify(options)}, not an object` });
        return;
      }
      const type = options.type ?? '';
      if (!allowedTypes.includes(type)) {
        violations.push({
          pointer: pointer(optionsPointer, 'type'),
          message: `${who} has seLinuxOptions.type ${JSON.stringify(type)}, not one of ${allowedTypes.filter(t => t).join(', ')}`,
        });
      }
      for (const field of ['user', 'role']) {
        const value = options[field];
        if (value === undefined || value === null || value === '') continue;
        violations.push({
          pointer: pointer(optionsPointer, field),
          message: `${who} sets seLinuxOptions.${field} ${JSON.stringify(value)}`,
        });
      }
    };
    check(pod.spec.securityContext?.seLinuxOptions, pod.specPointer, 'pod');
    for (const c of pod.containers) {
      check(c.container.securityContext?.seLinuxOptions, c.pointer, c.label);
    }
    return violations;
  }
}
