import { Chart, Duration, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import {
  ExternalSecret, ExternalSecretDeletionPolicy, Guard, HardenedDeployment, IsolatedNamespace, SecretStoreRef,
} from '../../src';
import { crdErrors, expectCrdValid } from '../helpers/crd-schema';
import { DIGEST_IMAGE as IMAGE, only, podSpec } from '../helpers/synth';

const STORE = SecretStoreRef.clusterSecretStore('vault');
const DATA = [{ secretKey: 'password', remoteKey: 'shop/database', property: 'password' }];

function chart(): Chart {
  return new Chart(Testing.app(), 'test', { namespace: 'shop' });
}

test('minimal props render a v1 ExternalSecret: store, remote keys, hourly refresh, an owned target that is retained', () => {
  const c = chart();
  new ExternalSecret(c, 'db', { store: STORE, data: DATA, name: 'shop-db' });
  const manifests = Testing.synth(c);
  const es = only(manifests, 'ExternalSecret');
  expect(es.apiVersion).toBe('external-secrets.io/v1');
  expect(es.metadata).toMatchObject({ name: 'shop-db', namespace: 'shop' });
  expect(es.spec).toEqual({
    secretStoreRef: { kind: 'ClusterSecretStore', name: 'vault' },
    refreshInterval: '1h0m0s',
    target: { name: 'shop-db', creationPolicy: 'Owner', deletionPolicy: 'Retain' },
    data: [{ secretKey: 'password', remoteRef: { key: 'shop/database', property: 'password' } }],
  });
  // Nothing else: no Secret (no value in the YAML), no Role (nothing reads Secrets through the API).
  expect(manifests.map(m => m.kind)).toEqual(['ExternalSecret']);
  expect(crdErrors(es)).toEqual([]);
});

test('every option renders, and validates against the upstream CRD', () => {
  const c = chart();
  new ExternalSecret(c, 'db', {
    store: SecretStoreRef.secretStore('team-vault'),
    data: [
      { secretKey: 'password', remoteKey: 'shop/database', property: 'password', version: '3' },
      { secretKey: 'ca.crt', remoteKey: 'shop/ca' },
    ],
    dataFrom: [{ remoteKey: 'shop/settings', property: 'flags', version: 'v2' }],
    refreshInterval: Duration.minutes(15),
    name: 'db-ref',
    targetSecretName: 'db-credentials',
    deletionPolicy: ExternalSecretDeletionPolicy.DELETE,
  });
  const manifests = Testing.synth(c);
  const es = only(manifests, 'ExternalSecret');
  expect(es.spec).toEqual({
    secretStoreRef: { kind: 'SecretStore', name: 'team-vault' },
    refreshInterval: '15m0s',
    target: { name: 'db-credentials', creationPolicy: 'Owner', deletionPolicy: 'Delete' },
    data: [
      { secretKey: 'password', remoteRef: { key: 'shop/database', property: 'password', version: '3' } },
      { secretKey: 'ca.crt', remoteRef: { key: 'shop/ca' } },
    ],
    dataFrom: [{ extract: { key: 'shop/settings', property: 'flags', version: 'v2' } }],
  });
  expect(expectCrdValid(manifests, ['ExternalSecret'])).toBe(1);
});

test('the upstream CRD rejects what the construct refuses (the negative cases are real)', () => {
  const c = chart();
  const es = Testing.synth((new ExternalSecret(c, 'db', { store: STORE, data: DATA }), c))[0];
  const broken = (mutate: (m: any) => void) => {
    const copy = JSON.parse(JSON.stringify(es));
    mutate(copy);
    return crdErrors(copy);
  };
  expect(broken(m => { m.spec.secretStoreRef.kind = 'Vault'; })).not.toEqual([]);
  expect(broken(m => { m.spec.data[0].secretKey = 'pass word'; })).not.toEqual([]);
  expect(broken(m => { delete m.spec.data[0].remoteRef.key; })).not.toEqual([]);
  expect(broken(m => { m.spec.target.creationPolicy = 'Always'; })).not.toEqual([]);
  expect(broken(m => { m.spec.secretStoreRef.name = 'Vault_Backend'; })).not.toEqual([]);
});

test('a hardened workload consumes the Secret as read-only 0440 files with zero guard findings', () => {
  const app = Testing.app();
  const ns = new IsolatedNamespace(app, 'shop');
  const db = new ExternalSecret(ns, 'db', { store: STORE, data: DATA, name: 'shop-db' });
  new HardenedDeployment(ns, 'api', { containers: [{ image: IMAGE, portNumber: 8080, volumeMounts: [db.volumeMount('/etc/api/db')] }] });
  const manifests = Testing.synth(ns);
  const pod = podSpec(only(manifests, 'Deployment'));
  expect(pod.volumes).toContainEqual({ name: 'secret-shop-db', secret: { secretName: 'shop-db', defaultMode: 0o440 } });
  expect(pod.containers[0].volumeMounts).toContainEqual({ name: 'secret-shop-db', mountPath: '/etc/api/db', readOnly: true });
  expect(pod.containers[0].env ?? []).toEqual([]);
  expect(pod.containers[0].envFrom).toBeUndefined();
  expect(Guard.findings(ns)).toEqual([]);
  // The pod gets the file from the kubelet: no Role, RoleBinding or token to read Secrets through the API.
  expect(manifests.filter(m => /Role/.test(m.kind))).toEqual([]);
  expect(pod.automountServiceAccountToken).toBe(false);
  expect(pod.volumes.filter((v: any) => v.projected)).toEqual([]);
});

test('an environment variable is an explicit opt-in, still reported by secret-env as a warning', () => {
  const app = Testing.app();
  const ns = new IsolatedNamespace(app, 'shop');
  const db = new ExternalSecret(ns, 'db', { store: STORE, data: DATA, name: 'shop-db' });
  new HardenedDeployment(ns, 'api', {
    containers: [{ image: IMAGE, portNumber: 8080, envVariables: { DB_PASSWORD: db.envValue('password') } }],
  });
  const pod = podSpec(only(Testing.synth(ns), 'Deployment'));
  expect(pod.containers[0].env).toEqual([{ name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'shop-db', key: 'password' } } }]);
  const findings = Guard.findings(ns);
  expect(findings.map(f => [f.controlId, f.severity, f.pointer])).toEqual([
    ['secret-env', 'warning', '/spec/template/spec/containers/0/env/0/valueFrom/secretKeyRef'],
  ]);
});

