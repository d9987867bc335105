import * as kplus from 'cdk8s-plus-27';
import { ResolvedEndpoint as Resolved } from './resolved-endpoint';
import { resolveServicePort } from './service-backends';
import { policyTypesOf, PolicyType, rulesOf } from '../controls/core/cross-object';
import { apiGroupOf, namespaceOf, selectorMatches } from '../controls/core/manifest-index';
import { isObject, podOf } from '../controls/core/pod-template';
import { Cidr, parseCidr } from '../namespaces/cidr';

/** A port a pod's container declares (what named ports in NetworkPolicy rules resolve against). */
export interface EndpointPort {
  /** The port number. */
  readonly port: number;
  /**
   * The protocol.
   * @default NetworkProtocol.TCP
   */
  readonly protocol?: kplus.NetworkProtocol;
  /**
   * The port's name, which rules may use instead of the number.
   * @default - unnamed
   */
  readonly name?: string;
}

/** Options of `Endpoint.pod`. */
export interface PodEndpointOptions {
  /**
   * The container ports of the pod, which named ports of rules resolve against.
   * @default - none: rules with named ports never match traffic to this pod
   */
  readonly containerPorts?: EndpointPort[];
}

/** What an endpoint is, resolved or not (internal). */
type EndpointSpec =
  | { readonly kind: 'workload'; readonly workloadKind: string; readonly name: string; readonly namespace?: string }
  | { readonly kind: 'pod'; readonly namespace: string; readonly labels: Record<string, string>; readonly ports: EndpointPort[] }
  | { readonly kind: 'external'; readonly address: string };

/**
 * One end of a connection the Reachability evaluator judges: a workload of the synthesized app, a pod described by
 * its namespace and labels (one not in the app, such as the cluster DNS or an ingress controller), or an address
 * outside the cluster.
 */
export class Endpoint {
  /**
   * The pods of a pod-bearing object of the app (Deployment, StatefulSet, DaemonSet, Job, CronJob, ReplicaSet, Pod...),
   * by kind and `metadata.name` (e.g. `chart.frontend.name`), and namespace when the name alone is ambiguous.
   */
  public static workload(kind: string, name: string, namespaceName?: string): Endpoint {
    if (typeof kind !== 'string' || kind === '' || typeof name !== 'string' || name === '') {
      throw new Error(`Endpoint.workload: kind ${JSON.stringify(kind)} and name ${JSON.stringify(name)} must name an object, e.g. ('Deployment', chart.web.name)`);
    }
    return new Endpoint({ kind: 'workload', workloadKind: kind, name, namespace: namespaceName },
      `${kind} ${namespaceName !== undefined ? `${namespaceName}/` : ''}${name}`);
  }

  /** A pod described by its namespace and labels, e.g. an ingress controller's: it need not be in the app. */
  public static pod(namespaceName: string, labels: { [key: string]: string }, options: PodEndpointOptions = {}): Endpoint {
    if (typeof namespaceName !== 'string' || namespaceName === '' || !isObject(labels)) {
      throw new Error(`Endpoint.pod: namespace ${JSON.stringify(namespaceName)} and labels ${JSON.stringify(labels)} must describe a pod, `
        + 'e.g. (\'ingress-nginx\', { \'app.kubernetes.io/name\': \'ingress-nginx\' })');
    }
    const text = Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(', ');
    return new Endpoint({ kind: 'pod', namespace: namespaceName, labels: { ...labels }, ports: [...options.containerPorts ?? []] },
      `pod {${text}} in ${namespaceName}`);
  }

  /**
   * The cluster DNS pods: `k8s-app: kube-dns` in `kube-system` (CoreDNS keeps that label), serving `dns` UDP 53,
   * `dns-tcp` TCP 53 and `metrics` TCP 9153.
   */
  public static kubeDns(): Endpoint {
    return Endpoint.pod('kube-system', { 'k8s-app': 'kube-dns' }, {
      containerPorts: [
        { name: 'dns', port: 53, protocol: kplus.NetworkProtocol.UDP },
        { name: 'dns-tcp', port: 53, protocol: kplus.NetworkProtocol.TCP },
        { name: 'metrics', port: 9153, protocol: kplus.NetworkProtocol.TCP },
      ],
    });
  }

