import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart, Cron, Include, JsonPatch, Lazy, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import {
  Controls, Endpoint, Exemptions, FindingStatus, Guard, HardenedCronJob, HardenedDaemonSet, HardenedDefaults, HardenedDeployment, HardenedStatefulSet,
  IsolatedNamespace, IsolatedNamespaceProps, NamespaceQuota, PodSecurityLevel, PssVersion, Reachability, ResourcePreset,
} from '../../src';
import { DIGEST_IMAGE, only, REASON, synth, synthError, withoutGuardSummary } from '../helpers/synth';

function isolated(props: IsolatedNamespaceProps = {}, app: App = Testing.app()): IsolatedNamespace {
  return new IsolatedNamespace(app, 'shop', props);
}

function named(manifests: any[], kind: string, name: string): any {
  const found = manifests.filter(m => m.kind === kind && m.metadata.name === name);
  if (found.length !== 1) throw new Error(`expected exactly one ${kind} '${name}', found ${found.length}`);
  return found[0];
}

function web(scope: IsolatedNamespace | Chart, props: Partial<ConstructorParameters<typeof HardenedDeployment>[2]> = {}): HardenedDeployment {
  return new HardenedDeployment(scope, 'web', { containers: [{ image: DIGEST_IMAGE, portNumber: 8080 }], ...props });
}

const FULL_RESOURCES = {
  requests: { 'cpu': '100m', 'memory': '128Mi', 'ephemeral-storage': '128Mi' },
  limits: { 'cpu': '500m', 'memory': '256Mi', 'ephemeral-storage': '512Mi' },
};

/**
 * A raw apps/v1 Deployment (no cdk8s-plus model behind it) whose pod passes the guard, with one container of the given
 * resources; resources other than FULL_RESOURCES are exempted from resource-requests and resource-limits.
 */
function rawDeployment(scope: Chart, id: string, replicas: number, resources: any = FULL_RESOURCES): ApiObject {
  const ids = { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532 };
  const raw = new ApiObject(scope, id, {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: id },
    spec: {
      replicas,
      selector: { matchLabels: { app: id } },
      template: {
        metadata: { labels: { app: id } },
        spec: {
          automountServiceAccountToken: false,
          securityContext: { ...ids, fsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [{
            name: 'main',
            image: DIGEST_IMAGE,
            resources,
            securityContext: { ...ids, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
          }],
        },
      },
    },
  });
  if (resources !== FULL_RESOURCES) {
    Exemptions.of(raw).add({ control: Controls.RESOURCE_REQUESTS, reason: REASON }, { control: Controls.RESOURCE_LIMITS, reason: REASON });
  }
  return raw;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const MANAGED = { 'app.kubernetes.io/managed-by': 'cdk8s-hardened' };
const DNS_RULE = {
  to: [{
    namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
    podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
  }],
  ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }],
};

