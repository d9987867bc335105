import { ApiObject, Duration, Lazy, Names, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { HardenedWorkloadProps } from './hardened-workload-props';
import { imageIds, imageUserExemptions } from './image-user-exemptions';
import { checkContainerProbes } from './probe-checks';
import { VolumeOwnershipOptions, volumeOwnershipOptions, withVolumeOwnership } from './volume-ownership';
import { checkWritablePath, volumeNameFor, WritablePathEntry, writablePathEntries, withWritableStorage } from './writable-storage';
import { parseImageReference } from '../controls/core/image-reference';
import { dnsEgressRule } from '../defaults/dns-egress';
import { HardenedDefaults } from '../defaults/hardened-defaults';
import { isDnsLabel } from '../defaults/kubernetes-validation';
import { ResourcePreset } from '../defaults/resource-preset';
import { Exemptions } from '../guard/exemption';
import { Guard } from '../guard/guard';
import { apiAccessTokenOf, tokenExemption, withApiAccessToken } from '../identity/projected-token';
import { parseAmount } from '../namespaces/quantity';
import { HardenedPodConnections } from '../network/hardened-pod-connections';
import { WorkloadConnections } from '../network/workload-connections';
import { Platform } from '../platforms/platform';
import { checkPlatformProps, withPlatform } from '../platforms/platform-pod';
import { lockedImage } from '../supply-chain/locked-image';

/** What differs between workload kinds for the shared hardening core. */
export interface PodHardeningOptions {
  /**
   * Long-running pods (restartPolicy Always) get derived readiness and liveness probes; the others run to
   * completion (Job, CronJob): no derived probes, and restartPolicy must be Never or OnFailure.
   */
  readonly longRunning: boolean;
  /** Replicas the workload runs, when the kind has replicas: from 2, a PodDisruptionBudget and spreading. */
  readonly replicas?: number;
  /**
   * Volumes the kind provides outside the pod's own `volumes` (a StatefulSet's claim templates), mounted in
   * every container when the pod spec is rendered.
   */
  readonly claimMounts?: ClaimMount[];
}

/** A volume the workload kind provides by name (not a pod volume), mounted in every container. */
export interface ClaimMount {
  /** Volume name (the claim template's name). */
  readonly name: string;
  /** Absolute mount path. */
  readonly path: string;
  /** The prop it came from, for errors, e.g. `volumeClaims[0]`. */
  readonly field: string;
}

/** Job props as the core reads them, for the Job defaults shared by Job and CronJob. */
export interface HardenableJobProps extends HardenablePodProps {
  readonly restartPolicy?: kplus.RestartPolicy;
  readonly backoffLimit?: number;
  readonly activeDeadline?: Duration;
  readonly ttlAfterFinished?: Duration;
}

/** Workload props as the core reads them: the hardened options plus the cdk8s-plus pod props it rewrites. */
export interface HardenablePodProps extends HardenedWorkloadProps {
  readonly containers?: kplus.ContainerProps[];
  readonly initContainers?: kplus.ContainerProps[];
  readonly securityContext?: kplus.PodSecurityContextProps;
  readonly serviceAccount?: kplus.IServiceAccount;
  readonly metadata?: { readonly namespace?: string };
  readonly spread?: boolean;
}

interface WritableMount {
  readonly path: string;
  readonly volume: kplus.Volume;
}

const TCP_PROBE_READINESS = { periodSeconds: Duration.seconds(10), failureThreshold: 3 };
// Liveness waits longer and checks less often than readiness, so the two are never identical, a slow start
// does not get the container killed, and an overloaded container leaves the endpoints (readiness) long before
// it is restarted (liveness). Derived liveness probes address the port by name (see namedLivenessPort).
const TCP_PROBE_LIVENESS = { initialDelaySeconds: Duration.seconds(10), periodSeconds: Duration.seconds(20), failureThreshold: 3 };

/**
 * The pod-hardening core every hardened workload uses. Split in two because cdk8s-plus reads pod props in its
 * constructor: `superProps` prepares what is passed to `super()`, the instance does the rest once the workload exists.
 */
export class PodHardening {
  /**
   * Props for the cdk8s-plus constructor: containers are held back (added later through the hardened `addContainer`),
   * and so is `spread`, which the core applies once (see the constructor).
   */
  public static superProps<T extends HardenablePodProps>(scope: { node: { path: string } }, id: string, props: T): T {
    const path = pathOf(scope, id);
    if ((props as kplus.AbstractPodProps).isolate === false) {
      // Not silently ignored: the workload's own NetworkPolicy isolates it whatever this says.
      throw new Error(`[${path}] isolate: false cannot turn isolation off; a hardened workload is always isolated by its own NetworkPolicy `
        + '(ingress: declared peers only; egress: DNS and declared peers). Declare the traffic it needs with WorkloadConnections.of(workload) '
        + 'or its connections API, and leave isolate out');
    }
    const ids = imageIds(path, props);
    const runAsUser = checkId(path, 'runAsUser', ids.runAsUser, props.securityContext?.user) ?? HardenedDefaults.RUN_AS_USER;
    const runAsGroup = checkId(path, 'runAsGroup', ids.runAsGroup, props.securityContext?.group) ?? HardenedDefaults.RUN_AS_GROUP;
    return {
      ...props,
      containers: undefined,
      initContainers: undefined,
      spread: false,
      securityContext: {
        ensureNonRoot: true,
        ...props.securityContext,
        user: runAsUser,
        group: runAsGroup,
      },
    };
  }

  /**
   * `superProps` plus the Job defaults, shared by Job and CronJob (its job template): restartPolicy Never,
   * a retry limit, an active deadline and, when `ttl` is true, deletion of the finished Job after a while.
   */
  public static jobSuperProps<T extends HardenableJobProps>(scope: { node: { path: string } }, id: string, props: T, ttl: boolean): T {
    const path = pathOf(scope, id);
    if (props.backoffLimit !== undefined && (!Number.isInteger(props.backoffLimit) || props.backoffLimit < 0)) {
      throw new Error(`[${path}] backoffLimit: ${JSON.stringify(props.backoffLimit)} is not a retry count; use an integer from 0, e.g. ${HardenedDefaults.JOB_BACKOFF_LIMIT}`);
    }
    for (const [field, value, min] of [['activeDeadline', props.activeDeadline, 1], ['ttlAfterFinished', props.ttlAfterFinished, 0]] as const) {
      if (value !== undefined && !(value instanceof Duration)) {
        throw new Error(`[${path}] ${field}: ${JSON.stringify(value)} is not a Duration; use e.g. Duration.minutes(10)`);
      }
      const seconds = value?.toSeconds({ integral: false });
      if (seconds !== undefined && (!Number.isInteger(seconds) || seconds < min)) {
        throw new Error(`[${path}] ${field}: ${seconds} seconds is not a whole number of seconds from ${min}; use e.g. Duration.minutes(10)`);
      }
    }
    return PodHardening.superProps(scope, id, {
      ...props,
      restartPolicy: props.restartPolicy ?? kplus.RestartPolicy.NEVER,
      backoffLimit: props.backoffLimit ?? HardenedDefaults.JOB_BACKOFF_LIMIT,
      activeDeadline: props.activeDeadline ?? Duration.seconds(HardenedDefaults.JOB_ACTIVE_DEADLINE_SECONDS),
      ttlAfterFinished: props.ttlAfterFinished ?? (ttl ? Duration.seconds(HardenedDefaults.JOB_TTL_SECONDS_AFTER_FINISHED) : undefined),
    });
  }

  public readonly runAsUser: number;
  public readonly runAsGroup: number;
  public readonly resourcePreset: ResourcePreset;
  public readonly highAvailability: boolean;
  /** The platform profile in force (HardenedDefaults): OpenShift leaves runAsUser, runAsGroup and fsGroup unrendered. */
  public readonly platform: Platform;
  /** The recommended labels of the workload, its pods and its companion objects. */
  public readonly labels: Record<string, string>;
  private readonly writableMounts: WritableMount[];
  /** `writablePaths` and `sizedWritablePaths`, in that order. */
  private readonly writablePaths: WritablePathEntry[];
  private readonly claimMounts: ClaimMount[];
  private readonly path: string;
  /** What decides the pod's fsGroup (see volume-ownership.ts). */
  private readonly ownership: VolumeOwnershipOptions;
  /** Containers whose liveness probe was derived from their port, by container name. */
  private readonly derivedLiveness = new Set<string>();
  /** The ephemeral-storage each container declared, by container name. */
  private readonly ephemeralStorage = new Map<string, kplus.EphemeralStorageResources | undefined>();

  constructor(private readonly workload: kplus.Workload, props: HardenablePodProps, private readonly options: PodHardeningOptions) {
    this.path = workload.node.path;
    for (const field of ['containers', 'initContainers', 'writablePaths', 'exemptions'] as const) {
      if (props[field] !== undefined && !Array.isArray(props[field])) {
        throw new Error(`[${this.path}] ${field}: ${JSON.stringify(props[field])} is not a list; give a list, or leave it out`);
      }
    }
    if (props.resourcePreset !== undefined && !(props.resourcePreset instanceof ResourcePreset)) {
      throw new Error(`[${this.path}] resourcePreset: ${JSON.stringify(props.resourcePreset)} is not a ResourcePreset; use e.g. ResourcePreset.SMALL, or leave it out`);
    }
    const ids = imageIds(this.path, props);
    this.runAsUser = ids.runAsUser ?? props.securityContext?.user ?? HardenedDefaults.RUN_AS_USER;
    this.runAsGroup = ids.runAsGroup ?? props.securityContext?.group ?? HardenedDefaults.RUN_AS_GROUP;
    this.resourcePreset = props.resourcePreset ?? HardenedDefaults._resolveFor(workload).resourcePreset;
    this.platform = HardenedDefaults._resolveFor(workload).platform;
    checkPlatformProps(this.path, this.platform, { ...props, ...ids });
    this.highAvailability = (options.replicas ?? 0) >= HardenedDefaults.HIGH_AVAILABILITY_REPLICAS;
    this.labels = this.recommendedLabels(props.partOf);
    checkRestartPolicy(workload, options.longRunning);
    this.writablePaths = writablePathEntries(this.path, props);
    this.writableMounts = this.createWritableMounts(this.writablePaths);
    this.claimMounts = this.checkClaimMounts(options.claimMounts ?? []);
    this.ownership = volumeOwnershipOptions(this.path, props, this.runAsGroup, this.claimMounts.length > 0);
    if (props.exemptions) {
      Exemptions.of(workload).add(...props.exemptions);
    }
    const imageUser = imageUserExemptions(workload, props.imageUser);
    if (imageUser.length > 0) Exemptions.of(ApiObject.of(workload)).add(...imageUser);
    // cdk8s-plus-27 applies `spread` inside Workload._toPodSpec(), adding the anti-affinity terms again at every render;
    // the guard and the namespace quota check render a pod spec more than once per synthesis, so the terms would pile
    // up (2, then 4, 6...). Applied once here instead: the same terms (hostname, then zone), and rendering stays pure.
    if (props.spread) {
      workload.scheduling.spread({ topology: kplus.Topology.HOSTNAME });
      workload.scheduling.spread({ topology: kplus.Topology.ZONE });
    }
    // `connections` (cdk8s-plus API) compiles into the workload's own NetworkPolicy, as WorkloadConnections does.
    (workload as { connections: kplus.PodConnections }).connections = new HardenedPodConnections(workload);
  }

  /**
   * Adds the held-back containers, the recommended labels and the companion objects (ServiceAccount,
   * NetworkPolicy, PodDisruptionBudget), and guards everything below the workload.
   */
  public complete(props: HardenablePodProps): void {
    const workload = this.workload;
    (props.initContainers ?? []).forEach(c => workload.addInitContainer(c));
    (props.containers ?? []).forEach(c => workload.addContainer(c));

    const labels = this.labels;
    // A recommended label the user set explicitly keeps the user's value.
    for (const [key, value] of Object.entries(labels)) {
      if (workload.metadata.getLabel(key) === undefined) workload.metadata.addLabel(key, value);
      if (workload.podMetadata.getLabel(key) === undefined) workload.podMetadata.addLabel(key, value);
    }
    const namespace = props.metadata?.namespace;
    const selector = { matchLabels: Lazy.any({ produce: () => this.podSelectorLabels() }) as any };

    if (!props.serviceAccount) {
      const account = new kplus.ServiceAccount(workload, 'ServiceAccount', { metadata: { namespace, labels }, automountToken: false });
      // cdk8s-plus only takes the account as a constructor prop, and a child of the workload can only be
      // created after super(): assign the dedicated account to the field the pod spec is rendered from.
      (workload as { serviceAccount?: kplus.IServiceAccount }).serviceAccount = account;
    }
    // The token volume finalizePodSpec writes is a token mount (service-account-token): exempted here, on the
    // workload's own object only, pinned to that exact volume.
    const token = apiAccessTokenOf(workload.serviceAccount);
    if (token && workload.serviceAccount) {
      const specPointer = workload instanceof kplus.CronJob ? '/spec/jobTemplate/spec/template/spec' : '/spec/template/spec';
      Exemptions.of(ApiObject.of(workload)).add(tokenExemption(workload.serviceAccount.name, specPointer, token));
    }

    // Nothing may connect until a peer is declared; egress only to cluster DNS and declared peers. Rendered lazily,
    // so connections declared after construction count.
    const connections = WorkloadConnections._renderedByOwnPolicy(workload);
    new kplus.k8s.KubeNetworkPolicy(workload, 'NetworkPolicy', {
      metadata: { namespace, labels },
      spec: {
        podSelector: selector,
        policyTypes: ['Ingress', 'Egress'],
        ingress: Lazy.any({ produce: () => connections._rules('Ingress') }) as any,
        egress: Lazy.any({ produce: () => [dnsEgressRule(), ...connections._rules('Egress')] }) as any,
      },
    });

    if (this.highAvailability) {
      new kplus.k8s.KubePodDisruptionBudget(workload, 'PodDisruptionBudget', {
        metadata: { namespace, labels },
        spec: {
          selector,
          maxUnavailable: kplus.k8s.IntOrString.fromNumber(1),
          // Lets a drain evict pods that never became ready instead of blocking on them.
          unhealthyPodEvictionPolicy: 'AlwaysAllow',
        },
      });
    }
    Guard.protect(workload);
  }

  /** Container props with the hardened defaults filled in; whatever the caller set explicitly wins. */
  public containerProps(props: kplus.ContainerProps, role: 'containers' | 'initContainers', index: number): kplus.ContainerProps {
    const where = `[${this.path}] ${role}[${index}]${props?.name ? ` '${props.name}'` : ''}`;
    checkImage(where, props?.image);
    const image = lockedImage(where, props.image, HardenedDefaults._resolveFor(this.workload).imageLock);
    this.checkContainerName(where, props.name ?? 'main');
    for (const field of ['ports', 'volumeMounts'] as const) {
      const list = props[field] as unknown[] | undefined;
      if (list !== undefined && (!Array.isArray(list) || list.some(x => x === null || typeof x !== 'object'))) {
        throw new Error(`${where}: ${field} ${JSON.stringify(list)} is not a list of ${field === 'ports' ? 'ports ({ number, name?, protocol? })' : 'mounts ({ path, volume })'}`);
      }
    }
    const port = props.portNumber ?? props.port ?? props.ports?.[0]?.number;
    for (const p of [props.portNumber, props.port, ...(props.ports ?? []).map(x => x.number)]) {
      if (p !== undefined && (!Number.isInteger(p) || p < 1 || p > 65535)) {
        throw new Error(`${where}: port ${JSON.stringify(p)} is not a port number; use an integer from 1 to 65535`);
      }
    }
    this.checkPorts(where, props);
    checkContainerProbes(where, props);
    for (const mount of props.volumeMounts ?? []) {
      const writable = this.writableMounts.find(m => m.volume.name === mount.volume?.name && m.volume !== mount.volume);
      if (writable) {
        throw new Error(`${where}: volume '${writable.volume.name}' has the name of the emptyDir of writable path '${writable.path}'; give the volume another name`);
      }
    }
    const probe = role === 'containers' && this.options.longRunning && port !== undefined;
    if (probe && props.liveness === undefined) this.derivedLiveness.add(props.name ?? 'main');
    return {
      ...props,
      image,
      // A digest names immutable content: a cached copy is that image. A tag can be moved, so it is pulled again.
      imagePullPolicy: props.imagePullPolicy
        ?? (parseImageReference(image)?.digest ? kplus.ImagePullPolicy.IF_NOT_PRESENT : kplus.ImagePullPolicy.ALWAYS),
      securityContext: {
        ensureNonRoot: true,
        privileged: false,
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        ...props.securityContext,
        user: props.securityContext?.user ?? this.runAsUser,
        group: props.securityContext?.group ?? this.runAsGroup,
      },
      resources: this.recordEphemeralStorage(props.name ?? 'main', mergeResources(where, props.resources, this.resourcePreset), props.resources),
      readiness: props.readiness ?? (probe ? kplus.Probe.fromTcpSocket({ port, ...TCP_PROBE_READINESS }) : undefined),
      liveness: props.liveness ?? (probe ? kplus.Probe.fromTcpSocket({ port, ...TCP_PROBE_LIVENESS }) : undefined),
      volumeMounts: this.withWritableMounts(props.volumeMounts ?? []),
    };
  }

  /**
   * The final pod spec: what cdk8s-plus cannot express (seccomp, `drop: [ALL]`, capability names without the
   * `CAP_` prefix), and topology spread for replicated workloads. Applied at render time, so containers added
   * by any route get it; escape-hatch patches still apply afterwards and are checked by the guard.
   */
  public finalizePodSpec(spec: kplus.k8s.PodSpec): kplus.k8s.PodSpec {
    const runtimeDefault = { type: 'RuntimeDefault' };
    const podSecurity = { ...spec.securityContext, seccompProfile: spec.securityContext?.seccompProfile ?? runtimeDefault };
    const hardenContainer = (list: string) => (c: kplus.k8s.Container, index: number): kplus.k8s.Container => ({
      ...checkProbePorts(`[${this.path}] ${list}[${index}] '${c.name}'`, this.namedLivenessPort(c)),
      resources: withEphemeralStorage(`[${this.path}] ${list}[${index}] '${c.name}'`, c, this.resourcePreset, this.ephemeralStorage.get(c.name)),
      securityContext: {
        ...c.securityContext,
        seccompProfile: c.securityContext?.seccompProfile ?? runtimeDefault,
        capabilities: hardenCapabilities(`[${this.path}] ${list}[${index}] '${c.name}'`, c.securityContext?.capabilities),
      },
      volumeMounts: this.withClaimMounts(c.volumeMounts),
    });
    const matchLabels = this.podSelectorLabels();
    const spread = this.highAvailability && spec.topologySpreadConstraints === undefined
      ? [{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels } }]
      : spec.topologySpreadConstraints;
    // Several scanners only recognise pod anti-affinity as spreading, so replicated pods get both.
    const affinity = this.highAvailability && spec.affinity?.podAntiAffinity === undefined
      ? {
        ...spec.affinity,
        podAntiAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [{
            weight: 100,
            podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels } },
          }],
        },
      }
      : spec.affinity;
    // An account that implements IApiAccessServiceAccount (LeastPrivilegeServiceAccount with permissions) gets its
    // short-lived token projected read-only into every container; automountServiceAccountToken stays false.
    return withPlatform(this.path, this.platform, withApiAccessToken(`[${this.path}]`, {
      ...spec,
      securityContext: withVolumeOwnership(podSecurity, spec.volumes, this.ownership),
      containers: withWritableStorage(this.path, spec.containers.map(hardenContainer('containers')), this.writablePaths,
        this.resourcePreset.scratchSize.toMebibytes(), this.ephemeralStorage.get(spec.containers[0]?.name)?.limit !== undefined),
      initContainers: spec.initContainers?.map(hardenContainer('initContainers')),
      topologySpreadConstraints: spread,
      affinity,
    }, apiAccessTokenOf(this.workload.serviceAccount)));
  }

  /**
   * A derived liveness probe addresses its port by name (the container port's own name, else `tcp-<port>`), the
   * readiness probe by number. Both reach the same socket; what differs is their timing. kube-score's
   * pod-probes-identical compares only the handler and its port, and would otherwise report the pair as identical.
   * Give `liveness` (e.g. an HTTP health endpoint) to check more than the listening socket.
   */
  private namedLivenessPort(c: kplus.k8s.Container): kplus.k8s.Container {
    const port = c.livenessProbe?.tcpSocket?.port?.value;
    if (!this.derivedLiveness.has(c.name) || typeof port !== 'number') return c;
    const own = c.ports?.find(p => p.containerPort === port && (p.protocol ?? 'TCP') === 'TCP');
    if (!own) return c;
    const name = own.name ?? `tcp-${port}`;
    // A generated name must not be a name the user gave another port of the pod (names are unique per pod).
    const podPorts = [...this.workload.containers, ...this.workload.initContainers].flatMap(x => x.ports);
    if (own.name === undefined && podPorts.some(p => p.name === name)) return c;
    return {
      ...c,
      ports: c.ports!.map(p => (p === own ? { ...p, name } : p)),
      livenessProbe: { ...c.livenessProbe, tcpSocket: { ...c.livenessProbe!.tcpSocket, port: kplus.k8s.IntOrString.fromString(name) } },
    };
  }

  /** Keeps the container's own ephemeral-storage for finalizePodSpec, which renders it (cdk8s-plus-27 only renders whole GiB). */
  private recordEphemeralStorage(
    name: string, merged: kplus.ContainerResources, own: kplus.ContainerResources | undefined,
  ): kplus.ContainerResources {
    this.ephemeralStorage.set(name, own?.ephemeralStorage);
    return merged;
  }

  /** A DNS-1123 label, unique among the pod's containers and init containers (cdk8s-plus names unnamed ones 'main'). */
  private checkContainerName(where: string, name: unknown): void {
    if (!isDnsLabel(name)) {
      throw new Error(`${where}: name ${JSON.stringify(name)} is not a container name; use at most 63 lowercase letters, digits and '-', `
        + 'starting and ending alphanumeric, e.g. \'web\'');
    }
    const taken = [
      ...this.workload.containers.map((c, i) => [c.name, `containers[${i}]`]),
      ...this.workload.initContainers.map((c, i) => [c.name, `initContainers[${i}]`]),
    ].find(([other]) => other === name);
    if (taken) {
      throw new Error(`${where}: name '${name}' is already the name of ${taken[1]}; give each container its own name`);
    }
  }

  /** No port twice in the container or the pod (number and protocol), port names unique in the pod and valid. */
  private checkPorts(where: string, props: kplus.ContainerProps): void {
    const own = [
      ...(props.portNumber ?? props.port) !== undefined ? [{ number: (props.portNumber ?? props.port)!, name: undefined, protocol: undefined }] : [],
      ...(props.ports ?? []),
    ];
    const others = [
      ...this.workload.containers.map((c, i) => ({ c, owner: `containers[${i}] '${c.name}'` })),
      ...this.workload.initContainers.map((c, i) => ({ c, owner: `initContainers[${i}] '${c.name}'` })),
    ].flatMap(({ c, owner }) => c.ports.map(p => ({ ...p, owner })));
    own.forEach((port, index) => {
      const protocol = port.protocol ?? kplus.Protocol.TCP;
      if (own.slice(0, index).some(p => p.number === port.number && (p.protocol ?? kplus.Protocol.TCP) === protocol)) {
        throw new Error(`${where}: port ${port.number}/${protocol} is declared twice; declare each port once`);
      }
      const clash = others.find(p => p.number === port.number && (p.protocol ?? kplus.Protocol.TCP) === protocol);
      if (clash) {
        throw new Error(`${where}: port ${port.number}/${protocol} is already a port of ${clash.owner}; containers of a pod share one `
          + 'network namespace, so only one of them can listen on it: remove the port or use another number');
      }
      if (port.name !== undefined) {
        if (typeof port.name !== 'string' || port.name.length > 15 || !/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(port.name) || port.name.includes('--') || !/[a-z]/.test(port.name)) {
          throw new Error(`${where}: port name ${JSON.stringify(port.name)} is not a port name; use at most 15 lowercase letters, digits and '-', `
            + 'with at least one letter, e.g. \'http\'');
        }
        if (own.slice(0, index).some(p => p.name === port.name)) {
          throw new Error(`${where}: port name '${port.name}' is declared twice; give each port its own name`);
        }
        const named = others.find(p => p.name === port.name);
        if (named) {
          throw new Error(`${where}: port name '${port.name}' is already used by ${named.owner}; give each port of the pod its own name`);
        }
      }
    });
  }

  /**
   * Labels that select exactly this workload's pods, for its NetworkPolicy, PodDisruptionBudget and spreading:
   * the workload's selector, or for kinds that do not select their pods (Job, CronJob) the pod address label
   * cdk8s-plus puts on every pod template (an empty selector would select every pod of the namespace).
   */
  public podSelectorLabels(): Record<string, string> {
    const matchLabels = this.workload.matchLabels;
    if (Object.keys(matchLabels).length > 0) return matchLabels;
    const address = this.workload.podMetadata.getLabel(kplus.Pod.ADDRESS_LABEL);
    if (address === undefined) {
      throw new Error(`[${this.path}] the pod template has no ${kplus.Pod.ADDRESS_LABEL} label to select its pods by; do not remove it`);
    }
    return { [kplus.Pod.ADDRESS_LABEL]: address };
  }

  private recommendedLabels(partOf?: string): Record<string, string> {
    const labels: Record<string, string> = {
      'app.kubernetes.io/name': Names.toLabelValue(this.workload, { includeHash: false }),
      'app.kubernetes.io/instance': this.workload.name,
      'app.kubernetes.io/managed-by': HardenedDefaults.MANAGED_BY,
    };
    if (partOf !== undefined) {
      if (typeof partOf !== 'string' || !/^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/.test(partOf) || partOf.length > 63) {
        throw new Error(`[${this.path}] partOf: ${JSON.stringify(partOf)} is not a valid label value; use at most 63 letters, digits, '-', '_' or '.', starting and ending alphanumeric`);
      }
      labels['app.kubernetes.io/part-of'] = partOf;
    }
    return labels;
  }

  private createWritableMounts(paths: WritablePathEntry[]): WritableMount[] {
    const entries: WritablePathEntry[] = [{ path: HardenedDefaults.TMP_PATH, field: '' }, ...paths];
    const all = entries.map(e => e.path);
    const names = new Set<string>();
    const mounts: WritableMount[] = [];
    entries.forEach(({ path, field, size }, index) => {
      if (index > 0) checkWritablePath(this.path, field, path, all.slice(0, index));
      const name = volumeNameFor(path, names);
      names.add(name);
      const sizeLimit = size ?? this.resourcePreset.scratchSize;
      const volume = kplus.Volume.fromEmptyDir(this.workload, `Writable${name}`, name, { sizeLimit });
      mounts.push({ path, volume });
    });
    return mounts;
  }

  private checkClaimMounts(claims: ClaimMount[]): ClaimMount[] {
    const paths = this.writableMounts.map(m => m.path);
    const names = new Set(this.writableMounts.map(m => m.volume.name));
    for (const claim of claims) {
      const where = `[${this.path}] ${claim.field}`;
      if (typeof claim.name !== 'string' || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(claim.name) || claim.name.length > 63) {
        throw new Error(`${where}.name: ${JSON.stringify(claim.name)} is not a volume name; use at most 63 lowercase letters, digits and '-', starting and ending alphanumeric, e.g. 'data'`);
      }
      if (names.has(claim.name)) {
        throw new Error(`${where}.name: '${claim.name}' is already the name of another volume of this workload; give each claim its own name`);
      }
      checkWritablePath(this.path, `${claim.field}.mountPath`, claim.path, paths);
      names.add(claim.name);
      paths.push(claim.path);
    }
    return claims;
  }

  /** A rendered container's mounts plus every claim it does not mount already (by name or at the same path). */
  private withClaimMounts(mounts: kplus.k8s.VolumeMount[] | undefined): kplus.k8s.VolumeMount[] | undefined {
    const missing = this.claimMounts.filter(claim => !(mounts ?? []).some(m => m.name === claim.name || m.mountPath === claim.path));
    return missing.length === 0 ? mounts : [...mounts ?? [], ...missing.map(claim => ({ name: claim.name, mountPath: claim.path }))];
  }

  private withWritableMounts(mounts: kplus.VolumeMount[]): kplus.VolumeMount[] {
    const taken = new Set(mounts.map(m => m.path));
    return [...mounts, ...this.writableMounts.filter(m => !taken.has(m.path)).map(m => ({ path: m.path, volume: m.volume }))];
  }
}

