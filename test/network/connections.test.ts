import { Chart, Cron, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Endpoint, Guard, HardenedCronJob, HardenedDeployment, HardenedStatefulSet, NetworkPeer, Reachability, WorkloadConnections } from '../../src';
import { DIGEST_IMAGE, IMAGE, synth, synthError } from '../helpers/synth';

const ADDR = 'cdk8s.io/metadata.addr';
const NAME = 'kubernetes.io/metadata.name';
const DNS_RULE = {
  to: [{
    namespaceSelector: { matchLabels: { [NAME]: 'kube-system' } },
    podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
  }],
  ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }],
};

/** The one NetworkPolicy selecting the workload's pods, from synthesized manifests. */
function policyOf(manifests: any[], workload: kplus.AbstractPod): any {
  const selector = workload instanceof kplus.Workload && Object.keys(workload.matchLabels).length > 0
    ? workload.matchLabels
    : { [ADDR]: workload.podMetadata.getLabel(ADDR) };
  const found = manifests.filter(m => m.kind === 'NetworkPolicy' && JSON.stringify(m.spec.podSelector.matchLabels) === JSON.stringify(selector));
  if (found.length !== 1) throw new Error(`expected one NetworkPolicy for ${workload.node.path}, found ${found.length}`);
  return found[0];
}

function selectorOf(workload: kplus.AbstractPod): any {
  return { matchLabels: { [ADDR]: workload.podMetadata.getLabel(ADDR) } };
}

function deployment(chart: Chart, id: string, ports: kplus.ContainerPort[] = [{ number: 8080 }]): HardenedDeployment {
  return new HardenedDeployment(chart, id, { containers: [{ image: DIGEST_IMAGE, ports }] });
}

describe('two hardened workloads of one namespace', () => {
  const shop = new Chart(Testing.app(), 'shop', { namespace: 'shop' });
  const web = deployment(shop, 'web', [{ number: 8080 }]);
  const api = deployment(shop, 'api', [{ number: 9000 }]);
  WorkloadConnections.of(web).allowTo(NetworkPeer.workload(api));
  const manifests = synth(shop);

  test('the source gets the egress rule, DNS first, on the target\'s container port; still one policy per workload', () => {
    expect(manifests.filter(m => m.kind === 'NetworkPolicy')).toHaveLength(2);
    expect(policyOf(manifests, web).spec).toEqual({
      podSelector: selectorOf(web),
      policyTypes: ['Ingress', 'Egress'],
      ingress: [],
      egress: [DNS_RULE, { to: [{ podSelector: selectorOf(api) }], ports: [{ protocol: 'TCP', port: 9000 }] }],
    });
  });

  test('the target gets the ingress rule; same namespace, so no namespaceSelector', () => {
    expect(policyOf(manifests, api).spec).toEqual({
      podSelector: selectorOf(api),
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [{ podSelector: selectorOf(web) }], ports: [{ protocol: 'TCP', port: 9000 }] }],
      egress: [DNS_RULE],
    });
  });

  test('the guard has no finding at all', () => {
    expect(Guard.findings(shop)).toEqual([]);
  });
});