test('envValue refuses a key the Secret will not hold; with dataFrom the keys are the provider\'s', () => {
  const c = chart();
  const db = new ExternalSecret(c, 'db', { store: STORE, data: DATA });
  expect(() => db.envValue('passwd')).toThrow(/\[test\/db\] envValue: "passwd" is not a key of Secret '.*' \(it holds 'password'\)/);
  const extracted = new ExternalSecret(c, 'all', { store: STORE, dataFrom: [{ remoteKey: 'shop/database' }] });
  expect(extracted.knownKeys).toBeUndefined();
  expect(() => extracted.envValue('anything')).not.toThrow();
  expect(() => db.volumeMount('etc/db')).toThrow(/\[test\/db\] volumeMount: "etc\/db" is not an absolute path/);
});

test.each([
  ['no remote key at all', {}, /\[test\/db\] data: the ExternalSecret reads nothing/],
  ['empty lists', { data: [], dataFrom: [] }, /data: the ExternalSecret reads nothing/],
  ['a store that is not a SecretStoreRef', { store: { kind: 'ClusterSecretStore', name: 'vault' } }, /store: .* is not a SecretStoreRef/],
  ['a bad Secret key', { data: [{ secretKey: 'pass word', remoteKey: 'k' }] }, /data\[0\]\.secretKey: "pass word" is not a Secret key/],
  ['an empty remote key', { data: [{ secretKey: 'p', remoteKey: ' ' }] }, /data\[0\]\.remoteKey: " " names no remote secret/],
  ['an empty property', { data: [{ secretKey: 'p', remoteKey: 'k', property: '' }] }, /data\[0\]\.property: "" is empty/],
  ['a key written twice', { data: [{ secretKey: 'p', remoteKey: 'a' }, { secretKey: 'p', remoteKey: 'b' }] }, /data\[1\]\.secretKey: 'p' is already written by data\[0\]/],
  ['a refresh under a minute', { refreshInterval: Duration.seconds(10) }, /refreshInterval: 10 seconds is not a whole number of seconds from 60/],
  ['refresh 0 (never rotates)', { refreshInterval: Duration.seconds(0) }, /refreshInterval: 0 seconds/],
  ['a refresh that is not a Duration', { refreshInterval: '1h' }, /refreshInterval: "1h" is not a Duration/],
  ['a bad target name', { targetSecretName: 'Shop_DB' }, /targetSecretName: "Shop_DB" is not a Secret name/],
  ['a bad deletion policy', { deletionPolicy: 'Delete' }, /deletionPolicy: "Delete" is not an ExternalSecretDeletionPolicy/],
  ['data that is not a list', { data: { secretKey: 'p' } }, /data: .* is not a list/],
])('refuses %s', (_label, overrides, message) => {
  const props: any = { store: STORE, ...(('data' in overrides || 'dataFrom' in overrides || Object.keys(overrides).length === 0) ? {} : { data: DATA }), ...overrides };
  expect(() => new ExternalSecret(chart(), 'db', props)).toThrow(message);
});

test('store references refuse names that are not object names', () => {
  expect(() => SecretStoreRef.secretStore('')).toThrow(/SecretStoreRef.secretStore: "" is not a store name/);
  expect(() => SecretStoreRef.clusterSecretStore('Vault')).toThrow(/SecretStoreRef.clusterSecretStore: "Vault" is not a store name/);
});

test('a plain cdk8s-plus Secret volume is what the construct renders (same mode, same read-only mount)', () => {
  // The shop used to mount kplus.Secret.fromSecretName with defaultMode 0o440 read-only: the construct renders the same.
  const app = Testing.app();
  const ns = new IsolatedNamespace(app, 'shop');
  const db = new ExternalSecret(ns, 'db', { store: STORE, data: DATA, name: 'creds' });
  const byHand = kplus.Volume.fromSecret(ns, 'ByHand', kplus.Secret.fromSecretName(ns, 'S', 'creds'), { name: 'secret-creds', defaultMode: 0o440 });
  expect(db.volume._toKube()).toEqual(byHand._toKube());
});
