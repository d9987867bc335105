import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import * as yaml from 'js-yaml';
import {
  Controls, Endpoint, Guard, HardenedDeployment, IsolatedNamespace, Mesh, MeshAuthorization, MeshMode, MeshReachability, NetworkPeer,
  WorkloadConnections,
} from '../../src';
import { expectCrdCelValid, expectCrdValid } from '../helpers/crd-schema';
import { synth, withoutGuardSummary } from '../helpers/synth';

const IMAGE = 'registry.example.com/app:1.0@sha256:4f1c6e8d2b9a7c5e3f1d0b8a6c4e2f0d9b7a5c3e1f0d8b6a4c2e0f9d7b5a3c1e';

function deployment(scope: IsolatedNamespace, id: string, port = 8080, extra: Partial<kplus.ContainerProps> = {}): HardenedDeployment {
  return new HardenedDeployment(scope, id, { containers: [{ name: 'app', image: IMAGE, portNumber: port, ...extra }] });
}

const istio = (manifests: any[]) => manifests.filter(m => m.apiVersion === 'security.istio.io/v1');
const policyOf = (manifests: any[], workload: HardenedDeployment) => manifests.find(m => m.kind === 'AuthorizationPolicy'
  && JSON.stringify(m.spec.selector?.matchLabels) === JSON.stringify(workload.matchLabels));
const networkPolicyOf = (manifests: any[], workload: HardenedDeployment) => manifests.find(m => m.kind === 'NetworkPolicy'
  && JSON.stringify(m.spec.podSelector?.matchLabels) === JSON.stringify(workload.matchLabels));

