import { ControlContext, Severity, Violation } from './core/control';
import { PodControl, PodView, isObject, pointer } from './core/pod-template';

/** The pod mounts no hostPath volume (PSA `hostPathVolumes`). */
export class HostPathVolumes extends PodControl {
  constructor() {
    super({
      id: 'host-path-volumes',
      title: 'Pods mount no hostPath volumes',
      severity: Severity.ERROR,
      rationale: 'A hostPath volume exposes the node\'s filesystem to the container: reading kubelet credentials, '
        + 'the container runtime socket or other pods\' data, or writing to the node, leads to node takeover.',
      remediation: 'Replace every spec.volumes[*].hostPath with emptyDir, configMap, secret, projected, '
        + 'persistentVolumeClaim, csi or ephemeral volumes.',
      references: {
        pss: 'baseline: HostPath Volumes',
        cis: 'CIS Kubernetes Benchmark 1.9: 5.2.12 (minimize the admission of HostPath volumes)',
        nsa: 'NSA/CISA Kubernetes Hardening Guide 1.2: "Pod security enforcement"',
        kubeLinter: ['sensitive-host-mounts', 'docker-sock'],
        trivy: ['KSV023'],
        kyverno: ['disallow-host-path'],
      },
    });
  }

  protected checkPod(pod: PodView, _context: ControlContext): Violation[] {
    const volumes = pod.spec.volumes;
    if (!Array.isArray(volumes)) return [];
    const violations: Violation[] = [];
    volumes.forEach((volume: any, index: number) => {
      if (!isObject(volume) || volume.hostPath === undefined || volume.hostPath === null) return;
      const path = typeof volume.hostPath?.path === 'string' ? ` ${volume.hostPath.path}` : '';
      violations.push({
        pointer: pointer(pod.specPointer, 'volumes', index, 'hostPath'),
        message: `volumes[${index}] '${volume.name ?? ''}' is a hostPath volume${path}`,
      });
    });
    return violations;
  }
}
