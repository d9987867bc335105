import * as kplus from 'cdk8s-plus-27';
import { PeerSpec, normalizeSelector } from './peer-spec';
import { describeValue } from '../defaults/kubernetes-validation';
import { parseCidr, strictlyContains } from '../namespaces/cidr';

/** Options of `NetworkPeer.inNamespace`. */
export interface NamespacePeerOptions {
  /**
   * Labels of the pods of that namespace that are the peer. The rendered peer selects the namespace AND these pods
   * in one entry (two entries would mean OR: every pod of the namespace, or these pods in any namespace).
   * @default - every pod of the namespace
   */
  readonly podLabels?: { [key: string]: string };

  /**
   * The ServiceAccount these pods run as: their identity in a service mesh (`<trust domain>/ns/<name>/sa/<account>`),
   * which a mesh-authorized namespace (`IsolatedNamespace` prop `mesh`) admits instead of addresses. NetworkPolicies
   * do not use it. `default` is refused: every pod of the namespace without an account of its own runs as it.
   * @default - unknown: a meshed namespace takes the peer as outside the mesh (plain text, admitted on the declared
   * ports only), and refuses it when its namespace is meshed in this app
   */
  readonly serviceAccountName?: string;
}

/** Options of `NetworkPeer.cidr`. */
export interface CidrPeerOptions {
  /**
   * Networks inside the CIDR that are not part of the peer (the ipBlock's `except`), e.g. the cloud metadata
   * service's range. Named so because `except` is a reserved word in Python.
   * @default - none
   */
  readonly exceptCidrs?: string[];
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_PREFIX = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * The other end of a declared connection: a workload of the app, pods of another namespace, or a network outside
 * the cluster. Pass it to a hardened workload's `allowFrom` / `allowTo` (or `WorkloadConnections.of(w)`).
 */
export class NetworkPeer {
  /**
   * A workload of the app (hardened or plain cdk8s-plus: Deployment, StatefulSet, DaemonSet, Job, CronJob, Pod).
   * It is selected by the same labels as its own selector (its address label for Jobs, CronJobs and Pods) and, when
   * it lives in another namespace than the policy holding the rule, by its namespace name in the same peer entry.
   * Both sides of the connection are opened: the rule on the other workload's policy is added too.
   */
  public static workload(workload: kplus.AbstractPod): NetworkPeer {
    if (!(workload instanceof kplus.AbstractPod)) {
      throw new Error(`NetworkPeer.workload: workload ${describeValue(workload)} is not a cdk8s-plus workload or pod; pass e.g. a HardenedDeployment`);
    }
    return new NetworkPeer({ kind: 'workload', workload }, `workload ${workload.node.path}`);
  }

