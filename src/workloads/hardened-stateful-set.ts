import { Size, SizeRoundingBehavior } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { HardenedWorkloadProps } from './hardened-workload-props';
import { PodHardening } from './pod-hardening';
import { HardenedDefaults } from '../defaults/hardened-defaults';
import { checkObjectNames, checkReplicas, isDnsSubdomain, NameRule } from '../defaults/kubernetes-validation';

/**
 * A persistent volume claim template of a HardenedStatefulSet: each replica gets its own PersistentVolumeClaim,
 * mounted at `mountPath` in every container (writable by the pods' gid through the pod's `fsGroup`).
 */
export interface StatefulSetVolumeClaim {
  /** Name of the claim template, also the volume name in the pods (a DNS label such as `data`). */
  readonly name: string;
  /** Absolute path at which every container mounts the volume, e.g. `/var/lib/postgresql/data`. */
  readonly mountPath: string;
  /** Storage each replica's claim requests, e.g. `Size.gibibytes(10)`. */
  readonly storage: Size;
  /**
   * StorageClass of the claims.
   * @default - the cluster's default StorageClass
   */
  readonly storageClassName?: string;
  /**
   * Access modes of the claims.
   * @default [PersistentVolumeAccessMode.READ_WRITE_ONCE] - one node mounts each replica's volume
   */
  readonly accessModes?: kplus.PersistentVolumeAccessMode[];
}

/**
 * Props of a HardenedStatefulSet: everything cdk8s-plus-27 accepts, plus the hardened options.
 *
 * `replicas` defaults to HardenedDefaults.HIGH_AVAILABILITY_REPLICAS (2) rather than cdk8s-plus-27's 1 (see
 * HardenedStatefulSet).
 */
export interface HardenedStatefulSetProps extends kplus.StatefulSetProps, HardenedWorkloadProps {
  /**
   * Persistent volume claim templates (`spec.volumeClaimTemplates`), each mounted in every container. The pod keeps
   * `fsGroup` (the workload's gid), so the volumes are writable by the non-root uid with a read-only root filesystem;
   * `fsGroupChangePolicy` is `OnRootMismatch` unless set, so a large volume is not re-chowned at every start.
   * @default - no claim templates: only `/tmp` and `writablePaths` are writable (read-only-root-filesystem)
   */
  readonly volumeClaims?: StatefulSetVolumeClaim[];
}

/**
 * A StatefulSet that is secure by default.
 *
 * Its pods get the same hardening as a HardenedDeployment's (numeric non-root uid/gid, read-only root filesystem,
 * no privilege escalation, every capability dropped, seccomp RuntimeDefault, no service-account token, resources
 * from a preset, derived probes), plus a dedicated ServiceAccount, a NetworkPolicy selecting exactly its pods and,
 * from two replicas (the default), a PodDisruptionBudget and spreading across nodes. Unless `service` is given it
 * creates the headless Service (`clusterIP: None`) the StatefulSet's pods get their stable names from, with the
 * containers' ports. `volumeClaims` become `spec.volumeClaimTemplates`, mounted in every container.
 *
 * `replicas` defaults to HardenedDefaults.HIGH_AVAILABILITY_REPLICAS (2; cdk8s-plus-27 defaults to 1), which
 * brings the PodDisruptionBudget (maxUnavailable 1) and spreading (controls replicas, pod-disruption-budget,
 * topology-spread); `podManagementPolicy` (OrderedReady) and the rolling update strategy are cdk8s-plus-27's.
 * Set `replicas: 1` for software that cannot replicate; the `replicas` control then reports a warning.
 *
 * Every object below it is guarded at synthesis: weakening a default, through props or an escape hatch, fails
 * synthesis unless an exemption with a reason covers it.
 */
