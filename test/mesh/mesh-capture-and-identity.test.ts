import { App, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Endpoint, HardenedDeployment, IsolatedNamespace, Mesh, MeshMode, MeshReachability, NetworkPeer, WorkloadConnections } from '../../src';
import { inboundBypass } from '../../src/mesh/capture-bypass';
import { synth, withoutGuardSummary } from '../helpers/synth';

const IMAGE = 'registry.example.com/app:1.0@sha256:4f1c6e8d2b9a7c5e3f1d0b8a6c4e2f0d9b7a5c3e1f0d8b6a4c2e0f9d7b5a3c1e';

function deployment(scope: IsolatedNamespace, id: string, port = 8080): HardenedDeployment {
  return new HardenedDeployment(scope, id, { containers: [{ name: 'app', image: IMAGE, portNumber: port }] });
}

/** The error synthesis fails with, or '' when it succeeds. */
function synthError(app: App): string {
  try {
    withoutGuardSummary(() => app.synthYaml());
    return '';
  } catch (e) {
    return (e as Error).message;
  }
}

/** web -> api (9000) in a meshed namespace, api's pod template annotated. */
function annotated(annotations: Record<string, string>, mode = MeshMode.SIDECAR) {
  const app = Testing.app();
  const ns = new IsolatedNamespace(app, 'team', { mesh: Mesh.istio({ mode }) });
  const web = deployment(ns, 'web');
  const api = deployment(ns, 'api', 9000);
  for (const [key, value] of Object.entries(annotations)) api.podMetadata.addAnnotation(key, value);
  WorkloadConnections.of(web).allowTo(NetworkPeer.workload(api));
  return { app, ns, web, api };
}

describe('a pod template outside cdk8s-plus running as a meshed source\'s ServiceAccount', () => {
  test('a raw KubeDeployment using the source\'s account presents its principal: synthesis fails naming both', () => {
    const { app, ns, web } = annotated({});
    new kplus.k8s.KubeDeployment(ns, 'impostor', {
      metadata: { name: 'impostor' },
      spec: {
        selector: { matchLabels: { app: 'impostor' } },
        template: {
          metadata: { labels: { app: 'impostor' } },
          spec: { serviceAccountName: web.serviceAccount!.name, containers: [{ name: 'c', image: IMAGE }] },
        },
      },
    });
    const error = synthError(app);
    expect(error).toContain(`mesh: the peer team/web runs as ServiceAccount '${web.serviceAccount!.name}' of namespace 'team', and so does `
      + 'Deployment \'impostor\' (team/impostor, /spec/template/spec/serviceAccountName): it presents the same principal, so team/api\'s '
      + 'ALLOW rule would admit it too; give each workload a ServiceAccount of its own');
  });

  test('any kind with a pod template counts (a raw Pod, the legacy serviceAccount field); another account does not', () => {
    const { app, ns, web } = annotated({});
    new kplus.k8s.KubePod(ns, 'debug', { metadata: { name: 'debug' }, spec: { serviceAccount: web.serviceAccount!.name, containers: [{ name: 'c', image: IMAGE }] } });
    expect(synthError(app)).toMatch(/and so does Pod 'debug' \(team\/debug, \/spec\/serviceAccountName\)/);
    const clean = annotated({});
    new kplus.k8s.KubePod(clean.ns, 'debug', { metadata: { name: 'debug' }, spec: { serviceAccountName: 'debug', containers: [{ name: 'c', image: IMAGE }] } });
    expect(synthError(clean.app)).not.toMatch(/presents the same principal/);
  });
});

describe('Istio annotations that leave a declared port of a meshed target uncaptured are refused', () => {
  const sidecarCases: Array<[string, Record<string, string>]> = [
    ['excludeInboundPorts naming the port', { 'traffic.sidecar.istio.io/excludeInboundPorts': '15020, 9000' }],
    ['includeInboundPorts not naming it', { 'traffic.sidecar.istio.io/includeInboundPorts': '8080' }],
    ['includeInboundPorts empty (no inbound capture)', { 'traffic.sidecar.istio.io/includeInboundPorts': '' }],
    ['excludeInterfaces', { 'traffic.sidecar.istio.io/excludeInterfaces': 'eth0' }],
    ['interceptionMode NONE', { 'sidecar.istio.io/interceptionMode': 'NONE' }],
  ];
  test.each(sidecarCases)('sidecar mode: %s', (_name, annotations) => {
    const key = Object.keys(annotations)[0].replace(/[./]/g, c => `\\${c}`);
    expect(synthError(annotated(annotations).app))
      .toMatch(new RegExp(`\\[team/api\\] mesh: declared port 9000 of the workload is not captured by the mesh \\(pod template ${key}.*remove that annotation`));
  });

  test('ambient mode: ambient.istio.io/bypass-inbound-capture: "true"', () => {
    expect(synthError(annotated({ 'ambient.istio.io/bypass-inbound-capture': 'true' }, MeshMode.AMBIENT).app))
      .toMatch(/\[team\/api\] mesh: declared port 9000 .*ambient.istio.io\/bypass-inbound-capture: "true"/);
  });

  test('annotations that leave the declared ports captured pass', () => {
    const passing: Array<Record<string, string>> = [
      { 'traffic.sidecar.istio.io/excludeInboundPorts': '9090,90000' },
      { 'traffic.sidecar.istio.io/includeInboundPorts': '*' },
      { 'traffic.sidecar.istio.io/includeInboundPorts': '8080,9000' },
      { 'sidecar.istio.io/interceptionMode': 'TPROXY' },
      { 'ambient.istio.io/bypass-inbound-capture': 'true' }, // sidecar mode: an ambient annotation has no effect
    ];
    for (const annotations of passing) {
      expect(synthError(annotated(annotations).app)).toBe('');
    }
    expect(synthError(annotated({ 'ambient.istio.io/bypass-inbound-capture': 'false' }, MeshMode.AMBIENT).app)).toBe('');
    expect(synthError(annotated({ 'traffic.sidecar.istio.io/excludeInboundPorts': '9000' }, MeshMode.AMBIENT).app)).toBe('');
  });

  test('inboundBypass: per port, per mode', () => {
    expect(inboundBypass({ 'traffic.sidecar.istio.io/excludeInboundPorts': '80,443' }, 443, 'sidecar')).toMatch(/excludeInboundPorts/);
    expect(inboundBypass({ 'traffic.sidecar.istio.io/excludeInboundPorts': '80,443' }, 4430, 'sidecar')).toBeUndefined();
    expect(inboundBypass({ 'traffic.sidecar.istio.io/includeInboundPorts': '80' }, 80, 'sidecar')).toBeUndefined();
    expect(inboundBypass({ 'sidecar.istio.io/interceptionMode': 'none' }, 1, 'sidecar')).toMatch(/interceptionMode: NONE/);
    expect(inboundBypass({ 'ambient.istio.io/bypass-inbound-capture': 'true' }, 1, 'sidecar')).toBeUndefined();
    expect(inboundBypass({ 'sidecar.istio.io/interceptionMode': 'NONE' }, 1, 'ambient')).toBeUndefined();
    expect(inboundBypass(undefined, 1, 'ambient')).toBeUndefined();
  });
});

