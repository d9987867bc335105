import { Lazy } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { IConstruct } from 'constructs';
import { hbonePortBetween } from './mesh-data-plane';
import { addNamespaceWide, namespaceWideFor } from './namespace-peers';
import { NetworkPeer } from './network-peer';
import { PeerSpec } from './peer-spec';
import { dnsEgressRule } from '../defaults/dns-egress';
import { describeValue } from '../defaults/kubernetes-validation';

/** Options of a declared connection (`allowFrom`, `allowTo`). */
export interface ConnectionOptions {
  /**
   * Ports of the receiving side the traffic may use, e.g. `[kplus.NetworkPolicyPort.tcp(8080)]`.
   * @default - every container port of the receiving workload, with its protocol, read when the policy is rendered
   * (containers added later count). Required when the receiving side is not a workload of the app (`allowTo` a
   * namespace or CIDR peer).
   */
  readonly ports?: kplus.NetworkPolicyPort[];
}

/** The label Kubernetes sets on every namespace to its name. */
const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';
/** Where kubectl puts objects that name no namespace. */
const DEFAULT_NAMESPACE = 'default';

type Direction = 'Ingress' | 'Egress';

/** One declared allowance on one side of a connection. */
interface Allowance {
  readonly peer: NetworkPeer;
  /** Ports as given (rendered), or undefined to derive them from the receiver's containers. */
  readonly ports?: kplus.k8s.NetworkPolicyPort[];
  /** The workload whose container ports are allowed when none are given: the receiving side. */
  readonly receiver?: kplus.AbstractPod;
  /** The declaration, for errors: `[path] allowTo(workload shop/backend)`. */
  readonly origin: string;
}

const REGISTRY = new WeakMap<kplus.AbstractPod, WorkloadConnections>();
/** Per app (construct root): who is told of each workload that gets an ingress allowance (the mesh renders them too). */
const INGRESS_OBSERVERS = new WeakMap<IConstruct, Array<(workload: kplus.AbstractPod, peer: NetworkPeer) => void>>();

/** A declared ingress allowance with its ports resolved (internal: what other renderings, such as the mesh, read). */
export interface DeclaredIngress {
  readonly peer: NetworkPeer;
  readonly ports: kplus.k8s.NetworkPolicyPort[];
  /** The declaration, for errors. */
  readonly origin: string;
}

/**
 * The declared connections of one workload, compiled to NetworkPolicy rules.
 *
 * A hardened workload renders them into its own NetworkPolicy (its `allowFrom` / `allowTo` and its `connections`
 * delegate here). A plain cdk8s-plus workload that takes part in a connection gets one NetworkPolicy
 * (`NetworkConnections`) listing only the directions it has rules for, egress always with DNS.
 *
 * Rules are rendered when the manifests are, so declarations made later count; they are merged per peer (ports
 * united) and sorted, so the output does not depend on the order of declarations.
 */
export class WorkloadConnections {
  /** The connections of a workload (hardened or plain cdk8s-plus), created on first use. */
  public static of(workload: kplus.AbstractPod): WorkloadConnections {
    if (!(workload instanceof kplus.AbstractPod)) {
      throw new Error(`WorkloadConnections.of: workload ${describeValue(workload)} is not a cdk8s-plus workload or pod; pass e.g. a HardenedDeployment`);
    }
    let connections = REGISTRY.get(workload);
    if (!connections) {
      connections = new WorkloadConnections(workload);
      REGISTRY.set(workload, connections);
    }
    return connections;
  }

  /**
   * Calls `observer` with every workload of the app under `root` that gets an ingress allowance from now on.
   * @internal
   */
  public static _observeIngress(root: IConstruct, observer: (workload: kplus.AbstractPod, peer: NetworkPeer) => void): void {
    const observers = INGRESS_OBSERVERS.get(root) ?? [];
    observers.push(observer);
    INGRESS_OBSERVERS.set(root, observers);
  }

  /**
   * The labels that select a workload's pods (what its NetworkPolicy selects).
   * @internal
   */
  public static _podSelectorOf(workload: kplus.AbstractPod): Record<string, string> {
    return podSelectorOf(workload);
  }