describe('across charts and namespaces', () => {
  const app = Testing.app();
  const front = new Chart(app, 'front', { namespace: 'front' });
  const back = new Chart(app, 'back', { namespace: 'back' });
  const web = deployment(front, 'web', [{ number: 8080 }]);
  const api = deployment(back, 'api', [{ number: 9000 }]);
  WorkloadConnections.of(api).allowFrom(NetworkPeer.workload(web));
  const frontManifests = synth(front);
  const backManifests = synth(back);

  test('both sides are opened, each on the workload\'s own policy in its own chart', () => {
    expect(frontManifests.filter(m => m.kind === 'NetworkPolicy')).toHaveLength(1);
    expect(backManifests.filter(m => m.kind === 'NetworkPolicy')).toHaveLength(1);
    expect(policyOf(frontManifests, web).metadata.namespace).toBe('front');
    expect(policyOf(backManifests, api).metadata.namespace).toBe('back');
  });

  test('the peer is ONE entry selecting the namespace by kubernetes.io/metadata.name AND the pods', () => {
    expect(policyOf(frontManifests, web).spec.egress).toEqual([DNS_RULE, {
      to: [{ namespaceSelector: { matchLabels: { [NAME]: 'back' } }, podSelector: selectorOf(api) }],
      ports: [{ protocol: 'TCP', port: 9000 }],
    }]);
    expect(policyOf(backManifests, api).spec.ingress).toEqual([{
      from: [{ namespaceSelector: { matchLabels: { [NAME]: 'front' } }, podSelector: selectorOf(web) }],
      ports: [{ protocol: 'TCP', port: 9000 }],
    }]);
  });

  test('the evaluator over both charts\' output: web reaches api, nothing else does', () => {
    const reach = Reachability.of([...frontManifests, ...backManifests]);
    const webEndpoint = Endpoint.workload('Deployment', web.name, 'front');
    const apiEndpoint = Endpoint.workload('Deployment', api.name, 'back');
    reach.assertAllowed(webEndpoint, apiEndpoint, 9000);
    reach.assertDenied(webEndpoint, apiEndpoint, 9001);
    reach.assertDenied(apiEndpoint, webEndpoint, 8080);
    reach.assertDenied(Endpoint.pod('front', { app: 'stray' }), apiEndpoint, 9000);
    reach.assertDenied(Endpoint.pod('other', web.matchLabels), apiEndpoint, 9000);
    expect(reach.canResolveDns(webEndpoint).allowed && reach.canResolveDns(apiEndpoint).allowed).toBe(true);
  });

  test('a workload that names no namespace is selected in namespace default (cdk8s-plus-27 leaves the namespace out)', () => {
    const app2 = Testing.app();
    const plainChart = new Chart(app2, 'plain');
    const apiChart = new Chart(app2, 'api', { namespace: 'back' });
    const job = new kplus.CronJob(plainChart, 'job', { schedule: Cron.daily(), containers: [{ image: IMAGE, securityContext: { ensureNonRoot: false } }] });
    const target = deployment(apiChart, 'api', [{ number: 9000 }]);
    WorkloadConnections.of(job).allowTo(NetworkPeer.workload(target));
    expect(policyOf(synth(apiChart), target).spec.ingress).toEqual([{
      from: [{ namespaceSelector: { matchLabels: { [NAME]: 'default' } }, podSelector: selectorOf(job) }],
      ports: [{ protocol: 'TCP', port: 9000 }],
    }]);
    expect(policyOf(synth(plainChart), job).spec.egress[1].to).toEqual([
      { namespaceSelector: { matchLabels: { [NAME]: 'back' } }, podSelector: selectorOf(target) },
    ]);
  });
});

describe('ports', () => {
  test('derived from every container port of the receiver with its protocol, sorted, including containers added later', () => {
    const chart = new Chart(Testing.app(), 'c', { namespace: 'shop' });
    const web = deployment(chart, 'web');
    const dns = new HardenedStatefulSet(chart, 'dns', {
      containers: [{ name: 'server', image: IMAGE, ports: [{ number: 5353, protocol: kplus.Protocol.UDP }, { number: 8053 }] }],
    });
    WorkloadConnections.of(web).allowTo(NetworkPeer.workload(dns));
    dns.addContainer({ name: 'metrics', image: IMAGE, portNumber: 9153 });
    const manifests = synth(chart);
    const expected = [{ protocol: 'TCP', port: 8053 }, { protocol: 'TCP', port: 9153 }, { protocol: 'UDP', port: 5353 }];
    expect(policyOf(manifests, web).spec.egress[1].ports).toEqual(expected);
    expect(policyOf(manifests, dns).spec.ingress[0].ports).toEqual(expected);
  });

  test('explicit ports replace the derived ones; declarations to one peer merge into one rule', () => {
    const chart = new Chart(Testing.app(), 'c', { namespace: 'shop' });
    const web = deployment(chart, 'web');
    const api = deployment(chart, 'api', [{ number: 9000 }, { number: 9443 }]);
    WorkloadConnections.of(web).allowTo(NetworkPeer.workload(api), { ports: [kplus.NetworkPolicyPort.tcp(9443)] });
    WorkloadConnections.of(web).allowTo(NetworkPeer.workload(api), { ports: [kplus.NetworkPolicyPort.tcpRange(7000, 7010)] });
    const manifests = synth(chart);
    expect(policyOf(manifests, web).spec.egress).toEqual([DNS_RULE, {
      to: [{ podSelector: selectorOf(api) }],
      ports: [{ protocol: 'TCP', port: 7000, endPort: 7010 }, { protocol: 'TCP', port: 9443 }],
    }]);
    expect(policyOf(manifests, api).spec.ingress).toEqual([{
      from: [{ podSelector: selectorOf(web) }],
      ports: [{ protocol: 'TCP', port: 7000, endPort: 7010 }, { protocol: 'TCP', port: 9443 }],
    }]);
  });

  test('a receiver without container ports, and ports that are not ports, are refused with the fix', () => {
    const chart = new Chart(Testing.app(), 'c', { namespace: 'shop' });
    const web = deployment(chart, 'web');
    const job = new HardenedCronJob(chart, 'job', { schedule: Cron.daily(), containers: [{ image: IMAGE }] });
    WorkloadConnections.of(web).allowTo(NetworkPeer.workload(job));
    const error = synthError(chart);
    expect(error).toMatch(/\[c\/web\] allowTo\(workload c\/job\): c\/job declares no container port .*\(portNumber\)/);
    expect(error).not.toMatch(/guard/);
    expect(() => WorkloadConnections.of(web).allowTo(NetworkPeer.workload(web), { ports: [kplus.NetworkPolicyPort.allTcp()] }))
      .toThrow(/port 0 is not a port number .*tcpRange\(1, 65535\)/);
    expect(() => WorkloadConnections.of(web).allowTo(NetworkPeer.workload(web), { ports: [] })).toThrow(/names no port/);
    expect(() => WorkloadConnections.of(web).allowTo(NetworkPeer.cidr('203.0.113.0/24'))).toThrow(/ports are required/);
  });
});