describe('from only a name', () => {
  const ns = isolated();
  const manifests = synth(ns);

  test('the guard has no finding at all, errors or warnings', () => {
    expect(Guard.findings(ns)).toEqual([]);
    expect(Guard.evaluations(ns).map(e => e.kind).sort()).toEqual(
      ['LimitRange', 'Namespace', 'NetworkPolicy', 'NetworkPolicy', 'ResourceQuota', 'ServiceAccount']);
  });

  test('exactly the bundle: Namespace, two NetworkPolicies, ResourceQuota, LimitRange, default ServiceAccount', () => {
    expect(manifests.map(m => `${m.kind} ${m.metadata.name}`).sort()).toEqual([
      'LimitRange limit-range', 'Namespace shop', 'NetworkPolicy allow-dns', 'NetworkPolicy default-deny',
      'ResourceQuota resource-quota', 'ServiceAccount default',
    ]);
  });

  test('the Namespace enforces, audits and warns restricted at the pinned PSS version, and names no namespace itself', () => {
    const namespace = only(manifests, 'Namespace');
    expect(namespace.metadata).toEqual({
      name: 'shop',
      labels: {
        ...MANAGED,
        'pod-security.kubernetes.io/enforce': 'restricted',
        'pod-security.kubernetes.io/enforce-version': 'v1.27',
        'pod-security.kubernetes.io/audit': 'restricted',
        'pod-security.kubernetes.io/audit-version': 'v1.27',
        'pod-security.kubernetes.io/warn': 'restricted',
        'pod-security.kubernetes.io/warn-version': 'v1.27',
      },
    });
  });

  test('every other object is in the namespace', () => {
    for (const m of manifests.filter(x => x.kind !== 'Namespace')) {
      expect(m.metadata.namespace).toBe('shop');
      expect(m.metadata.labels).toEqual(MANAGED);
    }
  });

  test('a default-deny NetworkPolicy: every pod, Ingress and Egress, no rule', () => {
    expect(named(manifests, 'NetworkPolicy', 'default-deny').spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
  });

  test('a DNS allowance: every pod to UDP/TCP 53 of one peer selecting kube-system AND the kube-dns pods', () => {
    expect(named(manifests, 'NetworkPolicy', 'allow-dns').spec).toEqual({ podSelector: {}, policyTypes: ['Egress'], egress: [DNS_RULE] });
  });

  test('a ResourceQuota: room for 20 pods of the SMALL preset, no LoadBalancer and no node port', () => {
    expect(only(manifests, 'ResourceQuota').spec).toEqual({
      hard: {
        'pods': '20',
        'requests.cpu': '2',
        'requests.memory': '2560Mi',
        'requests.ephemeral-storage': '2560Mi',
        'limits.cpu': '10',
        'limits.memory': '5Gi',
        'limits.ephemeral-storage': '10Gi',
        'services.loadbalancers': '0',
        'services.nodeports': '0',
      },
    });
  });

  test('a LimitRange: container default and defaultRequest from the SMALL preset, max from LARGE', () => {
    expect(only(manifests, 'LimitRange').spec).toEqual({
      limits: [{
        type: 'Container',
        default: { 'cpu': '500m', 'memory': '256Mi', 'ephemeral-storage': '512Mi' },
        defaultRequest: { 'cpu': '100m', 'memory': '128Mi', 'ephemeral-storage': '128Mi' },
        max: { 'cpu': '2', 'memory': '4Gi', 'ephemeral-storage': '2Gi' },
      }],
    });
  });

  test('the default ServiceAccount mounts no token', () => {
    const account = only(manifests, 'ServiceAccount');
    expect(account.metadata.name).toBe('default');
    expect(account.automountServiceAccountToken).toBe(false);
  });

  test('the objects are typed children, and the resolved settings are exposed', () => {
    expect(ns.name).toBe('shop');
    expect(ns.namespace).toBe('shop');
    expect(ns.namespaceObject.kind).toBe('Namespace');
    expect(ns.defaultDenyPolicy.name).toBe('default-deny');
    expect(ns.dnsEgressPolicy.name).toBe('allow-dns');
    expect(ns.ingressPolicies).toEqual([]);
    expect(ns.egressPolicies).toEqual([]);
    expect(ns.resourceQuota.kind).toBe('ResourceQuota');
    expect(ns.limitRange.kind).toBe('LimitRange');
    expect(ns.defaultServiceAccount.name).toBe('default');
    expect(ns.podSecurityLevel).toBe(PodSecurityLevel.RESTRICTED);
    expect(ns.pssVersion).toBe(PssVersion.V1_27);
    expect(ns.containerDefaults).toBe(ResourcePreset.SMALL);
    expect(ns.quota.sizedFromWorkloads).toBe(false);
  });
});

describe('the name', () => {
  test('defaults to the construct id; `name` sets it', () => {
    const ns = new IsolatedNamespace(Testing.app(), 'tenant', { name: 'payments' });
    const manifests = synth(ns);
    expect(only(manifests, 'Namespace').metadata.name).toBe('payments');
    expect(only(manifests, 'LimitRange').metadata.namespace).toBe('payments');
  });

  test.each([
    ['Shop', /\[shop\] name: "Shop" is not a valid namespace name; use at most 63 lowercase letters/],
    ['shop_1', /\[shop\] name: "shop_1" is not a valid namespace name/],
    ['a'.repeat(64), /is not a valid namespace name/],
    ['default', /\[shop\] name: 'default' is the namespace without isolation .* \(namespace-not-default\); give the application a namespace of its own, e.g. 'shop'/],
    ['kube-system', /\[shop\] name: 'kube-system' is reserved for Kubernetes' own namespaces/],
    ['kube-public', /\[shop\] name: 'kube-public' is reserved/],
  ])('%s is refused, naming path, field, value and fix', (name, message) => {
    expect(() => isolated({ name })).toThrow(message);
  });

  test('an id that is not a valid name is refused as the defaulted name', () => {
    expect(() => new IsolatedNamespace(Testing.app(), 'Shop')).toThrow(/\[Shop\] name \(defaulted to the construct id\): "Shop" is not a valid namespace name/);
  });
});

describe('what is declared inside', () => {
  test('a HardenedDeployment lands in the namespace without repeating it, and passes', () => {
    const ns = isolated();
    web(ns);
    const manifests = synth(ns);
    expect(Guard.findings(ns)).toEqual([]);
    const own = manifests.filter(m => m.kind !== 'Namespace');
    expect(own.map(m => m.kind).sort()).toEqual([
      'Deployment', 'LimitRange', 'NetworkPolicy', 'NetworkPolicy', 'NetworkPolicy', 'PodDisruptionBudget',
      'ResourceQuota', 'ServiceAccount', 'ServiceAccount',
    ]);
    for (const m of own) expect(m.metadata.namespace).toBe('shop');
    expect(only(manifests, 'Deployment').spec.template.spec.serviceAccountName).not.toBe('default');
  });

  test('everything inside is guarded, plain cdk8s-plus objects too', () => {
    const ns = isolated({ quota: NamespaceQuota.fromWorkloads() });
    new kplus.Deployment(ns, 'plain', { containers: [{ image: DIGEST_IMAGE, portNumber: 8080 }] });
    expect(synthError(ns)).toMatch(/\[shop\/plain\/Resource\] capabilities-drop-all: Deployment shop\//);
  });

  test('the PSS version follows HardenedDefaults', () => {
    const app = Testing.app();
    HardenedDefaults.set(app, { pssVersion: PssVersion.V1_29 });
    const ns = isolated({}, app);
    const labels = only(synth(ns), 'Namespace').metadata.labels;
    for (const mode of ['enforce', 'audit', 'warn']) {
      expect(labels[`pod-security.kubernetes.io/${mode}-version`]).toBe('v1.29');
    }
    expect(Guard.findings(ns)).toEqual([]);
  });
});

describe('traffic options', () => {
  test('allowIngressFrom: one policy per source, ONE peer selecting the namespace AND the pods, on the given ports', () => {
    const ns = isolated({
      allowIngressFrom: [
        { toPodLabels: { 'app.kubernetes.io/name': 'frontend' }, fromNamespace: 'ingress-nginx', podLabels: { 'app.kubernetes.io/name': 'ingress-nginx' }, ports: [kplus.NetworkPolicyPort.tcp(8080)] },
        { toPodLabels: { 'app.kubernetes.io/name': 'frontend' }, fromNamespace: 'monitoring', ports: [kplus.NetworkPolicyPort.tcp(9090), kplus.NetworkPolicyPort.tcpRange(9100, 9110)] },
        { toPodLabels: { 'app.kubernetes.io/name': 'frontend' }, fromNamespace: 'monitoring', podLabels: { app: 'blackbox' }, ports: [kplus.NetworkPolicyPort.udp(5353)] },
      ],
    });
    new HardenedDeployment(ns, 'frontend', { podMetadata: { labels: { 'app.kubernetes.io/name': 'frontend' } }, containers: [{ image: DIGEST_IMAGE, portNumber: 8080 }] });
    const manifests = synth(ns);
    expect(Guard.findings(ns)).toEqual([]);
    expect(ns.ingressPolicies.map(p => p.name)).toEqual(['allow-ingress-from-ingress-nginx', 'allow-ingress-from-monitoring', 'allow-ingress-from-monitoring-2']);
    expect(named(manifests, 'NetworkPolicy', 'allow-ingress-from-ingress-nginx').spec).toEqual({
      // Only the pods named (since 0.2.0): not every pod of the namespace.
      podSelector: { matchLabels: { 'app.kubernetes.io/name': 'frontend' } },
      policyTypes: ['Ingress'],
      ingress: [{
        from: [{
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } },
          podSelector: { matchLabels: { 'app.kubernetes.io/name': 'ingress-nginx' } },
        }],
        ports: [{ protocol: 'TCP', port: 8080 }],
      }],
    });
    expect(named(manifests, 'NetworkPolicy', 'allow-ingress-from-monitoring').spec.ingress).toEqual([{
      from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }],
      ports: [{ protocol: 'TCP', port: 9090 }, { protocol: 'TCP', port: 9100, endPort: 9110 }],
    }]);
    // The default deny is untouched.
    expect(named(manifests, 'NetworkPolicy', 'default-deny').spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
  });

  test('allowIngressFrom opens only the pods it names: the ingress controller reaches the frontend, not an internal API on the same port', () => {
    const ns = isolated({
      quota: NamespaceQuota.fromWorkloads(),
      allowIngressFrom: [{ toPodLabels: { 'app.kubernetes.io/name': 'frontend' }, fromNamespace: 'ingress-nginx', ports: [kplus.NetworkPolicyPort.tcp(8080)] }],
    });
    const frontend = new HardenedDeployment(ns, 'frontend', { podMetadata: { labels: { 'app.kubernetes.io/name': 'frontend' } }, containers: [{ image: DIGEST_IMAGE, portNumber: 8080 }] });
    const api = new HardenedDeployment(ns, 'api', { containers: [{ image: DIGEST_IMAGE, portNumber: 8080 }] });
    const reach = Reachability.of(synth(ns));
    const controller = Endpoint.pod('ingress-nginx', { 'app.kubernetes.io/name': 'ingress-nginx' });
    expect(reach.canConnect(controller, Endpoint.workload('Deployment', frontend.name), 8080).allowed).toBe(true);
    expect(reach.canConnect(controller, Endpoint.workload('Deployment', api.name), 8080).allowed).toBe(false);
  });

  test('allowEgressTo: one policy per named CIDR, exceptCidrs rendered as the ipBlock except, and its ports', () => {
    const ns = isolated({
      allowEgressTo: [
        { name: 'payments-api', cidr: '203.0.113.0/24', exceptCidrs: ['203.0.113.128/25'], ports: [kplus.NetworkPolicyPort.tcp(443)] },
        { name: 'partner-v6', cidr: '2001:db8::/32', ports: [kplus.NetworkPolicyPort.tcp(443)] },
      ],
    });
    const manifests = synth(ns);
    expect(Guard.findings(ns)).toEqual([]);
    expect(named(manifests, 'NetworkPolicy', 'allow-egress-to-payments-api').spec).toEqual({
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [{ to: [{ ipBlock: { cidr: '203.0.113.0/24', except: ['203.0.113.128/25'] } }], ports: [{ protocol: 'TCP', port: 443 }] }],
    });
    expect(named(manifests, 'NetworkPolicy', 'allow-egress-to-partner-v6').spec.egress)
      .toEqual([{ to: [{ ipBlock: { cidr: '2001:db8::/32' } }], ports: [{ protocol: 'TCP', port: 443 }] }]);
  });

  test('a rule admitting every address on every port undoes the deny: the guard fails it', () => {
    const everyTcpPort = kplus.NetworkPolicyPort.of({ protocol: kplus.NetworkProtocol.TCP });
    const ns = isolated({ allowEgressTo: [{ name: 'internet', cidr: '0.0.0.0/0', ports: [everyTcpPort] }] });
    expect(synthError(ns)).toMatch(/\[shop\/Resource\] namespace-default-deny: Namespace shop .*allow-egress-to-internet.* admits all egress traffic/);
  });

  test.each([
    [{ allowIngressFrom: [{ toPodLabels: { 'app.kubernetes.io/name': 'frontend' }, fromNamespace: 'Bad', ports: [kplus.NetworkPolicyPort.tcp(80)] }] }, /\[shop\] allowIngressFrom\[0\]\.fromNamespace: "Bad" is not a namespace name/],
    [{ allowIngressFrom: [{ toPodLabels: { 'app.kubernetes.io/name': 'frontend' }, fromNamespace: 'web', ports: [] }] }, /\[shop\] allowIngressFrom\[0\]\.ports: \[\] names no port; allow specific ports, e\.g\./],
    [{ allowIngressFrom: [{ toPodLabels: { 'app.kubernetes.io/name': 'frontend' }, fromNamespace: 'web', podLabels: {}, ports: [kplus.NetworkPolicyPort.tcp(80)] }] }, /allowIngressFrom\[0\]\.podLabels: \{\} selects every pod/],
    [{ allowIngressFrom: [{ toPodLabels: { 'app.kubernetes.io/name': 'frontend' }, fromNamespace: 'web', podLabels: { 'bad key!': 'x' }, ports: [kplus.NetworkPolicyPort.tcp(80)] }] }, /podLabels: key "bad key!" is not a label key/],
    [{ allowIngressFrom: [{ toPodLabels: { 'app.kubernetes.io/name': 'frontend' }, fromNamespace: 'web', ports: [kplus.NetworkPolicyPort.tcp(70000)] }] }, /allowIngressFrom\[0\]\.ports\[0\]: port 70000 is not a port number/],
    [{ allowIngressFrom: [{ fromNamespace: 'web', ports: [kplus.NetworkPolicyPort.tcp(80)] }] },
      /\[shop\] allowIngressFrom\[0\]\.toPodLabels: missing; name the pods of this namespace the traffic may reach.*WorkloadConnections\.of\(w\)\.allowFrom\(NetworkPeer\.inNamespace\('web'/],
    [{ allowIngressFrom: [{ toPodLabels: {}, fromNamespace: 'web', ports: [kplus.NetworkPolicyPort.tcp(80)] }] }, /allowIngressFrom\[0\]\.toPodLabels: \{\} selects every pod of the namespace/],
    [{ allowIngressFrom: [{ toPodLabels: 'frontend', fromNamespace: 'web', ports: [kplus.NetworkPolicyPort.tcp(80)] }] }, /allowIngressFrom\[0\]\.toPodLabels: "frontend" is not a map of labels/],
    [{ allowIngressFrom: [{ toPodLabels: { 'bad key!': 'x' }, fromNamespace: 'web', ports: [kplus.NetworkPolicyPort.tcp(80)] }] }, /allowIngressFrom\[0\]\.toPodLabels: key "bad key!" is not a label key/],
    [{ allowEgressTo: [{ name: 'x', cidr: '10.0.0.0/8', ports: [kplus.NetworkPolicyPort.allTcp()] }] },
      /allowEgressTo\[0\]\.ports\[0\]: port 0 is not a port number \(NetworkPolicyPort\.allTcp\(\) and allUdp\(\) render port 0, which Kubernetes rejects: use tcpRange\(1, 65535\)\)/],
    [{ allowEgressTo: [{ name: 'x', cidr: '10.0.0.0/33', ports: [kplus.NetworkPolicyPort.tcp(443)] }] }, /\[shop\] allowEgressTo\[0\]\.cidr: "10\.0\.0\.0\/33" is not a CIDR block/],
    [{ allowEgressTo: [{ name: 'x', cidr: '10.0.0.0/8', exceptCidrs: ['192.168.0.0/16'], ports: [kplus.NetworkPolicyPort.tcp(443)] }] }, /allowEgressTo\[0\]\.exceptCidrs\[0\]: "192\.168\.0\.0\/16" is not a CIDR block strictly inside 10\.0\.0\.0\/8/],
    [{ allowEgressTo: [{ name: 'x', cidr: '10.0.0.0/8', exceptCidrs: ['10.0.0.0/8'], ports: [kplus.NetworkPolicyPort.tcp(443)] }] }, /exceptCidrs\[0\]: "10\.0\.0\.0\/8" is not a CIDR block strictly inside/],
    [{ allowEgressTo: [{ name: 'Payments', cidr: '10.0.0.0/8', ports: [kplus.NetworkPolicyPort.tcp(443)] }] }, /allowEgressTo\[0\]\.name: "Payments" is not a DNS label/],
  ])('bad traffic options are refused at construction (%#)', (props, message) => {
    expect(() => isolated(props as IsolatedNamespaceProps)).toThrow(message);
  });
});

describe('quota and limits options', () => {
  test('allowed LoadBalancers and node ports set the quota counts; the guard still decides about the Services', () => {
    const ns = isolated({ allowedLoadBalancers: 1, allowedNodePorts: 2 });
    const hard = only(synth(ns), 'ResourceQuota').spec.hard;
    expect(hard['services.loadbalancers']).toBe('1');
    expect(hard['services.nodeports']).toBe('2');
    new kplus.Service(ns, 'exposed', { type: kplus.ServiceType.NODE_PORT, ports: [{ port: 80 }] });
    expect(synthError(ns)).toMatch(/\[shop\/exposed\/Resource\] service-node-port: Service shop\/.* has type NodePort/);
  });

  test('NamespaceQuota.of({ pods }): every amount is pods times the container defaults', () => {
    const hard = only(synth(isolated({ quota: NamespaceQuota.of({ pods: 5 }) })), 'ResourceQuota').spec.hard;
    expect(hard).toEqual({
      'pods': '5',
      'requests.cpu': '500m',
      'requests.memory': '640Mi',
      'requests.ephemeral-storage': '640Mi',
      'limits.cpu': '2500m',
      'limits.memory': '1280Mi',
      'limits.ephemeral-storage': '2560Mi',
      'services.loadbalancers': '0',
      'services.nodeports': '0',
    });
  });

  test('NamespaceQuota.of({...}): the sizes given', () => {
    const ns = isolated({
      quota: NamespaceQuota.of({
        pods: 10,
        cpuMillis: { request: 1500, limit: 4000 },
        memoryMebibytes: { request: 3072, limit: 6144 },
        ephemeralStorageMebibytes: { request: 1000, limit: 4096 },
      }),
    });
    expect(only(synth(ns), 'ResourceQuota').spec.hard).toEqual({
      'pods': '10',
      'requests.cpu': '1500m',
      'requests.memory': '3Gi',
      'requests.ephemeral-storage': '1000Mi',
      'limits.cpu': '4',
      'limits.memory': '6Gi',
      'limits.ephemeral-storage': '4Gi',
      'services.loadbalancers': '0',
      'services.nodeports': '0',
    });
    expect(Guard.findings(ns)).toEqual([]);
  });

  test.each([
    [{ quota: NamespaceQuota.of({ pods: -1 }) }, /\[shop\] quota\.pods: -1 is not a count; use an integer from 0/],
    [{ quota: NamespaceQuota.of({ cpuMillis: { request: 2000, limit: 1000 } }) }, /\[shop\] quota\.cpuMillis: request 2000 and limit 1000 are not a range/],
    [{ quota: NamespaceQuota.fromWorkloads({ daemonSetNodes: 1.5 }) }, /\[shop\] quota\.daemonSetNodes: 1\.5 is not a count/],
    [{ allowedLoadBalancers: -2 }, /\[shop\] allowedLoadBalancers: -2 is not a count/],
    [{ containerDefaults: ResourcePreset.LARGE, containerMaximum: ResourcePreset.MEDIUM },
      /\[shop\] containerMaximum: preset 'medium' limits cpu to 1, below the container default 2; choose a maximum at least as large as containerDefaults/],
  ])('bad sizes are refused at construction (%#)', (props, message) => {
    expect(() => isolated(props as IsolatedNamespaceProps)).toThrow(message);
  });

  test('containerDefaults and containerMaximum set the LimitRange; the default quota follows the defaults', () => {
    const manifests = synth(isolated({ containerDefaults: ResourcePreset.MEDIUM, containerMaximum: ResourcePreset.LARGE }));
    expect(only(manifests, 'LimitRange').spec.limits).toEqual([{
      type: 'Container',
      default: { 'cpu': '1', 'memory': '1Gi', 'ephemeral-storage': '1Gi' },
      defaultRequest: { 'cpu': '250m', 'memory': '512Mi', 'ephemeral-storage': '256Mi' },
      max: { 'cpu': '2', 'memory': '4Gi', 'ephemeral-storage': '2Gi' },
    }]);
    expect(only(manifests, 'ResourceQuota').spec.hard).toMatchObject({ 'requests.cpu': '5', 'limits.memory': '20Gi' });
  });

  test('the container defaults follow the preset set with HardenedDefaults; a larger one raises the default max', () => {
    const app = Testing.app();
    const huge = ResourcePreset.custom({
      name: 'huge', cpuMillis: { request: 2000, limit: 4000 }, memoryMebibytes: { request: 4096, limit: 8192 }, ephemeralStorageMebibytes: { request: 1024, limit: 1024 },
    });
    HardenedDefaults.set(app, { resourcePreset: huge });
    const ns = isolated({}, app);
    expect(ns.containerDefaults).toBe(huge);
    expect(only(synth(ns), 'LimitRange').spec.limits[0].max).toEqual({ 'cpu': '4', 'memory': '8Gi', 'ephemeral-storage': '2Gi' });
  });

  test('a declared container above the LimitRange max fails synthesis, naming it and the amounts', () => {
    const ns = isolated({ containerMaximum: ResourcePreset.MEDIUM });
    web(ns, { resourcePreset: ResourcePreset.LARGE });
    const error = synthError(ns);
    expect(error).toContain("[shop] containerMaximum: shop/web containers[0] 'main' has limits.cpu 2, above the LimitRange max 1 of namespace 'shop', "
      + "so admission would reject its pods; lower the container's limit, or raise containerMaximum");
    expect(error).toContain("shop/web containers[0] 'main' has limits.memory 4Gi, above the LimitRange max 1Gi");
    expect(error).toContain("shop/web containers[0] 'main' has limits.ephemeral-storage 2Gi, above the LimitRange max 1Gi");
  });
});

describe('Pod Security level', () => {
  test('baseline enforces baseline, keeps auditing and warning restricted, and fails without an exemption', () => {
    const ns = isolated({ podSecurityLevel: PodSecurityLevel.BASELINE });
    expect(synthError(ns)).toContain('[shop/Resource] namespace-psa-labels: Namespace shop /metadata/labels/pod-security.kubernetes.io~1enforce: '
      + 'Namespace \'shop\' has pod-security.kubernetes.io/enforce "baseline", not restricted; Set label pod-security.kubernetes.io/enforce: restricted.');
    const failed = Guard.findings(ns).filter(f => f.status === FindingStatus.FAIL);
    expect(failed.map(f => f.controlId)).toEqual(['namespace-psa-labels']);
  });

  test('baseline passes with an exemption, recorded on the Namespace', () => {
    const ns = isolated({
      podSecurityLevel: PodSecurityLevel.BASELINE,
      exemptions: [{ control: Controls.NAMESPACE_PSA_LABELS, reason: REASON }],
    });
    const namespace = only(synth(ns), 'Namespace');
    expect(namespace.metadata.labels).toMatchObject({
      'pod-security.kubernetes.io/enforce': 'baseline',
      'pod-security.kubernetes.io/enforce-version': 'v1.27',
      'pod-security.kubernetes.io/audit': 'restricted',
      'pod-security.kubernetes.io/warn': 'restricted',
    });
    expect(JSON.parse(namespace.metadata.annotations['exemptions.cdk8s-hardened.io/namespace-psa-labels'])).toEqual({ reason: REASON });
    const findings = Guard.findings(ns);
    expect(findings.map(f => [f.controlId, f.status, f.pointer])).toEqual([
      ['namespace-psa-labels', FindingStatus.EXEMPT, '/metadata/labels/pod-security.kubernetes.io~1enforce'],
    ]);
    expect(Guard.unusedExemptions(ns)).toEqual([]);
  });
});

describe('NamespaceQuota.fromWorkloads()', () => {
  test('with nothing declared, nothing fits', () => {
    const ns = isolated({ quota: NamespaceQuota.fromWorkloads() });
    expect(only(synth(ns), 'ResourceQuota').spec.hard).toMatchObject({ 'pods': '0', 'requests.cpu': '0', 'limits.memory': '0' });
    expect(ns.quota.sizedFromWorkloads).toBe(true);
  });

  test('a Deployment of 2 replicas counts 3 pods: maxSurge 25% of 2 rounds up to one extra pod', () => {
    const ns = isolated({ quota: NamespaceQuota.fromWorkloads() });
    web(ns);
    const manifests = synth(ns);
    expect(Guard.findings(ns)).toEqual([]);
    expect(only(manifests, 'ResourceQuota').spec.hard).toEqual({
      'pods': '3',
      'requests.cpu': '300m',
      'requests.memory': '384Mi',
      'requests.ephemeral-storage': '384Mi',
      'limits.cpu': '1500m',
      'limits.memory': '768Mi',
      'limits.ephemeral-storage': '1536Mi',
      'services.loadbalancers': '0',
      'services.nodeports': '0',
    });
  });

  test('sums every kind, computed at synthesis: workloads added after the namespace count', () => {
    const ns = isolated({ quota: NamespaceQuota.fromWorkloads() });
    web(ns); // 3 pods (2 + 1 surge) x SMALL
    new HardenedStatefulSet(ns, 'db', { // 2 pods (no surge) x MEDIUM
      containers: [{ image: DIGEST_IMAGE, portNumber: 5432 }], resourcePreset: ResourcePreset.MEDIUM,
    });
    new HardenedCronJob(ns, 'backup', { // 1 run at a time (Forbid) x SMALL
      schedule: Cron.daily(), containers: [{ image: DIGEST_IMAGE, command: ['/app/backup'] }],
    });
    new HardenedDeployment(ns, 'worker', { // 4 replicas + 50% surge = 6 pods x MICRO
      replicas: 4,
      strategy: kplus.DeploymentStrategy.rollingUpdate({ maxSurge: kplus.PercentOrAbsolute.percent(50) }),
      resourcePreset: ResourcePreset.MICRO,
      containers: [{ image: DIGEST_IMAGE, portNumber: 8081 }],
    });
    new HardenedDeployment(ns, 'singleton', { // Recreate: 1 pod, no surge x SMALL
      replicas: 1,
      strategy: kplus.DeploymentStrategy.recreate(),
      containers: [{ image: DIGEST_IMAGE, portNumber: 8082 }],
      exemptions: [{ control: Controls.REPLICAS, reason: REASON }],
    });
    const hard = only(synth(ns), 'ResourceQuota').spec.hard;
    // 13 pods: 5 SMALL (100m/500m, 128/256Mi, 128/512Mi), 2 MEDIUM (250m/1000m, 512/1024Mi, 256/1024Mi),
    // 6 MICRO (50m/250m, 64/128Mi, 64/256Mi).
    expect(hard).toEqual({
      'pods': '13',
      'requests.cpu': '1300m', //               5 x 100m + 2 x 250m + 6 x 50m
      'requests.memory': '2Gi', //              5 x 128Mi + 2 x 512Mi + 6 x 64Mi = 2048Mi
      'requests.ephemeral-storage': '1536Mi', // 5 x 128Mi + 2 x 256Mi + 6 x 64Mi
      'limits.cpu': '6', //                     5 x 500m + 2 x 1000m + 6 x 250m = 6000m
      'limits.memory': '4Gi', //                5 x 256Mi + 2 x 1024Mi + 6 x 128Mi = 4096Mi
      'limits.ephemeral-storage': '6Gi', //     5 x 512Mi + 2 x 1024Mi + 6 x 256Mi = 6144Mi
      'services.loadbalancers': '0',
      'services.nodeports': '0',
    });
  });

  test('a pod counts its largest init container when that exceeds the containers, and explicit resources', () => {
    const ns = isolated({ quota: NamespaceQuota.fromWorkloads() });
    web(ns, {
      replicas: 1,
      exemptions: [{ control: Controls.REPLICAS, reason: REASON }],
      initContainers: [{
        image: DIGEST_IMAGE,
        command: ['/app/migrate'],
        resources: { cpu: { request: kplus.Cpu.millis(1500), limit: kplus.Cpu.millis(2000) } },
      }],
    });
    // 1 replica + ceil(25% of 1) = 2 pods; cpu per pod: max(100m, init 1500m) requested, max(500m, 2000m) limited.
    expect(only(synth(ns), 'ResourceQuota').spec.hard).toMatchObject({
      'pods': '2', 'requests.cpu': '3', 'limits.cpu': '4', 'requests.memory': '256Mi', 'limits.memory': '512Mi',
    });
  });

  test('an autoscaler counts its maxReplicas', () => {
    const ns = isolated({ quota: NamespaceQuota.fromWorkloads() });
    const deployment = web(ns);
    new kplus.HorizontalPodAutoscaler(ns, 'hpa', { target: deployment, minReplicas: 2, maxReplicas: 5 });
    // 5 + ceil(25% of 5) = 7 pods
    expect(only(synth(ns), 'ResourceQuota').spec.hard).toMatchObject({ 'pods': '7', 'requests.cpu': '700m', 'limits.cpu': '3500m' });
  });

  test('workloads declared elsewhere for this namespace count; workloads inside bound for another namespace do not', () => {
    const app = Testing.app();
    const ns = isolated({ quota: NamespaceQuota.fromWorkloads() }, app);
    web(new Chart(app, 'elsewhere', { namespace: 'shop' }));
    new HardenedDeployment(ns, 'other', { metadata: { namespace: 'other' }, containers: [{ image: DIGEST_IMAGE, portNumber: 8080 }] });
    expect(only(synth(ns), 'ResourceQuota').spec.hard).toMatchObject({ 'pods': '3', 'requests.cpu': '300m' });
  });

  test('a DaemonSet counts daemonSetNodes pods; without it synthesis fails, naming it and the fix', () => {
    const agent = (ns: IsolatedNamespace) => new HardenedDaemonSet(ns, 'agent', { containers: [{ image: DIGEST_IMAGE, portNumber: 2020 }] });
    const counted = isolated({ quota: NamespaceQuota.fromWorkloads({ daemonSetNodes: 3 }) });
    agent(counted);
    expect(only(synth(counted), 'ResourceQuota').spec.hard).toMatchObject({ 'pods': '3', 'requests.cpu': '300m' });

    const uncounted = isolated({ quota: NamespaceQuota.fromWorkloads() });
    agent(uncounted);
    expect(synthError(uncounted)).toMatch(new RegExp(escape('[shop] quota: NamespaceQuota.fromWorkloads() cannot count the pods of shop/agent: '
      + "DaemonSet 'shop-agent-") + '[0-9a-f]{8}' + escape("': a DaemonSet runs one pod per node, so its pods cannot be counted; give "
      + 'NamespaceQuota.fromWorkloads({ daemonSetNodes }) the node count')));
  });

  test('a raw workload ApiObject counts from its JSON, its containers without resources at the LimitRange defaults', () => {
    const ns = isolated({ quota: NamespaceQuota.fromWorkloads() });
    rawDeployment(ns, 'raw', 2, { requests: { cpu: '200m', memory: '256Mi' }, limits: { cpu: '1', memory: '512Mi' } });
    // 2 replicas + ceil(25% of 2) = 3 pods; ephemeral-storage from the defaults (128Mi requested, 512Mi limited)
    expect(only(synth(ns), 'ResourceQuota').spec.hard).toMatchObject({
      'pods': '3',
      'requests.cpu': '600m',
      'limits.cpu': '3',
      'requests.memory': '768Mi',
      'limits.memory': '1536Mi',
      'requests.ephemeral-storage': '384Mi',
      'limits.ephemeral-storage': '1536Mi',
    });
  });

  test('a workload object without a pod template cannot be counted: synthesis fails, naming it', () => {
    const ns = isolated({ quota: NamespaceQuota.fromWorkloads() });
    new ApiObject(ns, 'raw', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'raw' } });
    expect(synthError(ns)).toContain("[shop] quota: NamespaceQuota.fromWorkloads() cannot count the pods of shop/raw: Deployment 'raw' has "
      + 'no pod template with containers (apps/v1), so its pods cannot be counted; give it one, as the API server requires');
  });

  test('the quota is sized from the final JSON: a JSON patch raising the replicas raises it', () => {
    const ns = isolated({ quota: NamespaceQuota.fromWorkloads() });
    ApiObject.of(web(ns)).addJsonPatch(JsonPatch.replace('/spec/replicas', 8));
    // 8 + ceil(25% of 8) = 10 pods
    expect(only(synth(ns), 'ResourceQuota').spec.hard).toMatchObject({ 'pods': '10', 'requests.cpu': '1', 'limits.cpu': '5' });
  });

  test('a CronJob whose runs may overlap cannot be counted', () => {
    const ns = isolated({ quota: NamespaceQuota.fromWorkloads() });
    new HardenedCronJob(ns, 'report', {
      schedule: Cron.daily(), concurrencyPolicy: kplus.ConcurrencyPolicy.ALLOW, containers: [{ image: DIGEST_IMAGE, command: ['/app/report'] }],
    });
    expect(synthError(ns)).toMatch(/cannot count the pods of shop\/report: CronJob 'shop-report-[0-9a-f]{8}': concurrencyPolicy Allow lets runs overlap without bound, so its pods cannot be counted; use ConcurrencyPolicy.FORBID \(or REPLACE\)/);
  });
});