  /**
   * An address outside the cluster (IPv4 or IPv6), matched by ipBlock peers only. No NetworkPolicy applies to its
   * own side. (Pods are never matched by ipBlocks here: pod addresses are not known from manifests, and Kubernetes
   * recommends ipBlocks for cluster-external addresses.)
   */
  public static external(address: string): Endpoint {
    if (parseAddress(address) === undefined) {
      throw new Error(`Endpoint.external: ${JSON.stringify(address)} is not an IP address; use e.g. '203.0.113.10' or '2001:db8::1'`);
    }
    return new Endpoint({ kind: 'external', address }, `address ${address}`);
  }

  /** What the endpoint is, for messages: `Deployment shop/shop-web-c8...`, `pod {k8s-app=kube-dns} in kube-system`. */
  public readonly description: string;

  /** @internal */
  public readonly _spec: EndpointSpec;

  private constructor(spec: EndpointSpec, description: string) {
    this._spec = spec;
    this.description = description;
  }
}

/** Options of a Reachability evaluator. */
export interface ReachabilityOptions {
  /**
   * The namespace of objects that name none (what `kubectl apply` without `-n` does).
   * @default 'default'
   */
  readonly defaultNamespace?: string;

  /**
   * Labels of namespaces, by namespace name, in addition to those of the Namespace objects in the manifests (and
   * `kubernetes.io/metadata.name`, which every namespace has), for namespaceSelectors that select by other labels.
   * @default - only the Namespace objects' labels
   */
  readonly namespaceLabels?: { [namespace: string]: { [key: string]: string } };
}

/** Options of `Reachability.canConnect`. */
export interface ConnectOptions {
  /**
   * The protocol of the connection.
   * @default NetworkProtocol.TCP
   */
  readonly protocol?: kplus.NetworkProtocol;
}

/** Options of `Reachability.canReachService`. */
export interface ServiceConnectOptions {
  /**
   * The protocol of the Service port.
   * @default NetworkProtocol.TCP
   */
  readonly protocol?: kplus.NetworkProtocol;
  /**
   * The namespace of the Service.
   * @default - the source's namespace (where a pod's short name `carts` resolves); required for an external source
   */
  readonly serviceNamespace?: string;
}

/** Whether a source reaches a Service's port: one connection verdict per selected workload, at its target port. */
export interface ServiceReachabilityVerdict {
  /**
   * Whether the source can reach the Service at all: some backend admits the connection (the Service may send the
   * client to that pod). The security question ("can X reach this Service?"): one open backend is enough.
   */
  readonly allowed: boolean;
  /**
   * Whether every backend admits the connection: the availability question ("does the app work whichever pod the
   * Service picks?"). False with `allowed` true means some backends deny (see `backends`).
   */
  readonly allBackendsAdmit: boolean;
  /** The Service, `Service <namespace>/<name>`. */
  readonly service: string;
  /** The Service port asked about. */
  readonly port: number;
  /** One verdict per workload the Service selects, at the container port its targetPort resolves to there. */
  readonly backends: ReachabilityVerdict[];
  /** The whole verdict as text. */
  readonly explanation: string;
}

/** What one side's NetworkPolicies say about a connection. */
export interface DirectionVerdict {
  /** `Egress` (the source's policies) or `Ingress` (the destination's). */
  readonly direction: string;
  /** Whether this side lets the connection through. */
  readonly allowed: boolean;
  /** Whether some NetworkPolicy selects the pod for this direction (false: not isolated, so allowed). */
  readonly isolated: boolean;
  /** `namespace/name` of each NetworkPolicy selecting the pod for this direction. */
  readonly selectingPolicies: string[];
  /** Each rule admitting the connection: `NetworkPolicy shop/web egress[1]`. */
  readonly allowingRules: string[];
  /** Why, in one sentence. */
  readonly reason: string;
}

/** Whether a connection is allowed, and why. */
export interface ReachabilityVerdict {
  /** True when both the source's egress and the destination's ingress allow it. */
  readonly allowed: boolean;
  /** The source's description. */
  readonly source: string;
  /** The destination's description. */
  readonly destination: string;
  /** The destination port. */
  readonly port: number;
  /** The protocol. */
  readonly protocol: string;
  /** The source side. */
  readonly egress: DirectionVerdict;
  /** The destination side. */
  readonly ingress: DirectionVerdict;
  /** The whole verdict as text: what was asked, allowed or which side denied, and each side's reason. */
  readonly explanation: string;
}


