import { ResourceRange } from '../defaults/resource-preset';

/** Options of `NamespaceQuota.fromWorkloads()`, also accepted by `NamespaceQuota.of()`. */
export interface WorkloadQuotaOptions {
  /**
   * Nodes each DaemonSet of the namespace runs a pod on (the pod count of a DaemonSet is the cluster's node count).
   * @default - none: a DaemonSet in the namespace fails synthesis, as its pods cannot be counted
   */
  readonly daemonSetNodes?: number;
}

/**
 * Hard limits of an IsolatedNamespace's ResourceQuota, summed over all pods of the namespace, and how to count the
 * pods of DaemonSets.
 */
export interface NamespaceQuotaProps extends WorkloadQuotaOptions {
  /**
   * Pods the namespace may hold at once (`pods`).
   * @default NamespaceQuota.DEFAULT_PODS (20)
   */
  readonly pods?: number;
  /**
   * Total cpu requests (`requests.cpu`) and limits (`limits.cpu`), in millicores.
   * @default - `pods` times the LimitRange's container defaultRequest and default
   */
  readonly cpuMillis?: ResourceRange;
  /**
   * Total memory requests (`requests.memory`) and limits (`limits.memory`), in mebibytes.
   * @default - `pods` times the LimitRange's container defaultRequest and default
   */
  readonly memoryMebibytes?: ResourceRange;
  /**
   * Total ephemeral-storage requests (`requests.ephemeral-storage`) and limits (`limits.ephemeral-storage`), in mebibytes.
   * @default - `pods` times the LimitRange's container defaultRequest and default
   */
  readonly ephemeralStorageMebibytes?: ResourceRange;
}

/**
 * How an IsolatedNamespace sizes its ResourceQuota (control `namespace-quota`).
 *
 * Both count, at synthesis, the pod-creating objects of the namespace from their final JSON (JSON patches applied;
 * cdk8s-plus workloads, raw ApiObjects and included YAML alike): replicas (an autoscaler's maximum) plus a
 * Deployment's rolling-update surge, times each pod's requests and limits. An object whose pods cannot be counted
 * (a DaemonSet without `daemonSetNodes`, a CronJob whose runs may overlap, a quantity that does not parse) fails
 * synthesis, naming it and the fix.
 *
 * - `NamespaceQuota.of({...})`: fixed sizes. Synthesis fails, naming the workloads and amounts, when the workloads
 *   need more than the quota allows.
 * - `NamespaceQuota.fromWorkloads()`: exactly what the workloads need. Nothing else fits in the namespace.
 */
export class NamespaceQuota {
  /** Pods a fixed-size quota allows when `pods` is not given. */
  public static readonly DEFAULT_PODS = 20;

  /** A quota of fixed sizes; each size not given is derived from `pods` and the container defaults. */
  public static of(props: NamespaceQuotaProps = {}): NamespaceQuota {
    return new NamespaceQuota(false, props, { daemonSetNodes: props.daemonSetNodes });
  }

  /** A quota sized at synthesis to exactly what the workloads declared in the namespace need. */
  public static fromWorkloads(options: WorkloadQuotaOptions = {}): NamespaceQuota {
    return new NamespaceQuota(true, {}, options);
  }

  private constructor(
    /** True when the quota is sized from the declared workloads. */
    public readonly sizedFromWorkloads: boolean,
    /** The fixed sizes given to `of()` (empty for `fromWorkloads()`). */
    public readonly sizes: NamespaceQuotaProps,
    /** How the workloads' pods are counted: the options given to `fromWorkloads()`, or `daemonSetNodes` given to `of()`. */
    public readonly workloadOptions: WorkloadQuotaOptions,
  ) {}
}
