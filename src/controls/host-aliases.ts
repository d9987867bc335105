import { podCheck, podRule } from './core/cel';
import { ControlAdmission, ControlContext, Severity, Violation } from './core/control';
import { PodControl, PodView, pointer } from './core/pod-template';

/** The pod does not write its own entries into /etc/hosts. */
export class HostAliases extends PodControl {
  constructor() {
    super({
      id: 'host-aliases',
      title: 'Pods do not set hostAliases',
      severity: Severity.WARNING,
      rationale: 'hostAliases pins names to IPs in the pod\'s /etc/hosts, bypassing cluster DNS: traffic can be silently '
        + 'redirected, and the kubelet-managed file no longer follows changes of the real addresses.',
      remediation: 'Remove hostAliases; resolve names through DNS (a Service, an ExternalName Service, or a DNS record).',
      references: {
        trivy: ['KSV007'],
      },
    });
  }

  public admission(_context: ControlContext): ControlAdmission {
    return { rule: podRule([podCheck('size(variables.podSpec.?hostAliases.orValue([])) == 0', 'the pod must not set hostAliases')]) };
  }

  protected checkPod(pod: PodView, _context: ControlContext): Violation[] {
    const hostAliases = pod.spec.hostAliases;
    // An empty list adds nothing to /etc/hosts.
    if (hostAliases === undefined || hostAliases === null || (Array.isArray(hostAliases) && hostAliases.length === 0)) {
      return [];
    }
    const names = Array.isArray(hostAliases)
      ? hostAliases.map((alias: any) => `${JSON.stringify(alias?.ip)} -> ${JSON.stringify(alias?.hostnames)}`).join(', ')
      : JSON.stringify(hostAliases);
    return [{ pointer: pointer(pod.specPointer, 'hostAliases'), message: `pod spec sets hostAliases ${names}` }];
  }
}