const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';
const DNS_PORT = 53;

/**
 * Kubernetes NetworkPolicy semantics over a synthesized app (an array of manifests, e.g. `Testing.synth(chart)`):
 * can this pod connect to that one on this port?
 *
 * A pod is isolated for a direction when some NetworkPolicy of its namespace selects it (podSelector) and lists
 * that policy type (policyTypes, defaulting to Ingress plus Egress when the policy has egress rules); an isolated
 * pod only accepts (ingress) or opens (egress) what one rule of those policies admits; a pod no policy isolates
 * allows everything in that direction. A connection needs BOTH the source's egress and the destination's ingress.
 * A rule admits a peer by podSelector (in the policy's namespace), namespaceSelector (namespaces identified by name,
 * with their labels from the Namespace objects plus `kubernetes.io/metadata.name`), both in one peer (AND), or
 * ipBlock (with except); and a port by number, range (endPort) or name (resolved against the destination's
 * container ports) with its protocol (default TCP). Missing or empty `from`/`to`/`ports` admit everything.
 *
 * Rules apply to pod ports after Service translation: `canConnect` asks about a container port, `canReachService` about
 * a Service's port (resolved to its selected pods and target port). Not modelled: traffic from the pod's own node
 * (always allowed by Kubernetes), host-network pods, and cluster-wide policy extensions.
 */
export class Reachability {
  /** An evaluator over the manifests (not copied: evaluate after any change you make to them). */
  public static of(manifests: any[], options: ReachabilityOptions = {}): Reachability {
    return new Reachability(manifests, options);
  }

  private readonly manifests: any[];
  private readonly defaultNamespace: string;
  private readonly extraNamespaceLabels: { [namespace: string]: { [key: string]: string } };

  private constructor(manifests: any[], options: ReachabilityOptions) {
    if (!Array.isArray(manifests)) {
      throw new Error(`Reachability.of: ${typeof manifests} is not an array of manifests; pass e.g. Testing.synth(chart)`);
    }
    this.manifests = manifests.filter(isObject);
    this.defaultNamespace = options.defaultNamespace ?? 'default';
    this.extraNamespaceLabels = options.namespaceLabels ?? {};
  }

  /** Every pod-bearing object of the manifests (not PodTemplates), in order, as endpoints with their namespace. */
  public workloads(): Endpoint[] {
    return this.manifests
      .filter(m => m.kind !== 'PodTemplate' && podOf(m) !== undefined && typeof m.metadata?.name === 'string')
      .map(m => Endpoint.workload(m.kind, m.metadata.name, this.namespaceOfManifest(m)));
  }

  /** The container ports of an endpoint's pods (none for an external address). */
  public portsOf(endpoint: Endpoint): EndpointPort[] {
    return [...this._resolve(endpoint).pod?.ports ?? []];
  }