/** The error App.synth() fails with (validation runs before anything is written). */
function appSynthError(app: App): string {
  try {
    withoutGuardSummary(() => app.synthYaml());
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected synthesis to fail, but it succeeded');
}

describe('MeshAuthorization from the declared connections', () => {
  test('a connection between two workloads of the namespace is an ALLOW rule naming the caller\'s principal, on the target\'s ports', () => {
    const ns = new IsolatedNamespace(Testing.app(), 'team', { mesh: Mesh.istio({ trustDomain: 'prod.example.com' }) });
    const web = deployment(ns, 'web');
    const api = deployment(ns, 'api', 9000, { ports: [{ number: 9090, name: 'metrics' }] });
    WorkloadConnections.of(web).allowTo(NetworkPeer.workload(api));
    const manifests = synth(ns);
    expectCrdValid(istio(manifests));
    expectCrdCelValid(istio(manifests));
    expect(policyOf(manifests, api).spec).toEqual({
      selector: { matchLabels: api.matchLabels },
      action: 'ALLOW',
      rules: [{
        from: [{ source: { principals: [`prod.example.com/ns/team/sa/${web.serviceAccount!.name}`] } }],
        to: [{ operation: { ports: ['9000', '9090'] } }],
      }],
    });
    // The web workload has no declared ingress: no policy of its own; allow-nothing refuses everything to it.
    expect(policyOf(manifests, web)).toBeUndefined();
    expect(Guard.findings(ns)).toEqual([]);
    expect(ns.meshAuthorization).toBeInstanceOf(MeshAuthorization);
    expect(ns.meshAuthorization!.mesh.trustDomain).toBe('prod.example.com');
  });

  test('declared ports narrower than the container\'s are what the rule admits (the same as the NetworkPolicy); UDP is left out', () => {
    const ns = new IsolatedNamespace(Testing.app(), 'team', { mesh: Mesh.istio() });
    const web = deployment(ns, 'web');
    const api = deployment(ns, 'api', 9000, { ports: [{ number: 9090 }, { number: 5353, protocol: kplus.Protocol.UDP }] });
    WorkloadConnections.of(api).allowFrom(NetworkPeer.workload(web),
      { ports: [kplus.NetworkPolicyPort.tcp(9090), kplus.NetworkPolicyPort.udp(5353)] });
    const manifests = synth(ns);
    expect(policyOf(manifests, api).spec.rules).toEqual([{
      from: [{ source: { principals: [`cluster.local/ns/team/sa/${web.serviceAccount!.name}`] } }],
      to: [{ operation: { ports: ['9090'] } }],
    }]);
    const reach = MeshReachability.of(manifests);
    const [from, to] = [Endpoint.workload('Deployment', web.name), Endpoint.workload('Deployment', api.name)];
    expect(reach.disagreements([from, to])).toEqual([]);
    expect(reach.compare(from, to, 9000).mesh.allowed).toBe(false);
    expect(reach.compare(from, to, 5353, { protocol: kplus.NetworkProtocol.UDP })).toMatchObject({ agree: true, network: { allowed: true } });
  });

  test('a workload of another meshed namespace is admitted by its principal in its namespace', () => {
    const app = Testing.app();
    const mesh = Mesh.istio();
    const front = new IsolatedNamespace(app, 'front', { mesh });
    const back = new IsolatedNamespace(app, 'back', { mesh });
    const web = deployment(front, 'web');
    const api = deployment(back, 'api', 9000);
    WorkloadConnections.of(web).allowTo(NetworkPeer.workload(api));
    const manifests = [...synth(front), ...synth(back)];
    expectCrdValid(istio(manifests));
    expectCrdCelValid(istio(manifests));
    expect(policyOf(manifests, api).spec.rules[0].from).toEqual([{ source: { principals: [`cluster.local/ns/front/sa/${web.serviceAccount!.name}`] } }]);
    const reach = MeshReachability.of(manifests);
    expect(reach.disagreements([Endpoint.workload('Deployment', web.name), Endpoint.workload('Deployment', api.name)])).toEqual([]);
    expect(reach.canConnect(Endpoint.workload('Deployment', web.name), Endpoint.workload('Deployment', api.name), 9000).allowed).toBe(true);
  });
});

describe('declarations made before the mesh count', () => {
  test('a workload declared in the namespace by another chart before the IsolatedNamespace gets its policy too', () => {
    const app = Testing.app();
    const early = new Chart(app, 'early', { namespace: 'team' });
    const web = new HardenedDeployment(early, 'web', { containers: [{ name: 'app', image: IMAGE, portNumber: 8080 }] });
    const api = new HardenedDeployment(early, 'api', { containers: [{ name: 'app', image: IMAGE, portNumber: 9000 }] });
    WorkloadConnections.of(web).allowTo(NetworkPeer.workload(api));
    const ns = new IsolatedNamespace(app, 'team', { mesh: Mesh.istio() });
    const manifests = [...synth(early), ...synth(ns)];
    expect(policyOf(manifests, api).spec.rules[0].from[0].source.principals).toEqual([`cluster.local/ns/team/sa/${web.serviceAccount!.name}`]);
    expect(MeshReachability.of(manifests).disagreements([Endpoint.workload('Deployment', web.name), Endpoint.workload('Deployment', api.name)]))
      .toEqual([]);
  });
});

describe('peers outside the mesh', () => {
  test('an unmeshed ingress controller and a CIDR: plain text on their declared ports only (port-level PERMISSIVE), the rest STRICT', () => {
    const ns = new IsolatedNamespace(Testing.app(), 'team', { mesh: Mesh.istio() });
    const web = deployment(ns, 'web', 8080, { ports: [{ number: 8443 }, { number: 9000 }] });
    const ingress = NetworkPeer.inNamespace('ingress-nginx', { podLabels: { 'app.kubernetes.io/name': 'ingress-nginx' } });
    WorkloadConnections.of(web).allowFrom(ingress, { ports: [kplus.NetworkPolicyPort.tcp(8080)] });
    WorkloadConnections.of(web).allowFrom(NetworkPeer.cidr('203.0.113.0/24', { exceptCidrs: ['203.0.113.128/25'] }),
      { ports: [kplus.NetworkPolicyPort.tcp(8443)] });
    const manifests = synth(ns);
    expectCrdValid(istio(manifests));
    expectCrdCelValid(istio(manifests));
    expect(policyOf(manifests, web).spec.rules).toEqual([
      { from: [{ source: { ipBlocks: ['203.0.113.0/24'], notIpBlocks: ['203.0.113.128/25'], notPrincipals: ['*'] } }], to: [{ operation: { ports: ['8443'] } }] },
      { from: [{ source: { notPrincipals: ['*'] } }], to: [{ operation: { ports: ['8080'] } }] },
    ]);
    const permissive = manifests.find(m => m.kind === 'PeerAuthentication' && m.spec.selector);
    expect(permissive.spec).toEqual({
      selector: { matchLabels: web.matchLabels },
      mtls: { mode: 'STRICT' },
      portLevelMtls: { 8080: { mode: 'PERMISSIVE' }, 8443: { mode: 'PERMISSIVE' } },
    });
    const reach = MeshReachability.of(manifests);
    const target = Endpoint.workload('Deployment', web.name);
    const controller = Endpoint.pod('ingress-nginx', { 'app.kubernetes.io/name': 'ingress-nginx' });
    expect(reach.compare(controller, target, 8080)).toMatchObject({ agree: true, mesh: { allowed: true, mtlsMode: 'PERMISSIVE' } });
    expect(reach.compare(controller, target, 9000)).toMatchObject({ agree: true, mesh: { allowed: false, mtlsMode: 'STRICT' } });
    expect(reach.compare(Endpoint.external('203.0.113.9'), target, 8443)).toMatchObject({ agree: true, mesh: { allowed: true } });
    expect(reach.compare(Endpoint.external('203.0.113.200'), target, 8443)).toMatchObject({ agree: true, mesh: { allowed: false } });
    expect(reach.compare(Endpoint.external('198.51.100.1'), target, 8443)).toMatchObject({ agree: true, mesh: { allowed: false } });
    expect(Guard.findings(ns)).toEqual([]);
  });

  test('a peer of another namespace with its ServiceAccount named is in the mesh: its principal, no plain text', () => {
    const ns = new IsolatedNamespace(Testing.app(), 'team', { mesh: Mesh.istio() });
    const web = deployment(ns, 'web');
    WorkloadConnections.of(web).allowFrom(NetworkPeer.inNamespace('istio-ingress', {
      podLabels: { istio: 'ingressgateway' }, serviceAccountName: 'istio-ingressgateway',
    }));
    const manifests = synth(ns);
    expect(policyOf(manifests, web).spec.rules).toEqual([{
      from: [{ source: { principals: ['cluster.local/ns/istio-ingress/sa/istio-ingressgateway'] } }], to: [{ operation: { ports: ['8080'] } }],
    }]);
    expect(manifests.filter(m => m.kind === 'PeerAuthentication').map(m => m.metadata.name)).toEqual(['default']);
    const reach = MeshReachability.of(manifests, { namespaceLabels: { 'istio-ingress': { 'istio-injection': 'enabled' } } });
    const gateway = Endpoint.pod('istio-ingress', { istio: 'ingressgateway' });
    // Endpoint.pod runs as the default account: the mesh refuses it, and says which principal it presented.
    expect(reach.canConnect(gateway, Endpoint.workload('Deployment', web.name), 8080).sourcePrincipal).toBe('cluster.local/ns/istio-ingress/sa/default');
  });
});

describe('ambient mode', () => {
  test('labels the namespace for ambient, admits HBONE 15008 on both sides, and admits kubelet probes from their SNAT address', () => {
    const ns = new IsolatedNamespace(Testing.app(), 'team', { mesh: Mesh.istio({ mode: MeshMode.AMBIENT }) });
    const web = deployment(ns, 'web');
    const api = deployment(ns, 'api', 9000);
    WorkloadConnections.of(web).allowTo(NetworkPeer.workload(api));
    WorkloadConnections.of(web).allowFrom(NetworkPeer.inNamespace('ingress-nginx'), { ports: [kplus.NetworkPolicyPort.tcp(8080)] });
    const manifests = synth(ns);
    expectCrdValid(istio(manifests));
    expectCrdCelValid(istio(manifests));
    expect(manifests.find(m => m.kind === 'Namespace').metadata.labels).toMatchObject({ 'istio.io/dataplane-mode': 'ambient' });
    expect(manifests.find(m => m.kind === 'Namespace').metadata.labels['istio-injection']).toBeUndefined();
    const port = (p: number | string) => ({ protocol: 'TCP', port: p });
    expect(networkPolicyOf(manifests, api).spec.ingress)
      .toEqual([{ from: [{ podSelector: { matchLabels: web.matchLabels } }], ports: [port(9000), port(15008)] }]);
    expect(networkPolicyOf(manifests, web).spec.egress.slice(1))
      .toEqual([{ to: [{ podSelector: { matchLabels: api.matchLabels } }], ports: [port(9000), port(15008)] }]);
    // A peer outside the mesh gets no HBONE port.
    expect(networkPolicyOf(manifests, web).spec.ingress[0].ports).toEqual([port(8080)]);
    expect(ns.meshAuthorization!.ambientProbePolicy).toBeDefined();
    // Probes only, on the ports the namespace's probes use (web's 8080 and api's 9000, named ports resolved).
    expect(manifests.find(m => m.metadata.name === 'allow-ambient-health-probes').spec).toEqual({
      podSelector: {},
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ ipBlock: { cidr: '169.254.7.127/32' } }], ports: [port(8080), port(9000)] }],
    });
    expect(Guard.findings(ns)).toEqual([]);
    const reach = MeshReachability.of(manifests);
    expect(reach.disagreements([Endpoint.workload('Deployment', web.name), Endpoint.workload('Deployment', api.name)])).toEqual([]);
    expect(reach.canConnect(Endpoint.workload('Deployment', web.name), Endpoint.workload('Deployment', api.name), 9000)).toMatchObject({ allowed: true, inMesh: true });
  });

  test('ambient: probes are admitted on the port numbers every pod template of the namespace probes (raw and custom objects too), as written to YAML', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ambient-probes-'));
    const app = new App({ outdir: dir });
    const ns = new IsolatedNamespace(app, 'team', { mesh: Mesh.istio({ mode: MeshMode.AMBIENT }) });
    deployment(ns, 'web');
    // A pod template the library did not make (another chart, same namespace): its probes (a named HTTP port, a TCP
    // port, a gRPC port) keep working.
    const container = {
      name: 'c',
      image: IMAGE,
      ports: [{ name: 'metrics', containerPort: 9100 }],
      readinessProbe: { httpGet: { path: '/ready', port: 'metrics' } },
      livenessProbe: { tcpSocket: { port: 7070 } },
      startupProbe: { grpc: { port: 9443 } },
    };
    const vendor = new Chart(app, 'vendor', { namespace: 'team' });
    new ApiObject(vendor, 'raw', {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'raw' },
      spec: {
        schedule: '0 * * * *',
        concurrencyPolicy: 'Forbid',
        jobTemplate: { spec: { template: { spec: { restartPolicy: 'Never', containers: [container] } } } },
      },
    });
    // A custom resource whose kind is a built-in kind's name (Knative's Service) holds a pod template too.
    new ApiObject(vendor, 'knative', {
      apiVersion: 'serving.knative.dev/v1',
      kind: 'Service',
      metadata: { name: 'knative' },
      spec: { template: { spec: { containers: [{ name: 'k', image: IMAGE, readinessProbe: { httpGet: { path: '/', port: 7001 } } }] } } },
    });
    // A port name is resolved on the probe's own container, as kubelet does: db's port named metrics (9187) is probed
    // by nobody, so it stays closed; a name its container does not declare (kubelet fails that probe) adds nothing.
    new ApiObject(vendor, 'db', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'db' },
      spec: {
        containers: [{
          name: 'db',
          image: IMAGE,
          ports: [{ name: 'sql', containerPort: 5432 }, { name: 'metrics', containerPort: 9187 }],
          livenessProbe: { tcpSocket: { port: 'sql' } },
          readinessProbe: { tcpSocket: { port: 'undeclared' } },
        }],
      },
    });
    withoutGuardSummary(() => app.synth());
    const written = fs.readdirSync(dir).flatMap(f => yaml.loadAll(fs.readFileSync(path.join(dir, f), 'utf-8')) as any[]);
    const rule = written.find(m => m.metadata.name === 'allow-ambient-health-probes').spec.ingress;
    expect(rule).toEqual([{
      from: [{ ipBlock: { cidr: '169.254.7.127/32' } }],
      ports: [5432, 7001, 7070, 8080, 9100, 9443].map(p => ({ protocol: 'TCP', port: p })),
    }]);
  });

  test('ambient: a namespace whose probes name no port admits nothing from the probe address (an empty port list would admit every port)', () => {
    const app = Testing.app();
    const ns = new IsolatedNamespace(app, 'team', { mesh: Mesh.istio({ mode: MeshMode.AMBIENT }) });
    new ApiObject(new Chart(app, 'vendor', { namespace: 'team' }), 'exec', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'exec' },
      spec: { containers: [{ name: 'c', image: IMAGE, livenessProbe: { exec: { command: ['true'] } } }] },
    });
    const policy = Testing.synth(ns).find(m => m.metadata.name === 'allow-ambient-health-probes');
    expect(policy.spec.policyTypes).toEqual(['Ingress']);
    expect(policy.spec.ingress ?? []).toEqual([]);
  });

  test('ambient: between meshed pods the NetworkPolicies see only HBONE, so ports are the mesh\'s to enforce (reported as such)', () => {
    const ns = new IsolatedNamespace(Testing.app(), 'team', { mesh: Mesh.istio({ mode: MeshMode.AMBIENT }) });
    const web = deployment(ns, 'web');
    const api = deployment(ns, 'api', 9000, { ports: [{ number: 9090 }] });
    WorkloadConnections.of(web).allowTo(NetworkPeer.workload(api), { ports: [kplus.NetworkPolicyPort.tcp(9000)] });
    const reach = MeshReachability.of(synth(ns));
    const [from, to] = [Endpoint.workload('Deployment', web.name), Endpoint.workload('Deployment', api.name)];
    const admin = reach.compare(from, to, 9090);
    // The tunnel to the api is admitted (for 9000), and carries 9090 too: only the AuthorizationPolicy refuses it.
    expect(admin).toMatchObject({ agree: false, network: { allowed: true, port: 15008 }, mesh: { allowed: false } });
    expect(admin.explanation).toMatch(/LAYERS DISAGREE: the network allows and the mesh denies. Network \(ambient: the tunnel, TCP 15008, carries port 9090\)/);
    expect(reach.compare(from, to, 9000)).toMatchObject({ agree: true, network: { allowed: true }, mesh: { allowed: true } });
    expect(reach.compare(to, from, 8080)).toMatchObject({ agree: true, network: { allowed: false, port: 15008 }, mesh: { allowed: false } });
    // In sidecar mode the NetworkPolicy sees port 9090 itself and refuses it: the layers agree.
    const sidecar = new IsolatedNamespace(Testing.app(), 'team', { mesh: Mesh.istio() });
    const web2 = deployment(sidecar, 'web');
    const api2 = deployment(sidecar, 'api', 9000, { ports: [{ number: 9090 }] });
    WorkloadConnections.of(web2).allowTo(NetworkPeer.workload(api2), { ports: [kplus.NetworkPolicyPort.tcp(9000)] });
    expect(MeshReachability.of(synth(sidecar)).compare(Endpoint.workload('Deployment', web2.name), Endpoint.workload('Deployment', api2.name), 9090))
      .toMatchObject({ agree: true, network: { allowed: false, port: 9090 } });
  });

  test('sidecar mode adds no HBONE port and no probe policy', () => {
    const ns = new IsolatedNamespace(Testing.app(), 'team', { mesh: Mesh.istio() });
    const web = deployment(ns, 'web');
    const api = deployment(ns, 'api', 9000);
    WorkloadConnections.of(web).allowTo(NetworkPeer.workload(api));
    const manifests = synth(ns);
    expect(networkPolicyOf(manifests, api).spec.ingress[0].ports).toEqual([{ protocol: 'TCP', port: 9000 }]);
    expect(manifests.some(m => m.metadata.name === 'allow-ambient-health-probes')).toBe(false);
    expect(ns.meshAuthorization!.ambientProbePolicy).toBeUndefined();
  });
});