  /**
   * Pods of a namespace this app does not manage, e.g. an ingress controller's:
   * `NetworkPeer.inNamespace('ingress-nginx', { podLabels: { 'app.kubernetes.io/name': 'ingress-nginx' } })`.
   * The namespace is selected by its name label `kubernetes.io/metadata.name`, which Kubernetes sets on every
   * namespace; with podLabels, namespace and pods are selected in ONE peer entry (AND). Only this side is opened:
   * the other namespace's policies are its owner's.
   */
  public static inNamespace(name: string, options: NamespacePeerOptions = {}): NetworkPeer {
    if (typeof name !== 'string' || name.length > 63 || !DNS_LABEL.test(name)) {
      throw new Error(`NetworkPeer.inNamespace: name ${describeValue(name)} is not a namespace name; use the name of the namespace, e.g. 'ingress-nginx'`);
    }
    checkOptions(`NetworkPeer.inNamespace('${name}')`, options, '{ podLabels: { ... } }');
    const labels = options.podLabels;
    if (labels !== undefined) {
      if (labels === null || typeof labels !== 'object' || Array.isArray(labels)) {
        throw new Error(`NetworkPeer.inNamespace('${name}'): podLabels ${describeValue(labels)} is not a map of labels; give e.g. `
          + '{ \'app.kubernetes.io/name\': \'ingress-nginx\' }, or leave podLabels out to mean every pod of the namespace');
      }
      if (Object.keys(labels).length === 0) {
        throw new Error(`NetworkPeer.inNamespace('${name}'): podLabels ${JSON.stringify(labels)} selects every pod; leave podLabels out `
          + 'to mean every pod of the namespace, or name labels');
      }
      for (const [key, value] of Object.entries(labels)) checkLabel(`NetworkPeer.inNamespace('${name}') podLabels`, key, value);
    }
    const account = options.serviceAccountName;
    if (account !== undefined && (typeof account !== 'string' || account.length > 253 || !DNS_SUBDOMAIN.test(account))) {
      throw new Error(`NetworkPeer.inNamespace('${name}'): serviceAccountName ${describeValue(account)} is not a ServiceAccount name; `
        + 'use the name the pods run as (lowercase letters, digits, \'-\' and \'.\'), e.g. \'ingress-nginx\', or leave it out');
    }
    if (account === 'default') {
      // Every pod of the namespace without an account of its own runs as 'default': naming it would admit them all.
      throw new Error(`NetworkPeer.inNamespace('${name}'): serviceAccountName 'default' is the account of every pod of namespace '${name}' `
        + 'without one of its own, so the mesh would admit them all by it; give the peer\'s pods a ServiceAccount of their own and name '
        + 'that, or leave serviceAccountName out (the namespace\'s pods by labels, outside the mesh)');
    }
    const podSelector = labels ? { matchLabels: { ...labels } } : undefined;
    const description = `pods ${labels ? `${labelsText(labels)} ` : ''}of namespace '${name}'${account ? ` running as '${account}'` : ''}`;
    return new NetworkPeer({ kind: 'pods', namespaces: [{ name }], podSelector, serviceAccountName: account }, description);
  }

  /**
   * Every pod of the namespace of the workload that declares the connection: the equivalent of a NetworkPolicy rule
   * `ingress: [{ from: [{ podSelector: {} }] }]` (or `egress: [{ to: [...] }]`) within the namespace, opened on BOTH
   * sides. `w.allowFrom(NetworkPeer.anyPodInNamespace())` writes the ingress rule on w's policy and an egress rule to
   * w on the policy of every hardened workload of the namespace (declared before or after); `allowTo` the reverse,
   * with ports required (the receivers differ). Plain cdk8s-plus workloads and pods this app does not declare get no
   * rule on their side: declare them with `NetworkPeer.workload`. Pods of other namespaces are not included.
   */
  public static anyPodInNamespace(): NetworkPeer {
    return new NetworkPeer({ kind: 'sameNamespace' }, 'every pod of the namespace');
  }

  /**
   * A network outside the cluster, e.g. `NetworkPeer.cidr('203.0.113.0/24')` (IPv4 or IPv6). NetworkPolicies match
   * pod traffic to cluster-external addresses by ipBlock; pod addresses are not stable and should not be listed.
   */
  public static cidr(cidr: string, options: CidrPeerOptions = {}): NetworkPeer {
    const block = parseCidr(cidr);
    if (!block) {
      throw new Error(`NetworkPeer.cidr: cidr ${describeValue(cidr)} is not a CIDR block; use an address and prefix length, e.g. '203.0.113.0/24' or '2001:db8::/32'`);
    }
    checkOptions(`NetworkPeer.cidr('${cidr}')`, options, '{ exceptCidrs: [...] }');
    const except = options.exceptCidrs ?? [];
    if (!Array.isArray(except)) {
      throw new Error(`NetworkPeer.cidr('${cidr}'): exceptCidrs ${describeValue(except)} is not a list; give a list of CIDR blocks inside ${cidr}, `
        + 'e.g. [\'169.254.169.254/32\'], or leave exceptCidrs out');
    }
    except.forEach((text, index) => {
      const inner = parseCidr(text);
      if (!inner || !strictlyContains(block, inner)) {
        throw new Error(`NetworkPeer.cidr('${cidr}'): exceptCidrs[${index}] ${describeValue(text)} is not a CIDR block strictly inside ${cidr}; `
          + 'list only networks within the CIDR, with a longer prefix');
      }
    });
    return new NetworkPeer({ kind: 'ipBlock', cidr, except: [...except] }, `addresses ${cidr}${except.length ? ` except ${except.join(', ')}` : ''}`);
  }

