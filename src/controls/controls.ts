import { AllowPrivilegeEscalation } from './allow-privilege-escalation';
import { Apparmor } from './apparmor';
import { CapabilitiesBaseline } from './capabilities-baseline';
import { CapabilitiesDropAll } from './capabilities-drop-all';
import { Control } from './core/control';
import { CpuLimit } from './cpu-limit';
import { DedicatedServiceAccount } from './dedicated-service-account';
import { HighUidGid } from './high-uid-gid';
import { HostAliases } from './host-aliases';
import { HostNamespaces } from './host-namespaces';
import { HostPathVolumes } from './host-path-volumes';
import { HostPorts } from './host-ports';
import { HostProcess } from './host-process';
import { ImageDigest } from './image-digest';
import { ImagePinned } from './image-pinned';
import { ImageRegistry } from './image-registry';
import { NonRootGroups } from './non-root-groups';
import { Privileged } from './privileged';
import { PrivilegedPort } from './privileged-port';
import { Probes } from './probes';
import { ProcMount } from './proc-mount';
import { ReadOnlyRootFilesystem } from './read-only-root-filesystem';
import { ResourceLimits } from './resource-limits';
import { ResourceRequests } from './resource-requests';
import { RunAsNonRoot } from './run-as-non-root';
import { RunAsUserNonZero } from './run-as-user-non-zero';
import { SeccompNotUnconfined } from './seccomp-not-unconfined';
import { SeccompRequired } from './seccomp-required';
import { Selinux } from './selinux';
import { ServiceAccountToken } from './service-account-token';
import { ShareProcessNamespace } from './share-process-namespace';
import { Sysctls } from './sysctls';
import { VolumeTypes } from './volume-types';

/**
 * The catalog of controls (see docs/controls.md, generated from this catalog).
 *
 * Each control is a static member; an exemption names a control by referencing it, e.g.
 * `Controls.READ_ONLY_ROOT_FILESYSTEM`, so a typo is a compile error, not a silent no-op.
 */
export class Controls {
  // Pod Security Standards, baseline
  /** `host-process` */
  public static readonly HOST_PROCESS: Control = new HostProcess();
  /** `host-namespaces` */
  public static readonly HOST_NAMESPACES: Control = new HostNamespaces();
  /** `privileged` */
  public static readonly PRIVILEGED: Control = new Privileged();
  /** `capabilities-baseline` */
  public static readonly CAPABILITIES_BASELINE: Control = new CapabilitiesBaseline();
  /** `host-path-volumes` */
  public static readonly HOST_PATH_VOLUMES: Control = new HostPathVolumes();
  /** `host-ports` */
  public static readonly HOST_PORTS: Control = new HostPorts();
  /** `apparmor` */
  public static readonly APPARMOR: Control = new Apparmor();
  /** `selinux` */
  public static readonly SELINUX: Control = new Selinux();
  /** `proc-mount` */
  public static readonly PROC_MOUNT: Control = new ProcMount();
  /** `seccomp-not-unconfined` */
  public static readonly SECCOMP_NOT_UNCONFINED: Control = new SeccompNotUnconfined();
  /** `sysctls` */
  public static readonly SYSCTLS: Control = new Sysctls();

  // Pod Security Standards, restricted
  /** `volume-types` */
  public static readonly VOLUME_TYPES: Control = new VolumeTypes();
  /** `allow-privilege-escalation` */
  public static readonly ALLOW_PRIVILEGE_ESCALATION: Control = new AllowPrivilegeEscalation();
  /** `run-as-non-root` */
  public static readonly RUN_AS_NON_ROOT: Control = new RunAsNonRoot();
  /** `run-as-user-non-zero` */
  public static readonly RUN_AS_USER_NON_ZERO: Control = new RunAsUserNonZero();
  /** `seccomp-required` */
  public static readonly SECCOMP_REQUIRED: Control = new SeccompRequired();
  /** `capabilities-drop-all` */
  public static readonly CAPABILITIES_DROP_ALL: Control = new CapabilitiesDropAll();

