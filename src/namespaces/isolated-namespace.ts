import { Chart, JsonPatch, Lazy } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { checkEgress, checkIngress } from './namespace-boundary-checks';
import { boundaryErrors } from './namespace-integrity';
import { NamespaceQuota, NamespaceQuotaProps } from './namespace-quota';
import { PodSecurityLevel } from './pod-security-level';
import { Amounts, formatAmount, MEBIBYTE, parseAmount, RESOURCES, ResourceName } from './quantity';
import { contribution, namespaceUsage, NamespaceUsage, QuotaCap, quotaCaps, Resources, totalOf, WorkloadUsage } from './workload-usage';
import { Controls } from '../controls/controls';
import { PssVersion } from '../controls/core/pss-version';
import { NamespaceBackup, NamespaceBackupProps } from '../data/namespace-backup';
import { dnsEgressRule } from '../defaults/dns-egress';
import { HardenedDefaults } from '../defaults/hardened-defaults';
import { ResourcePreset, ResourceRange } from '../defaults/resource-preset';
import { ExemptionProps, Exemptions } from '../guard/exemption';
import { Guard } from '../guard/guard';
import { Mesh } from '../mesh/mesh';
import { MeshAuthorization } from '../mesh/mesh-authorization';

/** Traffic allowed into the namespace's pods labelled `toPodLabels` from pods of another namespace. */
export interface NamespaceIngress {
  /** Name of the namespace the traffic comes from (matched by its `kubernetes.io/metadata.name` label). */
  readonly fromNamespace: string;
  /**
   * Labels of the pods of that namespace that may connect. The rule has one peer selecting the namespace AND these
   * pods (two peers would mean OR: every pod of the namespace, or these pods in any namespace).
   * @default - every pod of that namespace
   */
  readonly podLabels?: { [key: string]: string };
  /** Ports of this namespace's pods they may connect to, e.g. `kplus.NetworkPolicyPort.tcp(8080)`; at least one. */
  readonly ports: kplus.NetworkPolicyPort[];
  /**
   * Labels of THIS namespace's pods the traffic may reach (the policy's podSelector), e.g. `{ 'app.kubernetes.io/name':
   * 'frontend' }`; at least one label. Required since 0.2.0: the entry used to open its ports on every pod of the
   * namespace. To open one workload, declare it on the workload instead:
   * `WorkloadConnections.of(w).allowFrom(NetworkPeer.inNamespace(ns, { podLabels }))`.
   */
  readonly toPodLabels: { [key: string]: string };
}

/** Traffic allowed from every pod of the namespace to a network outside the cluster. */
export interface NamespaceEgress {
  /** Names the destination and its NetworkPolicy (`allow-egress-to-<name>`): a DNS label such as `payments-api`. */
  readonly name: string;
  /** The destination network, e.g. `203.0.113.0/24` (IPv4 or IPv6). */
  readonly cidr: string;
  /**
   * Networks inside `cidr` that stay unreachable (the ipBlock's `except`), e.g. a range of the cloud provider's
   * metadata service. Named so because `except` is a reserved word in Python.
   * @default - none
   */
  readonly exceptCidrs?: string[];
  /** Ports the pods may connect to, e.g. `kplus.NetworkPolicyPort.tcp(443)`; at least one. */
  readonly ports: kplus.NetworkPolicyPort[];
}

/** Props of an IsolatedNamespace. */
export interface IsolatedNamespaceProps {
  /**
   * The namespace's name: a DNS-1123 label, not `default` and not starting with `kube-`.
   * @default - the construct id
   */
  readonly name?: string;

  /**
   * The Pod Security Standards level the namespace enforces (`pod-security.kubernetes.io/enforce`). `audit` and `warn`
   * stay `restricted`, so pods the weaker level admits are still reported. Anything but RESTRICTED fails the
   * `namespace-psa-labels` control unless an exemption covers it.
   * @default PodSecurityLevel.RESTRICTED (namespace-psa-labels)
   */
  readonly podSecurityLevel?: PodSecurityLevel;

