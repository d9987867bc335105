import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { sealedValue } from './sample-sealed';
import { Guard, HardenedDeployment, IsolatedNamespace, SealedSecret, SealedSecretScope } from '../../src';
import { crdErrors, expectCrdValid } from '../helpers/crd-schema';
import { DIGEST_IMAGE, only, podSpec, synthError } from '../helpers/synth';

function chart(): Chart {
  return new Chart(Testing.app(), 'test', { namespace: 'shop' });
}

const PASSWORD = sealedValue();

test('a strict SealedSecret carries only the sealed values, and validates against the upstream CRD', () => {
  const c = chart();
  new SealedSecret(c, 'db', { name: 'shop-db', encryptedData: { password: PASSWORD } });
  const manifests = Testing.synth(c);
  const sealed = only(manifests, 'SealedSecret');
  expect(sealed.apiVersion).toBe('bitnami.com/v1alpha1');
  expect(sealed.metadata).toEqual({ name: 'shop-db', namespace: 'shop', labels: { 'app.kubernetes.io/managed-by': 'cdk8s-hardened' } });
  expect(sealed.spec).toEqual({
    encryptedData: { password: PASSWORD },
    template: { metadata: { name: 'shop-db', labels: { 'app.kubernetes.io/managed-by': 'cdk8s-hardened' } }, type: 'Opaque' },
  });
  // No Secret: the controller writes it in the cluster.
  expect(manifests.map(m => m.kind)).toEqual(['SealedSecret']);
  expect(expectCrdValid(manifests, ['SealedSecret'])).toBe(1);
});

test.each([
  [SealedSecretScope.NAMESPACE_WIDE, 'sealedsecrets.bitnami.com/namespace-wide'],
  [SealedSecretScope.CLUSTER_WIDE, 'sealedsecrets.bitnami.com/cluster-wide'],
])('scope %p is written as the controller\'s annotation, on the object and the Secret template', (scope, annotation) => {
  const c = chart();
  new SealedSecret(c, 'tls', {
    encryptedData: { 'tls.crt': sealedValue(256), 'tls.key': sealedValue(384, 0) },
    sealingScope: scope,
    secretType: 'kubernetes.io/tls',
    secretLabels: { team: 'shop' },
    secretAnnotations: { owner: 'shop-team' },
  });
  const sealed = only(Testing.synth(c), 'SealedSecret');
  expect(sealed.metadata.annotations).toEqual({ [annotation]: 'true' });
  expect(sealed.spec.template.metadata.annotations).toEqual({ owner: 'shop-team', [annotation]: 'true' });
  expect(sealed.spec.template.metadata.labels).toEqual({ 'app.kubernetes.io/managed-by': 'cdk8s-hardened', 'team': 'shop' });
  expect(sealed.spec.template.type).toBe('kubernetes.io/tls');
  expect(crdErrors(sealed)).toEqual([]);
});

test('the upstream CRD rejects a SealedSecret without encryptedData or with non-string values', () => {
  const c = chart();
  new SealedSecret(c, 'db', { encryptedData: { password: PASSWORD } });
  const sealed = only(Testing.synth(c), 'SealedSecret');
  expect(crdErrors({ ...sealed, spec: { template: sealed.spec.template } })).not.toEqual([]);
  expect(crdErrors({ ...sealed, spec: { ...sealed.spec, encryptedData: { password: 42 } } })).not.toEqual([]);
  expect(crdErrors({ ...sealed, spec: undefined })).not.toEqual([]);
});

test('a hardened workload mounts the unsealed Secret as read-only files with zero guard findings; no Role reads Secrets', () => {
  const ns = new IsolatedNamespace(Testing.app(), 'shop');
  const db = new SealedSecret(ns, 'db', { name: 'shop-db', encryptedData: { password: PASSWORD } });
  new HardenedDeployment(ns, 'api', { containers: [{ image: DIGEST_IMAGE, portNumber: 8080, volumeMounts: [db.volumeMount('/etc/api/db')] }] });
  const manifests = Testing.synth(ns);
  const pod = podSpec(only(manifests, 'Deployment'));
  expect(pod.volumes).toContainEqual({ name: 'secret-shop-db', secret: { secretName: 'shop-db', defaultMode: 0o440 } });
  expect(pod.containers[0].volumeMounts).toContainEqual({ name: 'secret-shop-db', mountPath: '/etc/api/db', readOnly: true });
  expect(Guard.findings(ns)).toEqual([]);
  expect(manifests.filter(m => /Role/.test(m.kind))).toEqual([]);
  expect(manifests.filter(m => m.kind === 'Secret')).toEqual([]);
});

test('envValue is the opt-in: secret-env reports it', () => {
  const ns = new IsolatedNamespace(Testing.app(), 'shop');
  const db = new SealedSecret(ns, 'db', { name: 'shop-db', encryptedData: { password: PASSWORD } });
  new HardenedDeployment(ns, 'api', { containers: [{ image: DIGEST_IMAGE, portNumber: 8080, envVariables: { PW: db.envValue('password') } }] });
  Testing.synth(ns);
  expect(Guard.findings(ns).map(f => [f.controlId, f.severity])).toEqual([['secret-env', 'warning']]);
  expect(() => db.envValue('user')).toThrow(/envValue: "user" is not a key of Secret 'shop-db' \(it holds 'password'\)/);
});

