import * as kplus from 'cdk8s-plus-27';
import { inboundBypass } from './capture-bypass';
import { Mesh } from './mesh';
import { apiGroupOf, namespaceOf, selectorMatches } from '../controls/core/manifest-index';
import { isObject } from '../controls/core/pod-template';
import { Cidr, parseCidr } from '../namespaces/cidr';
import { ConnectOptions, Endpoint, Reachability, ReachabilityOptions, ReachabilityVerdict } from '../network/reachability';
import { ResolvedEndpoint } from '../network/resolved-endpoint';

/** Options of a MeshReachability evaluator. */
export interface MeshReachabilityOptions extends ReachabilityOptions {
  /**
   * The mesh's trust domain: the first part of the principals pods in the mesh present.
   * @default Mesh.DEFAULT_TRUST_DOMAIN ('cluster.local')
   */
  readonly trustDomain?: string;

  /**
   * Istio's root namespace, whose policies without selector apply to the whole mesh.
   * @default 'istio-system'
   */
  readonly rootNamespace?: string;
}

/** What the mesh (Istio PeerAuthentication and AuthorizationPolicy) says about a connection. */
export interface MeshVerdict {
  /** Whether the mesh lets the connection through. */
  readonly allowed: boolean;
  /** Whether the destination's pods are in the mesh (false: the mesh imposes nothing). */
  readonly inMesh: boolean;
  /** The mTLS mode in force on the destination port (`STRICT`, `PERMISSIVE`, `DISABLE`; empty outside the mesh). */
  readonly mtlsMode: string;
  /** The principal the source presents (empty: plain text, the source is outside the mesh). */
  readonly sourcePrincipal: string;
  /** `namespace/name` of each AuthorizationPolicy that applies to the destination's pods. */
  readonly policies: string[];
  /** The rules that decided: `AuthorizationPolicy shop/x rules[0]` (ALLOW or DENY). */
  readonly decidingRules: string[];
  /** Why, in one sentence (including what could not be evaluated at layer 4, such as HTTP paths). */
  readonly reason: string;
}

/** The network and mesh verdicts of one connection side by side. */
export interface LayerComparison {
  /** True when both layers give the same verdict. */
  readonly agree: boolean;
  /** The NetworkPolicy verdict. */
  readonly network: ReachabilityVerdict;
  /** The mesh verdict. */
  readonly mesh: MeshVerdict;
  /** Both verdicts in one sentence. */
  readonly explanation: string;
}

/** What the destination sees of a source: its identity when it speaks mTLS, its address when known. */
interface Source {
  readonly principal?: string;
  readonly namespace?: string;
  readonly serviceAccount?: string;
  readonly address?: Cidr;
}

/** A rule's outcome: matched (maybe only for some requests: the layer-7 attributes not evaluated) or not. */
interface Match {
  readonly matches: boolean;
  readonly layer7: string[];
}

const SECURITY_GROUP = 'security.istio.io';
/** Istio's HBONE tunnel port (ambient mode). */
const HBONE_PORT = 15008;
const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';
const LAYER7_SOURCE = ['requestPrincipals', 'notRequestPrincipals'];
const LAYER7_OPERATION = ['hosts', 'notHosts', 'methods', 'notMethods', 'paths', 'notPaths'];

/**
 * Istio's authorization over a synthesized app, beside the NetworkPolicy evaluator (`Reachability`): can this pod
 * connect to that one on this port, for the mesh, and do the two layers agree?
 *
 * A destination is in the mesh when its namespace is labelled `istio-injection=enabled` (or `istio.io/rev`) or
 * `istio.io/dataplane-mode=ambient`, unless its pod template opts out (`sidecar.istio.io/inject: "false"`,
 * `istio.io/dataplane-mode: none`) or uses the host network; a port whose inbound traffic the pod's annotations leave
 * uncaptured (sidecar: `traffic.sidecar.istio.io/excludeInboundPorts`, `includeInboundPorts` other than `*`,
 * `excludeInterfaces`, `sidecar.istio.io/interceptionMode: NONE`; ambient: `ambient.istio.io/bypass-inbound-capture`)
 * is outside the mesh too (plain text, no authorization); a source in the mesh presents the principal
 * `<trustDomain>/ns/<namespace>/sa/<serviceAccountName or default>`, any other source speaks plain text. The mTLS mode
 * of the destination port is the most specific PeerAuthentication's (workload port level, workload, namespace, root
 * namespace; UNSET inherits; none: PERMISSIVE); STRICT refuses plain text. Then, as Istio documents: a DENY policy
 * whose rule matches refuses; else no ALLOW policy selecting the pod allows; else one ALLOW rule must match. A rule
 * matches when each of its from / to / when matches (absent: anything); values match exactly, by prefix `x*`, suffix
 * `*x`, or `*` (any non-empty value). Layer-7 attributes (paths, methods, hosts, request principals, request.*
 * conditions) are not evaluated: an ALLOW rule that needs them counts as matching (some requests pass), a DENY rule
 * as not matching, and the reason says so. Pods' addresses are unknown: ipBlocks match external addresses only.
 * Only TCP is in the mesh's hands; policies with targetRef(s) (waypoints, gateways) and CUSTOM actions are not
 * evaluated (named in the reason).
 */