  /** Whether `source` may open a connection to `destination` on `port` (TCP unless `options.protocol` says otherwise), and why. */
  public canConnect(source: Endpoint, destination: Endpoint, port: number, options: ConnectOptions = {}): ReachabilityVerdict {
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      throw new Error(`Reachability.canConnect: port ${JSON.stringify(port)} is not a port number; use an integer from 1 to 65535`);
    }
    const protocol: string = options.protocol ?? kplus.NetworkProtocol.TCP;
    const from = this._resolve(source);
    const target = this._resolve(destination);
    const traffic = `${protocol} ${port}`;
    const egress = this.direction('Egress', from, target, target, port, protocol);
    const ingress = this.direction('Ingress', target, from, target, port, protocol);
    const allowed = egress.allowed && ingress.allowed;
    const denied = [egress, ingress].filter(d => !d.allowed).map(d => `${d.direction.toLowerCase()}`);
    const explanation = `${from.description} -> ${target.description} on ${traffic}: `
      + `${allowed ? 'allowed' : `denied by ${denied.join(' and ')}`}. Egress: ${egress.reason}. Ingress: ${ingress.reason}.`;
    return { allowed, source: from.description, destination: target.description, port, protocol, egress, ingress, explanation };
  }

  /**
   * Whether `source` may connect to a Service's `port` (what clients dial, e.g. `http://carts:80`): the Service's
   * selector and targetPort (number, name, or the port itself) resolve to its workloads' pods and container port, and
   * each is judged as by `canConnect`. `allowed` when any backend admits the connection (a client reaches whichever
   * pod the Service picks); `allBackendsAdmit` when every one does. Throws when the manifests cannot answer: no such Service, a Service without a
   * selector (endpoints managed elsewhere, ExternalName), a port it does not publish, a selector matching nothing.
   */
  public canReachService(source: Endpoint, serviceName: string, port: number, options: ServiceConnectOptions = {}): ServiceReachabilityVerdict {
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      throw new Error(`Reachability.canReachService: port ${JSON.stringify(port)} is not a port number; use an integer from 1 to 65535`);
    }
    const from = this._resolve(source);
    const namespace = options.serviceNamespace ?? from.pod?.namespace;
    if (namespace === undefined) {
      throw new Error(`Reachability.canReachService: ${from.description} is outside the cluster, so it has no namespace to resolve `
        + `'${serviceName}' in; pass { serviceNamespace }`);
    }
    const protocol: string = options.protocol ?? kplus.NetworkProtocol.TCP;
    const resolved = resolveServicePort(this.manifests, m => this.namespaceOfManifest(m), namespace, serviceName, port, protocol);
    const backends = resolved.backends.map(b => this.canConnect(source, Endpoint.workload(b.manifest.kind, b.manifest.metadata.name, namespace),
      b.targetPort, { protocol: protocol as kplus.NetworkProtocol }));
    const admitting = backends.filter(b => b.allowed).map(b => b.destination);
    const denying = backends.filter(b => !b.allowed).map(b => b.destination);
    const allowed = admitting.length > 0;
    const allBackendsAdmit = denying.length === 0;
    const outcome = allBackendsAdmit ? 'allowed by every backend'
      : allowed ? `allowed through ${admitting.join(', ')} (denied by ${denying.join(', ')})` : 'denied by every backend';
    const skipped = resolved.unresolved.length > 0 ? ` (no endpoint on ${resolved.unresolved.join(', ')}: the named targetPort is not theirs)` : '';
    const explanation = `${from.description} -> ${resolved.service} port ${protocol} ${port}: ${outcome}${skipped}. `
      + backends.map(b => b.explanation).join(' ');
    return { allowed, allBackendsAdmit, service: resolved.service, port, backends, explanation };
  }

  /** Whether `source` may query the cluster DNS: connect to a kube-dns pod in kube-system on UDP 53. */
  public canResolveDns(source: Endpoint): ReachabilityVerdict {
    return this.canConnect(source, Endpoint.kubeDns(), DNS_PORT, { protocol: kplus.NetworkProtocol.UDP });
  }

  /** `canConnect`, throwing an Error with the explanation when the connection is denied (for tests). */
  public assertAllowed(source: Endpoint, destination: Endpoint, port: number, options: ConnectOptions = {}): ReachabilityVerdict {
    const verdict = this.canConnect(source, destination, port, options);
    if (!verdict.allowed) throw new Error(`expected the connection to be allowed: ${verdict.explanation}`);
    return verdict;
  }

  /** `canConnect`, throwing an Error with the explanation when the connection is allowed (for tests). */
  public assertDenied(source: Endpoint, destination: Endpoint, port: number, options: ConnectOptions = {}): ReachabilityVerdict {
    const verdict = this.canConnect(source, destination, port, options);
    if (verdict.allowed) throw new Error(`expected the connection to be denied: ${verdict.explanation}`);
    return verdict;
  }

  /**
   * One side: `subject`'s policies for `direction`, about traffic with `other`, to `target` (the destination, whose
   * container ports resolve named ports).
   */
  private direction(direction: PolicyType, subject: Resolved, other: Resolved, target: Resolved, port: number, protocol: string): DirectionVerdict {
    const traffic = `${protocol} ${port}`;
    if (!subject.pod) {
      return {
        direction,
        allowed: true,
        isolated: false,
        selectingPolicies: [],
        allowingRules: [],
        reason: `${subject.description} is outside the cluster: no NetworkPolicy applies to its side`,
      };
    }
    const pod = subject.pod;
    const selecting = this.manifests.filter(m => m.kind === 'NetworkPolicy' && apiGroupOf(m) === 'networking.k8s.io'
      && this.namespaceOfManifest(m) === pod.namespace
      // podSelector is a required struct: a missing one decodes as {} (every pod of the namespace).
      && selectorMatches(m.spec?.podSelector ?? {}, pod.labels)
      && policyTypesOf(m).has(direction));
    const names = selecting.map(p => `${pod.namespace}/${p.metadata?.name}`);
    if (selecting.length === 0) {
      return {
        direction,
        allowed: true,
        isolated: false,
        selectingPolicies: [],
        allowingRules: [],
        reason: `no NetworkPolicy selects ${subject.description} for ${direction}, so it is not isolated`,
      };
    }
    const allowingRules: string[] = [];
    for (const policy of selecting) {
      rulesOf(policy, direction).forEach((rule, index) => {
        if (this.ruleAdmits(rule, direction, pod.namespace, other, target, port, protocol)) {
          allowingRules.push(`NetworkPolicy ${pod.namespace}/${policy.metadata?.name} ${direction.toLowerCase()}[${index}]`);
        }
      });
    }
    const allowed = allowingRules.length > 0;
    const peerWord = direction === 'Egress' ? 'to' : 'from';
    return {
      direction,
      allowed,
      isolated: true,
      selectingPolicies: names,
      allowingRules,
      reason: allowed
        ? `allowed by ${allowingRules.join(', ')}`
        : `${subject.description} is isolated for ${direction} by NetworkPolicy ${names.join(', ')}, and no ${direction.toLowerCase()} rule `
          + `admits ${peerWord} ${other.description} on ${traffic}`,
    };
  }

  private ruleAdmits(rule: any, direction: PolicyType, policyNamespace: string, other: Resolved, target: Resolved,
    port: number, protocol: string): boolean {
    if (!isObject(rule)) return false;
    const peers = rule[direction === 'Ingress' ? 'from' : 'to'];
    const peerOk = !Array.isArray(peers) || peers.length === 0 || peers.some((peer: any) => this.peerMatches(peer, policyNamespace, other));
    if (!peerOk) return false;
    const ports = rule.ports;
    return !Array.isArray(ports) || ports.length === 0 || ports.some((p: any) => portMatches(p, target, port, protocol));
  }

  private peerMatches(peer: any, policyNamespace: string, other: Resolved): boolean {
    if (!isObject(peer)) return false;
    const hasIpBlock = peer.ipBlock !== undefined && peer.ipBlock !== null;
    const hasSelector = (peer.podSelector !== undefined && peer.podSelector !== null)
      || (peer.namespaceSelector !== undefined && peer.namespaceSelector !== null);
    // The API server accepts exactly one of ipBlock or selectors per peer: anything else matches nothing.
    if (hasIpBlock === hasSelector) return false;
    if (hasIpBlock) return other.address !== undefined && ipBlockContains(peer.ipBlock, other.address);
    if (!other.pod) return false;
    const inNamespace = peer.namespaceSelector !== undefined && peer.namespaceSelector !== null
      ? selectorMatches(peer.namespaceSelector, this.namespaceLabels(other.pod.namespace))
      : other.pod.namespace === policyNamespace;
    const podMatches = peer.podSelector === undefined || peer.podSelector === null || selectorMatches(peer.podSelector, other.pod.labels);
    return inNamespace && podMatches;
  }

  /** A namespace's labels: its Namespace object's, the extra ones given, and its name label. */
  private namespaceLabels(namespace: string): Record<string, string> {
    const object = this.manifests.find(m => m.kind === 'Namespace' && apiGroupOf(m) === '' && m.metadata?.name === namespace);
    const labels = isObject(object?.metadata?.labels) ? object.metadata.labels : {};
    return { ...labels, ...this.extraNamespaceLabels[namespace], [NAMESPACE_NAME_LABEL]: namespace };
  }

  private namespaceOfManifest(manifest: any): string {
    return namespaceOf(manifest) ?? this.defaultNamespace;
  }

  /**
   * An endpoint with what the manifests say about it (the mesh view reads it too).
   * @internal
   */
  public _resolve(endpoint: Endpoint): Resolved {
    if (!(endpoint instanceof Endpoint)) {
      throw new Error(`Reachability: ${JSON.stringify(endpoint)} is not an Endpoint; use Endpoint.workload(kind, name), Endpoint.pod(...) or Endpoint.external(address)`);
    }
    const spec = endpoint._spec;
    switch (spec.kind) {
      case 'external':
        return { description: endpoint.description, address: parseAddress(spec.address) };
      case 'pod':
        return { description: endpoint.description, pod: { namespace: spec.namespace, labels: spec.labels, ports: spec.ports } };
      case 'workload': {
        const found = this.manifests.filter(m => m.kind === spec.workloadKind && m.metadata?.name === spec.name
          && (spec.namespace === undefined || this.namespaceOfManifest(m) === spec.namespace) && podOf(m) !== undefined);
        if (found.length !== 1) {
          const known = this.workloads().map(w => w.description).join(', ') || 'none';
          throw new Error(`Reachability: ${found.length === 0 ? 'no' : `${found.length} objects match:`} ${endpoint.description} `
            + `${found.length === 0 ? 'in the manifests' : '; give its namespace'} (pod-bearing objects: ${known})`);
        }
        const manifest = found[0];
        const pod = podOf(manifest)!;
        const namespace = this.namespaceOfManifest(manifest);
        const labels = isObject(pod.metadata?.labels) ? pod.metadata.labels : {};
        return {
          description: `${manifest.kind} ${namespace}/${spec.name}`,
          pod: { namespace, labels, ports: containerPorts(pod.spec), spec: pod.spec, annotations: pod.metadata?.annotations },
        };
      }
    }
  }
}

