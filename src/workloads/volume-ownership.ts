import * as kplus from 'cdk8s-plus-27';

/**
 * Volume sources that start out owned by root and that the kubelet makes group-owned by the pod's `fsGroup` (and
 * setgid), which is what lets a non-root uid write to them. emptyDir (world-writable), configMap, secret, projected
 * and downwardAPI volumes (readable at their file mode) need no fsGroup.
 */
export const GROUP_OWNED_VOLUME_SOURCES = [
  'persistentVolumeClaim', 'ephemeral', 'csi', 'awsElasticBlockStore', 'azureDisk', 'cinder', 'fc', 'flexVolume', 'gcePersistentDisk',
  'iscsi', 'photonPersistentDisk', 'portworxVolume', 'rbd', 'scaleIO', 'storageos', 'vsphereVolume',
] as const;

/** What decides a pod's fsGroup: the workload's gid, the user's own settings, and volumes the kind provides. */
export interface VolumeOwnershipOptions {
  /** The workload's gid (runAsGroup), the fsGroup when one is needed. */
  readonly gid: number;
  /** `volumeGroupOwnership` as given: true or false decide, undefined lets the volumes decide. */
  readonly declared?: boolean;
  /** The kind provides group-owned volumes outside `volumes` (a StatefulSet's claim templates). */
  readonly claimTemplates: boolean;
  /** `securityContext.fsGroup` as the user gave it. */
  readonly explicitFsGroup?: number;
  /** `securityContext.fsGroupChangePolicy` as the user gave it. */
  readonly explicitChangePolicy?: string;
}

/** Whether a pod with these volumes needs an fsGroup, and why (for docs and errors). */
export function needsGroupOwnership(volumes: kplus.k8s.Volume[] | undefined, options: VolumeOwnershipOptions): boolean {
  if (options.explicitFsGroup !== undefined) return true;
  if (options.declared !== undefined) return options.declared;
  return options.claimTemplates || (volumes ?? []).some(v => GROUP_OWNED_VOLUME_SOURCES.some(source => (v as any)[source] !== undefined));
}

/**
 * The pod security context with `fsGroup` only where a volume needs group ownership: then the workload's gid with
 * `fsGroupChangePolicy: OnRootMismatch` (a large volume is not re-chowned at every start), unless the user set either;
 * otherwise neither field (cdk8s-plus-27 renders `fsGroupChangePolicy: Always` on every pod).
 */
export function withVolumeOwnership(
  security: kplus.k8s.PodSecurityContext, volumes: kplus.k8s.Volume[] | undefined, options: VolumeOwnershipOptions,
): kplus.k8s.PodSecurityContext {
  const { fsGroup, fsGroupChangePolicy, ...rest } = security;
  if (!needsGroupOwnership(volumes, options)) return rest;
  return {
    ...rest,
    fsGroup: options.explicitFsGroup ?? fsGroup ?? options.gid,
    fsGroupChangePolicy: options.explicitChangePolicy ?? kplus.FsGroupChangePolicy.ON_ROOT_MISMATCH,
  };
}

/** The ownership options of a workload, `volumeGroupOwnership` checked (it may come from plain JavaScript). */
export function volumeOwnershipOptions(
  path: string, props: { volumeGroupOwnership?: boolean; securityContext?: kplus.PodSecurityContextProps }, gid: number, claimTemplates: boolean,
): VolumeOwnershipOptions {
  const declared = props.volumeGroupOwnership;
  if (declared !== undefined && typeof declared !== 'boolean') {
    throw new Error(`[${path}] volumeGroupOwnership: ${JSON.stringify(declared)} is not true or false; leave it out to set fsGroup only where a `
      + 'volume needs it (claims, persistentVolumeClaim, ephemeral or csi volumes)');
  }
  return {
    gid,
    declared,
    claimTemplates,
    explicitFsGroup: props.securityContext?.fsGroup,
    explicitChangePolicy: props.securityContext?.fsGroupChangePolicy,
  };
}