describe('peers outside the app', () => {
  const chart = new Chart(Testing.app(), 'c', { namespace: 'shop' });
  const web = deployment(chart, 'web');
  WorkloadConnections.of(web).allowFrom(NetworkPeer.inNamespace('ingress-nginx', { podLabels: { 'app.kubernetes.io/name': 'ingress-nginx' } }));
  WorkloadConnections.of(web).allowFrom(NetworkPeer.inNamespace('monitoring'), { ports: [kplus.NetworkPolicyPort.tcp(9090)] });
  WorkloadConnections.of(web).allowTo(NetworkPeer.cidr('203.0.113.0/24', { exceptCidrs: ['203.0.113.128/25'] }), {
    ports: [kplus.NetworkPolicyPort.tcp(443)],
  });
  const manifests = synth(chart);
  const policy = policyOf(manifests, web);

  test('ingress from another namespace\'s pods: one peer, namespace AND pods; only this side is written', () => {
    expect(manifests.filter(m => m.kind === 'NetworkPolicy')).toHaveLength(1);
    expect(policy.spec.ingress).toEqual([
      {
        from: [{ namespaceSelector: { matchLabels: { [NAME]: 'ingress-nginx' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'ingress-nginx' } } }],
        ports: [{ protocol: 'TCP', port: 8080 }],
      },
      { from: [{ namespaceSelector: { matchLabels: { [NAME]: 'monitoring' } } }], ports: [{ protocol: 'TCP', port: 9090 }] },
    ]);
  });

  test('egress to an external CIDR with except, on the given port, DNS kept', () => {
    expect(policy.spec.egress).toEqual([DNS_RULE, {
      to: [{ ipBlock: { cidr: '203.0.113.0/24', except: ['203.0.113.128/25'] } }],
      ports: [{ protocol: 'TCP', port: 443 }],
    }]);
  });

  test('bad peers are refused at declaration', () => {
    expect(() => NetworkPeer.inNamespace('Ingress_Nginx')).toThrow(/not a namespace name/);
    expect(() => NetworkPeer.inNamespace('ingress-nginx', { podLabels: {} })).toThrow(/selects every pod/);
    expect(() => NetworkPeer.inNamespace('ingress-nginx', { podLabels: { 'bad key!': 'x' } })).toThrow(/not a label key/);
    expect(() => NetworkPeer.cidr('203.0.113.0')).toThrow(/not a CIDR block/);
    expect(() => NetworkPeer.cidr('203.0.113.0/24', { exceptCidrs: ['198.51.100.0/25'] })).toThrow(/strictly inside/);
    expect(() => NetworkPeer.workload({} as any)).toThrow(/not a cdk8s-plus workload/);
    expect(() => WorkloadConnections.of(web).allowTo('api' as any)).toThrow(/not a NetworkPeer/);
    expect(() => WorkloadConnections.of(web).allowTo(web as any)).toThrow(/construct 'c\/web' is not a NetworkPeer; use NetworkPeer.workload\(w\)/);
    expect(() => WorkloadConnections.of(chart as any)).toThrow(/construct 'c' is not a cdk8s-plus workload or pod/);
  });
});

