import { celStrings, podCheck, podRule } from './core/cel';
import { ControlAdmission, ControlContext, Severity, Violation } from './core/control';
import { PodControl, PodView, isObject, pointer } from './core/pod-template';
import { PssVersion } from './core/pss-version';

/** The safe sysctls of PSA `sysctls`, by the policy version that first allows them. */
const SAFE_SYSCTLS: Array<{ since: number; names: string[] }> = [
  {
    since: 0,
    names: [
      'kernel.shm_rmid_forced',
      'net.ipv4.ip_local_port_range',
      'net.ipv4.tcp_syncookies',
      'net.ipv4.ping_group_range',
      'net.ipv4.ip_unprivileged_port_start',
    ],
  },
  { since: 27, names: ['net.ipv4.ip_local_reserved_ports'] },
  {
    since: 29,
    names: ['net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_fin_timeout', 'net.ipv4.tcp_keepalive_intvl', 'net.ipv4.tcp_keepalive_probes'],
  },
  { since: 32, names: ['net.ipv4.tcp_rmem', 'net.ipv4.tcp_wmem'] },
];

function safeSysctls(version: PssVersion): Set<string> {
  return new Set(SAFE_SYSCTLS.filter(s => version.atLeast(s.since)).flatMap(s => s.names));
}

function sinceOf(name: string): number | undefined {
  return SAFE_SYSCTLS.find(s => s.names.includes(name))?.since;
}

/** The pod sets only namespaced, node-isolated ("safe") sysctls (PSA `sysctls`). */
export class Sysctls extends PodControl {
  constructor() {
    super({
      id: 'sysctls',
      title: 'Pods set only safe sysctls',
      severity: Severity.ERROR,
      rationale: 'Sysctls outside the safe set are not isolated per pod: they can disable security mechanisms '
        + 'or change kernel behaviour for every workload on the node.',
      remediation: 'Keep spec.securityContext.sysctls to the safe set of the pinned PSS version: '
        + 'kernel.shm_rmid_forced, net.ipv4.ip_local_port_range, net.ipv4.tcp_syncookies, net.ipv4.ping_group_range, '
        + 'net.ipv4.ip_unprivileged_port_start; from v1.27 net.ipv4.ip_local_reserved_ports; from v1.29 '
        + 'net.ipv4.tcp_keepalive_time, net.ipv4.tcp_fin_timeout, net.ipv4.tcp_keepalive_intvl, '
        + 'net.ipv4.tcp_keepalive_probes; from v1.32 net.ipv4.tcp_rmem, net.ipv4.tcp_wmem.',
      references: {
        pss: 'baseline: Sysctls',
        kubeLinter: ['unsafe-sysctls'],
        trivy: ['KSV026'],
        kyverno: ['restrict-sysctls'],
      },
    });
  }

  public admission(context: ControlContext): ControlAdmission {
    const safe = [...safeSysctls(context.pssVersion)];
    return {
      rule: podRule([
        podCheck(`variables.podSpec.?securityContext.?sysctls.orValue([]).all(s, s.?name.orValue('') in ${celStrings(safe)})`,
          `the pod may set only sysctls safe under PSS ${context.pssVersion.label}: ${safe.join(', ')}`),
      ]),
    };
  }

  protected checkPod(pod: PodView, context: ControlContext): Violation[] {
    const sysctls = pod.spec.securityContext?.sysctls;
    if (sysctls === undefined || sysctls === null) return [];
    const sysctlsPointer = pointer(pod.specPointer, 'securityContext', 'sysctls');
    if (!Array.isArray(sysctls)) {
      return [{ pointer: sysctlsPointer, message: `pod has sysctls ${JSON.stringify(sysctls)}, not a list of safe sysctls` }];
    }
    const safe = safeSysctls(context.pssVersion);
    const violations: Violation[] = [];
    sysctls.forEach((sysctl: any, index: number) => {
      const name = isObject(sysctl) ? sysctl.name : undefined;
      if (typeof name === 'string' && safe.has(name)) return;
      const since = typeof name === 'string' ? sinceOf(name) : undefined;
      violations.push({
        pointer: pointer(sysctlsPointer, index, 'name'),
        message: `pod sets sysctl ${JSON.stringify(name) ?? 'without a name'}, which is not safe under PSS ${context.pssVersion.label}`,
        fix: since !== undefined
          ? `${name} is safe from PSS v1.${since}: pin that version if every cluster runs it, or remove the sysctl`
          : undefined,
      });
    });
    return violations;
  }
}