  /**
   * The connections of a workload whose own NetworkPolicy renders them (a hardened workload's).
   * @internal
   */
  public static _renderedByOwnPolicy(workload: kplus.AbstractPod): WorkloadConnections {
    const connections = WorkloadConnections.of(workload);
    connections.ownPolicy = true;
    // Namespace-wide ingress declared before this workload existed also reaches it.
    for (const allowance of namespaceWideFor(workload, workload.metadata.namespace, 'Ingress')) {
      (INGRESS_OBSERVERS.get(workload.node.root) ?? []).forEach(observe => observe(workload, NetworkPeer.workload(allowance.workload)));
    }
    return connections;
  }

  /** Tells the observers of every workload of `declarer`'s namespace that renders its own policy: it gets ingress from `declarer`. */
  private static notifyNamespaceWideIngress(declarer: kplus.AbstractPod, _peer: NetworkPeer): void {
    const root = declarer.node.root;
    const observers = INGRESS_OBSERVERS.get(root) ?? [];
    if (observers.length === 0) return;
    for (const workload of root.node.findAll().filter((c): c is kplus.AbstractPod => c instanceof kplus.AbstractPod)) {
      if (workload === declarer || workload.metadata.namespace !== declarer.metadata.namespace || !REGISTRY.get(workload)?.ownPolicy) continue;
      observers.forEach(observe => observe(workload, NetworkPeer.workload(declarer)));
    }
  }

  /** The workload whose connections these are. */
  public readonly workload: kplus.AbstractPod;
  private readonly ingress: Allowance[] = [];
  private readonly egress: Allowance[] = [];
  private ownPolicy = false;
  private companion?: kplus.k8s.KubeNetworkPolicy;

  private constructor(workload: kplus.AbstractPod) {
    this.workload = workload;
  }

  /**
   * Allows this workload's pods to connect to the peer: an egress rule on this workload's policy and, when the
   * peer is a workload of the app, the matching ingress rule on the peer's policy.
   */
  public allowTo(peer: NetworkPeer, options: ConnectionOptions = {}): void {
    this._allow('Egress', peer, this.portsOption('Egress', peer, options), true, true);
  }

  /**
   * Allows the peer to connect to this workload's pods: an ingress rule on this workload's policy and, when the
   * peer is a workload of the app, the matching egress rule on the peer's policy.
   */
  public allowFrom(peer: NetworkPeer, options: ConnectionOptions = {}): void {
    this._allow('Ingress', peer, this.portsOption('Ingress', peer, options), true, true);
  }

  /**
   * Declares a connection in `direction` (seen from this workload), opening this side and/or the peer's side.
   * @internal
   */
  public _allow(direction: Direction, peer: NetworkPeer, ports: kplus.NetworkPolicyPort[] | undefined, ownSide: boolean, peerSide: boolean): void {
    const verb = this.checkPeer(direction, peer);
    const declaration = `${verb}(${peer.description})`;
    const origin = `[${this.workload.node.path}] ${declaration}`;
    const rendered = ports === undefined ? undefined : checkPorts(origin, ports);
    const other = peer._workload;
    const receiver = direction === 'Egress' ? other : this.workload;
    if (!receiver && rendered === undefined) {
      throw new Error(`${origin}: ports are required: the peer is not a workload of the app whose containers would give them; `
        + 'pass e.g. { ports: [kplus.NetworkPolicyPort.tcp(443)] }');
    }
    const namespaceWide = peer._spec.kind === 'sameNamespace';
    if (peerSide && !other && !ownSide && !namespaceWide) {
      throw new Error(`${origin}: only the peer's side was asked for, but the peer is not a workload of the app; this library never `
        + 'writes policies for pods it does not manage: open this side instead');
    }
    if (rendered === undefined) {
      // Checked before anything is serialized (cdk8s prefixes the path), so the cause is what gets reported.
      this.workload.node.addValidation({ validate: () => (portsOf(receiver!).length > 0 ? [] : [noPortsMessage(declaration, receiver!)]) });
    }
    if (ownSide) {
      this.add(direction, { peer, ports: rendered, receiver, origin });
    }
    if (peerSide && namespaceWide) {
      if (direction === 'Egress') WorkloadConnections.notifyNamespaceWideIngress(this.workload, peer);
      addNamespaceWide({
        direction: direction === 'Egress' ? 'Ingress' : 'Egress',
        workload: this.workload,
        namespace: this.workload.metadata.namespace,
        ports: rendered,
        receiver,
        origin,
      });
    }
    if (peerSide && other) {
      WorkloadConnections.of(other).add(direction === 'Egress' ? 'Ingress' : 'Egress', {
        peer: NetworkPeer.workload(this.workload), ports: rendered, receiver, origin,
      });
    }
  }

