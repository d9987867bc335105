import { Testing } from 'cdk8s';
import { ShopChart } from '../../examples/shop/main';
import { Guard } from '../../src';
import { expectSchemaValid } from '../helpers/schema';

test('the example shop synthesizes schema-valid YAML with no guard finding but the library\'s own token mount', () => {
  const app = Testing.app();
  const chart = new ShopChart(app, 'shop');
  const manifests = Testing.synth(chart);
  expectSchemaValid(manifests);
  // The backend calls the API: its projected token is exempted in code by the library, pinned to that one volume.
  expect(Guard.findings(chart).map(f => [f.constructPath, f.controlId, f.status, f.pointer])).toEqual([
    ['shop/backend/Resource', 'service-account-token', 'exempt', '/spec/template/spec/volumes/0/projected/sources/0/serviceAccountToken'],
  ]);
  expect(manifests.map(m => m.kind).sort()).toEqual([
    // The mesh (examples/shop/mesh.ts): allow-nothing, one per target (frontend, backend, database); STRICT mTLS, and
    // the frontend's plain-text port for the ingress controller.
    'AuthorizationPolicy', 'AuthorizationPolicy', 'AuthorizationPolicy', 'AuthorizationPolicy',
    'CronJob', 'Deployment', 'Deployment', 'ExternalSecret',
    'LimitRange', 'Namespace',
    'NetworkPolicy', 'NetworkPolicy', 'NetworkPolicy', 'NetworkPolicy', 'NetworkPolicy', 'NetworkPolicy',
    'PeerAuthentication', 'PeerAuthentication',
    'PodDisruptionBudget', 'PodDisruptionBudget', 'PodDisruptionBudget',
    'ResourceQuota', 'Role', 'RoleBinding', 'Schedule',
    'Service', 'Service', 'Service',
    'ServiceAccount', 'ServiceAccount', 'ServiceAccount', 'ServiceAccount', 'ServiceAccount',
    'StatefulSet',
  ]);
  // Everything lands in the IsolatedNamespace 'shop' but its Velero Schedule; the Namespace itself is cluster-scoped.
  for (const manifest of manifests) {
    expect(manifest.metadata.namespace).toBe(manifest.kind === 'Namespace' ? undefined : manifest.kind === 'Schedule' ? 'velero' : 'shop');
  }
  expect(manifests.find(m => m.kind === 'Namespace').metadata.name).toBe('shop');
});

test('the database keeps its data on a claim and its credentials in read-only files; the backup never overlaps', () => {
  const chart = new ShopChart(Testing.app(), 'shop');
  const manifests = Testing.synth(chart);
  const database = manifests.find(m => m.kind === 'StatefulSet');
  const [postgres] = database.spec.template.spec.containers;
  expect(database.spec.volumeClaimTemplates.map((c: any) => [c.metadata.name, c.spec.resources.requests.storage])).toEqual([['data', '20Gi']]);
  expect(postgres.volumeMounts).toEqual(expect.arrayContaining([
    { name: 'data', mountPath: '/var/lib/postgresql/data' },
    { name: 'var-run-postgresql', mountPath: '/var/run/postgresql' },
    expect.objectContaining({ mountPath: '/etc/postgresql/credentials', readOnly: true }),
  ]));
  expect(postgres.env.map((e: any) => Object.keys(e).sort())).toEqual([['name', 'value'], ['name', 'value']]);
  expect(database.spec.template.spec.volumes).toContainEqual(expect.objectContaining({ secret: expect.objectContaining({ secretName: 'shop-database-credentials' }) }));
  const backup = manifests.find(m => m.kind === 'CronJob');
  expect(backup.spec).toMatchObject({ concurrencyPolicy: 'Forbid', jobTemplate: { spec: { activeDeadlineSeconds: 3600, backoffLimit: 3 } } });
  expect(backup.spec.jobTemplate.spec.template.spec.containers[0].env).toContainEqual({ name: 'PGHOST', value: chart.database.service.name });
});
