import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as yaml from 'js-yaml';
import { buildApp } from '../../examples/shop/main';
import { Guard } from '../../src';
import { runCli } from '../../src/cli/program';
import { expectCrdValid } from '../helpers/crd-schema';
import { expectOutdirSchemaValid } from '../helpers/schema';
import { withoutGuardSummary } from '../helpers/synth';

const EXCLUDES = 'backup.velero.io/backup-volumes-excludes';

/** Synthesizes the shop app to a fresh directory and reads back the YAML it wrote. */
function writtenShop(): { manifests: any[]; text: string; app: any; outdir: string } {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'shop-data-'));
  const app = buildApp(outdir);
  withoutGuardSummary(() => app.synth());
  const files = fs.readdirSync(outdir).filter(f => f.endsWith('.k8s.yaml'));
  const text = files.map(f => fs.readFileSync(path.join(outdir, f), 'utf8')).join('\n---\n');
  expect(expectOutdirSchemaValid(outdir)).toBeGreaterThan(0);
  return { manifests: yaml.loadAll(text).filter(Boolean) as any[], text, app, outdir };
}

function templateOf(m: any): any {
  return m.kind === 'CronJob' ? m.spec.jobTemplate.spec.template : m.spec.template;
}

const { manifests, text, app, outdir } = writtenShop();

test('the shop\'s YAML carries no secret value: no Secret at all, an ExternalSecret for the database credentials', () => {
  expect(manifests.filter(m => m.kind === 'Secret')).toEqual([]);
  expect(manifests.filter(m => m.data !== undefined || m.stringData !== undefined)).toEqual([]);
  expect(text).not.toMatch(/^kind: Secret$/m);
  const [es] = manifests.filter(m => m.kind === 'ExternalSecret');
  expect(es.metadata).toMatchObject({ name: 'shop-database-credentials', namespace: 'shop' });
  expect(es.spec).toEqual({
    secretStoreRef: { kind: 'SecretStore', name: 'shop-vault' },
    refreshInterval: '1h0m0s',
    target: { name: 'shop-database-credentials', creationPolicy: 'Owner', deletionPolicy: 'Retain' },
    data: [{ secretKey: 'password', remoteRef: { key: 'shop/database', property: 'password' } }],
  });
  expect(expectCrdValid(manifests, ['ExternalSecret', 'Schedule'])).toBe(2);
});

test('the database and its dump job read the ExternalSecret\'s Secret as 0440 read-only files, never from the environment', () => {
  for (const kind of ['StatefulSet', 'CronJob']) {
    const pod = templateOf(manifests.find(m => m.kind === kind)).spec;
    const volume = pod.volumes.find((v: any) => v.secret);
    expect(volume).toEqual({ name: 'secret-shop-database-credentials', secret: { secretName: 'shop-database-credentials', defaultMode: 0o440 } });
    // The files are root:root 0440: the pod's fsGroup (its gid) is what makes them readable by the non-root uid.
    expect(pod.securityContext).toMatchObject({ runAsUser: 65532, runAsGroup: 65532, fsGroup: 65532, fsGroupChangePolicy: 'OnRootMismatch' });
    for (const c of pod.containers) {
      expect(c.volumeMounts).toContainEqual({ name: volume.name, mountPath: '/etc/postgresql/credentials', readOnly: true });
      expect((c.env ?? []).filter((e: any) => e.valueFrom?.secretKeyRef)).toEqual([]);
      expect(c.envFrom).toBeUndefined();
    }
  }
  // The one Role of the shop reads one ConfigMap; nothing reads Secrets through the API.
  const rules = manifests.filter(m => m.kind === 'Role' || m.kind === 'ClusterRole').flatMap(m => m.rules);
  expect(rules.flatMap((r: any) => r.resources)).not.toContain('secrets');
});

test('the namespace is backed up nightly from the velero namespace, claims included, caches excluded, the database checkpointed', () => {
  const [schedule] = manifests.filter(m => m.kind === 'Schedule');
  expect(schedule.metadata).toMatchObject({ name: 'shop-backup', namespace: 'velero' });
  expect(schedule.spec.schedule).toBe('0 1 * * *');
  expect(schedule.spec.template).toMatchObject({ includedNamespaces: ['shop'], defaultVolumesToFsBackup: true, ttl: '720h0m0s' });
  expect(schedule.spec.template.includedNamespaceScopedResources).toBeUndefined(); // every resource, claims included...
  expect(schedule.spec.template.excludedNamespaceScopedResources).toEqual(['secrets']); // ...but the Secret the ExternalSecret writes
  const database = manifests.find(m => m.kind === 'StatefulSet');
  const [hook] = schedule.spec.template.hooks.resources;
  expect(hook.pre[0].exec).toMatchObject({ container: 'postgres', onError: 'Fail', timeout: '2m0s' });
  for (const [key, value] of Object.entries(hook.labelSelector.matchLabels)) expect(database.spec.template.metadata.labels[key]).toBe(value);
  expect(database.spec.volumeClaimTemplates.map((c: any) => c.metadata.name)).toEqual(['data']);

  const workloads = manifests.filter(m => ['Deployment', 'StatefulSet', 'CronJob'].includes(m.kind));
  expect(workloads).toHaveLength(4);
  for (const workload of workloads) {
    const template = templateOf(workload);
    const caches = template.spec.volumes.filter((v: any) => v.emptyDir).map((v: any) => v.name).sort();
    expect(template.metadata.annotations[EXCLUDES].split(',').sort()).toEqual(caches);
    expect(caches).not.toContain('data');
  }
  const frontend = manifests.find(m => m.kind === 'Deployment' && m.metadata.name.includes('frontend'));
  expect(templateOf(frontend).metadata.annotations[EXCLUDES]).toBe('tmp,var-cache-nginx,var-run-nginx');
  expect(database.spec.template.metadata.annotations[EXCLUDES]).toBe('tmp,var-run-postgresql');
});

test('the guard finds nothing new: only the library\'s own exempted token mount', () => {
  expect(Guard.findings(app).map((f: any) => [f.controlId, f.status])).toEqual([['service-account-token', 'exempt']]);
});

test('the CLI check of the written YAML (no cdk8s) passes it too: ExternalSecret and Schedule included', () => {
  let output = '';
  const files = fs.readdirSync(outdir).filter(f => f.endsWith('.k8s.yaml')).map(f => path.join(outdir, f));
  const code = runCli(['node', 'cdk8s-hardened', 'check', ...files], { stdout: t => { output += t; }, stderr: t => { output += t; } });
  expect(output).not.toMatch(/secret-literal-data|secret-env|rbac-secrets-read/);
  expect(code).toBe(0);
});
