import { ImageUser } from './image-user';
import { WritablePath } from './writable-path';
import { ResourcePreset } from '../defaults/resource-preset';
import { ExemptionProps } from '../guard/exemption';

/** Options every hardened workload (Deployment, StatefulSet, DaemonSet, Job, CronJob) shares. */
export interface HardenedWorkloadProps {
  /**
   * Absolute paths the containers write to besides `/tmp`, e.g. `/var/cache/nginx`. Each becomes an emptyDir,
   * sized by the resource preset, mounted in every container, so the root filesystem stays read-only.
   * @default - only `/tmp` is writable (read-only-root-filesystem)
   */
  readonly writablePaths?: string[];

  /**
   * Writable paths with their own emptyDir size, e.g. `[{ path: '/var/backups', sizeLimit: Size.gibibytes(10) }]` for a
   * backup job or a cache that needs more than the preset's scratch size. The first container's ephemeral-storage
   * request and limit grow by the sizes (unless it declares its own limit, which must then cover them), so the pod can
   * fill them without being evicted; a namespace's LimitRange maximum and quota see the grown amounts.
   * @default - none: only `/tmp` and `writablePaths`, each sized by the resource preset
   */
  readonly sizedWritablePaths?: WritablePath[];

  /**
   * The numeric uid the containers run as. `high-uid-gid` requires at least 10000 (HardenedDefaults.MIN_UID_GID), so
   * an image's own low uid (nginx: 101) fails synthesis unless exempted: use `imageUser` (ImageUser.of(101, reason)),
   * which sets it and exempts exactly that value.
   * @default HardenedDefaults.RUN_AS_USER (65532; run-as-non-root, run-as-user-non-zero, high-uid-gid)
   */
  readonly runAsUser?: number;

  /**
   * The uid (and gid) a stock image must run as, with the reason: sets runAsUser (and runAsGroup) and exempts
   * `high-uid-gid` pinned to exactly those values on this workload's object.
   * @default - none: ids below 10000 fail `high-uid-gid`
   */
  readonly imageUser?: ImageUser;

  /**
   * The numeric gid the containers run as (at least 10000 for `high-uid-gid`, like runAsUser), also the pod's fsGroup where a volume needs one (see
   * `volumeGroupOwnership`).
   * @default HardenedDefaults.RUN_AS_GROUP (65532; non-root-groups, high-uid-gid)
   */
  readonly runAsGroup?: number;

  /**
   * Whether the pod sets `fsGroup` (the workload's gid, with `fsGroupChangePolicy: OnRootMismatch`), so the kubelet
   * makes its volumes group-owned and writable (or readable) by the non-root uid. `true` for storage the library cannot
   * see (e.g. a volume added by a JSON patch), `false` for storage whose permissions are set up otherwise.
   * @default - only when a volume needs it: StatefulSet `volumeClaims`, persistentVolumeClaim, ephemeral, csi and
   * other block-storage volumes, and secret, configMap, projected or downwardAPI volumes with a file mode others
   * cannot read (e.g. a Secret mounted 0440), volumes added after construction included; never for emptyDir.
   * A `securityContext.fsGroup` you set is always kept.
   */
  readonly volumeGroupOwnership?: boolean;

  /**
   * Requests and limits for containers that do not declare all of theirs; fields a container declares win.
   * @default - the preset in force at this scope (`HardenedDefaults.set`), else ResourcePreset.SMALL
   * (resource-requests, resource-limits, cpu-limit)
   */
  readonly resourcePreset?: ResourcePreset;

  /**
   * Explicit, reasoned weakenings of controls for this workload and its companion objects.
   * @default - none: any weakened default fails synthesis
   */
  readonly exemptions?: ExemptionProps[];

  /**
   * Value of the `app.kubernetes.io/part-of` label (the application this workload belongs to).
   * @default - label not set
   */
  readonly partOf?: string;
}