function pathOf(scope: { node: { path: string } }, id: string): string {
  return scope.node.path ? `${scope.node.path}/${id}` : id;
}

/** Numeric probe ports must be ports (cdk8s-plus renders whatever number it is given). */
function checkProbePorts(where: string, c: kplus.k8s.Container): kplus.k8s.Container {
  for (const field of ['readinessProbe', 'livenessProbe', 'startupProbe'] as const) {
    const probe = c[field];
    const port = (probe?.tcpSocket?.port ?? probe?.httpGet?.port)?.value;
    if (typeof port === 'number' && (!Number.isInteger(port) || port < 1 || port > 65535)) {
      throw new Error(`${where}: ${field} port ${port} is not a port number; use an integer from 1 to 65535`);
    }
  }
  return c;
}

/** Controllers of long-running pods require restartPolicy Always; Jobs refuse it. */
function checkRestartPolicy(workload: kplus.Workload, longRunning: boolean): void {
  const policy = workload.restartPolicy;
  if (policy === undefined) return;
  const kind = ApiObject.of(workload).kind;
  if (longRunning && policy !== kplus.RestartPolicy.ALWAYS) {
    throw new Error(`[${workload.node.path}] restartPolicy: '${policy}' is not allowed for a ${kind}; leave it unset (Always)`);
  }
  if (!longRunning && policy === kplus.RestartPolicy.ALWAYS) {
    throw new Error(`[${workload.node.path}] restartPolicy: 'Always' is not allowed for a ${kind}, whose pods run to completion; `
      + 'leave it unset (Never) or use RestartPolicy.ON_FAILURE');
  }
}