  /**
   * The rules of one direction as NetworkPolicy rules: one per peer (ports united), sorted.
   * @internal
   */
  public _rules(direction: Direction): Array<kplus.k8s.NetworkPolicyIngressRule | kplus.k8s.NetworkPolicyEgressRule> {
    const policyNamespace = this.workload.metadata.namespace;
    // Connections other workloads declared with every pod of this namespace: hardened workloads' own policies only.
    const allowances = [...direction === 'Ingress' ? this.ingress : this.egress, ...this.namespaceWide(direction)];
    const byPeer = new Map<string, { peers: kplus.k8s.NetworkPolicyPeer[]; ports: Map<string, kplus.k8s.NetworkPolicyPort> }>();
    for (const allowance of allowances) {
      const peers = renderPeer(allowance.peer._spec, policyNamespace);
      const key = JSON.stringify(peers);
      const entry = byPeer.get(key) ?? { peers, ports: new Map() };
      for (const port of allowance.ports ?? derivedPorts(allowance.receiver!, allowance.origin)) {
        entry.ports.set(portKey(port), port);
      }
      // Ambient mesh traffic between two meshed workloads travels over HBONE (TCP 15008), which the policies must admit.
      const hbone = allowance.peer._workload || allowance.peer._spec.kind === 'sameNamespace'
        ? hbonePortBetween(this.workload, allowance.peer._workload ?? this.workload) : undefined;
      if (hbone) entry.ports.set(portKey(hbone), hbone);
      byPeer.set(key, entry);
    }
    const field = direction === 'Ingress' ? 'from' : 'to';
    return [...byPeer.entries()]
      .sort(([a], [b]) => compare(a, b))
      .map(([, entry]) => ({
        [field]: entry.peers,
        ports: [...entry.ports.entries()].sort(([a], [b]) => compare(a, b)).map(([, port]) => port),
      }));
  }

  /**
   * The declared ingress allowances, ports as the NetworkPolicy renders them (derived ones read now).
   * @internal
   */
  public _declaredIngress(): DeclaredIngress[] {
    return this.ingressAllowances().map(a => ({ peer: a.peer, ports: a.ports ?? derivedPorts(a.receiver!, a.origin), origin: a.origin }));
  }

  /**
   * The peers of the declared ingress allowances.
   * @internal
   */
  public _ingressPeers(): NetworkPeer[] {
    return this.ingressAllowances().map(a => a.peer);
  }

  /** This workload's ingress allowances and the namespace-wide ones others declared that its own policy renders. */
  private ingressAllowances(): Allowance[] {
    return [...this.ingress, ...this.namespaceWide('Ingress')];
  }

  /** Connections other workloads declared with every pod of this namespace (`anyPodInNamespace`): own policies only. */
  private namespaceWide(direction: Direction): Allowance[] {
    if (!this.ownPolicy) return [];
    return namespaceWideFor(this.workload, this.workload.metadata.namespace, direction)
      .map(a => ({ peer: NetworkPeer.workload(a.workload), ports: a.ports, receiver: a.receiver ?? this.workload, origin: a.origin }));
  }

