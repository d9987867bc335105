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
   * The numeric uid the containers run as. Set it to the image's own uid when the image needs it.
   * @default HardenedDefaults.RUN_AS_USER (65532; run-as-non-root, run-as-user-non-zero, high-uid-gid)
   */
  readonly runAsUser?: number;

  /**
   * The numeric gid the containers run as, also the pod's fsGroup.
   * @default HardenedDefaults.RUN_AS_GROUP (65532; non-root-groups, high-uid-gid)
   */
  readonly runAsGroup?: number;

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
