import { podCheck, podRule } from './core/cel';
import { ControlAdmission, ControlContext, Severity, Violation } from './core/control';
import { PodControl, PodView, pointer } from './core/pod-template';

const HOST_NAMESPACE_FIELDS = ['hostNetwork', 'hostPID', 'hostIPC'];

/** The pod shares no namespace with the node (PSA `hostNamespaces`). */
export class HostNamespaces extends PodControl {
  constructor() {
    super({
      id: 'host-namespaces',
      title: 'Pods do not share the host network, PID or IPC namespace',
      severity: Severity.ERROR,
      rationale: 'Sharing the node\'s network, process or IPC namespace lets a container sniff and bind host '
        + 'traffic, see and signal every process on the node, and read shared memory of other workloads.',
      remediation: 'Remove spec.hostNetwork, spec.hostPID and spec.hostIPC from the pod spec (or set them to false).',
      references: {
        pss: 'baseline: Host Namespaces',
        cis: 'CIS Kubernetes Benchmark 1.9: 5.2.3, 5.2.4, 5.2.5 (minimize containers sharing the host PID, IPC and network namespaces)',
        nsa: 'NSA/CISA Kubernetes Hardening Guide 1.2: "Pod security enforcement"',
        polaris: ['hostNetworkSet', 'hostPIDSet', 'hostIPCSet'],
        kubeLinter: ['host-network', 'host-pid', 'host-ipc'],
        trivy: ['KSV008', 'KSV009', 'KSV010'],
        kyverno: ['disallow-host-namespaces'],
      },
    });
  }

  public admission(_context: ControlContext): ControlAdmission {
    return {
      rule: podRule([
        podCheck(HOST_NAMESPACE_FIELDS.map(f => `!variables.podSpec.?${f}.orValue(false)`).join(' && '),
          'the pod must not share the host network, PID or IPC namespace (hostNetwork, hostPID, hostIPC)'),
      ]),
    };
  }

  protected checkPod(pod: PodView, _context: ControlContext): Violation[] {
    const violations: Violation[] = [];
    for (const field of HOST_NAMESPACE_FIELDS) {
      const value = pod.spec[field];
      // Anything but unset or false counts as enabled: a malformed value must not slip through.
      if (value !== undefined && value !== null && value !== false) {
        violations.push({
          pointer: pointer(pod.specPointer, field),
          message: `pod has ${field} ${JSON.stringify(value)}`,
        });
      }
    }
    return violations;
  }
}