describe('the guard and check leave the Istio kinds to the CRD schema', () => {
  test('kubernetes-schema does not apply to security.istio.io objects (custom resources), but does to built-in kinds', () => {
    const ns = new IsolatedNamespace(Testing.app(), 'team', { mesh: Mesh.istio() });
    for (const manifest of istio(synth(ns))) expect(Controls.KUBERNETES_SCHEMA.appliesTo(manifest, {} as any)).toBe(false);
    expect(Controls.KUBERNETES_SCHEMA.appliesTo({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy' }, {} as any)).toBe(true);
  });
});

describe('bad input gets a clear error', () => {
  test('a source without a ServiceAccount of its own (a plain cdk8s-plus Deployment)', () => {
    const app = Testing.app();
    const ns = new IsolatedNamespace(app, 'team', { mesh: Mesh.istio() });
    const api = deployment(ns, 'api', 9000);
    const plain = new kplus.Deployment(ns, 'plain', { containers: [{ image: IMAGE, securityContext: { user: 10001 } }] });
    WorkloadConnections.of(plain).allowTo(NetworkPeer.workload(api));
    expect(appSynthError(app)).toMatch(/\[team\/plain\] allowTo\(workload team\/api\): mesh: the peer team\/plain runs as namespace 'team''s default ServiceAccount.*give the workload a ServiceAccount of its own/);
  });

  test('a target whose pods leave the mesh (sidecar.istio.io/inject: "false")', () => {
    const app = Testing.app();
    const ns = new IsolatedNamespace(app, 'team', { mesh: Mesh.istio() });
    const web = deployment(ns, 'web');
    const api = deployment(ns, 'api', 9000);
    api.podMetadata.addLabel('sidecar.istio.io/inject', 'false');
    WorkloadConnections.of(web).allowTo(NetworkPeer.workload(api));
    expect(appSynthError(app)).toMatch(/\[team\/api\] mesh: the workload is a target of declared connections but is outside the mesh \(pod template sidecar.istio.io\/inject: "false"\)/);
  });

  test('a source in a namespace of the app without the mesh', () => {
    const app = Testing.app();
    const meshed = new IsolatedNamespace(app, 'team', { mesh: Mesh.istio() });
    const plain = new IsolatedNamespace(app, 'other');
    const api = deployment(meshed, 'api', 9000);
    const web = deployment(plain, 'web');
    WorkloadConnections.of(web).allowTo(NetworkPeer.workload(api));
    expect(appSynthError(app)).toMatch(/mesh: the peer other\/web is in namespace 'other', which is not in the mesh.*give that IsolatedNamespace the same mesh prop/);
  });

  test('a namespace peer with no identity, in a namespace the app meshes', () => {
    const app = Testing.app();
    const ns = new IsolatedNamespace(app, 'team', { mesh: Mesh.istio() });
    new IsolatedNamespace(app, 'tools', { mesh: Mesh.istio() });
    const api = deployment(ns, 'api', 9000);
    WorkloadConnections.of(api).allowFrom(NetworkPeer.inNamespace('tools', { podLabels: { app: 'ci' } }));
    expect(appSynthError(app)).toMatch(/mesh: the peer's pods are in namespace 'tools', which is in the mesh.*serviceAccountName/);
    // Without labels (every pod of the namespace) the namespace itself is the identity.
    const app2 = Testing.app();
    const ns2 = new IsolatedNamespace(app2, 'team', { mesh: Mesh.istio() });
    new IsolatedNamespace(app2, 'tools', { mesh: Mesh.istio() });
    const api2 = deployment(ns2, 'api', 9000);
    WorkloadConnections.of(api2).allowFrom(NetworkPeer.inNamespace('tools'));
    expect(policyOf(synth(ns2), api2).spec.rules).toEqual([{ from: [{ source: { namespaces: ['tools'] } }], to: [{ operation: { ports: ['9000'] } }] }]);
  });

  test('pods of the same namespace selected by labels (cdk8s-plus connections) have no identity', () => {
    const app = Testing.app();
    const ns = new IsolatedNamespace(app, 'team', { mesh: Mesh.istio() });
    const api = deployment(ns, 'api', 9000);
    api.connections.allowFrom(kplus.Pods.select(ns, 'Debug', { labels: { app: 'debug' } }));
    expect(appSynthError(app)).toMatch(/mesh: the peer's pods are in namespace 'team', which is in the mesh/);
  });

  test('two workloads sharing one ServiceAccount cannot be told apart by the mesh', () => {
    const app = Testing.app();
    const ns = new IsolatedNamespace(app, 'team', { mesh: Mesh.istio() });
    const account = new kplus.ServiceAccount(ns, 'shared', { automountToken: false });
    const api = deployment(ns, 'api', 9000);
    const web = new HardenedDeployment(ns, 'web', { serviceAccount: account, containers: [{ name: 'app', image: IMAGE, portNumber: 8080 }] });
    new HardenedDeployment(ns, 'worker', { serviceAccount: account, containers: [{ name: 'app', image: IMAGE, portNumber: 8080 }] });
    WorkloadConnections.of(web).allowTo(NetworkPeer.workload(api));
    expect(appSynthError(app)).toMatch(/mesh: the peer team\/web shares ServiceAccount '.*' with team\/worker/);
  });

  test('sidecar mode: a pod that turns off probe rewriting while it has HTTP or TCP probes (the kubelet would speak plain text)', () => {
    const app = Testing.app();
    const ns = new IsolatedNamespace(app, 'team', { mesh: Mesh.istio() });
    const api = deployment(ns, 'api', 9000, { readiness: kplus.Probe.fromHttpGet('/ready') });
    api.podMetadata.addAnnotation('sidecar.istio.io/rewriteAppHTTPProbers', 'false');
    expect(appSynthError(app)).toMatch(/\[team\/api\] mesh: the pod template sets sidecar.istio.io\/rewriteAppHTTPProbers: "false" and container\(s\) app have HTTP, TCP or gRPC probes/);
    // exec probes run in the container: nothing to rewrite (cdk8s-plus adds a TCP startup probe unless given one).
    const app2 = Testing.app();
    const ns2 = new IsolatedNamespace(app2, 'team', { mesh: Mesh.istio() });
    const exec = kplus.Probe.fromCommand(['true']);
    const ok = deployment(ns2, 'api', 9000, { readiness: exec, liveness: exec, startup: exec });
    ok.podMetadata.addAnnotation('sidecar.istio.io/rewriteAppHTTPProbers', 'false');
    expect(() => withoutGuardSummary(() => app2.synthYaml())).not.toThrow();
  });

  test('a wide port range, a bad trust domain, a bad mode, a bad mesh, a bad serviceAccountName, a second mesh', () => {
    const app = Testing.app();
    const ns = new IsolatedNamespace(app, 'team', { mesh: Mesh.istio() });
    const api = deployment(ns, 'api', 9000);
    WorkloadConnections.of(api).allowFrom(NetworkPeer.cidr('203.0.113.0/24'), { ports: [kplus.NetworkPolicyPort.tcpRange(1000, 2000)] });
    expect(appSynthError(app)).toMatch(/mesh: port range 1000-2000 is wider than 64 ports/);
    expect(() => Mesh.istio({ trustDomain: 'Cluster/Local' })).toThrow(/trustDomain "Cluster\/Local" is not a trust domain/);
    expect(() => Mesh.istio({ mode: 'ambient' as any })).toThrow(/mode "ambient" is not a MeshMode; use MeshMode.SIDECAR or MeshMode.AMBIENT/);
    expect(() => new IsolatedNamespace(Testing.app(), 'x', { mesh: { trustDomain: 'cluster.local' } as any }))
      .toThrow(/\[x\/Mesh\] mesh: .* is not a Mesh; use Mesh.istio/);
    expect(() => NetworkPeer.inNamespace('a', { serviceAccountName: 'Bad Name' })).toThrow(/serviceAccountName "Bad Name" is not a ServiceAccount name/);
    expect(() => new MeshAuthorization(ns, 'Again')).toThrow(/namespace 'team' already has a mesh authorization/);
    expect(() => new IsolatedNamespace(Testing.app(), 'y', {
      mesh: Mesh.istio(), allowIngressFrom: [{ fromNamespace: 'ingress-nginx', ports: [kplus.NetworkPolicyPort.tcp(80)], toPodLabels: { app: 'web' } }],
    })).toThrow(/\[y\] allowIngressFrom: the mesh has no rule for namespace-wide ingress.*NetworkPeer.inNamespace\('ingress-nginx'/);
  });
});

describe('NetworkPeer.anyPodInNamespace in the mesh', () => {
  test('allowFrom(anyPodInNamespace) admits the namespace itself; allowTo(anyPodInNamespace) gives every hardened workload a rule', () => {
    const ns = new IsolatedNamespace(Testing.app(), 'team', { mesh: Mesh.istio({ mode: MeshMode.AMBIENT }) });
    const web = deployment(ns, 'web');
    const monitor = deployment(ns, 'monitor', 9100);
    WorkloadConnections.of(web).allowFrom(NetworkPeer.anyPodInNamespace());
    WorkloadConnections.of(monitor).allowTo(NetworkPeer.anyPodInNamespace(), { ports: [kplus.NetworkPolicyPort.tcp(8080)] });
    const late = deployment(ns, 'late', 8080);
    const manifests = synth(ns);
    expectCrdValid(istio(manifests));
    const principal = (w: HardenedDeployment) => `cluster.local/ns/team/sa/${w.serviceAccount!.name}`;
    expect(policyOf(manifests, web).spec.rules).toEqual([
      { from: [{ source: { namespaces: ['team'] } }], to: [{ operation: { ports: ['8080'] } }] },
      { from: [{ source: { principals: [principal(monitor)] } }], to: [{ operation: { ports: ['8080'] } }] },
    ]);
    // A workload declared after the namespace-wide connection gets its rule too.
    expect(policyOf(manifests, late).spec.rules).toEqual([{ from: [{ source: { principals: [principal(monitor)] } }], to: [{ operation: { ports: ['8080'] } }] }]);
    // Ambient: the monitor's egress to every pod admits HBONE as well.
    expect(networkPolicyOf(manifests, monitor).spec.egress.slice(1)[0].ports).toEqual([{ protocol: 'TCP', port: 8080 }, { protocol: 'TCP', port: 15008 }]);
    const reach = MeshReachability.of(manifests);
    const endpoints = [web, monitor, late].map(w => Endpoint.workload('Deployment', w.name));
    expect(reach.disagreements(endpoints).map(c => c.explanation)).toEqual([]);
    expect(reach.canConnect(endpoints[1], endpoints[2], 8080).allowed).toBe(true);
    expect(reach.canConnect(endpoints[2], endpoints[1], 9100).allowed).toBe(false);
  });
});