export class MeshReachability {
  /** An evaluator over the manifests (not copied). */
  public static of(manifests: any[], options: MeshReachabilityOptions = {}): MeshReachability {
    return new MeshReachability(manifests, options);
  }

  /** The NetworkPolicy evaluator over the same manifests. */
  public readonly network: Reachability;
  private readonly manifests: any[];
  private readonly defaultNamespace: string;
  private readonly trustDomain: string;
  private readonly rootNamespace: string;
  private readonly extraNamespaceLabels: { [namespace: string]: { [key: string]: string } };

  private constructor(manifests: any[], options: MeshReachabilityOptions) {
    this.network = Reachability.of(manifests, options);
    this.manifests = manifests.filter(isObject);
    this.defaultNamespace = options.defaultNamespace ?? 'default';
    this.trustDomain = options.trustDomain ?? Mesh.DEFAULT_TRUST_DOMAIN;
    this.rootNamespace = options.rootNamespace ?? 'istio-system';
    this.extraNamespaceLabels = options.namespaceLabels ?? {};
  }

  /** Whether the mesh lets `source` connect to `destination` on `port` (TCP unless `options.protocol` says otherwise), and why. */
  public canConnect(source: Endpoint, destination: Endpoint, port: number, options: ConnectOptions = {}): MeshVerdict {
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      throw new Error(`MeshReachability.canConnect: port ${JSON.stringify(port)} is not a port number; use an integer from 1 to 65535`);
    }
    const protocol: string = options.protocol ?? kplus.NetworkProtocol.TCP;
    const from = this.network._resolve(source);
    const target = this.network._resolve(destination);
    const traffic = `${from.description} -> ${target.description} on ${protocol} ${port}`;
    const outside = (reason: string): MeshVerdict => ({
      allowed: true, inMesh: false, mtlsMode: '', sourcePrincipal: '', policies: [], decidingRules: [], reason,
    });
    const pod = target.pod;
    if (!pod) return outside(`${traffic}: the destination is outside the cluster, so no mesh policy applies to it`);
    const notMeshed = this.whyOutside(pod);
    if (notMeshed) return outside(`${traffic}: ${target.description} is not in the mesh (${notMeshed}), so the mesh imposes nothing`);
    if (protocol !== 'TCP') {
      return { ...outside(`${traffic}: the mesh only intercepts TCP, so ${protocol} is left to the NetworkPolicies`), inMesh: true };
    }
    const bypass = inboundBypass(pod.annotations, port, this.sidecarInjected(pod) ? 'sidecar' : 'ambient');
    if (bypass) {
      return outside(`${traffic}: port ${port} of ${target.description} is not captured by the mesh (its pods set ${bypass}), so it `
        + 'receives plain text with no mTLS and no AuthorizationPolicy: only the NetworkPolicies decide');
    }