export class HardenedStatefulSet extends kplus.StatefulSet {
  /**
   * Props for the cdk8s-plus constructor. cdk8s-plus creates the headless Service in its constructor from the
   * containers present then, but the hardened containers are added after `super()`: so, unless a `service` is
   * given, hand it a headless Service without ports, created as the set's child `Service` when cdk8s-plus reads
   * `props.service` (the set exists by then); each container's ports are bound to it as the container is added.
   */
  private static superProps(scope: Construct, id: string, props: HardenedStatefulSetProps): kplus.StatefulSetProps {
    const hardened = PodHardening.superProps(scope, id, {
      ...checkReplicas(scope, id, props),
      replicas: props.replicas ?? HardenedDefaults.HIGH_AVAILABILITY_REPLICAS,
      securityContext: {
        fsGroupChangePolicy: (props.volumeClaims ?? []).length > 0 ? kplus.FsGroupChangePolicy.ON_ROOT_MISMATCH : undefined,
        ...props.securityContext,
      },
    });
    if (props.service) return hardened;
    let service: kplus.Service | undefined;
    return Object.defineProperty({ ...hardened }, 'service', {
      enumerable: true,
      get: () => {
        const set = scope.node.children[scope.node.children.length - 1];
        if (!(set instanceof HardenedStatefulSet)) {
          throw new Error(`[${scope.node.path}/${id}] cannot create the headless Service before the StatefulSet exists; pass a service`);
        }
        service ??= new HeadlessService(set, 'Service', {
          clusterIP: 'None',
          type: kplus.ServiceType.CLUSTER_IP,
          metadata: { namespace: props.metadata?.namespace },
        });
        return service;
      },
    });
  }

  /** The claim templates, with their defaults resolved. */
  public readonly volumeClaims: StatefulSetVolumeClaim[];
  /** The hardening applied to this set's pods (resolved uid, gid, preset). */
  private readonly hardening: PodHardening;
  /** The headless Service this set created, whose ports follow the containers' (undefined when `service` was given). */
  private readonly headlessService?: kplus.Service;

  constructor(scope: Construct, id: string, props: HardenedStatefulSetProps = {}) {
    super(scope, id, HardenedStatefulSet.superProps(scope, id, props));
    checkObjectNames(this.node.path, 'StatefulSet', this.name, this.metadata.namespace, NameRule.DNS_SUBDOMAIN);
    if (props.volumeClaims !== undefined && !Array.isArray(props.volumeClaims)) {
      throw new Error(`[${this.node.path}] volumeClaims: ${JSON.stringify(props.volumeClaims)} is not a list; give [{ name, mountPath, storage }], or leave it out`);
    }
    (props.volumeClaims ?? []).forEach((claim, index) => {
      if (claim === null || typeof claim !== 'object') {
        throw new Error(`[${this.node.path}] volumeClaims[${index}]: ${JSON.stringify(claim)} is not a claim; give { name, mountPath, storage }`);
      }
    });
    this.volumeClaims = (props.volumeClaims ?? []).map(claim => ({
      ...claim,
      accessModes: claim.accessModes ?? [kplus.PersistentVolumeAccessMode.READ_WRITE_ONCE],
    }));
    this.volumeClaims.forEach((claim, index) => checkClaim(this.node.path, `volumeClaims[${index}]`, claim));
    this.hardening = new PodHardening(this, props, {
      longRunning: true,
      replicas: this.replicas,
      claimMounts: this.volumeClaims.map((claim, index) => ({ name: claim.name, path: claim.mountPath, field: `volumeClaims[${index}]` })),
    });
    if (!props.service) {
      this.headlessService = this.service;
      for (const [key, value] of Object.entries(this.hardening.labels)) {
        this.service.metadata.addLabel(key, value);
      }
      this.node.addValidation({
        validate: () => this.service.ports.length > 0 ? [] : [
          `[${this.node.path}] the headless Service needs a port to name the pods by; give a container portNumber or ports, or pass a service`,
        ],
      });
    }
    this.hardening.complete(props);
  }