/** Capability names without the `CAP_` prefix cdk8s-plus adds, and `ALL` always dropped. */
function hardenCapabilities(where: string, capabilities: kplus.k8s.Capabilities | undefined): kplus.k8s.Capabilities {
  for (const side of ['add', 'drop'] as const) {
    (capabilities?.[side] ?? []).forEach((name, i) => {
      if (typeof name !== 'string' || name.trim() === '') {
        throw new Error(`${where}: securityContext.capabilities.${side}[${i}] is ${JSON.stringify(name)}, not a capability name; use e.g. `
          + 'kplus.Capability.NET_BIND_SERVICE (cdk8s-plus-27 has no Capability.ALL: every capability is dropped already)');
      }
    });
  }
  const normalize = (names: string[] | undefined) => [...new Set((names ?? []).map(n => n.replace(/^CAP_/i, '').toUpperCase()))];
  const add = normalize(capabilities?.add);
  const drop = normalize(['ALL', ...(capabilities?.drop ?? [])]);
  return add.length > 0 ? { add, drop } : { drop };
}

function checkId(path: string, field: string, value: number | undefined, fromSecurityContext: number | undefined): number | undefined {
  for (const [name, v] of [[field, value], [`securityContext.${field === 'runAsUser' ? 'user' : 'group'}`, fromSecurityContext]] as const) {
    if (v !== undefined && (!Number.isInteger(v) || v < 0 || v > 2147483647)) {
      throw new Error(`[${path}] ${name}: ${JSON.stringify(v)} is not a numeric id; use an integer such as ${HardenedDefaults.RUN_AS_USER} (kubelet can only verify non-root for numeric ids)`);
    }
  }
  if (value !== undefined && fromSecurityContext !== undefined && value !== fromSecurityContext) {
    throw new Error(`[${path}] ${field}: ${value} conflicts with securityContext.${field === 'runAsUser' ? 'user' : 'group'} ${fromSecurityContext}; set only one of them`);
  }
  return value ?? fromSecurityContext;
}

