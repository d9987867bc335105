import { celStrings, podCheck, podRule } from './core/cel';
import { ControlAdmission, ControlContext, Severity, Violation } from './core/control';
import { isObject, PodControl, PodView, pointer } from './core/pod-template';

/**
 * Inline volume sources the restricted profile allows (upstream `restrictedVolumes_1_0`, its only version).
 * Upstream added `image` to this 1.0 function (kubernetes/kubernetes#130394, Kubernetes 1.33) rather than to a
 * new policy version, so PSA accepts image volumes at every pinned policy version; so do we.
 */
const ALLOWED_SOURCES = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'image', 'persistentVolumeClaim', 'projected', 'secret'];

/** Volumes use only the core volume types of the restricted profile. */
export class VolumeTypes extends PodControl {
  constructor() {
    super({
      id: 'volume-types',
      title: 'Volumes use only the volume types the restricted Pod Security Standard allows',
      severity: Severity.ERROR,
      rationale: 'Inline volume sources such as hostPath, nfs, iscsi or gitRepo reach node paths, network storage '
        + 'or run code outside the storage API\'s access control; the restricted profile limits pods to volumes '
        + 'whose storage is provisioned and governed through the API.',
      remediation: 'Use only configMap, csi, downwardAPI, emptyDir, ephemeral, persistentVolumeClaim, projected, '
        + 'secret or image volumes; reach other storage through a PersistentVolume and a '
        + 'persistentVolumeClaim volume.',
      references: {
        pss: 'restricted: Volume Types',
        trivy: ['KSV028'],
        kyverno: ['restrict-volume-types'],
      },
    });
  }

  public admission(context: ControlContext): ControlAdmission {
    return {
      rule: podRule([
        podCheck(`variables.podSpec.?volumes.orValue([]).all(v, v.all(k, k == 'name' || k in ${celStrings(ALLOWED_SOURCES)}))`,
          `volumes must be of the types the restricted profile allows (PSS ${context.pssVersion.label}): ${ALLOWED_SOURCES.join(', ')}`),
      ]),
    };
  }

  protected checkPod(pod: PodView, context: ControlContext): Violation[] {
    const volumes = pod.spec.volumes;
    if (!Array.isArray(volumes)) return [];
    const violations: Violation[] = [];
    volumes.forEach((volume: any, index: number) => {
      const volumePointer = pointer(pod.specPointer, 'volumes', index);
      if (!isObject(volume)) {
        violations.push({ pointer: volumePointer, message: `volumes[${index}] is ${JSON.stringify(volume)}, not a volume` });
        return;
      }
      const label = `volumes[${index}] '${volume.name ?? ''}'`;
      // A null source is absent (Go reads it as nil); every other key besides name must be an allowed source.
      const sources = Object.keys(volume).filter(key => key !== 'name' && volume[key] !== null && volume[key] !== undefined);
      // Deliberately stricter than PSA, whose switch passes a volume as soon as one allowed source is set: API
      // validation rejects a volume with two sources, and an unknown key may be a source we do not know.
      const forbidden = sources.filter(key => !ALLOWED_SOURCES.includes(key));
      for (const key of forbidden) {
        violations.push({
          pointer: pointer(volumePointer, key),
          message: `${label} uses volume type ${key}, not allowed by the restricted profile (PSS ${context.pssVersion.label})`,
        });
      }
      // A volume with no source is not flagged: the API server defaults it to emptyDir before admission, and
      // PSA's own restricted pass fixtures rely on that (their "implicit empty dir" volume).
    });
    return violations;
  }
}