  /**
   * Other namespaces' pods allowed to connect to this namespace's pods labelled `toPodLabels`, on given ports: one NetworkPolicy
   * `allow-ingress-from-<namespace>` each. Narrower, per-workload allowances belong on the workloads.
   * @default - none: no ingress from outside the namespace (namespace-default-deny)
   */
  readonly allowIngressFrom?: NamespaceIngress[];

  /**
   * Networks outside the cluster the namespace's pods may connect to, on given ports: one NetworkPolicy
   * `allow-egress-to-<name>` each. A rule admitting every address on every port fails `namespace-default-deny`.
   * @default - none: egress only to the cluster DNS (namespace-default-deny)
   */
  readonly allowEgressTo?: NamespaceEgress[];

  /**
   * How the ResourceQuota's hard limits on cpu, memory, ephemeral-storage and pods are sized.
   * @default NamespaceQuota.of() - room for NamespaceQuota.DEFAULT_PODS (20) pods of the container defaults (namespace-quota)
   */
  readonly quota?: NamespaceQuota;

  /**
   * Services of type LoadBalancer the namespace may hold (quota `services.loadbalancers`). A count above 0 is a
   * weakening of `namespace-quota`: the namespace exempts it on its ResourceQuota, pinned to this count (a JSON patch
   * raising it fails synthesis), with a reason naming this option. Allowing them here does not exempt the Services from
   * the `service-load-balancer` control. A LoadBalancer Service also uses a node port per Service port (quota
   * `services.nodeports`) unless it sets `allocateLoadBalancerNodePorts: false`.
   * @default 0 - no LoadBalancer Service is admitted (namespace-quota, service-load-balancer)
   */
  readonly allowedLoadBalancers?: number;

  /**
   * Node ports the namespace's Services may allocate (quota `services.nodeports`, counting NodePort and LoadBalancer
   * Services' ports). A count above 0 is exempted from `namespace-quota` on the ResourceQuota, pinned to this count,
   * as for `allowedLoadBalancers`. Allowing them here does not exempt NodePort Services from the `service-node-port`
   * control.
   * @default 0 - no node port is allocated (namespace-quota, service-node-port)
   */
  readonly allowedNodePorts?: number;

  /**
   * What the LimitRange gives a container that declares no resources: the preset's limits as `default`, its
   * requests as `defaultRequest`, for cpu, memory and ephemeral-storage.
   * @default - the resource preset in force at this scope when the namespace is created (`HardenedDefaults.set`),
   * else ResourcePreset.SMALL (namespace-limit-range)
   */
  readonly containerDefaults?: ResourcePreset;

  /**
   * The most a container may use: the LimitRange `max` is this preset's limits. Workloads declared in the namespace
   * whose containers exceed it fail synthesis, as admission would reject their pods.
   * @default - ResourcePreset.LARGE's limits, raised to `containerDefaults`' limits where those are larger
   * (namespace-limit-range)
   */
  readonly containerMaximum?: ResourcePreset;

  /**
   * A service mesh that also authorizes the declared connections by workload identity (Istio AuthorizationPolicies
   * and STRICT mTLS, rendered by a MeshAuthorization; see docs/mesh.md), e.g. `Mesh.istio()`.
   * @default - no mesh: only the NetworkPolicies enforce the declared connections
   */
  readonly mesh?: Mesh;

  /**
   * Explicit, reasoned weakenings: they cover the namespace's own objects and everything declared inside it.
   * @default - none: any weakened default fails synthesis
   */
  readonly exemptions?: ExemptionProps[];
}

/** The label Kubernetes sets on every namespace to its name. */
const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';
const PSA_PREFIX = 'pod-security.kubernetes.io/';
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * A namespace that is a tenancy boundary by default.
 *
 * From just a name it creates the Namespace, labelled to enforce, audit and warn on the restricted Pod Security
 * Standard at the pinned PSS version; a default-deny NetworkPolicy for ingress and egress plus a DNS egress
 * allowance; a ResourceQuota capping cpu, memory, ephemeral-storage and pods (and no LoadBalancer or node port);
 * a LimitRange giving containers defaults and a maximum; and the namespace's `default` ServiceAccount without a
 * service-account token.
 *
 * It is a Chart whose namespace is the name: every object declared inside it (hardened workloads, their
 * ServiceAccounts and policies, plain cdk8s-plus or raw objects) lands in the namespace, and is guarded.
 */
