import * as kplus from 'cdk8s-plus-27';

/**
 * Volume sources that start out owned by root and that the kubelet makes group-owned by the pod's `fsGroup` (and
 * setgid), which is what lets a non-root uid write to them. emptyDir is world-writable and needs no fsGroup; for
 * configMap, secret, projected and downwardAPI volumes see `fileVolumeNeedsGroup`.
 */
export const GROUP_OWNED_VOLUME_SOURCES = [
  'persistentVolumeClaim', 'ephemeral', 'csi', 'awsElasticBlockStore', 'azureDisk', 'cinder', 'fc', 'flexVolume', 'gcePersistentDisk',
  'iscsi', 'photonPersistentDisk', 'portworxVolume', 'rbd', 'scaleIO', 'storageos', 'vsphereVolume',
] as const;

/** The file mode Kubernetes gives secret, configMap, downwardAPI and projected files when none is set (0644). */
export const DEFAULT_FILE_MODE = 0o644;
/** Whether a file mode lets "others" read: its last octal digit holds the read bit (4). */
function othersMayRead(mode: number): boolean {
  return mode % 8 >= 4;
}

/** A volume's source field, as the Kubernetes API (`downwardAPI`) or the cdk8s imports (`downwardApi`) spell it. */
function sourceOf(volume: any, source: string): any {
  return source === 'downwardAPI' ? volume.downwardAPI ?? volume.downwardApi : volume[source];
}

/**
 * The modes of the files one source writes: with `items`, only those keys, each at its `mode` or the default; without,
 * every key at the default (a serviceAccountToken or clusterTrustBundle projection, too).
 */
function fileModes(source: any, defaultMode: number): number[] {
  const items: any[] = Array.isArray(source?.items) ? source.items : [];
  if (items.length === 0) return [defaultMode];
  return items.map(item => typeof item?.mode === 'number' ? item.mode : defaultMode);
}

/** A `defaultMode` as Kubernetes applies it: the given number, else 0644. */
function defaultModeOf(source: any): number {
  return typeof source?.defaultMode === 'number' ? source.defaultMode : DEFAULT_FILE_MODE;
}

/**
 * Whether a secret, configMap, downwardAPI or projected volume writes a file that "others" cannot read (e.g. a
 * Secret mounted 0440). Its files are root-owned; only with the pod's `fsGroup` does the kubelet make them
 * group-owned by that gid, so without it the non-root uid cannot read them. Modes as Kubernetes applies them:
 * `items[].mode`, else `defaultMode`, else 0644.
 */
export function fileVolumeNeedsGroup(volume: any): boolean {
  const present = (source: any): boolean => source !== undefined && source !== null;
  const modes = ['secret', 'configMap', 'downwardAPI'].map(name => sourceOf(volume, name)).filter(present)
    .flatMap(source => fileModes(source, defaultModeOf(source)));
  const projected = sourceOf(volume, 'projected');
  if (present(projected)) {
    const defaultMode = defaultModeOf(projected);
    for (const entry of Array.isArray(projected.sources) ? projected.sources : []) {
      const inner = ['secret', 'configMap', 'downwardAPI'].map(name => sourceOf(entry ?? {}, name)).find(present);
      modes.push(...fileModes(inner, defaultMode));
    }
  }
  return modes.some(mode => !othersMayRead(mode));
}

/** Whether a volume needs the pod's fsGroup: a group-owned source, or files "others" cannot read. */
export function volumeNeedsGroup(volume: any): boolean {
  return GROUP_OWNED_VOLUME_SOURCES.some(source => volume?.[source] !== undefined) || fileVolumeNeedsGroup(volume ?? {});
}

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
  return options.claimTemplates || (volumes ?? []).some(volumeNeedsGroup);
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
      + 'volume needs it (claims, persistentVolumeClaim, ephemeral or csi volumes, files others cannot read such as a Secret mounted 0440)');
  }
  return {
    gid,
    declared,
    claimTemplates,
    explicitFsGroup: props.securityContext?.fsGroup,
    explicitChangePolicy: props.securityContext?.fsGroupChangePolicy,
  };
}
