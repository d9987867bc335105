import { everyContainer, podRule } from './core/cel';
import { ControlAdmission, ControlContext, Severity, Violation } from './core/control';
import { isObject, PodControl, PodView, pointer } from './core/pod-template';

const FIRST_UNPRIVILEGED_PORT = 1024;

/** Containers listen on unprivileged ports (1024 and above). */
export class PrivilegedPort extends PodControl {
  constructor() {
    super({
      id: 'privileged-port',
      title: 'Containers do not listen on privileged ports (below 1024)',
      severity: Severity.WARNING,
      rationale: 'Binding a port below 1024 needs root or the NET_BIND_SERVICE capability (unless the node lowers '
        + 'net.ipv4.ip_unprivileged_port_start), privileges a non-root container should not hold.',
      remediation: 'Listen on a port >= 1024 (e.g. 8080) and publish the well-known port through the Service '
        + '(port: 80, targetPort: 8080).',
      references: {
        kubeLinter: ['privileged-ports'],
        trivy: ['KSV117'],
      },
    });
  }

  public admission(_context: ControlContext): ControlAdmission {
    return {
      rule: podRule([
        everyContainer(`c.?ports.orValue([]).all(p, p.?containerPort.orValue(${FIRST_UNPRIVILEGED_PORT}) >= ${FIRST_UNPRIVILEGED_PORT})`,
          `containers must listen on ports from ${FIRST_UNPRIVILEGED_PORT} (ports[].containerPort)`),
      ]),
    };
  }

  protected checkPod(pod: PodView, _context: ControlContext): Violation[] {
    const violations: Violation[] = [];
    for (const c of pod.containers) {
      const ports = c.container.ports;
      if (!Array.isArray(ports)) continue;
      ports.forEach((port: any, index: number) => {
        const containerPort = isObject(port) ? port.containerPort : undefined;
        if (typeof containerPort === 'number' && containerPort < FIRST_UNPRIVILEGED_PORT) {
          violations.push({
            pointer: pointer(c.pointer, 'ports', index, 'containerPort'),
            message: `${c.label} has containerPort ${containerPort}, below ${FIRST_UNPRIVILEGED_PORT}`,
          });
        }
      });
    }
    return violations;
  }
}