  /**
   * A cdk8s-plus peer (a workload or pod, `kplus.Pods.select(...)`, `kplus.Namespaces.select(...)`, a
   * `kplus.NetworkPolicyIpBlock`), as this library renders it: namespaces named by the selector are selected by
   * `kubernetes.io/metadata.name` together with the pod selector in one peer entry per namespace.
   */
  public static fromPolicyPeer(peer: kplus.INetworkPolicyPeer): NetworkPeer {
    if (peer instanceof kplus.AbstractPod) return NetworkPeer.workload(peer);
    if (peer instanceof kplus.NetworkPolicyIpBlock) return NetworkPeer.cidr(peer.cidr, { exceptCidrs: peer.except });
    const config = peer?.toNetworkPolicyPeerConfig?.();
    if (config?.ipBlock) return NetworkPeer.cidr(config.ipBlock.cidr, { exceptCidrs: config.ipBlock.except });
    const selector = config?.podSelector;
    if (!selector) {
      throw new Error(`NetworkPeer.fromPolicyPeer: peer ${describeValue(peer)} is neither a pod selector nor an ip block; pass a workload, kplus.Pods.select(...), kplus.Namespaces.select(...) or a kplus.NetworkPolicyIpBlock`);
    }
    const podSelector = normalizeSelector(selector.labelSelector._toKube());
    // Namespaces given but neither named nor labelled (kplus.Namespaces.all()) means every namespace: selector {}.
    const namespaceSelector = selector.namespaces
      ? normalizeSelector(selector.namespaces.labelSelector?._toKube()) ?? {}
      : undefined;
    const names = selector.namespaces?.names ?? [];
    const named = (s: kplus.k8s.LabelSelector | undefined) => (s && Object.keys(s).length > 0 ? s : undefined);
    const namespaces = names.length > 0
      ? names.map(name => ({ name, selector: named(namespaceSelector) }))
      : [namespaceSelector ? { selector: namespaceSelector } : undefined];
    const where = names.length > 0 ? `namespace(s) ${names.map(n => `'${n}'`).join(', ')}`
      : namespaceSelector ? `namespaces ${JSON.stringify(namespaceSelector)}` : 'the same namespace';
    return new NetworkPeer({ kind: 'pods', namespaces, podSelector }, `pods ${JSON.stringify(podSelector ?? {})} of ${where}`);
  }

  /** What the peer is, for messages, e.g. `pods {app.kubernetes.io/name=ingress-nginx} of namespace 'ingress-nginx'`. */
  public readonly description: string;

  /** @internal */
  public readonly _spec: PeerSpec;

  private constructor(spec: PeerSpec, description: string) {
    this._spec = spec;
    this.description = description;
  }

  /**
   * The workload this peer is, when it is one.
   * @internal
   */
  public get _workload(): kplus.AbstractPod | undefined {
    return this._spec.kind === 'workload' ? this._spec.workload : undefined;
  }
}

/** Options given from plain JavaScript may be anything: only an object (or nothing) is options. */
function checkOptions(where: string, options: unknown, example: string): void {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new Error(`${where}: options ${describeValue(options)} is not an options object; pass ${example} or leave options out`);
  }
}

function checkLabel(where: string, key: string, value: unknown): void {
  const slash = key.lastIndexOf('/');
  const prefix = slash < 0 ? undefined : key.slice(0, slash);
  const name = key.slice(slash + 1);
  if (name.length > 63 || !LABEL_NAME.test(name) || (prefix !== undefined && (prefix.length > 253 || !LABEL_PREFIX.test(prefix)))) {
    throw new Error(`${where}: key ${JSON.stringify(key)} is not a label key; use [prefix/]name, e.g. 'app.kubernetes.io/name'`);
  }
  if (typeof value !== 'string' || value.length > 63 || (value !== '' && !LABEL_NAME.test(value))) {
    throw new Error(`${where}['${key}']: ${describeValue(value)} is not a label value; use at most 63 letters, digits, '-', '_' `
      + 'or \'.\', starting and ending alphanumeric');
  }
}

function labelsText(labels: Record<string, string>): string {
  return `{${Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(', ')}}`;
}