describe('MeshReachability takes uncaptured ports as outside the mesh', () => {
  /** A valid meshed app's manifests, then api's pod template annotated as a YAML edit would. */
  function manifestsWith(annotations: Record<string, string>, mode = MeshMode.SIDECAR) {
    const { ns, web, api } = annotated({}, mode);
    const other = deployment(ns, 'other');
    const manifests = synth(ns);
    const apiJson = manifests.find(m => m.kind === 'Deployment' && m.metadata.name === api.name);
    apiJson.spec.template.metadata.annotations = { ...apiJson.spec.template.metadata.annotations, ...annotations };
    const endpoint = (w: HardenedDeployment) => Endpoint.workload('Deployment', w.name);
    return { reach: MeshReachability.of(manifests), web: endpoint(web), api: endpoint(api), other: endpoint(other) };
  }

  test('captured: the mesh refuses a workload with no declared connection, as the network does', () => {
    const { reach, other, api } = manifestsWith({});
    expect(reach.compare(other, api, 9000)).toMatchObject({ agree: true, mesh: { allowed: false, inMesh: true, mtlsMode: 'STRICT' } });
  });

  const cases: Array<[string, Record<string, string>, MeshMode]> = [
    ['excludeInboundPorts', { 'traffic.sidecar.istio.io/excludeInboundPorts': '9000' }, MeshMode.SIDECAR],
    ['includeInboundPorts', { 'traffic.sidecar.istio.io/includeInboundPorts': '8080' }, MeshMode.SIDECAR],
    ['excludeInterfaces', { 'traffic.sidecar.istio.io/excludeInterfaces': 'eth0' }, MeshMode.SIDECAR],
    ['interceptionMode', { 'sidecar.istio.io/interceptionMode': 'NONE' }, MeshMode.SIDECAR],
    ['bypass-inbound-capture', { 'ambient.istio.io/bypass-inbound-capture': 'true' }, MeshMode.AMBIENT],
  ];
  test.each(cases)('%s: plain text, no authorization; the NetworkPolicy alone decides and disagreements report it', (name, annotations, mode) => {
    const { reach, web, other, api } = manifestsWith(annotations, mode);
    const verdict = reach.compare(other, api, 9000);
    expect(verdict).toMatchObject({ agree: false, network: { allowed: false, port: 9000 }, mesh: { allowed: true, inMesh: false, mtlsMode: '', policies: [] } });
    expect(verdict.mesh.reason).toMatch(new RegExp(`port 9000 of .* is not captured by the mesh \\(its pods set .*${name}.*no AuthorizationPolicy`));
    expect(reach.disagreements([web, other, api]).map(d => `${d.network.port}`)).toContain('9000');
  });

  test('a port the annotation does not name stays in the mesh', () => {
    const { reach, other, api } = manifestsWith({ 'traffic.sidecar.istio.io/excludeInboundPorts': '9090' });
    expect(reach.compare(other, api, 9000)).toMatchObject({ agree: true, mesh: { allowed: false, inMesh: true } });
  });
});

describe('NetworkPeer.inNamespace refuses the default ServiceAccount', () => {
  test('serviceAccountName \'default\' names every pod of the namespace without an account', () => {
    expect(() => NetworkPeer.inNamespace('tools', { serviceAccountName: 'default' }))
      .toThrow(/NetworkPeer.inNamespace\('tools'\): serviceAccountName 'default' is the account of every pod of namespace 'tools'.*give the peer's pods a ServiceAccount of their own/);
    expect(() => NetworkPeer.inNamespace('tools', { serviceAccountName: 'ci.runner' })).not.toThrow();
    expect(() => NetworkPeer.inNamespace('tools', { serviceAccountName: 'CI' })).toThrow(/serviceAccountName "CI" is not a ServiceAccount name/);
    expect(() => NetworkPeer.inNamespace('tools', { serviceAccountName: `${'a'.repeat(254)}` })).toThrow(/is not a ServiceAccount name/);
  });
});