describe('declaration order and duplicates', () => {
  function build(order: 'ab' | 'ba') {
    const chart = new Chart(Testing.app(), 'c', { namespace: 'shop' });
    const web = deployment(chart, 'web');
    const a = deployment(chart, 'a', [{ number: 9000 }]);
    const b = deployment(chart, 'b', [{ number: 9001 }]);
    const declarations = [
      () => WorkloadConnections.of(web).allowTo(NetworkPeer.workload(a)),
      () => WorkloadConnections.of(web).allowTo(NetworkPeer.workload(b)),
      () => WorkloadConnections.of(web).allowTo(NetworkPeer.cidr('10.0.0.0/8'), { ports: [kplus.NetworkPolicyPort.udp(514)] }),
    ];
    (order === 'ab' ? declarations : [...declarations].reverse()).forEach(d => d());
    // The same connection declared from the other side adds no rule.
    WorkloadConnections.of(a).allowFrom(NetworkPeer.workload(web));
    return synth(chart).filter(m => m.kind === 'NetworkPolicy').map(m => m.spec);
  }

  test('the rendered policies do not depend on the order of declarations; a connection declared twice is one rule', () => {
    const ab = build('ab');
    expect(build('ba')).toEqual(ab);
    const [webPolicy, aPolicy] = ab;
    expect(webPolicy.egress).toHaveLength(4);
    expect(aPolicy.ingress).toHaveLength(1);
  });
});

describe('plain cdk8s-plus workloads', () => {
  const chart = new Chart(Testing.app(), 'c', { namespace: 'shop' });
  const web = deployment(chart, 'web');
  const cache = new kplus.Deployment(chart, 'cache', { containers: [{ image: IMAGE, portNumber: 6379, securityContext: { ensureNonRoot: false } }] });
  const legacy = new kplus.Deployment(chart, 'legacy', { containers: [{ image: IMAGE, portNumber: 8000, securityContext: { ensureNonRoot: false } }] });
  WorkloadConnections.of(web).allowTo(NetworkPeer.workload(cache));
  WorkloadConnections.of(legacy).allowTo(NetworkPeer.workload(web));
  const manifests = synth(chart);

  test('get one policy each, isolating only the directions they have rules for; egress keeps DNS', () => {
    expect(manifests.filter(m => m.kind === 'NetworkPolicy')).toHaveLength(3);
    expect(policyOf(manifests, cache).spec).toEqual({
      podSelector: selectorOf(cache),
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ podSelector: selectorOf(web) }], ports: [{ protocol: 'TCP', port: 6379 }] }],
    });
    expect(policyOf(manifests, legacy).spec).toEqual({
      podSelector: selectorOf(legacy),
      policyTypes: ['Egress'],
      egress: [DNS_RULE, { to: [{ podSelector: selectorOf(web) }], ports: [{ protocol: 'TCP', port: 8080 }] }],
    });
    expect(policyOf(manifests, web).spec.ingress).toEqual([{ from: [{ podSelector: selectorOf(legacy) }], ports: [{ protocol: 'TCP', port: 8080 }] }]);
  });
});

