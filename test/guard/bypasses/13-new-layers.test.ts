import { ApiObject, App, Chart, JsonPatch } from 'cdk8s';
import { Attempt, catalogue, compliantPodSpec, defaultDeny } from './harness';
import {
  HardenedDefaults, HardenedDeployment, ImagePolicy, IsolatedNamespace, Mesh, MeshMode, NetworkPeer, WorkloadConnections,
} from '../../../src';

// Ways around this round's layers (admission opt-out, image policy, mesh, backups), tried against the guard and,
// where YAML can carry them, against `check`.

const IMAGE = 'registry.example.com/shop/app:1.0.0@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';

function deployment(pod: any, name = 'web'): any {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'shop' },
    spec: { replicas: 1, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: pod } },
  };
}

function withImage(image: string): any {
  const spec = compliantPodSpec();
  spec.containers[0].image = image;
  return spec;
}

/** web -> api on 9000 in a meshed namespace; `tamper` attacks it after the declarations. */
function meshed(name: string, tamper: (ns: IsolatedNamespace, web: HardenedDeployment, api: HardenedDeployment) => void, expect: RegExp): Attempt {
  return {
    name,
    guard: (_chart, app) => {
      const ns = new IsolatedNamespace(app, 'team', { mesh: Mesh.istio() });
      const web = new HardenedDeployment(ns, 'web', { containers: [{ image: IMAGE, portNumber: 8080 }] });
      const api = new HardenedDeployment(ns, 'api', { containers: [{ image: IMAGE, portNumber: 9000 }] });
      WorkloadConnections.of(web).allowTo(NetworkPeer.workload(api));
      tamper(ns, web, api);
    },
    expect,
    only: 'guard',
  };
}

catalogue('13. around this round\'s layers', [
  {
    name: 'a Namespace opted out of the admission guardrails by its label',
    objects: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { 'admission.cdk8s-hardened.io/opt-out': 'true' } } }],
    expect: /namespace-guardrails-opt-out: Namespace shop .*admission\.cdk8s-hardened\.io\/opt-out/,
  },
  {
    name: 'the opt-out label patched onto an IsolatedNamespace',
    guard: (_chart, app) => new IsolatedNamespace(app, 'shop').namespaceObject.addJsonPatch(
      JsonPatch.add('/metadata/labels/admission.cdk8s-hardened.io~1opt-out', '')),
    expect: /namespace-guardrails-opt-out/,
    only: 'guard',
  },
  {
    name: 'a registry look-alike host under an allow-list (registry.example.com.evil.io)',
    objects: [defaultDeny(), deployment(withImage('registry.example.com.evil.io/shop/app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef'))],
    guard: chart => HardenedDefaults.set(chart, { allowedRegistries: ['registry.example.com/shop'] }),
    args: ['--allowed-registry', 'registry.example.com/shop', '--'],
    expect: /image-registry: Deployment shop\/web/,
  },
  {
    name: 'a path look-alike under an allow-list (registry.example.com/shop-evil)',
    objects: [defaultDeny(), deployment(withImage('registry.example.com/shop-evil/app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef'))],
    guard: chart => HardenedDefaults.set(chart, { allowedRegistries: ['registry.example.com/shop'] }),
    args: ['--allowed-registry', 'registry.example.com/shop', '--'],
    expect: /image-registry: Deployment shop\/web/,
  },
  {
    name: 'a raw Deployment with a mutable tag under an image policy that requires digests',
    guard: (_chart, app) => {
      new ImagePolicy(app, 'images', { registries: [{ prefix: 'registry.example.com/shop' }] });
      const chart = new Chart(app, 'raw', { namespace: 'shop' });
      new ApiObject(chart, 'deny', defaultDeny());
      new ApiObject(chart, 'web', deployment(withImage('registry.example.com/shop/app:1.0.0')));
    },
    objects: [defaultDeny(), deployment(withImage('registry.example.com/shop/app:1.0.0'))],
    args: ['--require-digests'],
    expect: /image-digest: Deployment shop\/web/,
  },
  meshed('an Istio annotation leaving the target\'s declared port uncaptured, added by a JSON patch', (_ns, _web, api) => {
    ApiObject.of(api).addJsonPatch(JsonPatch.add('/spec/template/metadata/annotations',
      { 'traffic.sidecar.istio.io/excludeInboundPorts': '9000' }));
  }, /declared port 9000 of the workload is not captured by the mesh/),
  meshed('a raw Pod running as the meshed caller\'s ServiceAccount (it would present the caller\'s principal)', (ns, web) => {
    new ApiObject(ns, 'impostor', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'impostor' },
      spec: { ...compliantPodSpec(), serviceAccountName: web.serviceAccount!.name },
    });
  }, /presents the same principal/),
  {
    name: 'a backed-up namespace whose raw workload lists its cache with a space (Velero would copy \' cache\')',
    guard: (_chart: Chart, app: App) => {
      const ns = new IsolatedNamespace(app, 'shop');
      const pod = compliantPodSpec();
      pod.volumes = [{ name: 'tmp', emptyDir: {} }, { name: 'cache', emptyDir: {} }];
      const raw = deployment(pod);
      raw.spec.template.metadata.annotations = { 'backup.velero.io/backup-volumes-excludes': 'tmp, cache' };
      new ApiObject(ns, 'web', raw);
      ns.backUp();
    },
    expect: /would have its emptyDir volume\(s\) 'cache' copied by Velero's file-system backup/,
    only: 'guard',
  },
  ...[
    ['ports removed (every port from the probe address)', JsonPatch.remove('/spec/ingress/0/ports')],
    ['a port added as a plain number (serialized without it: every TCP port)', JsonPatch.add('/spec/ingress/0/ports/-', { protocol: 'TCP', port: 22 })],
    ['its podSelector narrowed away from the probed pods', JsonPatch.replace('/spec/podSelector', { matchLabels: { app: 'none' } })],
  ].map(([what, patch]) => ({
    name: `the ambient probe NetworkPolicy patched: ${what}`,
    guard: (_chart: Chart, app: App) => {
      const ns = new IsolatedNamespace(app, 'team', { mesh: Mesh.istio({ mode: MeshMode.AMBIENT }) });
      new HardenedDeployment(ns, 'web', { containers: [{ image: IMAGE, portNumber: 8080 }] });
      ApiObject.of(ns.meshAuthorization!.ambientProbePolicy!).addJsonPatch(patch as JsonPatch);
    },
    expect: /NetworkPolicy 'allow-ambient-health-probes' was changed after the mesh wrote it/,
    only: 'guard' as const,
  })),
]);
