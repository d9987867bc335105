import { podCheck, podRule } from './core/cel';
import { ControlAdmission, ControlContext, Severity, Violation } from './core/control';
import { PodControl, PodView, isObject, pointer } from './core/pod-template';

/** The pod mounts no hostPath volume (PSA `hostPathVolumes`); an exempted one is mounted read-only. */
export class HostPathVolumes extends PodControl {
  constructor() {
    super({
      id: 'host-path-volumes',
      title: 'Pods mount no hostPath volumes',
      severity: Severity.ERROR,
      rationale: 'A hostPath volume exposes the node\'s filesystem to the container: reading kubelet credentials, '
        + 'the container runtime socket or other pods\' data, or writing to the node, leads to node takeover.',
      remediation: 'Replace every spec.volumes[*].hostPath with emptyDir, configMap, secret, projected, '
        + 'persistentVolumeClaim, csi or ephemeral volumes. A hostPath volume that must stay is mounted with '
        + '`readOnly: true`: a writable mount is a finding of its own, at the mount\'s `readOnly`.',
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

  public admission(_context: ControlContext): ControlAdmission {
    return {
      rule: podRule([
        podCheck('variables.podSpec.?volumes.orValue([]).all(v, !has(v.hostPath))', 'the pod must not use hostPath volumes'),
      ]),
    };
  }

  protected checkPod(pod: PodView, _context: ControlContext): Violation[] {
    const volumes = pod.spec.volumes;
    if (!Array.isArray(volumes)) return [];
    const violations: Violation[] = [];
    const hostPaths = new Map<unknown, string>();
    volumes.forEach((volume: any, index: number) => {
      if (!isObject(volume) || volume.hostPath === undefined || volume.hostPath === null) return;
      const path = typeof volume.hostPath?.path === 'string' ? ` ${volume.hostPath.path}` : '';
      hostPaths.set(volume.name, path);
      violations.push({
        pointer: pointer(pod.specPointer, 'volumes', index, 'hostPath'),
        message: `volumes[${index}] '${volume.name ?? ''}' is a hostPath volume${path}`,
      });
    });
    // Writing to the node is a further weakening than reading it: a finding of its own, at the mount, so an
    // exemption narrowed to the volume (reviewed as a read-only mount) does not cover a mount made writable.
    for (const c of pod.containers) {
      const mounts = c.container.volumeMounts;
      if (!Array.isArray(mounts)) continue;
      mounts.forEach((mount: any, index: number) => {
        if (!isObject(mount) || !hostPaths.has(mount.name) || mount.readOnly === true) return;
        violations.push({
          pointer: pointer(c.pointer, 'volumeMounts', index, 'readOnly'),
          message: `${c.label} mounts hostPath volume '${mount.name}'${hostPaths.get(mount.name)} writable at ${JSON.stringify(mount.mountPath)}: `
            + `volumeMounts[${index}].readOnly is ${JSON.stringify(mount.readOnly) ?? 'unset'}, not true`,
          fix: `Set volumeMounts[${index}].readOnly: true; a container that must write to the node needs an exemption of host-path-volumes `
            + 'at this pointer, with a reason saying what it writes and why.',
        });
      });
    }
    return violations;
  }
}
