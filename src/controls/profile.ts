import { Controls } from './controls';
import { Control } from './core/control';

/** The Pod Security Standards baseline level, as Pod Security Admission evaluates it (policy/check_*.go). */
const PSS_BASELINE_CONTROLS = (): Control[] => [
  Controls.HOST_PROCESS, Controls.HOST_NAMESPACES, Controls.PRIVILEGED, Controls.CAPABILITIES_BASELINE, Controls.HOST_PATH_VOLUMES,
  Controls.HOST_PORTS, Controls.APPARMOR, Controls.SELINUX, Controls.PROC_MOUNT, Controls.SECCOMP_NOT_UNCONFINED, Controls.SYSCTLS,
];

/**
 * What the restricted level adds to baseline. As in PSA, three restricted checks override the baseline check they
 * contain (volume-types: host-path-volumes; seccomp-required: seccomp-not-unconfined; capabilities-drop-all:
 * capabilities-baseline), so one problem is reported once, and Windows pods exempt from the restricted check are
 * not judged by the baseline one either.
 */
const PSS_RESTRICTED_ONLY_CONTROLS = (): Control[] => [
  Controls.VOLUME_TYPES, Controls.ALLOW_PRIVILEGE_ESCALATION, Controls.RUN_AS_NON_ROOT, Controls.RUN_AS_USER_NON_ZERO,
  Controls.SECCOMP_REQUIRED, Controls.CAPABILITIES_DROP_ALL,
];

/** Baseline controls whose restricted counterpart replaces them in the restricted level. */
const OVERRIDDEN_IN_RESTRICTED = (): Control[] => [Controls.HOST_PATH_VOLUMES, Controls.SECCOMP_NOT_UNCONFINED, Controls.CAPABILITIES_BASELINE];

/**
 * A named selection of controls from the catalog.
 *
 * `HARDENED` (the default) is the whole catalog. `PSS_RESTRICTED` and `PSS_BASELINE` are exactly the Pod Security
 * Standards levels as the Pod Security Admission code evaluates them, for comparing verdicts with PSA or with
 * other PSS checkers, and for pipelines that only enforce PSS: nothing outside the level is reported.
 */
export class Profile {
  /** Every control of the catalog: PSS restricted plus workload, namespace, network, RBAC, secrets and availability. */
  public static readonly HARDENED = new Profile('hardened', 'the whole catalog', Controls.all());

  /** Pod Security Standards `restricted`: the baseline controls plus the restricted ones, nothing else. */
  public static readonly PSS_RESTRICTED = new Profile('restricted', 'Pod Security Standards restricted (baseline + restricted)',
    [
      ...PSS_BASELINE_CONTROLS().filter(c => !OVERRIDDEN_IN_RESTRICTED().includes(c)),
      ...PSS_RESTRICTED_ONLY_CONTROLS(),
    ]);

  /** Pod Security Standards `baseline`: the baseline controls only. */
  public static readonly PSS_BASELINE = new Profile('baseline', 'Pod Security Standards baseline', PSS_BASELINE_CONTROLS());

  /** Every profile, in order from the strictest. */
  public static all(): Profile[] {
    return [Profile.HARDENED, Profile.PSS_RESTRICTED, Profile.PSS_BASELINE];
  }

  /**
   * Looks a profile up by name.
   * @throws if no profile has this name (the message lists the names)
   */
  public static byName(name: string): Profile {
    const found = Profile.all().find(p => p.name === name);
    if (!found) {
      throw new Error(`Unknown profile ${JSON.stringify(name)}; use one of ${Profile.all().map(p => `'${p.name}'`).join(', ')}`);
    }
    return found;
  }

  private constructor(
    /** The profile's name, as the CLI's `--profile` takes it. */
    public readonly name: string,
    /** What the profile selects. */
    public readonly description: string,
    private readonly selected: Control[],
  ) {}

  /** The controls the profile evaluates, in catalog order. */
  public get controls(): Control[] {
    return Controls.all().filter(c => this.selected.includes(c));
  }

  /** Whether the profile evaluates this control. */
  public includes(control: Control): boolean {
    return this.selected.includes(control);
  }
}
