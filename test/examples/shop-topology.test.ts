import { Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { INGRESS_CONTROLLER, ShopChart } from '../../examples/shop/main';
import { Endpoint, FindingStatus, Guard, Reachability } from '../../src';

/** The shop's synthesized manifests and its endpoints, named for the assertions. */
function shop() {
  const chart = new ShopChart(Testing.app(), 'shop');
  const manifests = Testing.synth(chart);
  const endpoints = {
    'frontend': Endpoint.workload('Deployment', chart.frontend.name, 'shop'),
    'backend': Endpoint.workload('Deployment', chart.backend.name, 'shop'),
    'database': Endpoint.workload('StatefulSet', chart.database.name, 'shop'),
    'backup': Endpoint.workload('CronJob', chart.backup.name, 'shop'),
    'ingress-controller': Endpoint.pod(INGRESS_CONTROLLER.namespace, INGRESS_CONTROLLER.podLabels),
  };
  return { chart, manifests, endpoints };
}

type Name = keyof ReturnType<typeof shop>['endpoints'];

/** The declared topology: who may connect to whom, on which port. Nothing else may. */
const EXPECTED: Array<[Name, Name, number]> = [
  ['ingress-controller', 'frontend', 8080],
  ['frontend', 'backend', 9000],
  ['backend', 'database', 5432],
  ['backup', 'database', 5432],
];

const WORKLOADS: Name[] = ['frontend', 'backend', 'database', 'backup'];

describe('the three-tier shop', () => {
  const { chart, manifests, endpoints } = shop();
  const reach = Reachability.of(manifests);

  test('still has no guard finding but the backend\'s API token, exempted by the library, network controls included', () => {
    expect(Guard.findings(chart).map(f => [f.constructPath, f.controlId, f.status, f.pointer])).toEqual([
      ['shop/backend/Resource', 'service-account-token', FindingStatus.EXEMPT, '/spec/template/spec/volumes/0/projected/sources/0/serviceAccountToken'],
    ]);
  });

  test('the evaluator sees every workload of the shop', () => {
    expect(reach.workloads().map(w => w.description).sort()).toEqual(WORKLOADS.map(n => endpoints[n].description).sort());
  });

  test('frontend reaches backend; backend and the backup reach the database; the ingress controller reaches the frontend', () => {
    for (const [from, to, port] of EXPECTED) {
      const verdict = reach.assertAllowed(endpoints[from], endpoints[to], port);
      // Both sides are opened: a rule on each side admits it (the namespace default-deny isolates both).
      expect(verdict.egress.isolated && verdict.ingress.isolated).toBe(from !== 'ingress-controller');
      expect(verdict.ingress.allowingRules).toHaveLength(1);
    }
  });

  test('frontend does NOT reach the database; the ingress controller reaches nothing but the frontend', () => {
    const verdict = reach.assertDenied(endpoints.frontend, endpoints.database, 5432);
    expect(verdict.explanation).toMatch(/denied by egress and ingress/);
    reach.assertDenied(endpoints['ingress-controller'], endpoints.backend, 9000);
    reach.assertDenied(endpoints['ingress-controller'], endpoints.database, 5432);
  });

  test('every pod reaches the cluster DNS, over UDP and TCP 53', () => {
    for (const name of WORKLOADS) {
      expect(reach.canResolveDns(endpoints[name]).allowed).toBe(true);
      reach.assertAllowed(endpoints[name], Endpoint.kubeDns(), 53, { protocol: kplus.NetworkProtocol.TCP });
    }
  });

  test('nothing else reaches anything: every pair of endpoints on every port of the shop', () => {
    const ports = [...new Set(WORKLOADS.flatMap(n => reach.portsOf(endpoints[n]).map(p => p.port)))].sort();
    expect(ports).toEqual([5432, 8080, 9000]);
    const sources: Array<[string, Endpoint]> = [
      ...Object.entries(endpoints),
      ['a pod of another namespace', Endpoint.pod('ingress-nginx', { 'app.kubernetes.io/name': 'something-else' })],
      ['a stray pod of the shop namespace', Endpoint.pod('shop', { app: 'debug' })],
      ['an address outside the cluster', Endpoint.external('198.51.100.7')],
    ];
    const allowed: string[] = [];
    let checked = 0;
    for (const [fromName, from] of sources) {
      for (const toName of WORKLOADS) {
        for (const port of ports) {
          checked++;
          if (reach.canConnect(from, endpoints[toName], port).allowed) allowed.push(`${fromName} -> ${toName}:${port}`);
        }
      }
    }
    expect(checked).toBe(sources.length * WORKLOADS.length * ports.length);
    expect(allowed.sort()).toEqual(EXPECTED.map(([from, to, port]) => `${from} -> ${to}:${port}`).sort());
  });

  test('nothing else reaches anything: any port and protocol, to and from pods outside the shop, kube-system included', () => {
    const ports = [22, 53, 443, 2379, 5432, 6443, 8080, 9000, 10250];
    const protocols = [kplus.NetworkProtocol.TCP, kplus.NetworkProtocol.UDP];
    const outsiders: Array<[string, Endpoint]> = [
      ['kube-dns', Endpoint.kubeDns()],
      ['a kube-system pod that is not DNS', Endpoint.pod('kube-system', { component: 'kube-apiserver' })],
      ['the ingress controller', endpoints['ingress-controller']],
      ['a pod of another namespace', Endpoint.pod('payments', { app: 'api' })],
      ['a stray pod of the shop namespace', Endpoint.pod('shop', { app: 'debug' })],
      ['an address outside the cluster', Endpoint.external('198.51.100.7')],
    ];
    const everything: Array<[string, Endpoint]> = [...WORKLOADS.map(n => [n, endpoints[n]] as [string, Endpoint]), ...outsiders];
    const allowed: string[] = [];
    for (const [fromName, from] of everything) {
      for (const [toName, to] of everything) {
        // Traffic between two outsiders is not the shop's to decide (no policy of the app selects either side).
        if (fromName === toName || (!WORKLOADS.includes(fromName as Name) && !WORKLOADS.includes(toName as Name))) continue;
        for (const port of ports) {
          for (const protocol of protocols) {
            if (reach.canConnect(from, to, port, { protocol }).allowed) allowed.push(`${fromName} -> ${toName}:${port}/${protocol}`);
          }
        }
      }
    }
    const dns = WORKLOADS.flatMap(n => [`${n} -> kube-dns:53/TCP`, `${n} -> kube-dns:53/UDP`]);
    const declared = EXPECTED.map(([from, to, port]) => `${from === 'ingress-controller' ? 'the ingress controller' : from} -> ${to}:${port}/TCP`);
    expect(allowed.sort()).toEqual([...declared, ...dns].sort());
  });

  test('no workload reaches anything outside the cluster', () => {
    for (const name of WORKLOADS) {
      reach.assertDenied(endpoints[name], Endpoint.external('198.51.100.7'), 443);
    }
  });
});

describe('the evaluator is not vacuous', () => {
  test('deleting the backend\'s ingress rule from the synthesized JSON makes "frontend reaches backend" fail', () => {
    const { chart, manifests, endpoints } = shop();
    Reachability.of(manifests).assertAllowed(endpoints.frontend, endpoints.backend, 9000);

    const edited = JSON.parse(JSON.stringify(manifests));
    const backendSelector = JSON.stringify({ matchLabels: chart.backend.matchLabels });
    const backendPolicy = edited.find((m: any) => m.kind === 'NetworkPolicy' && JSON.stringify(m.spec.podSelector) === backendSelector);
    expect(backendPolicy.spec.ingress).toHaveLength(1);
    backendPolicy.spec.ingress = [];

    const reach = Reachability.of(edited);
    expect(() => reach.assertAllowed(endpoints.frontend, endpoints.backend, 9000))
      .toThrow(/denied by ingress\..*Ingress: Deployment shop\/.* is isolated for Ingress by NetworkPolicy shop\/default-deny, shop\/.*, and no ingress rule admits from Deployment shop\/.* on TCP 9000/);
    // Everything else is unchanged: the frontend's own egress rule still admits it.
    expect(reach.canConnect(endpoints.frontend, endpoints.backend, 9000).egress.allowed).toBe(true);
    reach.assertAllowed(endpoints.backend, endpoints.database, 5432);
  });

  test('deleting the frontend\'s egress rule to the backend fails it on the egress side', () => {
    const { chart, manifests, endpoints } = shop();
    const edited = JSON.parse(JSON.stringify(manifests));
    const frontendSelector = JSON.stringify({ matchLabels: chart.frontend.matchLabels });
    const frontendPolicy = edited.find((m: any) => m.kind === 'NetworkPolicy' && JSON.stringify(m.spec.podSelector) === frontendSelector);
    frontendPolicy.spec.egress = frontendPolicy.spec.egress.slice(0, 1); // keep DNS only
    const reach = Reachability.of(edited);
    expect(reach.canConnect(endpoints.frontend, endpoints.backend, 9000).explanation).toMatch(/: denied by egress\./);
    expect(reach.canResolveDns(endpoints.frontend).allowed).toBe(true);
  });

  test('deleting the namespace\'s and the workload\'s DNS rules cuts DNS', () => {
    const { manifests, endpoints } = shop();
    const edited = JSON.parse(JSON.stringify(manifests)).filter((m: any) => !(m.kind === 'NetworkPolicy' && m.metadata.name === 'allow-dns'));
    expect(Reachability.of(edited).canResolveDns(endpoints.frontend).allowed).toBe(true); // the workload's own policy keeps DNS
    for (const m of edited) {
      if (m.kind === 'NetworkPolicy') m.spec.egress = (m.spec.egress ?? []).filter((r: any) => !JSON.stringify(r).includes('kube-dns'));
    }
    expect(Reachability.of(edited).canResolveDns(endpoints.frontend).allowed).toBe(false);
  });
});