export class IsolatedNamespace extends Chart {
  /** The namespace's name. */
  public readonly name: string;
  /** The enforced Pod Security Standards level. */
  public readonly podSecurityLevel: PodSecurityLevel;
  /** The PSS version the labels pin. */
  public readonly pssVersion: PssVersion;
  /** How the ResourceQuota is sized. */
  public readonly quota: NamespaceQuota;
  /** What the LimitRange gives containers that declare no resources. */
  public readonly containerDefaults: ResourcePreset;
  /** The Namespace (cluster-scoped: it carries no metadata.namespace). */
  public readonly namespaceObject: kplus.k8s.KubeNamespace;
  /** The NetworkPolicy selecting every pod, isolating ingress and egress, with no rule. */
  public readonly defaultDenyPolicy: kplus.k8s.KubeNetworkPolicy;
  /** The NetworkPolicy allowing every pod to reach the cluster DNS. */
  public readonly dnsEgressPolicy: kplus.k8s.KubeNetworkPolicy;
  /** One NetworkPolicy per `allowIngressFrom` entry. */
  public readonly ingressPolicies: kplus.k8s.KubeNetworkPolicy[];
  /** One NetworkPolicy per `allowEgressTo` entry. */
  public readonly egressPolicies: kplus.k8s.KubeNetworkPolicy[];
  /** The ResourceQuota. */
  public readonly resourceQuota: kplus.k8s.KubeResourceQuota;
  /** The LimitRange. */
  public readonly limitRange: kplus.k8s.KubeLimitRange;
  /** The namespace's `default` ServiceAccount, without a token. */
  public readonly defaultServiceAccount: kplus.k8s.KubeServiceAccount;
  /** The mesh authorization of the declared connections, when the `mesh` prop is given. */
  public readonly meshAuthorization?: MeshAuthorization;

  private readonly limitDefaults: Resources;
  private readonly maximum: Amounts;
  private readonly loadBalancers: number;
  private readonly nodePorts: number;
  /** `NamespaceQuota.of` or `NamespaceQuota.fromWorkloads`, for messages. */
  private readonly quotaFactory: string;
  /** The usage the running validation computed, so serializing the quota inside it does not count everything again. */