/** The ports the pod's containers declare (init containers do not serve). */
function containerPorts(spec: any): EndpointPort[] {
  const containers = Array.isArray(spec?.containers) ? spec.containers : [];
  return containers.flatMap((c: any) => (Array.isArray(c?.ports) ? c.ports : []))
    .filter((p: any) => isObject(p) && Number.isInteger(p.containerPort))
    .map((p: any) => ({
      port: p.containerPort,
      protocol: (p.protocol ?? kplus.NetworkProtocol.TCP) as kplus.NetworkProtocol,
      ...(typeof p.name === 'string' ? { name: p.name } : {}),
    }));
}

/**
 * Whether a rule's port entry admits `port`/`protocol` to `target`: same protocol (default TCP), and no port (every
 * port), the number, a range up to endPort, or a name the destination's container declares for that number.
 */
function portMatches(entry: any, target: Resolved, port: number, protocol: string): boolean {
  if (!isObject(entry)) return false;
  if ((entry.protocol ?? 'TCP') !== protocol) return false;
  const value = entry.port;
  if (value === undefined || value === null) return true;
  if (typeof value === 'number') {
    if (entry.endPort === undefined || entry.endPort === null) return port === value;
    return typeof entry.endPort === 'number' && port >= value && port <= entry.endPort;
  }
  if (typeof value === 'string') {
    if (entry.endPort !== undefined && entry.endPort !== null) return false; // endPort needs a numeric port
    return (target.pod?.ports ?? []).some(p => p.name === value && (p.protocol ?? 'TCP') === protocol && p.port === port);
  }
  return false;
}

/** Whether an ipBlock admits the address: inside `cidr` and in none of `except`. */
function ipBlockContains(block: any, address: Cidr): boolean {
  const cidr = parseCidr(block?.cidr);
  if (!cidr || !contains(cidr, address)) return false;
  const except = Array.isArray(block.except) ? block.except : [];
  return !except.some((text: unknown) => {
    const inner = parseCidr(text);
    return inner !== undefined && contains(inner, address);
  });
}

function contains(block: Cidr, address: Cidr): boolean {
  if (block.version !== address.version) return false;
  const size = 2n ** BigInt((block.version === 4 ? 32 : 128) - block.prefix);
  return block.address / size === address.address / size;
}

/** An IPv4 or IPv6 address as a full-length block, or undefined. */
function parseAddress(address: unknown): Cidr | undefined {
  if (typeof address !== 'string' || address.includes('/')) return undefined;
  return parseCidr(`${address}/${address.includes(':') ? 128 : 32}`);
}