function checkImage(where: string, image: unknown): void {
  if (typeof image !== 'string' || image.trim() === '') {
    throw new Error(`${where}: image ${JSON.stringify(image)} is missing; set image to a reference with a version tag or digest, e.g. 'registry.example.com/app:1.2.3'`);
  }
  const ref = parseImageReference(image);
  if (!ref) {
    throw new Error(`${where}: image '${image}' is not a valid image reference; use [registry/]repository[:tag][@sha256:digest], e.g. 'registry.example.com/app:1.2.3'`);
  }
  if (!ref.digest && !ref.tag) {
    throw new Error(`${where}: image '${image}' has no tag or digest, so every pull may run different code; pin a version tag ('${image}:1.2.3') or a digest ('${image}@sha256:...')`);
  }
  if (!ref.digest && ref.tag === 'latest') {
    throw new Error(`${where}: image '${image}' uses the tag 'latest', which moves; pin a version tag or a digest ('...@sha256:...')`);
  }
}

function mergeResources(where: string, own: kplus.ContainerResources | undefined, preset: ResourcePreset): kplus.ContainerResources {
  const cpu = { request: own?.cpu?.request ?? preset.cpu.request!, limit: own?.cpu?.limit ?? preset.cpu.limit! };
  const memory = { request: own?.memory?.request ?? preset.memory.request!, limit: own?.memory?.limit ?? preset.memory.limit! };
  for (const [end, value] of [['request', cpu.request.amount], ['limit', cpu.limit.amount]] as const) {
    const amount = parseAmount(value, 'cpu');
    if (amount === undefined || amount <= 0) {
      throw new Error(`${where}: resources.cpu.${end} '${value}' is not a positive quantity; use e.g. kplus.Cpu.millis(250)`);
    }
  }
  checkRange(where, 'cpu', cpu.request.amount, cpu.limit.amount, preset);
  checkRange(where, 'memory', mebibytes(where, 'memory.request', memory.request), mebibytes(where, 'memory.limit', memory.limit), preset);
  for (const end of ['request', 'limit'] as const) {
    const size = own?.ephemeralStorage?.[end];
    if (size !== undefined) mebibytes(where, `ephemeralStorage.${end}`, size);
  }
  // ephemeral-storage is rendered by the core (withEphemeralStorage): cdk8s-plus-27 only renders whole GiB amounts.
  return { cpu, memory };
}