  constructor(scope: Construct, id: string, props: IsolatedNamespaceProps = {}) {
    const name = checkName(scope.node.path ? `${scope.node.path}/${id}` : id, props.name ?? id, props.name === undefined);
    super(scope, id, { namespace: name });
    const path = this.node.path;
    this.name = name;
    checkInstance(path, 'podSecurityLevel', props.podSecurityLevel, v => v instanceof PodSecurityLevel, 'PodSecurityLevel', 'PodSecurityLevel.RESTRICTED');
    checkInstance(path, 'quota', props.quota, v => v instanceof NamespaceQuota, 'NamespaceQuota', 'NamespaceQuota.of() or NamespaceQuota.fromWorkloads()');
    checkInstance(path, 'containerDefaults', props.containerDefaults, v => v instanceof ResourcePreset, 'ResourcePreset', 'ResourcePreset.SMALL');
    checkInstance(path, 'containerMaximum', props.containerMaximum, v => v instanceof ResourcePreset, 'ResourcePreset', 'ResourcePreset.LARGE');
    this.podSecurityLevel = props.podSecurityLevel ?? PodSecurityLevel.RESTRICTED;
    const defaults = HardenedDefaults._resolveFor(this);
    this.pssVersion = defaults.pssVersion;
    this.quota = props.quota ?? NamespaceQuota.of();
    this.containerDefaults = props.containerDefaults ?? defaults.resourcePreset;
    this.limitDefaults = presetResources(this.containerDefaults);
    this.maximum = resolveMaximum(path, this.limitDefaults.limits, props.containerMaximum);
    this.loadBalancers = checkCount(path, 'allowedLoadBalancers', props.allowedLoadBalancers) ?? 0;
    this.nodePorts = checkCount(path, 'allowedNodePorts', props.allowedNodePorts) ?? 0;
    checkCount(path, 'quota.daemonSetNodes', this.quota.workloadOptions.daemonSetNodes);
    this.quotaFactory = this.quota.sizedFromWorkloads ? 'NamespaceQuota.fromWorkloads' : 'NamespaceQuota.of';
    const fixedHard = this.quota.sizedFromWorkloads ? undefined : this.fixedTotals(path, this.quota.sizes);
    const ingress = listOf(path, 'allowIngressFrom', props.allowIngressFrom).map((entry, index) => checkIngress(path, `allowIngressFrom[${index}]`, entry));
    const egress = listOf(path, 'allowEgressTo', props.allowEgressTo).map((entry, index) => checkEgress(path, `allowEgressTo[${index}]`, entry));
    egress.forEach((entry, index) => {
      const first = egress.findIndex(other => other.name === entry.name);
      if (first !== index) {
        throw new Error(`[${path}] allowEgressTo[${index}].name: '${entry.name}' already names allowEgressTo[${first}] (both would be the `
          + `NetworkPolicy allow-egress-to-${entry.name}); give each destination its own name, or list both networks' ports in one entry`);
      }
    });
    if (props.exemptions) {
      Exemptions.of(this).add(...props.exemptions);
    }

    const labels = { 'app.kubernetes.io/managed-by': HardenedDefaults.MANAGED_BY };
    const version = this.pssVersion.label;
    const restricted = PodSecurityLevel.RESTRICTED.value;
    this.namespaceObject = new kplus.k8s.KubeNamespace(this, 'Resource', {
      metadata: {
        name,
        labels: {
          ...labels,
          [`${PSA_PREFIX}enforce`]: this.podSecurityLevel.value,
          [`${PSA_PREFIX}enforce-version`]: version,
          [`${PSA_PREFIX}audit`]: restricted,
          [`${PSA_PREFIX}audit-version`]: version,
          [`${PSA_PREFIX}warn`]: restricted,
          [`${PSA_PREFIX}warn-version`]: version,
        },
      },
    });
    // cdk8s gives every object of a chart the chart's namespace; a Namespace is cluster-scoped.
    this.namespaceObject.addJsonPatch(JsonPatch.remove('/metadata/namespace'));

    const everyPod = {};
    this.defaultDenyPolicy = new kplus.k8s.KubeNetworkPolicy(this, 'DefaultDeny', {
      metadata: { name: 'default-deny', labels },
      spec: { podSelector: everyPod, policyTypes: ['Ingress', 'Egress'] },
    });
    this.dnsEgressPolicy = new kplus.k8s.KubeNetworkPolicy(this, 'AllowDns', {
      metadata: { name: 'allow-dns', labels },
      spec: { podSelector: everyPod, policyTypes: ['Egress'], egress: [dnsEgressRule()] },
    });
    const ingressNames = new Set<string>();
    this.ingressPolicies = ingress.map(entry => {
      let policyName = `allow-ingress-from-${entry.fromNamespace}`;
      for (let n = 2; ingressNames.has(policyName); n++) policyName = `allow-ingress-from-${entry.fromNamespace}-${n}`;
      ingressNames.add(policyName);
      return new kplus.k8s.KubeNetworkPolicy(this, policyName, {
        metadata: { name: policyName, labels },
        spec: {
          podSelector: { matchLabels: { ...entry.toPodLabels } },
          policyTypes: ['Ingress'],
          ingress: [{
            from: [{
              namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: entry.fromNamespace } },
              podSelector: entry.podLabels ? { matchLabels: { ...entry.podLabels } } : undefined,
            }],
            ports: entry.ports,
          }],
        },
      });
    });
    this.egressPolicies = egress.map(entry => new kplus.k8s.KubeNetworkPolicy(this, `allow-egress-to-${entry.name}`, {
      metadata: { name: `allow-egress-to-${entry.name}`, labels },
      spec: {
        podSelector: everyPod,
        policyTypes: ['Egress'],
        egress: [{ to: [{ ipBlock: { cidr: entry.cidr, except: entry.except } }], ports: entry.ports }],
      },
    }));

    this.resourceQuota = new kplus.k8s.KubeResourceQuota(this, 'ResourceQuota', {
      metadata: { name: 'resource-quota', labels },
      spec: {
        // Sized from the workloads: computed when the quota is serialized, once every workload is declared.
        hard: fixedHard ? this.hardLimits(fixedHard) : Lazy.any({ produce: () => this.hardLimits(this.workloadTotals()) }) as any,
      },
    });
    this.limitRange = new kplus.k8s.KubeLimitRange(this, 'LimitRange', {
      metadata: { name: 'limit-range', labels },
      spec: {
        limits: [{
          type: 'Container',
          default: quantities(this.limitDefaults.limits),
          defaultRequest: quantities(this.limitDefaults.requests),
          max: quantities(this.maximum),
        }],
      },
    });
    this.defaultServiceAccount = new kplus.k8s.KubeServiceAccount(this, 'DefaultServiceAccount', {
      metadata: { name: 'default', labels },
      automountServiceAccountToken: false,
    });

    if (props.mesh !== undefined && ingress.length > 0) {
      // toPodLabels may select several workloads, whose PeerAuthentications would then overlap: declare them per workload.
      throw new Error(`[${path}] allowIngressFrom: the mesh has no rule for namespace-wide ingress (STRICT mTLS would refuse `
        + `'${ingress[0].fromNamespace}' while the NetworkPolicy admits it); declare it on the workloads instead: `
        + `WorkloadConnections.of(w).allowFrom(NetworkPeer.inNamespace('${ingress[0].fromNamespace}', { podLabels }))`);
    }
    this.meshAuthorization = props.mesh === undefined ? undefined : new MeshAuthorization(this, 'Mesh', { mesh: props.mesh });

    // A quota admitting LoadBalancers or node ports fails namespace-quota: the typed options are the declared, reviewed
    // way to allow them, so the namespace exempts exactly the count it was given (pinned: a patch raising it fails).
    const services: Array<[string, number, string, string]> = [
      ['allowedLoadBalancers', this.loadBalancers, 'services.loadbalancers', 'LoadBalancer Services'],
      ['allowedNodePorts', this.nodePorts, 'services.nodeports', 'node ports'],
    ];
    for (const [option, count, key, what] of services.filter(([, n]) => n > 0)) {
      Exemptions.of(this.resourceQuota).add({
        control: Controls.NAMESPACE_QUOTA,
        reason: `IsolatedNamespace option ${option}: ${count} admits ${count} ${what} in namespace '${name}'; `
          + 'each Service is still judged by the service-load-balancer and service-node-port controls',
        kind: 'ResourceQuota',
        pointer: `/spec/hard/${key}`,
        pointerValue: String(count),
      });
    }

    // Reported with the guard's findings, in one error (once per App.synth(), though cdk8s validates once per chart).
    Guard._recordProblems(this, () => this.validateWorkloads(fixedHard));
    Guard.protect(this);
  }

  /** The usage of every workload whose final JSON is in this namespace (declared anywhere in the app). */
  private usage(): NamespaceUsage {
    return namespaceUsage(this.node.root, this.name, this.limitDefaults, {
      daemonSetNodes: this.quota.workloadOptions.daemonSetNodes,
      factory: this.quotaFactory,
    });
  }

  /** `NamespaceQuota.fromWorkloads()`: what the declared workloads need, exactly. */
  private workloadTotals(): QuotaTotals {
    const workloads = this.usage().workloads;
    const side = (s: keyof Resources) => Object.fromEntries(RESOURCES.map(r => [r, totalOf(workloads, s, r)])) as Amounts;
    return { pods: workloads.reduce((sum, w) => sum + w.pods, 0), requests: side('requests'), limits: side('limits') };
  }

  /** `NamespaceQuota.of()`: the sizes given, the others `pods` times the container defaults. */
  private fixedTotals(path: string, sizes: NamespaceQuotaProps): QuotaTotals {
    const pods = checkCount(path, 'quota.pods', sizes.pods) ?? NamespaceQuota.DEFAULT_PODS;
    const ranges: Record<ResourceName, [string, ResourceRange | undefined, number]> = {
      'cpu': ['cpuMillis', sizes.cpuMillis, 1],
      'memory': ['memoryMebibytes', sizes.memoryMebibytes, MEBIBYTE],
      'ephemeral-storage': ['ephemeralStorageMebibytes', sizes.ephemeralStorageMebibytes, MEBIBYTE],
    };
    const requests = {} as Amounts;
    const limits = {} as Amounts;
    for (const resource of RESOURCES) {
      const [field, range, unit] = ranges[resource];
      if (range !== undefined) {
        const request = checkCount(path, `quota.${field}.request`, range.request);
        const limit = checkCount(path, `quota.${field}.limit`, range.limit);
        if (request === undefined || limit === undefined || request > limit) {
          throw new Error(`[${path}] quota.${field}: request ${JSON.stringify(range.request)} and limit ${JSON.stringify(range.limit)} `
            + 'are not a range; give both, with the request no larger than the limit');
        }
      }
      requests[resource] = range === undefined ? pods * this.limitDefaults.requests[resource] : range.request * unit;
      limits[resource] = range === undefined ? pods * this.limitDefaults.limits[resource] : range.limit * unit;
    }
    return { pods, requests, limits };
  }

  private hardLimits(totals: QuotaTotals): { [key: string]: kplus.k8s.Quantity } {
    const hard: { [key: string]: kplus.k8s.Quantity } = {};
    for (const side of ['requests', 'limits'] as const) {
      for (const resource of RESOURCES) {
        hard[`${side}.${resource}`] = kplus.k8s.Quantity.fromString(formatAmount(totals[side][resource], resource));
      }
    }
    hard.pods = kplus.k8s.Quantity.fromString(String(totals.pods));
    hard['services.loadbalancers'] = kplus.k8s.Quantity.fromString(String(this.loadBalancers));
    hard['services.nodeports'] = kplus.k8s.Quantity.fromString(String(this.nodePorts));
    return hard;
  }

  /** Declares the namespace's Velero backup (a NamespaceBackup `Backup`): declare it after the workloads. */
  public backUp(props: NamespaceBackupProps = {}): NamespaceBackup {
    return NamespaceBackup._declare(this, props);
  }

  /**
   * At synthesis, from the final JSON of the namespace's objects (JSON patches applied, raw ApiObjects and Includes
   * counted): workloads whose pods cannot be counted, workloads that need more than the namespace's ResourceQuotas
   * allow, and containers above the LimitRange maximum. Runs as a validation, before anything is serialized: it reads
   * each object through its class's own serializer, never `chart.toJson()` or the guard's (see workload-usage).
   */
  private validateWorkloads(fixed: QuotaTotals | undefined): string[] {
    const usage = this.usage();
    const errors: string[] = boundaryErrors({
      scope: this,
      name: this.name,
      parts: [['namespaceObject', this.namespaceObject], ['defaultDenyPolicy', this.defaultDenyPolicy], ['resourceQuota', this.resourceQuota],
        ['limitRange', this.limitRange]],
      resourceQuota: this.resourceQuota,
      declaredHard: this.hardLimits(fixed ?? this.workloadTotals()),
      quotaFactory: this.quotaFactory,
      limitRange: this.limitRange,
      declaredMax: quantities(this.maximum),
      loadBalancers: this.loadBalancers,
      nodePorts: this.nodePorts,
    });
    errors.push(...usage.uncounted.map(u => `quota: ${this.quotaFactory}() cannot count the pods of ${u.path}: ${u.reason}`));
    errors.push(...overQuota(this.name, usage.workloads, quotaCaps(this.node.root, this.name), { own: this.resourceQuota, fixed }));
    for (const w of usage.workloads) {
      for (const c of w.containers) {
        for (const resource of RESOURCES) {
          if (c.limits[resource] > this.maximum[resource]) {
            errors.push(`containerMaximum: ${w.path} ${c.label} has limits.${resource} ${formatAmount(c.limits[resource], resource)}, above the `
              + `LimitRange max ${formatAmount(this.maximum[resource], resource)} of namespace '${this.name}', so admission would reject its pods; `
              + 'lower the container\'s limit, or raise containerMaximum');
          }
        }
      }
    }
    return errors;
  }
}

