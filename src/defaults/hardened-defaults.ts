import { Construct, IConstruct } from 'constructs';
import { describeValue } from './kubernetes-validation';
import { ResourcePreset } from './resource-preset';
import { PssVersion } from '../controls/core/pss-version';
import { Platform } from '../platforms/platform';
import { ImageLock } from '../supply-chain/image-lock';

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
  /**
   * Digests for image tags (`images.lock.json` from `cdk8s-hardened pin`): hardened workloads render `tag@sha256:...`
   * and fail synthesis for an image the lock does not pin. See docs/supply-chain.md.
   * @default - images render as written
   */
  readonly imageLock?: ImageLock;
  /**
   * Make `image-digest` an error (it is a warning otherwise): every image must carry a sha256 digest.
   * @default false
   */
  readonly requireImageDigests?: boolean;
  /**
   * The platform the workloads run on: what it changes in the defaults (OpenShift leaves uid, gid and fsGroup to
   * its SCC) and which controls apply (see docs/platforms.md).
   * @default Platform.GENERIC
   */
  readonly platform?: Platform;
}

/** The defaults in force at a scope, every field resolved. */
export interface ResolvedHardenedDefaults {
  /** Resources for containers that do not declare their own. */
  readonly resourcePreset: ResourcePreset;
  /** The Pod Security Standards version. */
  readonly pssVersion: PssVersion;
  /** Registry allow-list, when one is set. */
  readonly allowedRegistries?: string[];
  /** The image lock, when one is set. */
  readonly imageLock?: ImageLock;
  /** Whether `image-digest` is an error. */
  readonly requireImageDigests: boolean;
  /** The platform profile. */
  readonly platform: Platform;
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
   * Sets defaults for everything below `scope`; a nearer scope's settings win field by field, and a later call on the
   * same scope overrides the fields it gives (`undefined` clears that field at this scope).
   * Call it before creating the constructs below `scope`: they resolve their defaults when created.
   * @throws if a field is not what it should be (a ResourcePreset, a PssVersion, a list of registry hosts or
   * host/path prefixes), or is not one of these fields; or if a construct below `scope` already resolved its defaults
   */
  public static set(scope: IConstruct, props: HardenedDefaultsProps): void {
    checkScope('HardenedDefaults.set', scope);
    const checked = checkProps(scope, props);
    const reader = READ_BY.get(scope);
    if (reader !== undefined) {
      // Constructs resolve their defaults once, when they are created: a later change would apply to some objects
      // and not others (and to the guard but not to the construct), so it is refused rather than half-applied.
      throw new Error(`[${scope.node.path || '(the app)'}] HardenedDefaults.set: the defaults in force here were already resolved by [${reader}]; `
        + 'call HardenedDefaults.set before creating the constructs below this scope');
    }
    SCOPE_DEFAULTS.set(scope, { ...SCOPE_DEFAULTS.get(scope), ...checked });
  }

  /** The defaults in force at `scope`. */
  public static of(scope: IConstruct): ResolvedHardenedDefaults {
    checkScope('HardenedDefaults.of', scope);
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
      imageLock: merged.imageLock,
      requireImageDigests: merged.requireImageDigests ?? false,
      platform: merged.platform ?? Platform.GENERIC,
    };
  }

  /**
   * The defaults in force at `construct`, resolved once by a construct when it is created; later `set` calls on its
   * scopes are refused, since they would no longer reach it.
   * @internal
   */
  public static _resolveFor(construct: IConstruct): ResolvedHardenedDefaults {
    for (const s of construct.node.scopes) {
      if (!READ_BY.has(s)) READ_BY.set(s, construct.node.path || '(the app)');
    }
    return HardenedDefaults.of(construct);
  }

  private constructor() {}
}

/** For each scope whose defaults some construct has read: the path of the first reader. */
const READ_BY = new WeakMap<IConstruct, string>();

/** A host (name, IPv4 or [IPv6]) with an optional port, then optional repository path components. */
const REGISTRY_ENTRY = new RegExp('^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\\[[a-fA-F0-9:]+\\])'
  + '(?::[0-9]{1,5})?(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*/?$');