    const mtlsMode = this.mtlsMode(pod, port);
    const meshed = from.pod !== undefined && this.whyOutside(from.pod) === undefined;
    const account = from.pod?.spec?.serviceAccountName ?? from.pod?.spec?.serviceAccount ?? 'default';
    const identity: Source = meshed && mtlsMode !== 'DISABLE'
      ? { principal: `${this.trustDomain}/ns/${from.pod!.namespace}/sa/${account}`, namespace: from.pod!.namespace, serviceAccount: account }
      : { address: from.address };
    const sourcePrincipal = identity.principal ?? '';
    const speaks = identity.principal ? `presents ${identity.principal}` : 'speaks plain text (outside the mesh)';
    const policies = this.authorizationPolicies(pod);
    const names = policies.map(p => `${namespaceOf(p) ?? this.defaultNamespace}/${p.metadata?.name}`);
    const verdict = (allowed: boolean, decidingRules: string[], why: string): MeshVerdict => ({
      allowed, inMesh: true, mtlsMode, sourcePrincipal, policies: names, decidingRules, reason: `${traffic}: ${allowed ? 'allowed' : 'denied'}: ${why}`,
    });
    if (mtlsMode === 'STRICT' && !identity.principal) {
      return verdict(false, [], `the source ${speaks} and PeerAuthentication makes port ${port} STRICT mTLS`);
    }
    const notes: string[] = [];
    const skipped = policies.filter(p => p.spec?.action === 'CUSTOM').map(p => `${p.metadata?.name} (CUSTOM)`);
    if (skipped.length > 0) notes.push(`not evaluated: ${skipped.join(', ')}`);
    const matching = (action: string) => policies.filter(p => (p.spec?.action ?? 'ALLOW') === action).flatMap(p => {
      const rules = Array.isArray(p.spec?.rules) ? p.spec.rules : [];
      return rules.map((rule: any, index: number) => ({ name: `AuthorizationPolicy ${namespaceOf(p) ?? this.defaultNamespace}/${p.metadata?.name} rules[${index}]`, match: ruleMatches(rule, identity, port) }));
    });
    const denying = matching('DENY').filter((r: { match: Match }) => r.match.matches && r.match.layer7.length === 0);
    const partialDeny = matching('DENY').filter((r: { match: Match }) => r.match.matches && r.match.layer7.length > 0);
    if (partialDeny.length > 0) notes.push(`DENY rules that refuse only some requests (${partialDeny.map((r: any) => r.name).join(', ')})`);
    const suffix = notes.length > 0 ? `; ${notes.join('; ')}` : '';
    if (denying.length > 0) {
      return verdict(false, denying.map((r: any) => r.name), `the source ${speaks}, and ${denying.map((r: any) => r.name).join(', ')} denies it${suffix}`);
    }
    const allowPolicies = policies.filter(p => (p.spec?.action ?? 'ALLOW') === 'ALLOW');
    if (allowPolicies.length === 0) {
      return verdict(true, [], `the source ${speaks}, and no ALLOW AuthorizationPolicy selects ${target.description}${suffix}`);
    }
    const allowing = matching('ALLOW').filter((r: { match: Match }) => r.match.matches);
    if (allowing.length === 0) {
      return verdict(false, [], `the source ${speaks}; AuthorizationPolicy ${allowPolicies.map(p => p.metadata?.name).join(', ')} select `
        + `${target.description} and no ALLOW rule admits it on port ${port}${suffix}`);
    }
    const layer7 = [...new Set(allowing.flatMap((r: { match: Match }) => r.match.layer7))];
    const partly = layer7.length > 0 ? ` (only requests matching ${layer7.join(', ')}, not evaluated)` : '';
    return verdict(true, allowing.map((r: any) => r.name), `the source ${speaks}, admitted by ${allowing.map((r: any) => r.name).join(', ')}${partly}${suffix}`);
  }

  /** The network and mesh verdicts of one connection, and whether they agree. */
  public compare(source: Endpoint, destination: Endpoint, port: number, options: ConnectOptions = {}): LayerComparison {
    const mesh = this.canConnect(source, destination, port, options);
    // Ambient: between two meshed pods the NetworkPolicies see the HBONE tunnel (TCP 15008), not the port inside it.
    const hbone = mesh.inMesh && mesh.sourcePrincipal !== '' && this.ambientBetween(source, destination);
    const network = this.network.canConnect(source, destination, hbone ? HBONE_PORT : port, hbone ? {} : options);
    const agree = network.allowed === mesh.allowed;
    const word = (allowed: boolean) => (allowed ? 'allows' : 'denies');
    return {
      agree,
      network,
      mesh,
      explanation: `${agree ? 'layers agree' : 'LAYERS DISAGREE'}: the network ${word(network.allowed)} and the mesh ${word(mesh.allowed)}. `
        + `Network${hbone ? ` (ambient: the tunnel, TCP ${HBONE_PORT}, carries port ${port})` : ''}: ${network.explanation} Mesh: ${mesh.reason}.`,
    };
  }

  /**
   * Every connection between two different endpoints of `endpoints`, on each container port (and protocol) of the
   * destination, where the network and mesh verdicts differ.
   */
  public disagreements(endpoints: Endpoint[]): LayerComparison[] {
    if (!Array.isArray(endpoints)) {
      throw new Error(`MeshReachability.disagreements: ${JSON.stringify(endpoints)} is not a list of Endpoints; pass e.g. reach.network.workloads()`);
    }
    const found: LayerComparison[] = [];
    for (const source of endpoints) {
      for (const destination of endpoints) {
        if (source === destination) continue;
        for (const port of this.network.portsOf(destination)) {
          const comparison = this.compare(source, destination, port.port, { protocol: port.protocol });
          if (!comparison.agree) found.push(comparison);
        }
      }
    }
    return found;
  }

  /** Whether both endpoints are pods in the mesh and one of them is captured by ambient mode (they talk over HBONE). */
  private ambientBetween(source: Endpoint, destination: Endpoint): boolean {
    const pods = [this.network._resolve(source).pod, this.network._resolve(destination).pod];
    if (pods.some(p => p === undefined || this.whyOutside(p) !== undefined)) return false;
    return pods.some(p => !this.sidecarInjected(p!) && ((p!.labels ?? {})['istio.io/dataplane-mode'] === 'ambient'
      || this.namespaceLabels(p!.namespace)['istio.io/dataplane-mode'] === 'ambient'));
  }

  /** Whether the pod gets a sidecar (which takes precedence over ambient capture). */
  private sidecarInjected(pod: NonNullable<ResolvedEndpoint['pod']>): boolean {
    const annotations = isObject(pod.annotations) ? pod.annotations! : {};
    const inject = pod.labels['sidecar.istio.io/inject'] ?? annotations['sidecar.istio.io/inject'];
    if (inject !== undefined) return inject === 'true';
    const labels = this.namespaceLabels(pod.namespace);
    return labels['istio-injection'] === 'enabled' || (labels['istio.io/rev'] !== undefined && labels['istio-injection'] !== 'disabled');
  }

  /** Why a pod is outside the mesh, or undefined when it is in it. */
  private whyOutside(pod: NonNullable<ResolvedEndpoint['pod']>): string | undefined {
    const labels = pod.labels ?? {};
    const annotations = isObject(pod.annotations) ? pod.annotations! : {};
    if (pod.spec?.hostNetwork === true) return 'it uses the host network';
    const inject = labels['sidecar.istio.io/inject'] ?? annotations['sidecar.istio.io/inject'];
    if (inject === 'false') return 'its pods set sidecar.istio.io/inject: "false"';
    if (inject === 'true') return undefined;
    if (labels['istio.io/dataplane-mode'] === 'none') return 'its pods set istio.io/dataplane-mode: none';
    const namespaceLabels = this.namespaceLabels(pod.namespace);
    if (namespaceLabels['istio-injection'] === 'enabled' || (namespaceLabels['istio.io/rev'] !== undefined && namespaceLabels['istio-injection'] !== 'disabled')) return undefined;
    if (labels['istio.io/dataplane-mode'] === 'ambient' || namespaceLabels['istio.io/dataplane-mode'] === 'ambient') return undefined;
    return `namespace '${pod.namespace}' has neither istio-injection=enabled nor istio.io/dataplane-mode=ambient`;
  }

  /** The effective mTLS mode of a port of the pod: workload port level, workload, namespace, root namespace; else PERMISSIVE. */
  private mtlsMode(pod: NonNullable<ResolvedEndpoint['pod']>, port: number): string {
    const all = this.manifests.filter(m => m.kind === 'PeerAuthentication' && apiGroupOf(m) === SECURITY_GROUP);
    const inNamespace = (ns: string) => all.filter(m => (namespaceOf(m) ?? this.defaultNamespace) === ns);
    const hasSelector = (m: any) => isObject(m.spec?.selector) && Object.keys(m.spec.selector.matchLabels ?? {}).length > 0;
    const workload = inNamespace(pod.namespace).find(m => hasSelector(m) && selectorMatches(m.spec.selector, pod.labels));
    const namespaceWide = inNamespace(pod.namespace).find(m => !hasSelector(m));
    const meshWide = inNamespace(this.rootNamespace).find(m => !hasSelector(m));
    const set = (mode: unknown) => (typeof mode === 'string' && mode !== 'UNSET' ? mode : undefined);
    return set(workload?.spec?.portLevelMtls?.[String(port)]?.mode) ?? set(workload?.spec?.mtls?.mode)
      ?? set(namespaceWide?.spec?.mtls?.mode) ?? set(meshWide?.spec?.mtls?.mode) ?? 'PERMISSIVE';
  }

  /** AuthorizationPolicies applying to the pod's workload: its namespace's and the root namespace's, by selector. */
  private authorizationPolicies(pod: NonNullable<ResolvedEndpoint['pod']>): any[] {
    return this.manifests.filter(m => m.kind === 'AuthorizationPolicy' && apiGroupOf(m) === SECURITY_GROUP
      && [pod.namespace, this.rootNamespace].includes(namespaceOf(m) ?? this.defaultNamespace)
      && m.spec?.targetRef === undefined && m.spec?.targetRefs === undefined
      && (!isObject(m.spec?.selector) || selectorMatches(m.spec.selector, pod.labels)));
  }

  private namespaceLabels(namespace: string): Record<string, string> {
    const object = this.manifests.find(m => m.kind === 'Namespace' && apiGroupOf(m) === '' && m.metadata?.name === namespace);
    const labels = isObject(object?.metadata?.labels) ? object.metadata.labels : {};
    return { ...labels, ...this.extraNamespaceLabels[namespace], [NAMESPACE_NAME_LABEL]: namespace };
  }
}

