import { ApiObject, Chart, Cron, Duration, JsonPatch, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import {
  BackupHookErrorMode, BackupVolumes, Guard, HardenedCronJob, HardenedDeployment, HardenedJob, HardenedStatefulSet, IsolatedNamespace,
  NamespaceBackup,
} from '../../src';
import { crdErrors, expectCrdValid } from '../helpers/crd-schema';
import { DIGEST_IMAGE, only, podSpec, synthError } from '../helpers/synth';

const EXCLUDES = 'backup.velero.io/backup-volumes-excludes';

/** A namespace with a database (a claim, a socket directory), a web frontend (two caches) and a nightly job. */
function shop() {
  const ns = new IsolatedNamespace(Testing.app(), 'shop');
  const database = new HardenedStatefulSet(ns, 'database', {
    containers: [{ name: 'postgres', image: DIGEST_IMAGE, portNumber: 5432 }],
    volumeClaims: [{ name: 'data', mountPath: '/var/lib/postgresql/data', storage: Size.gibibytes(20) }],
    writablePaths: ['/var/run/postgresql'],
  });
  const web = new HardenedDeployment(ns, 'web', {
    containers: [{ name: 'nginx', image: DIGEST_IMAGE, portNumber: 8080 }],
    writablePaths: ['/var/cache/nginx', '/var/run/nginx'],
  });
  const report = new HardenedCronJob(ns, 'report', { schedule: Cron.daily(), containers: [{ image: DIGEST_IMAGE }] });
  return { ns, database, web, report };
}

function schedule(manifests: any[]): any {
  return only(manifests, 'Schedule');
}

test('defaults: a nightly Schedule in the velero namespace, kept 30 days, file-system backup of every volume but the caches', () => {
  const { ns } = shop();
  const backup = ns.backUp();
  const manifests = Testing.synth(ns);
  const s = schedule(manifests);
  expect(s.apiVersion).toBe('velero.io/v1');
  expect(s.metadata).toEqual({ name: 'shop-backup', namespace: 'velero', labels: { 'app.kubernetes.io/managed-by': 'cdk8s-hardened' } });
  expect(s.spec).toEqual({
    schedule: '0 1 * * *',
    useOwnerReferencesInBackup: false,
    template: {
      includedNamespaces: ['shop'],
      // A bucket of Secrets is a copy of every credential outside the cluster: ExternalSecrets and SealedSecrets are backed up instead.
      excludedNamespaceScopedResources: ['secrets'],
      snapshotVolumes: false,
      defaultVolumesToFsBackup: true,
      ttl: '720h0m0s',
    },
  });
  expect(backup.backedUpNamespace).toBe('shop');
  expect(backup.volumes).toBe(BackupVolumes.FILE_SYSTEM);
  expect(expectCrdValid(manifests, ['Schedule'])).toBe(1);
  // The Schedule is the only object outside the namespace; the namespace's checks and the guard accept it.
  expect(manifests.filter(m => m.kind !== 'Namespace' && m.metadata.namespace !== 'shop').map(m => m.kind)).toEqual(['Schedule']);
  expect(Guard.findings(ns)).toEqual([]);
});

test('caches are excluded: every pod lists exactly its emptyDirs (writablePaths and /tmp), never the StatefulSet\'s claim', () => {
  const { ns } = shop();
  ns.backUp();
  const manifests = Testing.synth(ns);
  const pods = manifests.filter(m => ['StatefulSet', 'Deployment', 'CronJob'].includes(m.kind));
  expect(pods).toHaveLength(3);
  for (const workload of pods) {
    const template = workload.kind === 'CronJob' ? workload.spec.jobTemplate.spec.template : workload.spec.template;
    const emptyDirs = podSpec(workload).volumes.filter((v: any) => v.emptyDir).map((v: any) => v.name);
    // The two renderings agree: the annotation (from the cdk8s-plus volumes) names exactly the emptyDirs of the JSON.
    expect(template.metadata.annotations[EXCLUDES].split(',').sort()).toEqual(emptyDirs.sort());
    expect(emptyDirs).toContain('tmp');
  }
  const database = only(manifests, 'StatefulSet');
  expect(database.spec.template.metadata.annotations[EXCLUDES]).toBe('tmp,var-run-postgresql');
  expect(database.spec.volumeClaimTemplates.map((c: any) => c.metadata.name)).toEqual(['data']);
  expect(podSpec(database).containers[0].volumeMounts).toContainEqual({ name: 'data', mountPath: '/var/lib/postgresql/data' });
  expect(only(manifests, 'Deployment').spec.template.metadata.annotations[EXCLUDES]).toBe('tmp,var-cache-nginx,var-run-nginx');
});

test('a volume the user already excluded stays excluded', () => {
  const { ns, web } = shop();
  web.podMetadata.addAnnotation(EXCLUDES, 'scratch');
  ns.backUp();
  const deployment = only(Testing.synth(ns), 'Deployment');
  expect(deployment.spec.template.metadata.annotations[EXCLUDES]).toBe('scratch,tmp,var-cache-nginx,var-run-nginx');
});

test('every option renders, with hooks that quiesce the database, and validates against the upstream CRD', () => {
  const { ns, database } = shop();
  new NamespaceBackup(ns, 'Hourly', {
    schedule: Cron.schedule({ minute: '15' }),
    retention: Duration.days(7),
    volumes: BackupVolumes.SNAPSHOT,
    resources: ['configmaps', 'persistentvolumeclaims', 'pods', 'secrets', 'statefulsets.apps'],
    backUpSecrets: true,
    veleroNamespace: 'backup-system',
    name: 'shop-hourly',
    storageLocation: 'offsite',
    hooks: [{
      workload: database,
      container: 'postgres',
      pre: ['psql', '-c', 'CHECKPOINT'],
      post: ['true'],
      onError: BackupHookErrorMode.CONTINUE,
      timeout: Duration.minutes(2),
    }],
  });
  const manifests = Testing.synth(ns);
  const s = schedule(manifests);
  const selector = database.matchLabels;
  expect(Object.keys(selector).length).toBeGreaterThan(0);
  expect(s.metadata).toMatchObject({ name: 'shop-hourly', namespace: 'backup-system' });
  expect(s.spec).toEqual({
    schedule: '15 * * * *',
    useOwnerReferencesInBackup: false,
    template: {
      includedNamespaces: ['shop'],
      includedNamespaceScopedResources: ['configmaps', 'persistentvolumeclaims', 'pods', 'secrets', 'statefulsets.apps'],
      includedClusterScopedResources: ['persistentvolumes'],
      snapshotVolumes: true,
      defaultVolumesToFsBackup: false,
      storageLocation: 'offsite',
      ttl: '168h0m0s',
      hooks: {
        resources: [{
          name: `quiesce-${database.name}`,
          includedNamespaces: ['shop'],
          labelSelector: { matchLabels: selector },
          pre: [{ exec: { container: 'postgres', command: ['psql', '-c', 'CHECKPOINT'], onError: 'Continue', timeout: '2m0s' } }],
          post: [{ exec: { container: 'postgres', command: ['true'], onError: 'Continue', timeout: '2m0s' } }],
        }],
      },
    },
  });
  // The hook's selector selects the database's pods (and only those of this namespace).
  const pods = only(manifests, 'StatefulSet').spec.template.metadata.labels;
  for (const [key, value] of Object.entries(selector)) expect(pods[key]).toBe(value);
  expect(crdErrors(s)).toEqual([]);
  expect(Guard.findings(ns)).toEqual([]);
});

test('hook defaults: the first container, onError Fail, 30s', () => {
  const { ns, database } = shop();
  ns.backUp({ hooks: [{ workload: database, pre: ['pg_ctl', 'checkpoint'] }] });
  const hook = schedule(Testing.synth(ns)).spec.template.hooks.resources[0];
  expect(hook.pre).toEqual([{ exec: { container: 'postgres', command: ['pg_ctl', 'checkpoint'], onError: 'Fail', timeout: '30s' } }]);
  expect(hook.post).toBeUndefined();
});

test('a volumes-only backup selects the pods, claims and volumes it needs', () => {
  const { ns } = shop();
  ns.backUp({ resources: [], volumes: BackupVolumes.SNAPSHOT });
  const s = schedule(Testing.synth(ns));
  expect(s.spec.template).toMatchObject({
    includedNamespaceScopedResources: ['persistentvolumeclaims', 'pods'],
    includedClusterScopedResources: ['persistentvolumes'],
    snapshotVolumes: true,
  });
  expect(crdErrors(s)).toEqual([]);
});

test('the upstream CRD rejects a broken Schedule (the negative cases are real)', () => {
  const { ns, database } = shop();
  ns.backUp({ hooks: [{ workload: database, pre: ['true'] }] });
  const s = schedule(Testing.synth(ns));
  const broken = (mutate: (m: any) => void) => {
    const copy = JSON.parse(JSON.stringify(s));
    mutate(copy);
    return crdErrors(copy);
  };
  expect(broken(m => { m.spec.template.hooks.resources[0].pre[0].exec.onError = 'Ignore'; })).not.toEqual([]);
  expect(broken(m => { delete m.spec.schedule; })).not.toEqual([]);
  expect(broken(m => { m.spec.template.ttl = 720; })).not.toEqual([]);
  expect(broken(m => { m.spec.template.defaultVolumesToFsBackup = 'yes'; })).not.toEqual([]);
  expect(broken(m => { delete m.spec.template.hooks.resources[0].pre[0].exec.command; })).not.toEqual([]);
});

describe('refuses a declaration that backs up nothing or silently less', () => {
  test.each([
    ['no object and no volume', { resources: [], volumes: BackupVolumes.NONE }, /resources: \[\] with volumes BackupVolumes.NONE backs up nothing/],
    ['file-system backup without pods', { resources: ['persistentvolumeclaims'] }, /resources: \["persistentvolumeclaims"\] leaves out 'pods'/],
    ['volumes without claims', { resources: ['pods'], volumes: BackupVolumes.SNAPSHOT }, /leaves out 'persistentvolumeclaims'/],
    ['Secrets listed without backUpSecrets', { resources: ['pods', 'persistentvolumeclaims', 'secrets'] }, /resources: lists 'secrets' but backUpSecrets is not set/],
    ['a backUpSecrets that is not a boolean', { backUpSecrets: 'yes' }, /backUpSecrets: "yes" is not a boolean/],
    ['a bad resource name', { resources: ['Config Maps'] }, /resources\[0\]: "Config Maps" is not a resource name/],
    ['a retention under an hour', { retention: Duration.minutes(5) }, /retention: 300 seconds is not a whole number of seconds from 3600/],
    ['a schedule that is not a Cron', { schedule: '0 1 * * *' }, /schedule: "0 1 \* \* \*" is not a Cron/],
    ['volumes that are not BackupVolumes', { volumes: 'snapshot' }, /volumes: "snapshot" is not a BackupVolumes/],
    ['a bad Velero namespace', { veleroNamespace: 'Velero' }, /veleroNamespace: "Velero" is not a namespace name/],
    ['the Velero namespace being the namespace', { veleroNamespace: 'shop' }, /veleroNamespace: 'shop' is the namespace backed up/],
    ['a bad name', { name: 'Shop_Nightly' }, /name: "Shop_Nightly" is not a DNS label/],
    ['a bad storage location', { storageLocation: 'Off Site' }, /storageLocation: "Off Site" is not a BackupStorageLocation name/],
  ])('%s', (_label, props, message) => {
    const { ns } = shop();
    let error: Error | undefined;
    try {
      ns.backUp(props as any);
    } catch (e) {
      error = e as Error;
    }
    expect(error?.message).toMatch(message);
    expect(error?.message).toMatch(/^\[shop\/Backup\] /);
  });

  test('a volumes-only backup of a namespace without data fails synthesis', () => {
    const ns = new IsolatedNamespace(Testing.app(), 'shop');
    new HardenedDeployment(ns, 'web', { containers: [{ image: DIGEST_IMAGE, portNumber: 8080 }], writablePaths: ['/var/cache/nginx'] });
    ns.backUp({ resources: [] });
    expect(synthError(ns)).toMatch(/\[shop\/Backup\] resources: \[\] backs up the volumes only, but no pod or claim of namespace 'shop' has a volume to back up/);
  });

  test('backUp() twice names the fix', () => {
    const { ns } = shop();
    ns.backUp();
    expect(() => ns.backUp()).toThrow(/\[shop\] backUp: the namespace already declares its backup \(shop\/Backup\); declare another schedule with new NamespaceBackup/);
  });

  test('a chart without a namespace has nothing to back up', () => {
    const chart = new Chart(Testing.app(), 'plain');
    expect(() => new NamespaceBackup(chart, 'Backup')).toThrow(/\[plain\/Backup\] scope: the chart 'plain' has no namespace/);
  });
});

describe('hooks', () => {
  test.each([
    ['no command', (w: any) => ({ workload: w }), /hooks\[0\]: the hook runs no command/],
    ['an empty command', (w: any) => ({ workload: w, pre: [] }), /hooks\[0\]\.pre: \[\] is not a command/],
    ['a command with an empty word', (w: any) => ({ workload: w, post: ['psql', ''] }), /hooks\[0\]\.post: \["psql",""\] is not a command/],
    ['a bad onError', (w: any) => ({ workload: w, pre: ['true'], onError: 'Fail' }), /hooks\[0\]\.onError: "Fail" is not a BackupHookErrorMode/],
    ['a bad timeout', (w: any) => ({ workload: w, pre: ['true'], timeout: Duration.millis(1500) }), /hooks\[0\]\.timeout: 1.5 seconds/],
    ['not a workload', (_w: any) => ({ workload: 'database', pre: ['true'] }), /hooks\[0\]\.workload: "database" is not a workload/],
    ['a bad container name', (w: any) => ({ workload: w, container: 'Postgres', pre: ['true'] }), /hooks\[0\]\.container: "Postgres" is not a container name/],
  ])('refuses %s', (_label, hook, message) => {
    const { ns, database } = shop();
    expect(() => ns.backUp({ hooks: [hook(database)] })).toThrow(message);
  });

  test('refuses a Job or CronJob, whose pods are not there to quiesce', () => {
    const { ns, report } = shop();
    const job = new HardenedJob(ns, 'migrate', { containers: [{ image: DIGEST_IMAGE }] });
    expect(() => ns.backUp({ hooks: [{ workload: report, pre: ['true'] }] })).toThrow(/hooks\[0\]\.workload: shop\/report is a CronJob/);
    expect(() => new NamespaceBackup(ns, 'Other', { hooks: [{ workload: job, pre: ['true'] }] })).toThrow(/shop\/migrate is a Job/);
  });

  test('refuses a workload of another namespace', () => {
    const { ns } = shop();
    const other = new IsolatedNamespace(ns.node.root as any, 'billing');
    const api = new HardenedDeployment(other, 'api', { containers: [{ image: DIGEST_IMAGE, portNumber: 8080 }] });
    expect(() => ns.backUp({ hooks: [{ workload: api, pre: ['true'] }] })).toThrow(/billing\/api is in namespace 'billing', not the backed-up namespace 'shop'/);
  });

  test('a container the workload does not have fails synthesis', () => {
    const { ns, database } = shop();
    ns.backUp({ hooks: [{ workload: database, container: 'pgbouncer', pre: ['true'] }] });
    expect(synthError(ns)).toMatch(/hooks\[0\]\.container: "pgbouncer" is not a container of shop\/database \(it has 'postgres'\)/);
  });
});

describe('caches stay excluded whatever route the pods take', () => {
  test('a workload declared after the backup fails synthesis, naming the fix', () => {
    const { ns } = shop();
    ns.backUp();
    new HardenedDeployment(ns, 'late', { containers: [{ image: DIGEST_IMAGE, portNumber: 8080 }] });
    expect(synthError(ns)).toMatch(/\[shop\/Backup\] caches: Deployment '.*' \(shop\/late\/Resource\) would have its emptyDir volume\(s\) 'tmp' copied/);
  });

  test('a JSON patch that removes the annotation fails synthesis', () => {
    const { ns, web } = shop();
    ns.backUp();
    ApiObject.of(web).addJsonPatch(JsonPatch.remove('/spec/template/metadata/annotations'));
    expect(synthError(ns)).toMatch(/caches: Deployment '.*' \(shop\/web\/Resource\) would have its emptyDir volume\(s\) 'tmp', 'var-cache-nginx', 'var-run-nginx' copied/);
  });

  test('a raw pod-bearing object with an emptyDir and no annotation fails synthesis', () => {
    const { ns } = shop();
    ns.backUp();
    new kplus.k8s.KubeJob(ns, 'raw', {
      spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: DIGEST_IMAGE }], volumes: [{ name: 'scratch', emptyDir: {} }] } } },
    });
    expect(synthError(ns)).toMatch(/caches: Job '.*' \(shop\/raw\) would have its emptyDir volume\(s\) 'scratch' copied/);
  });

  test('names are read as Velero reads them (split on \',\', no trimming): "tmp, cache" leaves the emptyDir cache copied', () => {
    const { ns } = shop();
    ns.backUp();
    new kplus.k8s.KubeJob(ns, 'raw', {
      spec: {
        template: {
          metadata: { annotations: { [EXCLUDES]: 'tmp, cache' } },
          spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: DIGEST_IMAGE }], volumes: [{ name: 'tmp', emptyDir: {} }, { name: 'cache', emptyDir: {} }] },
        },
      },
    });
    expect(synthError(ns)).toMatch(/caches: Job '.*' \(shop\/raw\) would have its emptyDir volume\(s\) 'cache' copied/);
  });

  test('a JSON patch writing the annotation with spaces fails synthesis for the names Velero would miss', () => {
    const { ns, web } = shop();
    ns.backUp();
    ApiObject.of(web).addJsonPatch(JsonPatch.replace(`/spec/template/metadata/annotations/${EXCLUDES.replace('/', '~1')}`, 'tmp, var-cache-nginx,var-run-nginx'));
    expect(synthError(ns)).toMatch(/caches: Deployment '.*' \(shop\/web\/Resource\) would have its emptyDir volume\(s\) 'var-cache-nginx' copied/);
  });

  test('an annotation declared with spaces is refused, naming the fix; the rendering never writes a space', () => {
    const { ns, web } = shop();
    web.podMetadata.addAnnotation(EXCLUDES, 'scratch, uploads');
    expect(() => ns.backUp()).toThrow('[shop/web] pod annotation backup.velero.io/backup-volumes-excludes: "scratch, uploads" has whitespace around '
      + '" uploads"; Velero splits the list on \',\' without trimming, so it would not exclude \'uploads\': write "scratch,uploads"');
    const clean = shop();
    clean.web.podMetadata.addAnnotation(EXCLUDES, 'scratch,uploads,');
    clean.ns.backUp();
    const value = only(Testing.synth(clean.ns), 'Deployment').spec.template.metadata.annotations[EXCLUDES];
    expect(value).toBe('scratch,uploads,tmp,var-cache-nginx,var-run-nginx');
    expect(value).not.toMatch(/\s/);
  });

  test('two backups of one namespace write the annotation once, and both pass', () => {
    const { ns } = shop();
    ns.backUp();
    new NamespaceBackup(ns, 'Weekly', { schedule: Cron.weekly(), retention: Duration.days(90), volumes: BackupVolumes.SNAPSHOT });
    const manifests = Testing.synth(ns);
    expect(manifests.filter(m => m.kind === 'Schedule').map(m => m.metadata.name)).toEqual(['shop-backup', 'shop-weekly']);
    expect(only(manifests, 'Deployment').spec.template.metadata.annotations[EXCLUDES]).toBe('tmp,var-cache-nginx,var-run-nginx');
    expect(expectCrdValid(manifests, ['Schedule'])).toBe(2);
  });
});

test('Guard.protect over the whole app finds nothing in a backed-up namespace', () => {
  const { ns, database } = shop();
  ns.backUp({ hooks: [{ workload: database, pre: ['psql', '-c', 'CHECKPOINT'] }] });
  Guard.protect(ns.node.root);
  Testing.synth(ns);
  expect(Guard.findings(ns.node.root)).toEqual([]);
  expect(Guard.evaluations(ns.node.root).some(e => e.kind === 'Schedule')).toBe(true);
});