describe('the cdk8s-plus `connections` API of a hardened workload', () => {
  const app = Testing.app();
  const front = new Chart(app, 'front', { namespace: 'front' });
  const back = new Chart(app, 'back', { namespace: 'back' });
  const web = deployment(front, 'web');
  const api = deployment(back, 'api', [{ number: 9000 }]);
  web.connections.allowTo(api);
  const ingress = kplus.Pods.select(front, 'IngressController', {
    labels: { 'app.kubernetes.io/name': 'ingress-nginx' },
    namespaces: kplus.Namespaces.select(front, 'IngressNamespace', { names: ['ingress-nginx'] }),
  });
  web.connections.allowFrom(ingress);
  web.connections.allowTo(kplus.NetworkPolicyIpBlock.ipv4(front, 'Payments', '198.51.100.0/24'), {
    ports: [kplus.NetworkPolicyPort.tcp(443)], isolation: kplus.PodConnectionsIsolation.POD,
  });
  const frontManifests = synth(front);
  const backManifests = synth(back);

  test('compiles into the workloads\' own policies: no extra policy, none written into the ingress controller\'s namespace', () => {
    expect(frontManifests.filter(m => m.kind === 'NetworkPolicy')).toHaveLength(1);
    expect(backManifests.filter(m => m.kind === 'NetworkPolicy')).toHaveLength(1);
    expect(policyOf(frontManifests, web).spec).toEqual({
      podSelector: selectorOf(web),
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{
        from: [{
          namespaceSelector: { matchLabels: { [NAME]: 'ingress-nginx' } },
          podSelector: { matchLabels: { 'app.kubernetes.io/name': 'ingress-nginx' } },
        }],
        ports: [{ protocol: 'TCP', port: 8080 }],
      }],
      egress: [
        DNS_RULE,
        { to: [{ ipBlock: { cidr: '198.51.100.0/24' } }], ports: [{ protocol: 'TCP', port: 443 }] },
        { to: [{ namespaceSelector: { matchLabels: { [NAME]: 'back' } }, podSelector: selectorOf(api) }], ports: [{ protocol: 'TCP', port: 9000 }] },
      ],
    });
    expect(policyOf(backManifests, api).spec.ingress).toEqual([{
      from: [{ namespaceSelector: { matchLabels: { [NAME]: 'front' } }, podSelector: selectorOf(web) }],
      ports: [{ protocol: 'TCP', port: 9000 }],
    }]);
  });

  test('isolation POD opens only this side, PEER only the peer\'s; PEER on a peer outside the app is refused', () => {
    const chart = new Chart(Testing.app(), 'c', { namespace: 'shop' });
    const a = deployment(chart, 'a');
    const b = deployment(chart, 'b', [{ number: 9000 }]);
    const c = deployment(chart, 'c', [{ number: 9001 }]);
    a.connections.allowTo(b, { isolation: kplus.PodConnectionsIsolation.POD });
    a.connections.allowTo(c, { isolation: kplus.PodConnectionsIsolation.PEER });
    const manifests = synth(chart);
    expect(policyOf(manifests, a).spec.egress).toEqual([DNS_RULE, { to: [{ podSelector: selectorOf(b) }], ports: [{ protocol: 'TCP', port: 9000 }] }]);
    expect(policyOf(manifests, b).spec.ingress).toEqual([]);
    expect(policyOf(manifests, c).spec.ingress).toEqual([{ from: [{ podSelector: selectorOf(a) }], ports: [{ protocol: 'TCP', port: 9001 }] }]);
    expect(() => a.connections.allowTo(kplus.NetworkPolicyIpBlock.ipv4(chart, 'Ext', '10.0.0.0/8'), {
      isolation: kplus.PodConnectionsIsolation.PEER, ports: [kplus.NetworkPolicyPort.tcp(1)],
    })).toThrow(/never writes policies for pods it does not manage/);
  });

  test('kplus.Namespaces.select by labels and kplus.Pods.all translate to one peer each', () => {
    const chart = new Chart(Testing.app(), 'c', { namespace: 'shop' });
    const a = deployment(chart, 'a');
    a.connections.allowFrom(kplus.Namespaces.select(chart, 'Team', { labels: { team: 'payments' } }));
    a.connections.allowFrom(kplus.Pods.all(chart, 'Everyone'), { ports: [kplus.NetworkPolicyPort.tcp(8081)] });
    expect(policyOf(synth(chart), a).spec.ingress).toEqual([
      { from: [{ namespaceSelector: { matchLabels: { team: 'payments' } } }], ports: [{ protocol: 'TCP', port: 8080 }] },
      { from: [{ podSelector: {} }], ports: [{ protocol: 'TCP', port: 8081 }] },
    ]);
  });
});

describe('the cdk8s-plus connections API of a hardened workload refuses bad options by name', () => {
  test.each(['allowTo', 'allowFrom'] as const)('%s(peer, null)', verb => {
    const chart = Testing.chart();
    const a = new HardenedDeployment(chart, 'a', { metadata: { namespace: 'shop' }, containers: [{ image: 'registry.example.com/a:1.0', portNumber: 8080 }] });
    const b = new HardenedDeployment(chart, 'b', { metadata: { namespace: 'shop' }, containers: [{ image: 'registry.example.com/b:1.0', portNumber: 9000 }] });
    expect(() => a.connections[verb](b, null as any)).toThrow(`[test/a] connections.${verb}: options null is not an object; give { ports?, isolation? }, or leave it out`);
  });
});