/** Whether a rule admits the source on the port: every field present matches (from: one source, to: one operation). */
function ruleMatches(rule: any, source: Source, port: number): Match {
  if (!isObject(rule)) return { matches: false, layer7: [] };
  const layer7: string[] = [];
  const from = Array.isArray(rule.from) && rule.from.length > 0
    ? rule.from.some((f: any) => sourceMatches(f?.source ?? {}, source, layer7)) : true;
  const to = Array.isArray(rule.to) && rule.to.length > 0
    ? rule.to.some((t: any) => operationMatches(t?.operation ?? {}, port, layer7)) : true;
  const when = Array.isArray(rule.when) ? rule.when.every((c: any) => conditionMatches(c, source, port, layer7)) : true;
  return { matches: from && to && when, layer7: [...new Set(layer7)] };
}

function sourceMatches(spec: any, source: Source, layer7: string[]): boolean {
  const account = source.namespace !== undefined ? `${source.namespace}/${source.serviceAccount}` : undefined;
  const checks: boolean[] = [
    values(spec.principals, v => anyMatch(v, source.principal)),
    values(spec.notPrincipals, v => !anyMatch(v, source.principal)),
    values(spec.namespaces, v => anyMatch(v, source.namespace)),
    values(spec.notNamespaces, v => !anyMatch(v, source.namespace)),
    values(spec.serviceAccounts, v => anyMatch(v, account)),
    values(spec.notServiceAccounts, v => !anyMatch(v, account)),
    ...['ipBlocks', 'remoteIpBlocks'].map(f => values(spec[f], v => inBlocks(v, source.address))),
    ...['notIpBlocks', 'notRemoteIpBlocks'].map(f => values(spec[f], v => !inBlocks(v, source.address))),
  ];
  LAYER7_SOURCE.filter(f => spec[f] !== undefined).forEach(f => layer7.push(`source.${f}`));
  return checks.every(Boolean);
}