/** Pods and total requests and limits of a quota. */
interface QuotaTotals {
  readonly pods: number;
  readonly requests: Amounts;
  readonly limits: Amounts;
}

/** The namespace's own ResourceQuota and, for `NamespaceQuota.of()`, the sizes it was given. */
interface OwnQuota {
  readonly own: kplus.k8s.KubeResourceQuota;
  readonly fixed?: QuotaTotals;
}

/**
 * One line per quota key the workloads exceed, naming the workloads, their amounts and the fix: the prop to raise
 * when the namespace's own quota binds at the size it was given, else the quota object (patched, or another one).
 */
function overQuota(namespace: string, workloads: WorkloadUsage[], caps: Map<string, QuotaCap>, quota: OwnQuota): string[] {
  const errors: string[] = [];
  const allows = (cap: QuotaCap) => (cap.object === quota.own ? 'the quota allows' : `ResourceQuota '${cap.name}' (${cap.object.node.path}) allows`);
  /** The fix for a cap: raise the typed size, or deal with the patch or the other quota that sets it. */
  const fix = (cap: QuotaCap, key: string, typed: number | undefined, raiseTyped: string, need: string) => {
    if (cap.object !== quota.own) return `raise its spec.hard['${key}'] to at least ${need}, or remove it`;
    if (typed === cap.amount) return `${raiseTyped}, or use NamespaceQuota.fromWorkloads()`;
    return `remove the JSON patch that sets its spec.hard['${key}'] (the quota's sizes come from the quota prop)`;
  };
  const pods = workloads.reduce((sum, w) => sum + w.pods, 0);
  const podCap = caps.get('pods');
  if (podCap && pods > podCap.amount) {
    errors.push(`quota: the workloads of namespace '${namespace}' need pods ${pods} but ${allows(podCap)} ${podCap.amount} `
      + `(${workloads.map(w => contribution(w, 'pods')).join('; ')}); `
      + fix(podCap, 'pods', quota.fixed?.pods, `raise NamespaceQuota.of({ pods }) to at least ${pods}`, String(pods)));
  }
  const fields: Record<ResourceName, [string, number]> = {
    'cpu': ['cpuMillis', 1],
    'memory': ['memoryMebibytes', MEBIBYTE],
    'ephemeral-storage': ['ephemeralStorageMebibytes', MEBIBYTE],
  };
  for (const side of ['requests', 'limits'] as const) {
    for (const resource of RESOURCES) {
      const key = `${side}.${resource}`;
      const cap = caps.get(key);
      const need = totalOf(workloads, side, resource);
      if (!cap || need <= cap.amount) continue;
      const [field, unit] = fields[resource];
      const contributors = workloads.filter(w => w.perPod[side][resource] > 0).map(w => contribution(w, side, resource));
      const raise = `raise NamespaceQuota.of({ ${field}: { ${side === 'requests' ? 'request' : 'limit'}: ${Math.ceil(need / unit)} } }) at least`;
      errors.push(`quota: the workloads of namespace '${namespace}' need ${key} ${formatAmount(need, resource)} but ${allows(cap)} `
        + `${formatAmount(cap.amount, resource)} (${contributors.join('; ')}); `
        + fix(cap, key, quota.fixed?.[side][resource], raise, formatAmount(need, resource)));
    }
  }
  return errors;
}

