import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { Endpoint, HardenedDeployment, IsolatedNamespace, NamespaceQuota, NetworkPeer, Reachability, WorkloadConnections } from '../../src';
import { DIGEST_IMAGE, synth } from '../helpers/synth';

const ADDR = 'cdk8s.io/metadata.addr';

function deployment(scope: Construct, id: string, port: number): HardenedDeployment {
  return new HardenedDeployment(scope, id, { containers: [{ image: DIGEST_IMAGE, ports: [{ number: port }] }] });
}

function policyOf(manifests: any[], workload: kplus.AbstractPod): any {
  const found = manifests.filter(m => m.kind === 'NetworkPolicy' && m.spec.podSelector.matchLabels?.[ADDR] === workload.podMetadata.getLabel(ADDR));
  if (found.length !== 1) throw new Error(`expected one NetworkPolicy for ${workload.node.path}, found ${found.length}`);
  return found[0];
}

const selectorOf = (w: kplus.AbstractPod) => ({ matchLabels: { [ADDR]: w.podMetadata.getLabel(ADDR) } });
const endpoint = (w: HardenedDeployment, ns: string) => Endpoint.workload('Deployment', w.name, ns);

describe('NetworkPeer.anyPodInNamespace(): allowFrom', () => {
  const app = Testing.app();
  const shop = new IsolatedNamespace(app, 'shop', { quota: NamespaceQuota.fromWorkloads() });
  const web = deployment(shop, 'web', 8080);
  const api = deployment(shop, 'api', 9000);
  WorkloadConnections.of(web).allowFrom(NetworkPeer.anyPodInNamespace());
  // Declared after the connection: still opened.
  const worker = deployment(shop, 'worker', 7000);
  // A plain cdk8s-plus workload of the same namespace (another, unguarded chart).
  const plainChart = new Chart(app, 'plain', { namespace: 'shop' });
  const plain = new kplus.Deployment(plainChart, 'plain', { containers: [{ image: DIGEST_IMAGE, portNumber: 6000 }] });
  const other = new IsolatedNamespace(app, 'other');
  const outsider = deployment(other, 'outsider', 5000);
  const manifests = [...synth(shop), ...synth(other), ...Testing.synth(plainChart)];
  const reach = Reachability.of(manifests);

  test('the target\'s policy admits every pod of its namespace (podSelector {}) on its container ports', () => {
    expect(policyOf(manifests, web).spec.ingress).toEqual([{ from: [{ podSelector: {} }], ports: [{ protocol: 'TCP', port: 8080 }] }]);
  });

  test('every hardened workload of the namespace, the target itself and those declared later included, gets the egress rule', () => {
    for (const w of [api, worker, web]) {
      expect(policyOf(manifests, w).spec.egress).toContainEqual({ to: [{ podSelector: selectorOf(web) }], ports: [{ protocol: 'TCP', port: 8080 }] });
      expect(reach.canConnect(endpoint(w, 'shop'), endpoint(web, 'shop'), 8080).allowed).toBe(true);
    }
    // Only the target's port, and only towards the target.
    expect(reach.canConnect(endpoint(api, 'shop'), endpoint(web, 'shop'), 9000).allowed).toBe(false);
    expect(reach.canConnect(endpoint(web, 'shop'), endpoint(api, 'shop'), 9000).allowed).toBe(false);
    expect(policyOf(manifests, api).spec.ingress).toEqual([]);
  });

  test('nothing of another namespace is opened, on either side', () => {
    expect(policyOf(manifests, outsider).spec.egress.map((r: any) => r.to)).toHaveLength(1); // DNS only
    expect(reach.canConnect(endpoint(outsider, 'other'), endpoint(web, 'shop'), 8080).allowed).toBe(false);
  });

  test('plain workloads get no rule on their side (the namespace default-deny keeps their egress closed)', () => {
    expect(manifests.filter(m => m.kind === 'NetworkPolicy' && JSON.stringify(m).includes(plain.podMetadata.getLabel(ADDR)!))).toEqual([]);
    expect(reach.canConnect(Endpoint.workload('Deployment', plain.name, 'shop'), endpoint(web, 'shop'), 8080).allowed).toBe(false);
  });
});

describe('NetworkPeer.anyPodInNamespace(): allowTo', () => {
  test('needs ports (the receivers differ)', () => {
    const shop = new IsolatedNamespace(Testing.app(), 'shop');
    const scraper = deployment(shop, 'scraper', 8080);
    expect(() => WorkloadConnections.of(scraper).allowTo(NetworkPeer.anyPodInNamespace()))
      .toThrow(/\[shop\/scraper\] allowTo\(every pod of the namespace\): ports are required/);
  });

  test('opens the source\'s egress to every pod, and every hardened workload\'s ingress from it, on the given ports', () => {
    const shop = new IsolatedNamespace(Testing.app(), 'shop');
    const scraper = deployment(shop, 'scraper', 8080);
    const api = deployment(shop, 'api', 9090);
    WorkloadConnections.of(scraper).allowTo(NetworkPeer.anyPodInNamespace(), { ports: [kplus.NetworkPolicyPort.tcp(9090)] });
    const manifests = synth(shop);
    expect(policyOf(manifests, scraper).spec.egress).toContainEqual({ to: [{ podSelector: {} }], ports: [{ protocol: 'TCP', port: 9090 }] });
    expect(policyOf(manifests, api).spec.ingress).toEqual([{ from: [{ podSelector: selectorOf(scraper) }], ports: [{ protocol: 'TCP', port: 9090 }] }]);
    const reach = Reachability.of(manifests);
    expect(reach.canConnect(endpoint(scraper, 'shop'), endpoint(api, 'shop'), 9090).allowed).toBe(true);
    expect(reach.canConnect(endpoint(api, 'shop'), endpoint(scraper, 'shop'), 8080).allowed).toBe(false);
    expect(reach.canConnect(Endpoint.pod('shop', { app: 'stray' }), endpoint(api, 'shop'), 9090).allowed).toBe(false);
  });

  test('the cdk8s-plus connections API with isolation PEER opens only the other workloads\' side', () => {
    const shop = new IsolatedNamespace(Testing.app(), 'shop');
    const web = deployment(shop, 'web', 8080);
    const api = deployment(shop, 'api', 9000);
    WorkloadConnections.of(web)._allow('Ingress', NetworkPeer.anyPodInNamespace(), undefined, false, true);
    const manifests = synth(shop);
    expect(policyOf(manifests, web).spec.ingress).toEqual([]);
    expect(policyOf(manifests, api).spec.egress).toContainEqual({ to: [{ podSelector: selectorOf(web) }], ports: [{ protocol: 'TCP', port: 8080 }] });
  });
});
