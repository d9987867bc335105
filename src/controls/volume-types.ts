import { ControlContext, Severity, Violation } from './core/control';
import { isObject, PodControl, PodView, pointer } from './core/pod-template';

/** Inline volume sources the restricted profile allows (upstream `restrictedVolumes_1_0`). */
const ALLOWED_SOURCES = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret'];

/**
 * Upstream added `image` to the same allow-list in Kubernetes 1.33 (kubernetes/kubernetes#130394); we
 * allow it from PSS v1.33, the first pinned version whose admission code accepts it.
 */
const IMAGE_SOURCE_SINCE_MINOR = 33;

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
      remediation: 'Use only configMap, csi, downwardAPI, emptyDir, ephemeral, persistentVolumeClaim, projected or '
        + 'secret volumes (plus image from PSS v1.33); reach other storage through a PersistentVolume and a '
        + 'persistentVolumeClaim volume.',
      references: {
        pss: 'restricted: Volume Types',
        trivy: ['KSV028'],
        kyverno: ['restrict-volume-types'],
      },
    });
  }

  protected checkPod(pod: PodView, context: ControlContext): Violation[] {
    const volumes = pod.spec.volumes;
    if (!Array.isArray(volumes)) return [];
    const allowed = context.pssVersion.atLeast(IMAGE_SOURCE_SINCE_MINOR) ? [...ALLOWED_SOURCES, 'image'] : ALLOWED_SOURCES;
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
      const forbidden = sources.filter(key => !allowed.includes(key));
      for (const key of forbidden) {
        violations.push({
          pointer: pointer(volumePointer, key),
          message: `${label} uses volume type ${key}, not allowed by the restricted profile (PSS ${context.pssVersion.label})`,
        });
      }
      if (sources.length === 0) {
        // Upstream counts a volume with no source it recognises as a restricted ("unknown") type.
        violations.push({ pointer: volumePointer, message: `${label} declares no volume source` });
      }
    });
    return violations;
  }
}
