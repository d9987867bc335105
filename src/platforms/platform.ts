import { autopilotAdmissionProblems, autopilotResourceProblems } from './autopilot-limits';

/** What describes a platform profile. */
interface PlatformSpec {
  readonly name: string;
  readonly title: string;
  readonly sources: string[];
  readonly omitsFixedIds: boolean;
  readonly notApplicable: Record<string, string>;
  readonly resourceProblems?: (spec: any) => string[];
  readonly admissionProblems?: (spec: any) => string[];
}

/**
 * A platform profile: what a Kubernetes distribution changes in the hardened defaults and in which controls apply.
 * Set it for a scope with `HardenedDefaults.set(scope, { platform: Platform.OPENSHIFT })`; `cdk8s-hardened check
 * --platform openshift` does the same for YAML. Sources of each profile: docs/platforms.md.
 */
export class Platform {
  /** Any conformant cluster: the library's defaults as documented (fixed uid/gid 65532). The default. */
  public static readonly GENERIC = new Platform({
    name: 'generic',
    title: 'generic Kubernetes',
    sources: ['https://kubernetes.io/docs/concepts/security/pod-security-standards/'],
    omitsFixedIds: false,
    notApplicable: {},
  });

  /**
   * Red Hat OpenShift with the restricted-v2 SCC: each namespace gets a uid range (annotation
   * `openshift.io/sa.scc.uid-range`) and admission assigns the uid, gid and fsGroup from it, rejecting fixed values
   * outside it. Hardened workloads omit runAsUser, runAsGroup and fsGroup and keep runAsNonRoot, seccomp
   * RuntimeDefault, drop ALL, no privilege escalation and the read-only root; `high-uid-gid` does not apply.
   */
  public static readonly OPENSHIFT = new Platform({
    name: 'openshift',
    title: 'OpenShift (restricted-v2 SCC)',
    sources: [
      'https://docs.openshift.com/container-platform/4.14/authentication/managing-security-context-constraints.html',
      'https://www.redhat.com/en/blog/pod-admission-and-sccs-version-2-in-openshift',
    ],
    omitsFixedIds: true,
    notApplicable: {
      'high-uid-gid': 'OpenShift\'s restricted-v2 SCC assigns every pod a uid (and gid, fsGroup) from its namespace\'s range '
        + '(openshift.io/sa.scc.uid-range, e.g. 1000680000/10000), above any host account, and rejects fixed ids outside it: '
        + 'runAsUser and runAsGroup are left to admission, and runAsNonRoot: true still refuses uid 0',
    },
  });

  /**
   * GKE Autopilot (general-purpose compute class): resource requests within its documented minimums, maximums and
   * CPU:memory ratio, and nothing its admission (GKE Warden) rejects: host namespaces (hostNetwork, hostPID, hostIPC),
   * privileged containers, added capabilities other than containerd's defaults without NET_RAW and SYS_PTRACE (so
   * NET_RAW, NET_ADMIN, SYS_ADMIN, ALL are refused), hostPath volumes other than /var/log.
   */
  public static readonly GKE_AUTOPILOT = new Platform({
    name: 'gke-autopilot',
    title: 'GKE Autopilot (general-purpose compute class)',
    sources: [
      'https://cloud.google.com/kubernetes-engine/docs/concepts/autopilot-resource-requests',
      'https://cloud.google.com/kubernetes-engine/docs/concepts/autopilot-security',
    ],
    omitsFixedIds: false,
    notApplicable: {},
    resourceProblems: autopilotResourceProblems,
    admissionProblems: autopilotAdmissionProblems,
  });

  /** Every platform profile, GENERIC first. */
  public static all(): Platform[] {
    return [Platform.GENERIC, Platform.OPENSHIFT, Platform.GKE_AUTOPILOT];
  }

  /**
   * The platform with this name (`generic`, `openshift`, `gke-autopilot`).
   * @throws if there is no such platform
   */
  public static of(name: string): Platform {
    const found = Platform.all().find(p => p.name === name);
    if (!found) {
      throw new Error(`platform ${JSON.stringify(name)} is not a platform this library knows; use one of ${Platform.all().map(p => p.name).join(', ')}`);
    }
    return found;
  }

  /** Short name, as `check --platform` takes it. */
  public readonly name: string;
  /** Human-readable name. */
  public readonly title: string;
  /** Where the profile's rules come from (documentation URLs). */
  public readonly sources: string[];
  /** Whether hardened workloads leave runAsUser, runAsGroup and fsGroup to the platform. */
  public readonly omitsFixedIds: boolean;
  private readonly spec: PlatformSpec;

  private constructor(spec: PlatformSpec) {
    this.spec = spec;
    this.name = spec.name;
    this.title = spec.title;
    this.sources = spec.sources;
    this.omitsFixedIds = spec.omitsFixedIds;
  }

  /**
   * Why a control does not apply on this platform, or undefined when it applies.
   * @param controlId a control id, e.g. `high-uid-gid`
   */
  public reasonNotApplicable(controlId: string): string | undefined {
    return this.spec.notApplicable[controlId];
  }

  /**
   * The resource requests of a pod spec (manifest JSON) that the platform would reject or silently change, one
   * message each; empty when it admits them as they are. The `resource-requests` control reports them.
   * @param podSpec a pod spec as JSON (`spec.template.spec` of a workload)
   */
  public resourceProblems(podSpec: any): string[] {
    return this.spec.resourceProblems?.(podSpec) ?? [];
  }

  /**
   * What else the platform's admission rejects in a pod spec (manifest JSON), one message each. The guard's own
   * controls already fail each of these (privileged, capabilities-drop-all, host-path-volumes); hardened workloads
   * also refuse them when an exemption lets them through, since the platform would reject the pod anyway.
   * @param podSpec a pod spec as JSON
   */
  public admissionProblems(podSpec: any): string[] {
    return this.spec.admissionProblems?.(podSpec) ?? [];
  }
}