/** A size as whole MiB (`256Mi`), or an error naming the field. */
function mebibytes(where: string, field: string, size: { toMebibytes(opts?: any): number; asString?(): string }): string {
  let value: number;
  try {
    value = size.toMebibytes();
  } catch {
    throw new Error(`${where}: resources.${field} ${size.asString?.() ?? JSON.stringify(size)} is not a whole number of MiB; use e.g. Size.mebibytes(256)`);
  }
  return `${value}Mi`;
}

/** Fills in the ephemeral-storage request and limit a rendered container lacks. */
function withEphemeralStorage(
  where: string, c: kplus.k8s.Container, preset: ResourcePreset, own?: kplus.EphemeralStorageResources,
): kplus.k8s.ResourceRequirements {
  const key = 'ephemeral-storage';
  const requests = { ...c.resources?.requests };
  const limits = { ...c.resources?.limits };
  // The container's own amounts as cdk8s-plus renders sizes (whole GiB as Gi), the preset's in Mi.
  const render = (size: Size | undefined, fallback: Size) => {
    if (size === undefined) return kplus.k8s.Quantity.fromString(`${fallback.toMebibytes()}Mi`);
    const mib = size.toMebibytes();
    return kplus.k8s.Quantity.fromString(mib % 1024 === 0 ? `${mib / 1024}Gi` : `${mib}Mi`);
  };
  requests[key] ??= render(own?.request, preset.ephemeralStorage.request!);
  limits[key] ??= render(own?.limit, preset.ephemeralStorage.limit!);
  checkRange(where, 'ephemeralStorage', requests[key].value as string, limits[key].value as string, preset);
  return { ...c.resources, requests, limits };
}

function checkRange(where: string, field: 'cpu' | 'memory' | 'ephemeralStorage', request: string, limit: string, preset: ResourcePreset): void {
  const resource = field === 'ephemeralStorage' ? 'ephemeral-storage' : field;
  const [requested, limited] = [request, limit].map(value => parseAmount(value, resource));
  for (const [end, value, amount] of [['request', request, requested], ['limit', limit, limited]] as const) {
    if (amount === undefined) {
      throw new Error(`${where}: resources.${field}.${end} '${value}' is not a Kubernetes quantity`);
    }
  }
  if (requested! > limited!) {
    throw new Error(`${where}: resources.${field} request ${request} exceeds limit ${limit} (values not set on the container come from preset '${preset.name}'); `
      + `set both resources.${field}.request and .limit, or choose a preset that fits`);
  }
}