test('secret-literal-data stays an error for a Secret that carries data next to these constructs', () => {
  const ns = new IsolatedNamespace(Testing.app(), 'shop');
  new SealedSecret(ns, 'db', { encryptedData: { password: PASSWORD } });
  new kplus.k8s.KubeSecret(ns, 'plain', { metadata: { name: 'plain' }, stringData: { password: 'hunter2' } });
  const message = synthError(ns);
  expect(message).toMatch(/secret-literal-data: Secret shop\/plain \/stringData\/password/);
  expect(message).not.toContain('hunter2');
  const failing = Guard.findings(ns).filter(f => f.status === 'fail');
  expect(failing.map(f => [f.controlId, f.severity, f.pointer])).toEqual([['secret-literal-data', 'error', '/stringData/password']]);
});

test.each([
  ['plain text', 'hunter2', /encryptedData\['password'\]: the value is not base64, so it is not sealed/],
  ['an empty value', '', /encryptedData\['password'\]: the value is empty/],
  ['base64 of plain text', Buffer.from('correct horse battery staple').toString('base64'), /is base64 but not a sealed secret \(28 bytes/],
  ['a truncated ciphertext', sealedValue().slice(0, 400), /not a sealed secret/],
  ['a wrong key length', sealedValue(300), /not a sealed secret/],
  ['a non-string', 42, /the value is empty/],
])('refuses %s as a sealed value, without echoing it', (_label, value, message) => {
  let error: Error | undefined;
  try {
    new SealedSecret(chart(), 'db', { encryptedData: { password: value as any } });
  } catch (e) {
    error = e as Error;
  }
  expect(error?.message).toMatch(message);
  expect(error?.message).toMatch(/^\[test\/db\] /);
  if (typeof value === 'string' && value.length > 0) expect(error?.message).not.toContain(value);
});

test.each([
  ['no encryptedData', {}, /encryptedData: undefined seals nothing/],
  ['empty encryptedData', { encryptedData: {} }, /encryptedData: not a map of keys seals nothing|seals nothing/],
  ['a bad key', { encryptedData: { 'pass word': PASSWORD } }, /encryptedData: key "pass word" is not a Secret key/],
  ['a bad scope', { encryptedData: { p: PASSWORD }, sealingScope: 'cluster-wide' }, /sealingScope: "cluster-wide" is not a SealedSecretScope/],
  ['a bad name', { encryptedData: { p: PASSWORD }, name: 'Shop' }, /name: "Shop" is not an object name/],
  ['a scope smuggled in as an annotation', { encryptedData: { p: PASSWORD }, secretAnnotations: { 'sealedsecrets.bitnami.com/cluster-wide': 'true' } },
    /secretAnnotations: 'sealedsecrets.bitnami.com\/cluster-wide' is the Sealed Secrets controller's own key/],
  ['a label that is not a string', { encryptedData: { p: PASSWORD }, secretLabels: { tier: 3 } }, /secretLabels\['tier'\]: 3 is not a string/],
  ['annotations that are not a map', { encryptedData: { p: PASSWORD }, secretAnnotations: ['a'] }, /secretAnnotations: \["a"\] is not a map of strings/],
  ['an empty type', { encryptedData: { p: PASSWORD }, secretType: ' ' }, /secretType: " " is not a Secret type/],
])('refuses %s', (_label, props, message) => {
  expect(() => new SealedSecret(chart(), 'db', props as any)).toThrow(message);
});

describe('the sealed-value check, over many inputs', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const fc = require('fast-check');
  const accepts = (value: string) => {
    try {
      new SealedSecret(chart(), 'db', { encryptedData: { k: value } });
      return true;
    } catch {
      return false;
    }
  };

  test('no string short of a sealed value passes, base64 or not (a password, a token, a PEM line...)', () => {
    // The shortest sealed value (2048-bit key, empty plaintext) is 2 + 256 + 16 bytes: 368 base64 characters.
    fc.assert(fc.property(fc.string({ maxLength: 367 }), (s: string) => !accepts(s)), { numRuns: 300 });
    fc.assert(fc.property(fc.uint8Array({ maxLength: 273 }), (b: Uint8Array) => !accepts(Buffer.from(b).toString('base64'))), { numRuns: 300 });
  });

  test('base64 of any bytes passes only with a key length header of 256, 384 or 512 and room for the key and the tag', () => {
    const headers = fc.oneof(fc.constantFrom(0, 255, 256, 257, 384, 512, 513, 1024), fc.integer({ min: 0, max: 65535 }));
    fc.assert(fc.property(headers, fc.integer({ min: 0, max: 700 }), (rsa: number, rest: number) => {
      const bytes = Buffer.alloc(2 + rest, 7);
      bytes.writeUInt16BE(rsa);
      const sealedShape = [256, 384, 512].includes(rsa) && rest >= rsa + 16;
      return accepts(bytes.toString('base64')) === sealedShape;
    }), { numRuns: 400 });
    expect(accepts(sealedValue(256, 0))).toBe(true);
    expect(accepts(sealedValue(512, 4096))).toBe(true);
  });
});