  /** The verb of `direction`, once `peer` is known to be a NetworkPeer (plain JavaScript may pass anything). */
  private checkPeer(direction: Direction, peer: unknown): string {
    const verb = direction === 'Egress' ? 'allowTo' : 'allowFrom';
    if (!(peer instanceof NetworkPeer)) {
      throw new Error(`[${this.workload.node.path}] ${verb}: peer ${describeValue(peer)} is not a NetworkPeer; use NetworkPeer.workload(w), `
        + 'NetworkPeer.inNamespace(name, { podLabels }) or NetworkPeer.cidr(cidr)');
    }
    return verb;
  }

  /** The ports of a declaration's options, once the peer and the options are known to be what they should. */
  private portsOption(direction: Direction, peer: NetworkPeer, options: unknown): kplus.NetworkPolicyPort[] | undefined {
    const verb = this.checkPeer(direction, peer);
    if (options === null || typeof options !== 'object' || Array.isArray(options)) {
      throw new Error(`[${this.workload.node.path}] ${verb}(${peer.description}): options ${describeValue(options)} is not an options object; `
        + 'pass e.g. { ports: [kplus.NetworkPolicyPort.tcp(8080)] }, or leave options out');
    }
    return (options as ConnectionOptions).ports;
  }

  private add(direction: Direction, allowance: Allowance): void {
    (direction === 'Ingress' ? this.ingress : this.egress).push(allowance);
    if (direction === 'Ingress') (INGRESS_OBSERVERS.get(this.workload.node.root) ?? []).forEach(observe => observe(this.workload, allowance.peer));
    if (!this.ownPolicy && !this.companion) {
      this.companion = this.createCompanionPolicy();
    }
  }

  /** The NetworkPolicy of a plain workload: only the directions it has rules for, egress with DNS. */
  private createCompanionPolicy(): kplus.k8s.KubeNetworkPolicy {
    const workload = this.workload;
    return new kplus.k8s.KubeNetworkPolicy(workload, 'NetworkConnections', {
      metadata: { namespace: workload.metadata.namespace },
      spec: {
        podSelector: { matchLabels: Lazy.any({ produce: () => podSelectorOf(workload) }) as any },
        policyTypes: Lazy.any({ produce: () => [...this.ingress.length ? ['Ingress'] : [], ...this.egress.length ? ['Egress'] : []] }) as any,
        ingress: Lazy.any({ produce: () => (this.ingress.length ? this._rules('Ingress') : undefined) }) as any,
        egress: Lazy.any({ produce: () => (this.egress.length ? [dnsEgressRule(), ...this._rules('Egress')] : undefined) }) as any,
      },
    });
  }
}

/**
 * The labels that select a workload's pods: its own selector (what its NetworkPolicy and PodDisruptionBudget use),
 * or, for kinds that do not select their pods (Job, CronJob, Pod), the address label cdk8s-plus puts on every pod.
 */
function podSelectorOf(workload: kplus.AbstractPod): Record<string, string> {
  if (workload instanceof kplus.Workload) {
    const matchLabels = workload.matchLabels;
    if (Object.keys(matchLabels).length > 0) return { ...matchLabels };
  }
  const address = workload.podMetadata.getLabel(kplus.Pod.ADDRESS_LABEL);
  if (address === undefined) {
    throw new Error(`[${workload.node.path}] the pod template has no ${kplus.Pod.ADDRESS_LABEL} label to select its pods by; do not remove it`);
  }
  return { [kplus.Pod.ADDRESS_LABEL]: address };
}

/** The peer entries of a rule on a policy in `policyNamespace` (undefined: the policy names no namespace). */
function renderPeer(spec: PeerSpec, policyNamespace: string | undefined): kplus.k8s.NetworkPolicyPeer[] {
  switch (spec.kind) {
    case 'workload': {
      const podSelector = { matchLabels: podSelectorOf(spec.workload) };
      const namespace = spec.workload.metadata.namespace;
      if (namespace === policyNamespace) return [{ podSelector }];
      // Another namespace: ONE peer with both selectors (namespace AND pods); an unnamed namespace is `default`.
      return [{ namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: namespace ?? DEFAULT_NAMESPACE } }, podSelector }];
    }
    case 'pods':
      return spec.namespaces.map(namespace => {
        if (namespace === undefined) return { podSelector: spec.podSelector ?? {} };
        const namespaceSelector: kplus.k8s.LabelSelector = namespace.name === undefined ? namespace.selector ?? {} : {
          matchLabels: { ...namespace.selector?.matchLabels, [NAMESPACE_NAME_LABEL]: namespace.name },
          ...(namespace.selector?.matchExpressions ? { matchExpressions: namespace.selector.matchExpressions } : {}),
        };
        return spec.podSelector ? { namespaceSelector, podSelector: spec.podSelector } : { namespaceSelector };
      });
    case 'sameNamespace':
      return [{ podSelector: {} }];
    case 'ipBlock':
      return [{ ipBlock: spec.except.length > 0 ? { cidr: spec.cidr, except: [...spec.except] } : { cidr: spec.cidr } }];
  }
}

