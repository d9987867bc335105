import { ApiObject, JsonPatch } from 'cdk8s';
import { catalogue, checkAttempt, privilegedPod } from './harness';
import { HardenedDeployment } from '../../../src';

// Issue 11, class 3: an exemption exists only as code. At synthesis an exemption annotation the guard did not write
// fails (synthesis-integrity); the CLI honours annotations only in the hardened profile, and can be told not to.
const forged = { ['exemptions.cdk8s-hardened.io/privileged']: JSON.stringify({ reason: 'debug shell for the on-call engineers, reviewed' }) };
const forgedPod = () => {
  const pod = privilegedPod();
  pod.metadata.annotations = forged;
  return pod;
};
const integrity = /synthesis-integrity: \w+ [\w/-]+ \/metadata\/annotations\/exemptions.cdk8s-hardened.io~1privileged: annotation/;
const privileged = /error privileged: Pod shop\/evil \/spec\/containers\/0\/securityContext\/privileged/;
const IMAGE = 'registry.example.com/shop/web@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';

catalogue('3. forged exemptions', [
  {
    name: 'a raw object carrying an exemption annotation',
    objects: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'shop', annotations: forged }, data: { a: 'b' } }],
    expect: integrity,
    only: 'guard',
  },
  {
    name: 'a JSON patch adding an exemption annotation to a hardened workload',
    guard: chart => {
      const web = new HardenedDeployment(chart, 'web', { metadata: { namespace: 'shop' }, containers: [{ image: IMAGE, portNumber: 8080 }] });
      ApiObject.of(web).addJsonPatch(JsonPatch.add('/metadata/annotations', forged));
    },
    protect: false,
    expect: integrity,
    only: 'guard',
  },
  {
    name: 'a privileged Pod exempted by annotation, checked with --profile restricted (PSA knows no exemption)',
    objects: [forgedPod()],
    args: ['--profile', 'restricted'],
    expect: integrity,
    expectCli: privileged,
  },
  {
    name: 'a privileged Pod exempted by annotation, checked with --profile baseline',
    objects: [forgedPod()],
    args: ['--profile', 'baseline'],
    expect: integrity,
    expectCli: privileged,
  },
  {
    name: 'a privileged Pod exempted by annotation, checked with --no-annotation-exemptions',
    objects: [forgedPod()],
    args: ['--no-annotation-exemptions'],
    expect: integrity,
    expectCli: privileged,
  },
  {
    name: 'an annotation exempting synthesis-integrity itself',
    objects: [{
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'cfg',
        namespace: 'shop',
        annotations: { 'exemptions.cdk8s-hardened.io/synthesis-integrity': JSON.stringify({ reason: 'the bundle is produced by our own release tooling' }) },
      },
    }],
    expect: /synthesis-integrity: ConfigMap shop\/cfg/,
    expectCli: /synthesis-integrity cannot be exempted/,
  },
]);

test('the text output lists every finding an annotation exempted, with its reason', () => {
  const { code, output } = checkAttempt({ name: 'listed', objects: [forgedPod()], expect: /./ });
  expect(output).toMatch(/attack.yaml:23:9: exempted privileged: Pod shop\/evil \/spec\/containers\/0\/securityContext\/privileged: .* \[exempted by annotation: debug shell for the on-call engineers, reviewed\]/);
  expect(output).not.toMatch(/error privileged/);
  expect(code).toBe(1); // other controls still fail the pod (no NetworkPolicy, ...)
});