function checkName(path: string, name: unknown, fromId: boolean): string {
  const field = fromId ? 'name (defaulted to the construct id)' : 'name';
  if (typeof name !== 'string' || name.length > 63 || !DNS_LABEL.test(name)) {
    throw new Error(`[${path}] ${field}: ${JSON.stringify(name)} is not a valid namespace name; use at most 63 lowercase letters, digits `
      + 'and \'-\', starting and ending alphanumeric, e.g. \'shop\'');
  }
  if (name === 'default') {
    throw new Error(`[${path}] ${field}: 'default' is the namespace without isolation that mistakes land in (namespace-not-default); `
      + 'give the application a namespace of its own, e.g. \'shop\'');
  }
  if (name.startsWith('kube-')) {
    throw new Error(`[${path}] ${field}: '${name}' is reserved for Kubernetes' own namespaces (kube-system, kube-public, kube-node-lease...); `
      + 'give the application a namespace of its own, e.g. \'shop\'');
  }
  return name;
}

/** The entries of a list prop (none when not given); anything but an array is refused naming the prop. */
function listOf<T>(path: string, field: string, value: T[] | undefined): T[] {
  if (value !== undefined && !Array.isArray(value)) {
    throw new Error(`[${path}] ${field}: ${JSON.stringify(value)} is not a list; give a list of entries, or leave it out`);
  }
  return value ?? [];
}