const FIELDS = ['resourcePreset', 'pssVersion', 'allowedRegistries', 'imageLock', 'requireImageDigests', 'platform'];

function checkScope(where: string, scope: unknown): void {
  if (!Construct.isConstruct(scope)) {
    throw new Error(`${where}: scope ${describeValue(scope)} is not a construct; pass the App, a Chart or another construct the defaults apply below`);
  }
}

/** The props of `HardenedDefaults.set`, checked field by field (they may come from plain JavaScript). */
function checkProps(scope: IConstruct, props: unknown): HardenedDefaultsProps {
  const where = `[${scope.node.path || '(the app)'}] HardenedDefaults.set`;
  if (props === null || typeof props !== 'object' || Array.isArray(props)) {
    throw new Error(`${where}: props ${describeValue(props)} is not an object; pass e.g. { resourcePreset: ResourcePreset.MEDIUM, pssVersion: PssVersion.V1_29 }`);
  }
  const unknown = Object.keys(props).filter(key => !FIELDS.includes(key));
  if (unknown.length > 0) {
    throw new Error(`${where}: ${unknown.map(k => `'${k}'`).join(', ')} ${unknown.length > 1 ? 'are not defaults' : 'is not a default'} this library has; `
      + `set only ${FIELDS.join(', ')}`);
  }
  const { resourcePreset, pssVersion, allowedRegistries, imageLock, requireImageDigests } = props as HardenedDefaultsProps;
  if (imageLock !== undefined && !(imageLock instanceof ImageLock)) {
    throw new Error(`${where}: imageLock ${describeValue(imageLock)} is not an ImageLock; use ImageLock.fromFile('images.lock.json'), or leave it out`);
  }
  if (requireImageDigests !== undefined && typeof requireImageDigests !== 'boolean') {
    throw new Error(`${where}: requireImageDigests ${describeValue(requireImageDigests)} is not a boolean; give true or false, or leave it out (false)`);
  }
  if (resourcePreset !== undefined && !(resourcePreset instanceof ResourcePreset)) {
    throw new Error(`${where}: resourcePreset ${describeValue(resourcePreset)} is not a ResourcePreset; use e.g. ResourcePreset.SMALL or `
      + 'ResourcePreset.custom({...}), or leave it out');
  }
  if (pssVersion !== undefined && !(pssVersion instanceof PssVersion)) {
    throw new Error(`${where}: pssVersion ${describeValue(pssVersion)} is not a PssVersion; use e.g. PssVersion.V1_29 or PssVersion.of('v1.29'), `
      + 'or leave it out (v1.27)');
  }
  const platform = (props as HardenedDefaultsProps).platform;
  if (platform !== undefined && !(platform instanceof Platform)) {
    throw new Error(`${where}: platform ${describeValue(platform)} is not a Platform; use Platform.OPENSHIFT, Platform.GKE_AUTOPILOT or `
      + 'Platform.GENERIC, or leave it out (generic)');
  }
  if (allowedRegistries === undefined) return { ...(props as HardenedDefaultsProps) };
  if (!Array.isArray(allowedRegistries)) {
    throw new Error(`${where}: allowedRegistries ${describeValue(allowedRegistries)} is not a list; give registry hosts or host/path prefixes, `
      + 'e.g. [\'registry.example.com\', \'ghcr.io/my-org\'], or leave it out (no allow-list)');
  }
  allowedRegistries.forEach((entry: unknown, index) => {
    if (typeof entry !== 'string' || entry.length > 255 || !REGISTRY_ENTRY.test(entry)) {
      throw new Error(`${where}: allowedRegistries[${index}] ${describeValue(entry)} is not a registry; give a host[:port] with an optional `
        + 'repository path prefix and no scheme, tag or digest, e.g. \'registry.example.com\' or \'ghcr.io/my-org\'');
    }
  });
  // A copy: changing the caller's list later does not change the defaults behind its back.
  return { ...(props as HardenedDefaultsProps), allowedRegistries: [...allowedRegistries] };
}


function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
