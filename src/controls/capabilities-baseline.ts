import { celStrings, everyContainer, podRule, securityContextField } from './core/cel';
import { ControlAdmission, ControlContext, Severity, Violation } from './core/control';
import { PodControl, PodView, pointer } from './core/pod-template';

/**
 * The capabilities a container may add under the baseline standard (PSA `capabilities_allowed_1_0`,
 * unchanged in every version). Compared as exact strings, as PSA does: `CAP_CHOWN` or `chown` are not allowed.
 */
const BASELINE_CAPABILITIES = new Set([
  'AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD',
  'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT',
]);

/** Containers add capabilities only from the container runtime's default set (PSA `capabilities_baseline`). */
export class CapabilitiesBaseline extends PodControl {
  constructor() {
    super({
      id: 'capabilities-baseline',
      title: 'Containers add no capability beyond the default set',
      severity: Severity.ERROR,
      rationale: 'Capabilities outside the runtime default set (SYS_ADMIN, NET_ADMIN, NET_RAW, SYS_PTRACE...) give '
        + 'a container kernel powers that enable container escape, traffic spoofing or access to other processes.',
      remediation: 'Keep securityContext.capabilities.add of every container to AUDIT_WRITE, CHOWN, DAC_OVERRIDE, '
        + 'FOWNER, FSETID, KILL, MKNOD, NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, SETUID or SYS_CHROOT, written '
        + 'exactly so (no CAP_ prefix); the restricted standard further allows only NET_BIND_SERVICE.',
      references: {
        pss: 'baseline: Capabilities',
        cis: 'CIS Kubernetes Benchmark 1.9: 5.2.8, 5.2.9 (minimize containers with the NET_RAW or added capabilities)',
        nsa: 'NSA/CISA Kubernetes Hardening Guide 1.2: "Pod security enforcement"',
        polaris: ['dangerousCapabilities', 'insecureCapabilities'],
        trivy: ['KSV022', 'KSV005'],
        kyverno: ['disallow-capabilities'],
      },
    });
  }

  public admission(_context: ControlContext): ControlAdmission {
    return {
      rule: podRule([
        everyContainer(`${securityContextField('c', 'capabilities')}.?add.orValue([]).all(a, a in ${celStrings([...BASELINE_CAPABILITIES])})`,
          'containers may add only capabilities of the baseline default set (securityContext.capabilities.add)'),
      ]),
    };
  }

  protected checkPod(pod: PodView, _context: ControlContext): Violation[] {
    const violations: Violation[] = [];
    for (const c of pod.containers) {
      const add = c.container.securityContext?.capabilities?.add;
      if (add === undefined || add === null) continue;
      const addPointer = pointer(c.pointer, 'securityContext', 'capabilities', 'add');
      if (!Array.isArray(add)) {
        // Not a list: a runtime or another tool may still read it as a capability; never assume it is harmless.
        violations.push({ pointer: addPointer, message: `${c.label} has capabilities.add ${JSON.stringify(add)}, not a list of default capabilities` });
        continue;
      }
      add.forEach((capability: unknown, index: number) => {
        if (typeof capability === 'string' && BASELINE_CAPABILITIES.has(capability)) return;
        const unprefixed = typeof capability === 'string' ? capability.toUpperCase().replace(/^CAP_/, '') : undefined;
        const respell = unprefixed !== undefined && unprefixed !== capability && BASELINE_CAPABILITIES.has(unprefixed);
        violations.push({
          pointer: pointer(addPointer, index),
          message: `${c.label} adds capability ${JSON.stringify(capability)}, which is not in the baseline default set`,
          fix: respell
            ? `Write the capability as "${unprefixed}": Pod Security Admission compares exact names without the CAP_ prefix`
            : undefined,
        });
      });
    }
    return violations;
  }
}