function operationMatches(spec: any, port: number, layer7: string[]): boolean {
  LAYER7_OPERATION.filter(f => spec[f] !== undefined).forEach(f => layer7.push(`operation.${f}`));
  return values(spec.ports, v => v.includes(String(port))) && values(spec.notPorts, v => !v.includes(String(port)));
}

function conditionMatches(condition: any, source: Source, port: number, layer7: string[]): boolean {
  const key = condition?.key;
  const attribute: Record<string, string | undefined> = {
    'source.principal': source.principal,
    'source.namespace': source.namespace,
    'destination.port': String(port),
  };
  if (key === 'source.ip' || key === 'remote.ip') {
    return values(condition.values, v => inBlocks(v, source.address)) && values(condition.notValues, v => !inBlocks(v, source.address));
  }
  if (!(key in attribute)) {
    layer7.push(`when ${key}`);
    return true;
  }
  return values(condition.values, v => anyMatch(v, attribute[key])) && values(condition.notValues, v => !anyMatch(v, attribute[key]));
}

/** A list field: absent matches; present, the test decides. */
function values(list: unknown, test: (v: string[]) => boolean): boolean {
  return !Array.isArray(list) || test(list.filter((v): v is string => typeof v === 'string'));
}

/** Istio string matching: exact, `*` (any non-empty), `prefix*`, `*suffix`. */
function anyMatch(patterns: string[], value: string | undefined): boolean {
  if (value === undefined || value === '') return false;
  return patterns.some(p => p === '*' || p === value || (p.endsWith('*') && value.startsWith(p.slice(0, -1)))
    || (p.startsWith('*') && value.endsWith(p.slice(1))));
}

function inBlocks(blocks: string[], address: Cidr | undefined): boolean {
  if (!address) return false;
  return blocks.some(text => {
    const block = parseCidr(text.includes('/') ? text : `${text}/${text.includes(':') ? 128 : 32}`);
    if (!block || block.version !== address.version) return false;
    const size = 2n ** BigInt((block.version === 4 ? 32 : 128) - block.prefix);
    return block.address / size === address.address / size;
  });
}
