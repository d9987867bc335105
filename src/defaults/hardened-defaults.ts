import { IConstruct } from 'constructs';
import { ResourcePreset } from './resource-preset';
import { PssVersion } from '../controls/core/pss-version';

/** Defaults that a scope (usually a Chart or the App) sets for everything below it. */
export interface HardenedDefaultsProps {
  /**
   * Resources for containers that do not declare their own.
   * @default ResourcePreset.SMALL
   */
  readonly resourcePreset?: ResourcePreset;
  /**
   * The Pod Security Standards version the guard evaluates and namespaces pin.
   * @default PssVersion.V1_27
   */
  readonly pssVersion?: PssVersion;
  /**
   * Registries images must come from (`image-registry`); entries are hosts or host/path prefixes.
   * @default - no allow-list
   */
  readonly allowedRegistries?: string[];
}

/** The defaults in force at a scope, every field resolved. */
export interface ResolvedHardenedDefaults {
  /** Resources for containers that do not declare their own. */
  readonly resourcePreset: ResourcePreset;
  /** The Pod Security Standards version. */
  readonly pssVersion: PssVersion;
  /** Registry allow-list, when one is set. */
  readonly allowedRegistries?: string[];
}

const SCOPE_DEFAULTS = new WeakMap<IConstruct, HardenedDefaultsProps>();

/**
 * The one place hardened values live: fixed values as constants, and per-scope settings
 * (`HardenedDefaults.set(chart, {...})`) that apply to every construct below that scope.
 */
export class HardenedDefaults {
  /** Numeric uid containers run as: 65532 passes every threshold seen (>=10000, >10000, <=65536, != 0). */
  public static readonly RUN_AS_USER = 65532;
  /** Numeric gid containers run as, and the pod fsGroup. */
  public static readonly RUN_AS_GROUP = 65532;
  /** The smallest uid/gid the `high-uid-gid` control accepts (host uids are usually below it). */
  public static readonly MIN_UID_GID = 10000;
  /** Mount path of the scratch emptyDir every hardened container gets. */
  public static readonly TMP_PATH = '/tmp';
  /** Value of `app.kubernetes.io/managed-by` on everything the library creates. */
  public static readonly MANAGED_BY = 'cdk8s-hardened';
  /** Namespace label that selects the cluster DNS namespace (set by Kubernetes on every namespace). */
  public static readonly DNS_NAMESPACE_LABELS: Record<string, string> = { 'kubernetes.io/metadata.name': 'kube-system' };
  /** Pod label of the cluster DNS pods (CoreDNS and kube-dns both keep it). */
  public static readonly DNS_POD_LABELS: Record<string, string> = { 'k8s-app': 'kube-dns' };
  /** DNS port, allowed over UDP and TCP. */
  public static readonly DNS_PORT = 53;
  /** Replicas from which a workload gets a PodDisruptionBudget and topology spread. */
  public static readonly HIGH_AVAILABILITY_REPLICAS = 2;
  /** Pods a DaemonSet rollout may take down at once (one node at a time, Kubernetes' own default made explicit). */
  public static readonly DAEMON_SET_MAX_UNAVAILABLE = 1;
  /** Retries of a Job's pods before the Job is marked failed (Kubernetes defaults to 6). */
  public static readonly JOB_BACKOFF_LIMIT = 3;
  /** Seconds a Job may run before it is stopped (Kubernetes sets no deadline): a hung task does not hold resources forever. */
  public static readonly JOB_ACTIVE_DEADLINE_SECONDS = 600;
  /** Seconds a finished Job and its pods are kept before deletion (Kubernetes keeps them forever). */
  public static readonly JOB_TTL_SECONDS_AFTER_FINISHED = 3600;
  /** Seconds after a missed schedule within which a CronJob may still start (cdk8s-plus-27 uses 10). */
  public static readonly CRON_JOB_STARTING_DEADLINE_SECONDS = 300;

  /**
   * Sets defaults for everything below `scope`; a nearer scope's settings win field by field.
   */
  public static set(scope: IConstruct, props: HardenedDefaultsProps): void {
    SCOPE_DEFAULTS.set(scope, { ...SCOPE_DEFAULTS.get(scope), ...props });
  }

  /** The defaults in force at `scope`. */
  public static of(scope: IConstruct): ResolvedHardenedDefaults {
    let merged: HardenedDefaultsProps = {};
    for (const s of scope.node.scopes) {
      // scopes run from the root down to `scope`, so nearer settings override.
      const own = SCOPE_DEFAULTS.get(s);
      if (own) merged = { ...merged, ...stripUndefined(own) };
    }
    return {
      resourcePreset: merged.resourcePreset ?? ResourcePreset.SMALL,
      pssVersion: merged.pssVersion ?? PssVersion.V1_27,
      allowedRegistries: merged.allowedRegistries,
    };
  }

  private constructor() {}
}

function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