/** Every container port of the receiving workload, with its protocol. */
function derivedPorts(receiver: kplus.AbstractPod, origin: string): kplus.k8s.NetworkPolicyPort[] {
  const ports = portsOf(receiver);
  if (ports.length === 0) throw new Error(noPortsMessage(origin, receiver));
  return ports.map(p => ({ protocol: p.protocol ?? 'TCP', port: kplus.k8s.IntOrString.fromNumber(p.number) }));
}

function portsOf(workload: kplus.AbstractPod): kplus.ContainerPort[] {
  return workload.containers.flatMap(c => c.ports ?? []);
}

function noPortsMessage(origin: string, receiver: kplus.AbstractPod): string {
  return `${origin}: ${receiver.node.path} declares no container port to derive the allowed ports from; declare the container's `
    + 'port (portNumber) or pass e.g. { ports: [kplus.NetworkPolicyPort.tcp(8080)] }';
}

function checkPorts(origin: string, ports: kplus.NetworkPolicyPort[]): kplus.k8s.NetworkPolicyPort[] {
  if (!Array.isArray(ports)) {
    throw new Error(`${origin}: ports ${describeValue(ports)} is not a list; give a list of ports, e.g. [kplus.NetworkPolicyPort.tcp(8080)], `
      + 'or leave ports out to derive them');
  }
  if (ports.length === 0) {
    throw new Error(`${origin}: ports ${JSON.stringify(ports)} names no port; leave ports out to derive them, or allow specific ports, `
      + 'e.g. [kplus.NetworkPolicyPort.tcp(8080)]');
  }
  return ports.map((port, index) => {
    if (!(port instanceof kplus.NetworkPolicyPort)) {
      throw new Error(`${origin}: ports[${index}] ${describeValue(port)} is not a NetworkPolicyPort; use e.g. kplus.NetworkPolicyPort.tcp(8080)`);
    }
    const rendered = port._toKube();
    const number = rendered.port?.value;
    const valid = (n: unknown) => Number.isInteger(n) && (n as number) >= 1 && (n as number) <= 65535;
    if (typeof number === 'number' && !valid(number)) {
      // cdk8s-plus-27's allTcp()/allUdp() render port 0, which the API server rejects.
      const hint = number === 0 ? ' (NetworkPolicyPort.allTcp() and allUdp() render port 0, which Kubernetes rejects: use tcpRange(1, 65535))' : '';
      throw new Error(`${origin}: ports[${index}] port ${number} is not a port number${hint}; use an integer from 1 to 65535`);
    }
    if (rendered.endPort !== undefined && (!valid(rendered.endPort) || typeof number !== 'number' || rendered.endPort < number)) {
      throw new Error(`${origin}: ports[${index}] range ${JSON.stringify(number)}-${rendered.endPort} is not a port range; `
        + 'use a start and an end port from 1 to 65535, the end no smaller than the start');
    }
    return rendered;
  });
}

/** Sort key of a port: protocol, then number (zero-padded), then end of range. */
function portKey(port: kplus.k8s.NetworkPolicyPort): string {
  const pad = (n: unknown) => (typeof n === 'number' ? String(n).padStart(5, '0') : String(n ?? ''));
  return `${port.protocol ?? 'TCP'}/${pad(port.port?.value)}/${pad(port.endPort)}`;
}


function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
