import { everyContainer, podRule } from './core/cel';
import { ControlAdmission, ControlContext, Severity, Violation } from './core/control';
import { PodControl, PodView, isObject, pointer } from './core/pod-template';

/** No container binds a port on the node (PSA `hostPorts`). */
export class HostPorts extends PodControl {
  constructor() {
    super({
      id: 'host-ports',
      title: 'Containers bind no host ports',
      severity: Severity.ERROR,
      rationale: 'A hostPort exposes the container on the node\'s own address, bypassing Services and '
        + 'NetworkPolicies, and ties the pod to nodes where the port is free.',
      remediation: 'Remove ports[*].hostPort (or set it to 0) on every container and init container; expose the '
        + 'workload through a Service instead.',
      references: {
        pss: 'baseline: Host Ports',
        cis: 'CIS Kubernetes Benchmark 1.9: 5.2.13 (minimize the admission of containers which use HostPorts)',
        polaris: ['hostPortSet'],
        trivy: ['KSV024'],
        kyverno: ['disallow-host-ports'],
      },
    });
  }

  public admission(_context: ControlContext): ControlAdmission {
    return {
      rule: podRule([
        everyContainer('c.?ports.orValue([]).all(p, p.?hostPort.orValue(0) == 0)', 'containers must not use host ports (ports[].hostPort)'),
      ]),
    };
  }

  protected checkPod(pod: PodView, _context: ControlContext): Violation[] {
    const violations: Violation[] = [];
    for (const c of pod.containers) {
      const ports = c.container.ports;
      if (!Array.isArray(ports)) continue;
      ports.forEach((port: any, index: number) => {
        if (!isObject(port)) return;
        const hostPort = port.hostPort;
        // PSA allows only unset or 0; anything else (including a malformed string) is a host port.
        if (hostPort === undefined || hostPort === null || hostPort === 0) return;
        violations.push({
          pointer: pointer(c.pointer, 'ports', index, 'hostPort'),
          message: `${c.label} has hostPort ${JSON.stringify(hostPort)}`,
        });
      });
    }
    return violations;
  }
}