/** Refuses a prop that is given but is not an instance of the class its type names (plain JavaScript callers). */
function checkInstance(path: string, field: string, value: unknown, isInstance: (v: unknown) => boolean, type: string, example: string): void {
  if (value !== undefined && !isInstance(value)) {
    throw new Error(`[${path}] ${field}: ${JSON.stringify(value)} is not a ${type}; use e.g. ${example}, or leave it out`);
  }
}

/** A non-negative integer count, or undefined when not given. */
function checkCount(path: string, field: string, value: number | undefined): number | undefined {
  if (value !== undefined && (!Number.isInteger(value) || value < 0)) {
    throw new Error(`[${path}] ${field}: ${JSON.stringify(value)} is not a count; use an integer from 0`);
  }
  return value;
}

/** A preset's requests and limits as exact amounts. */
function presetResources(preset: ResourcePreset): Resources {
  const mebibytes = (size: { toMebibytes(): number } | undefined) => (size?.toMebibytes() ?? 0) * MEBIBYTE;
  const millis = (cpu: kplus.Cpu | undefined) => parseAmount(cpu?.amount, 'cpu') ?? 0;
  return {
    requests: { 'cpu': millis(preset.cpu.request), 'memory': mebibytes(preset.memory.request), 'ephemeral-storage': mebibytes(preset.ephemeralStorage.request) },
    limits: { 'cpu': millis(preset.cpu.limit), 'memory': mebibytes(preset.memory.limit), 'ephemeral-storage': mebibytes(preset.ephemeralStorage.limit) },
  };
}

/** The LimitRange max: the given preset's limits, which must cover the defaults; else LARGE's, raised to the defaults. */
function resolveMaximum(path: string, defaults: Amounts, given: ResourcePreset | undefined): Amounts {
  const max = presetResources(given ?? ResourcePreset.LARGE).limits;
  for (const resource of RESOURCES) {
    if (given === undefined) {
      max[resource] = Math.max(max[resource], defaults[resource]);
    } else if (defaults[resource] > max[resource]) {
      throw new Error(`[${path}] containerMaximum: preset '${given.name}' limits ${resource} to ${formatAmount(max[resource], resource)}, below the `
        + `container default ${formatAmount(defaults[resource], resource)}; choose a maximum at least as large as containerDefaults`);
    }
  }
  return max;
}

function quantities(amounts: Amounts): { [key: string]: kplus.k8s.Quantity } {
  return Object.fromEntries(RESOURCES.map(r => [r, kplus.k8s.Quantity.fromString(formatAmount(amounts[r], r))]));
}