describe('an explicit quota is checked against the declared workloads', () => {
  test('workloads that fit pass', () => {
    const ns = isolated({ quota: NamespaceQuota.of({ pods: 3 }) });
    web(ns);
    synth(ns);
    expect(Guard.findings(ns)).toEqual([]);
  });

  test('workloads that exceed it fail synthesis, naming the workloads, the amounts and the fix', () => {
    const ns = isolated({ quota: NamespaceQuota.of({ pods: 4, cpuMillis: { request: 500, limit: 2000 } }) });
    web(ns);
    new HardenedDeployment(ns, 'api', { containers: [{ image: DIGEST_IMAGE, portNumber: 9000 }] });
    const error = synthError(ns);
    expect(error).toContain("[shop] quota: the workloads of namespace 'shop' need pods 6 but the quota allows 4 "
      + '(shop/web: 3 pods (2 replicas + 1 surge); shop/api: 3 pods (2 replicas + 1 surge)); raise NamespaceQuota.of({ pods }) to at least 6, '
      + 'or use NamespaceQuota.fromWorkloads()');
    expect(error).toContain("[shop] quota: the workloads of namespace 'shop' need requests.cpu 600m but the quota allows 500m "
      + '(shop/web: 3 pods (2 replicas + 1 surge) x 100m = 300m; shop/api: 3 pods (2 replicas + 1 surge) x 100m = 300m); '
      + 'raise NamespaceQuota.of({ cpuMillis: { request: 600 } }) at least, or use NamespaceQuota.fromWorkloads()');
    expect(error).toContain('need limits.cpu 3 but the quota allows 2 (shop/web: 3 pods (2 replicas + 1 surge) x 500m = 1500m; '
      + 'shop/api: 3 pods (2 replicas + 1 surge) x 500m = 1500m); raise NamespaceQuota.of({ cpuMillis: { limit: 3000 } }) at least');
    // Sizes not given are 4 pods' worth of the SMALL defaults: memory requests 4 x 128Mi, below 6 x 128Mi.
    expect(error).toContain('need requests.memory 768Mi but the quota allows 512Mi');
    expect(error).toContain('raise NamespaceQuota.of({ memoryMebibytes: { request: 768 } }) at least');
  });
});