  // Workload hardening beyond PSS
  /** `read-only-root-filesystem` */
  public static readonly READ_ONLY_ROOT_FILESYSTEM: Control = new ReadOnlyRootFilesystem();
  /** `high-uid-gid` */
  public static readonly HIGH_UID_GID: Control = new HighUidGid();
  /** `non-root-groups` */
  public static readonly NON_ROOT_GROUPS: Control = new NonRootGroups();
  /** `service-account-token` */
  public static readonly SERVICE_ACCOUNT_TOKEN: Control = new ServiceAccountToken();
  /** `dedicated-service-account` */
  public static readonly DEDICATED_SERVICE_ACCOUNT: Control = new DedicatedServiceAccount();
  /** `resource-requests` */
  public static readonly RESOURCE_REQUESTS: Control = new ResourceRequests();
  /** `resource-limits` */
  public static readonly RESOURCE_LIMITS: Control = new ResourceLimits();
  /** `cpu-limit` */
  public static readonly CPU_LIMIT: Control = new CpuLimit();
  /** `image-pinned` */
  public static readonly IMAGE_PINNED: Control = new ImagePinned();
  /** `image-digest` */
  public static readonly IMAGE_DIGEST: Control = new ImageDigest();
  /** `image-registry` */
  public static readonly IMAGE_REGISTRY: Control = new ImageRegistry();
  /** `probes` */
  public static readonly PROBES: Control = new Probes();
  /** `privileged-port` */
  public static readonly PRIVILEGED_PORT: Control = new PrivilegedPort();
  /** `host-aliases` */
  public static readonly HOST_ALIASES: Control = new HostAliases();
  /** `share-process-namespace` */
  public static readonly SHARE_PROCESS_NAMESPACE: Control = new ShareProcessNamespace();

  /** Every control of the catalog, in catalog order. */
  public static all(): Control[] {
    return [
      Controls.HOST_PROCESS,
      Controls.HOST_NAMESPACES,
      Controls.PRIVILEGED,
      Controls.CAPABILITIES_BASELINE,
      Controls.HOST_PATH_VOLUMES,
      Controls.HOST_PORTS,
      Controls.APPARMOR,
      Controls.SELINUX,
      Controls.PROC_MOUNT,
      Controls.SECCOMP_NOT_UNCONFINED,
      Controls.SYSCTLS,
      Controls.VOLUME_TYPES,
      Controls.ALLOW_PRIVILEGE_ESCALATION,
      Controls.RUN_AS_NON_ROOT,
      Controls.RUN_AS_USER_NON_ZERO,
      Controls.SECCOMP_REQUIRED,
      Controls.CAPABILITIES_DROP_ALL,
      Controls.READ_ONLY_ROOT_FILESYSTEM,
      Controls.HIGH_UID_GID,
      Controls.NON_ROOT_GROUPS,
      Controls.SERVICE_ACCOUNT_TOKEN,
      Controls.DEDICATED_SERVICE_ACCOUNT,
      Controls.RESOURCE_REQUESTS,
      Controls.RESOURCE_LIMITS,
      Controls.CPU_LIMIT,
      Controls.IMAGE_PINNED,
      Controls.IMAGE_DIGEST,
      Controls.IMAGE_REGISTRY,
      Controls.PROBES,
      Controls.PRIVILEGED_PORT,
      Controls.HOST_ALIASES,
      Controls.SHARE_PROCESS_NAMESPACE,
    ];
  }

  /**
   * Looks a control up by id.
   * @throws if no control has this id (the message lists the closest ids)
   */
  public static byId(id: string): Control {
    const found = Controls.all().find(c => c.id === id);
    if (!found) {
      const near = Controls.all().map(c => c.id).filter(known => known.includes(id) || id.includes(known)).slice(0, 3);
      throw new Error(`Unknown control id '${id}'${near.length ? `; did you mean ${near.map(n => `'${n}'`).join(', ')}?` : ''} (see docs/controls.md for the catalog)`);
    }
    return found;
  }

  private constructor() {}
}