  /** Adds a container with the hardened defaults filled in (explicit settings win and are guarded); its ports join the headless Service. */
  public addContainer(cont: kplus.ContainerProps): kplus.Container {
    const container = super.addContainer(this.hardening.containerProps(cont, 'containers', this.containers.length));
    for (const port of container.ports) {
      this.headlessService?.bind(port.number, { name: port.name, protocol: port.protocol, targetPort: port.number });
    }
    return container;
  }

  /** Adds an init container with the hardened defaults filled in (explicit settings win and are guarded). */
  public addInitContainer(cont: kplus.ContainerProps): kplus.Container {
    return super.addInitContainer(this.hardening.containerProps(cont, 'initContainers', this.initContainers.length));
  }

  /** @internal */
  public _toPodSpec(): kplus.k8s.PodSpec {
    return this.hardening.finalizePodSpec(super._toPodSpec());
  }

  /** @internal */
  public _toKube(): kplus.k8s.StatefulSetSpec {
    const spec = super._toKube();
    if (this.volumeClaims.length === 0) return spec;
    return {
      ...spec,
      volumeClaimTemplates: this.volumeClaims.map((claim, index) => ({
        metadata: { name: claim.name, labels: this.hardening.labels },
        spec: {
          accessModes: claim.accessModes,
          storageClassName: claim.storageClassName,
          resources: { requests: { storage: storageQuantity(this.node.path, `volumeClaims[${index}].storage`, claim.storage) } },
        },
      })),
    };
  }
}

/**
 * The headless Service a HardenedStatefulSet creates. Kubernetes requires every port of a Service with several ports
 * to be named: with more than one port, each port the containers left unnamed is named `<protocol>-<port>`
 * (`tcp-5432`); a single port stays as declared.
 */
class HeadlessService extends kplus.Service {
  /** @internal */
  public _toKube(): kplus.k8s.ServiceSpec {
    const spec = super._toKube();
    const ports = spec.ports ?? [];
    if (ports.length < 2) return spec;
    return { ...spec, ports: ports.map(p => (p.name ? p : { ...p, name: `${(p.protocol ?? 'TCP').toLowerCase()}-${p.port}` })) };
  }
}

/** Checks a claim template's fields the API server validates: storage, storage class name and access modes. */
function checkClaim(path: string, field: string, claim: StatefulSetVolumeClaim): void {
  storageQuantity(path, `${field}.storage`, claim.storage);
  if (claim.storageClassName !== undefined && !isDnsSubdomain(claim.storageClassName)) {
    throw new Error(`[${path}] ${field}.storageClassName: ${JSON.stringify(claim.storageClassName)} is not a StorageClass name; use the name of `
      + 'a StorageClass of the cluster (lowercase letters, digits, \'-\' and \'.\'), or leave it out for the default StorageClass');
  }
  if (!Array.isArray(claim.accessModes) || claim.accessModes.length === 0) {
    throw new Error(`[${path}] ${field}.accessModes: ${JSON.stringify(claim.accessModes)} names no access mode; leave it out `
      + '([PersistentVolumeAccessMode.READ_WRITE_ONCE]) or list at least one');
  }
}

/** A claim size as a Kubernetes quantity: whole GiB as `Gi`, else whole MiB as `Mi`. */
function storageQuantity(path: string, field: string, size: Size): kplus.k8s.Quantity {
  const gibibytes = size?.toGibibytes?.({ rounding: SizeRoundingBehavior.NONE });
  const mebibytes = size?.toMebibytes?.({ rounding: SizeRoundingBehavior.NONE });
  if (gibibytes !== undefined && Number.isInteger(gibibytes) && gibibytes > 0) {
    return kplus.k8s.Quantity.fromString(`${gibibytes}Gi`);
  }
  if (mebibytes !== undefined && Number.isInteger(mebibytes) && mebibytes > 0) {
    return kplus.k8s.Quantity.fromString(`${mebibytes}Mi`);
  }
  throw new Error(`[${path}] ${field}: ${size?.asString?.() ?? JSON.stringify(size)} is not a whole, positive number of MiB; use e.g. Size.gibibytes(10)`);
}