describe('the explicit quota is checked against the final JSON of the namespace', () => {
  test('a JSON patch raising a workload\'s replicas fails synthesis, naming the workload and its patched count', () => {
    const ns = isolated({ quota: NamespaceQuota.of({ pods: 4 }) });
    const deployment = web(ns);
    ApiObject.of(deployment).addJsonPatch(JsonPatch.replace('/spec/replicas', 50));
    // 50 replicas + ceil(25% of 50) = 63 pods
    const error = synthError(ns);
    expect(error).toContain("[shop] quota: the workloads of namespace 'shop' need pods 63 but the quota allows 4 "
      + '(shop/web: 63 pods (50 replicas + 13 surge)); raise NamespaceQuota.of({ pods }) to at least 63, or use NamespaceQuota.fromWorkloads()');
    expect(error).toContain('need requests.cpu 6300m but the quota allows 400m (shop/web: 63 pods (50 replicas + 13 surge) x 100m = 6300m)');
  });

  test('a raw ApiObject Deployment over the quota fails synthesis, counted from its JSON', () => {
    const ns = isolated({ quota: NamespaceQuota.of({ pods: 20 }) });
    rawDeployment(ns, 'raw', 100, { requests: { cpu: '100m' }, limits: { cpu: '500m' } });
    const error = synthError(ns);
    expect(error).toContain("[shop] quota: the workloads of namespace 'shop' need pods 125 but the quota allows 20 "
      + '(shop/raw: 125 pods (100 replicas + 25 surge))');
    expect(error).toContain('need limits.cpu 62500m but the quota allows 10 (shop/raw: 125 pods (100 replicas + 25 surge) x 500m = 62500m)');
    // No own memory requests: the LimitRange default (128Mi) is what each pod counts.
    expect(error).toContain('need requests.memory 16000Mi but the quota allows 2560Mi (shop/raw: 125 pods (100 replicas + 25 surge) x 128Mi = 16000Mi)');
  });

  test('included YAML counts too', () => {
    const ns = isolated({ quota: NamespaceQuota.of({ pods: 5 }) });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-hardened-include-'));
    const file = path.join(dir, 'worker.yaml');
    fs.writeFileSync(file, [
      'apiVersion: batch/v1', 'kind: Job', 'metadata: { name: batch }',
      'spec: { parallelism: 6, template: { spec: { restartPolicy: Never, containers: [{ name: main, image: x }] } } }', '',
    ].join('\n'));
    try {
      new Include(ns, 'included', { url: file });
      expect(synthError(ns)).toContain('need pods 6 but the quota allows 5 (shop/included/batch-job: 6 pods (parallelism 6))');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('workloads within the quota pass, raw and patched ones included', () => {
    const ns = isolated({ quota: NamespaceQuota.of({ pods: 8 }) });
    ApiObject.of(web(ns)).addJsonPatch(JsonPatch.replace('/spec/replicas', 3)); // 3 + 1 surge
    rawDeployment(ns, 'raw', 3); // 3 + 1 surge
    expect(synth(ns).filter(m => m.kind === 'Deployment').map(m => m.spec.replicas)).toEqual([3, 3]);
    expect(Guard.findings(ns).filter(f => f.status === FindingStatus.FAIL && f.severity === 'error')).toEqual([]);
  });

  test('an object a JSON patch moves into the namespace counts; one it moves out does not', () => {
    const app = Testing.app();
    const ns = isolated({ quota: NamespaceQuota.of({ pods: 3 }) }, app);
    rawDeployment(new Chart(app, 'elsewhere', { namespace: 'elsewhere' }), 'moved-in', 3).addJsonPatch(JsonPatch.replace('/metadata/namespace', 'shop'));
    ApiObject.of(web(ns)).addJsonPatch(JsonPatch.replace('/metadata/namespace', 'other'));
    expect(synthError(ns)).toContain("[shop] quota: the workloads of namespace 'shop' need pods 4 but the quota allows 3 "
      + '(elsewhere/moved-in: 4 pods (3 replicas + 1 surge)); raise NamespaceQuota.of({ pods }) to at least 4');
  });

  test('workloads whose pods cannot be counted fail synthesis with a fixed quota too, naming the fix', () => {
    const ns = isolated({ quota: NamespaceQuota.of({ pods: 10 }) });
    new HardenedDaemonSet(ns, 'agent', { containers: [{ image: DIGEST_IMAGE, portNumber: 2020 }] });
    rawDeployment(ns, 'odd', 1, { requests: { cpu: 'lots' } });
    const error = synthError(ns);
    expect(error).toMatch(new RegExp(escape("[shop] quota: NamespaceQuota.of() cannot count the pods of shop/agent: DaemonSet 'shop-agent-")
      + '[0-9a-f]{8}' + escape("': a DaemonSet runs one pod per node, so its pods cannot be counted; give NamespaceQuota.of({ daemonSetNodes }) the node count")));
    expect(error).toContain("[shop] quota: NamespaceQuota.of() cannot count the pods of shop/odd: Deployment 'odd' containers[0] 'main': "
      + "resources.requests.cpu \"lots\" is not a quantity the quota can count; use e.g. '250m' or '256Mi'");
  });

  test('NamespaceQuota.of({ daemonSetNodes }) counts a DaemonSet\'s pods', () => {
    const fits = isolated({ quota: NamespaceQuota.of({ pods: 3, daemonSetNodes: 3 }) });
    new HardenedDaemonSet(fits, 'agent', { containers: [{ image: DIGEST_IMAGE, portNumber: 2020 }] });
    expect(fits.quota.workloadOptions.daemonSetNodes).toBe(3);
    synth(fits);
    expect(Guard.findings(fits)).toEqual([]);

    const tooMany = isolated({ quota: NamespaceQuota.of({ pods: 3, daemonSetNodes: 4 }) });
    new HardenedDaemonSet(tooMany, 'agent', { containers: [{ image: DIGEST_IMAGE, portNumber: 2020 }] });
    expect(synthError(tooMany)).toContain('need pods 4 but the quota allows 3 (shop/agent: 4 pods (4 nodes))');
  });

  test('a JSON patch lowering the quota is checked as written, and named as the fix', () => {
    const ns = isolated({ quota: NamespaceQuota.of({ pods: 10 }) });
    web(ns);
    // The typed ResourceQuota holds Quantity objects until it is serialized: a patch replaces the `value` inside.
    ns.resourceQuota.addJsonPatch(JsonPatch.replace('/spec/hard/pods/value', '2'));
    expect(synthError(ns)).toContain('need pods 3 but the quota allows 2 (shop/web: 3 pods (2 replicas + 1 surge)); remove the JSON patch that '
      + "sets its spec.hard['pods'] (the quota's sizes come from the quota prop)");
  });

  test('another, tighter ResourceQuota of the namespace binds: admission enforces every quota', () => {
    const ns = isolated({ quota: NamespaceQuota.of({ pods: 10 }) });
    web(ns);
    new kplus.k8s.KubeResourceQuota(ns, 'team-cap', { metadata: { name: 'team-cap' }, spec: { hard: { 'requests.cpu': kplus.k8s.Quantity.fromString('200m') } } });
    expect(synthError(ns)).toContain("need requests.cpu 300m but ResourceQuota 'team-cap' (shop/team-cap) allows 200m (shop/web: 3 pods "
      + "(2 replicas + 1 surge) x 100m = 300m); raise its spec.hard['requests.cpu'] to at least 300m, or remove it");
  });

  test('the check runs before serialization and does not re-enter it: App.synth() synthesizes once, and twice alike', () => {
    const app = Testing.app();
    const ns = isolated({ quota: NamespaceQuota.fromWorkloads() }, app);
    web(ns, { replicas: 3 });
    const fixed = new IsolatedNamespace(app, 'fixed', { quota: NamespaceQuota.of({ pods: 4 }) });
    web(fixed);
    withoutGuardSummary(() => app.synth());
    const first = fs.readdirSync(app.outdir).sort().map(f => fs.readFileSync(path.join(app.outdir, f), 'utf8'));
    withoutGuardSummary(() => app.synth());
    const second = fs.readdirSync(app.outdir).sort().map(f => fs.readFileSync(path.join(app.outdir, f), 'utf8'));
    expect(second).toEqual(first);
    expect(first.join('\n')).toContain('pods: "4"');
  });
});

describe('weakenings of the namespace bundle fail synthesis', () => {
  test('a JSON patch turning the default ServiceAccount\'s token back on fails service-account-automount', () => {
    const ns = isolated();
    ns.defaultServiceAccount.addJsonPatch(JsonPatch.replace('/automountServiceAccountToken', true));
    expect(synthError(ns)).toContain('[shop/DefaultServiceAccount] service-account-automount: ServiceAccount shop/default /automountServiceAccountToken: '
      + "ServiceAccount 'default' has automountServiceAccountToken true, not false, so every pod of the namespace that names no ServiceAccount gets a token");
  });

  test('a JSON patch admitting LoadBalancers or node ports through the quota fails namespace-quota, at the key', () => {
    const ns = isolated();
    // The typed ResourceQuota holds Quantity objects until it is serialized: a patch replaces the `value` inside, or
    // the whole Quantity (a bare string there would drop the key, which fails as a missing count).
    ns.resourceQuota.addJsonPatch(JsonPatch.replace('/spec/hard/services.loadbalancers/value', '3'));
    ns.resourceQuota.addJsonPatch(JsonPatch.replace('/spec/hard/services.nodeports', { value: '5' }));
    const error = synthError(ns);
    expect(error).toContain('[shop/ResourceQuota] namespace-quota: ResourceQuota shop/resource-quota /spec/hard/services.loadbalancers: '
      + "ResourceQuota 'resource-quota' admits LoadBalancer Services: spec.hard['services.loadbalancers'] is \"3\", not \"0\"");
    expect(error).toContain("/spec/hard/services.nodeports: ResourceQuota 'resource-quota' admits node ports: spec.hard['services.nodeports'] is \"5\"");
  });

  test('a JSON patch removing a services count fails namespace-quota on the Namespace', () => {
    const ns = isolated();
    ns.resourceQuota.addJsonPatch(JsonPatch.remove('/spec/hard/services.nodeports'));
    expect(synthError(ns)).toContain("[shop/Resource] namespace-quota: Namespace shop /metadata/name: Namespace 'shop' has no unscoped "
      + 'ResourceQuota with hard services.nodeports; Add a ResourceQuota in namespace \'shop\' whose spec.hard sets services.nodeports (the services counts to "0").');
  });

  test('allowedLoadBalancers and allowedNodePorts exempt exactly the counts given, with a reason naming the option, recorded on the quota', () => {
    const ns = isolated({ allowedLoadBalancers: 1, allowedNodePorts: 2 });
    const quota = only(synth(ns), 'ResourceQuota');
    expect(quota.spec.hard).toMatchObject({ 'services.loadbalancers': '1', 'services.nodeports': '2' });
    const recorded = JSON.parse(quota.metadata.annotations['exemptions.cdk8s-hardened.io/namespace-quota']);
    expect(recorded).toEqual([
      {
        reason: "IsolatedNamespace option allowedLoadBalancers: 1 admits 1 LoadBalancer Services in namespace 'shop'; each Service is "
          + 'still judged by the service-load-balancer and service-node-port controls',
        kind: 'ResourceQuota',
        pointer: '/spec/hard/services.loadbalancers',
        pointerValue: '1',
      },
      {
        reason: "IsolatedNamespace option allowedNodePorts: 2 admits 2 node ports in namespace 'shop'; each Service is still judged by the "
          + 'service-load-balancer and service-node-port controls',
        kind: 'ResourceQuota',
        pointer: '/spec/hard/services.nodeports',
        pointerValue: '2',
      },
    ]);
    expect(Guard.findings(ns).map(f => [f.controlId, f.status, f.kind, f.pointer])).toEqual([
      ['namespace-quota', FindingStatus.EXEMPT, 'ResourceQuota', '/spec/hard/services.loadbalancers'],
      ['namespace-quota', FindingStatus.EXEMPT, 'ResourceQuota', '/spec/hard/services.nodeports'],
    ]);
    expect(Guard.unusedExemptions(ns)).toEqual([]);
  });

  test('without the options, nothing is exempted', () => {
    const ns = isolated({ allowedLoadBalancers: 0 });
    expect(only(synth(ns), 'ResourceQuota').metadata.annotations).toBeUndefined();
    expect(Exemptions.below(ns)).toEqual([]);
  });

  test('a JSON patch raising an allowed count above the option voids the exemption and fails', () => {
    const ns = isolated({ allowedLoadBalancers: 1, allowedNodePorts: 2 });
    ns.resourceQuota.addJsonPatch(JsonPatch.replace('/spec/hard/services.loadbalancers/value', '5'));
    const error = synthError(ns);
    expect(error).toContain('[shop/ResourceQuota] namespace-quota: ResourceQuota shop/resource-quota /spec/hard/services.loadbalancers: '
      + "ResourceQuota 'resource-quota' admits LoadBalancer Services: spec.hard['services.loadbalancers'] is \"5\"");
    expect(error).not.toContain('services.nodeports');
  });
});

describe('the quota check runs once per App.synth(), not once per chart', () => {
  test('a workload of one of 10 namespaces is serialized twice per synthesis (quota check, guard), however many charts validate', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'quota-once-'));
    const app = new App({ outdir });
    let serializations = 0;
    const namespaces = Array.from({ length: 10 }, (_, i) => new IsolatedNamespace(app, `team${i}`));
    const raw = new ApiObject(namespaces[0], 'raw', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'raw' },
      spec: {
        replicas: Lazy.any({ produce: () => { serializations++; return 1; } }),
        selector: { matchLabels: { app: 'raw' } },
        template: { metadata: { labels: { app: 'raw' } }, spec: { containers: [{ name: 'main', image: DIGEST_IMAGE }] } },
      },
    });
    Exemptions.of(raw).add(...Controls.all().filter(c => c.exemptable).map(control => ({ control, reason: 'raw fixture that only counts its own serializations' })));
    withoutGuardSummary(() => app.synth());
    expect(serializations).toBe(2);
    withoutGuardSummary(() => app.synth());
    expect(serializations).toBe(4);
    fs.rmSync(outdir, { recursive: true, force: true });
  });
});
