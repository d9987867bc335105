import { Cron, Duration, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { FindingStatus, Guard, HardenedCronJob, HardenedDeployment, LeastPrivilegeServiceAccount, LeastPrivilegeServiceAccountProps, Permission, RbacResource, Severity } from '../../src';
import { DIGEST_IMAGE, IMAGE, only, podSpec, synth } from '../helpers/synth';

const MOUNT = { name: 'kube-api-access', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true };

function projectedVolume(token: Record<string, unknown>) {
  return {
    name: 'kube-api-access',
    projected: {
      defaultMode: 0o644,
      sources: [
        { serviceAccountToken: { path: 'token', ...token } },
        { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
      ],
    },
  };
}

function deploymentWith(props: LeastPrivilegeServiceAccountProps) {
  const chart = Testing.chart();
  const account = new LeastPrivilegeServiceAccount(chart, 'account', { metadata: { namespace: 'shop' }, ...props });
  const deployment = new HardenedDeployment(chart, 'web', {
    metadata: { namespace: 'shop' },
    serviceAccount: account,
    containers: [{ image: DIGEST_IMAGE, portNumber: 8080 }],
  });
  return { chart, account, deployment };
}

describe('a hardened workload using an account with permissions', () => {
  const { chart, account, deployment } = deploymentWith({ permissions: [Permission.read(RbacResource.CONFIG_MAPS).withResourceNames('web-config')] });
  deployment.addContainer({ name: 'sidecar', image: DIGEST_IMAGE, portNumber: 9090 });
  deployment.addInitContainer({ name: 'migrate', image: DIGEST_IMAGE });
  const manifests = synth(chart);
  const pod = podSpec(only(manifests, 'Deployment'));

  test('runs as the account (no dedicated account is created) and still does not automount a token', () => {
    expect(pod.serviceAccountName).toBe(account.name);
    expect(only(manifests, 'ServiceAccount').metadata.name).toBe(account.name);
    expect(pod.automountServiceAccountToken).toBe(false);
  });

  test('mounts a projected one-hour token, the cluster CA and the namespace, read-only in every container', () => {
    // The token volume comes first: the library's exemption names it at volumes/0.
    expect(pod.volumes).toEqual([projectedVolume({ expirationSeconds: 3600 }), { name: 'tmp', emptyDir: { sizeLimit: '256Mi' } }]);
    for (const container of [...pod.containers, ...pod.initContainers]) {
      expect(container.volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }, MOUNT]);
    }
  });

  test('passes every guard control; the one finding is its token volume, exempted by the library and pinned to that volume', () => {
    const findings = Guard.findings(chart);
    expect(findings.map(f => ({ control: f.controlId, status: f.status, kind: f.kind, pointer: f.pointer, exemption: f.exemption?.pointer })))
      .toEqual([{
        control: 'service-account-token',
        status: FindingStatus.EXEMPT,
        kind: 'Deployment',
        pointer: '/spec/template/spec/volumes/0/projected/sources/0/serviceAccountToken',
        exemption: '/spec/template/spec/volumes/0',
      }]);
    const recorded = JSON.parse(only(manifests, 'Deployment').metadata.annotations['exemptions.cdk8s-hardened.io/service-account-token']);
    expect(recorded).toMatchObject({ pointer: '/spec/template/spec/volumes/0', pointerValue: projectedVolume({ expirationSeconds: 3600 }) });
    expect(recorded.reason).toMatch(new RegExp(`LeastPrivilegeServiceAccount '${account.name}'`));
  });
});

test('token audience and lifetime come from the account', () => {
  const { chart } = deploymentWith({
    permissions: [Permission.read(RbacResource.PODS)],
    tokenAudience: 'https://kubernetes.default.svc.cluster.local',
    tokenExpiration: Duration.minutes(30),
  });
  const pod = podSpec(only(synth(chart), 'Deployment'));
  expect(pod.volumes).toContainEqual(projectedVolume({ audience: 'https://kubernetes.default.svc.cluster.local', expirationSeconds: 1800 }));
  expect(pod.automountServiceAccountToken).toBe(false);
  expect(Guard.findings(chart).filter(f => f.severity === Severity.ERROR && f.status === FindingStatus.FAIL)).toEqual([]);
});

test('an account without permissions gives its pods no token at all', () => {
  const { chart, account } = deploymentWith({});
  const pod = podSpec(only(synth(chart), 'Deployment'));
  expect(pod.serviceAccountName).toBe(account.name);
  expect(pod.automountServiceAccountToken).toBe(false);
  expect(pod.volumes).toEqual([{ name: 'tmp', emptyDir: { sizeLimit: '256Mi' } }]);
  expect(pod.containers[0].volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
  expect(Guard.findings(chart)).toEqual([]);
});

test('a plain cdk8s-plus ServiceAccount gives the pod no token either', () => {
  const chart = Testing.chart();
  const plain = new kplus.ServiceAccount(chart, 'plain', { metadata: { namespace: 'shop' } });
  new HardenedDeployment(chart, 'web', { metadata: { namespace: 'shop' }, serviceAccount: plain, containers: [{ image: DIGEST_IMAGE, portNumber: 8080 }] });
  expect(podSpec(only(synth(chart), 'Deployment')).volumes).toEqual([{ name: 'tmp', emptyDir: { sizeLimit: '256Mi' } }]);
});

test('every hardened kind gets the token: a CronJob\'s job template too', () => {
  const chart = Testing.chart();
  const account = new LeastPrivilegeServiceAccount(chart, 'account', {
    metadata: { namespace: 'shop' }, permissions: [Permission.read(RbacResource.CONFIG_MAPS)],
  });
  new HardenedCronJob(chart, 'report', {
    metadata: { namespace: 'shop' },
    serviceAccount: account,
    schedule: Cron.daily(),
    containers: [{ image: IMAGE }],
  });
  const pod = podSpec(only(synth(chart), 'CronJob'));
  expect(pod.volumes).toContainEqual(projectedVolume({ expirationSeconds: 3600 }));
  expect(pod.containers[0].volumeMounts).toContainEqual(MOUNT);
  expect(pod.automountServiceAccountToken).toBe(false);
  expect(Guard.findings(chart).filter(f => f.severity === Severity.ERROR && f.status === FindingStatus.FAIL)).toEqual([]);
  expect(Guard.findings(chart).filter(f => f.controlId === 'service-account-token').map(f => [f.status, f.pointer])).toEqual([
    [FindingStatus.EXEMPT, '/spec/jobTemplate/spec/template/spec/volumes/0/projected/sources/0/serviceAccountToken'],
  ]);
});

test('something already mounted at the token path fails synthesis, naming the container', () => {
  const { chart, deployment } = deploymentWith({ permissions: [Permission.read(RbacResource.PODS)] });
  const volume = kplus.Volume.fromEmptyDir(chart, 'Shadow', 'shadow');
  deployment.containers[0].mount('/var/run/secrets/kubernetes.io/serviceaccount', volume);
  expect(() => Testing.synth(chart)).toThrow(/\[test\/web\] containers\[0\] 'main': volume 'shadow' is mounted at \/var\/run\/secrets\/kubernetes.io\/serviceaccount/);
});

test('an account that only binds a ClusterRole in its namespace (clusterRolesInNamespace) gives its pods the token too', () => {
  const { chart, account } = deploymentWith({ clusterRolesInNamespace: ['view'] });
  const manifests = synth(chart);
  const pod = podSpec(only(manifests, 'Deployment'));
  expect(pod.serviceAccountName).toBe(account.name);
  expect(pod.automountServiceAccountToken).toBe(false);
  expect(pod.volumes).toEqual([projectedVolume({ expirationSeconds: 3600 }), { name: 'tmp', emptyDir: { sizeLimit: '256Mi' } }]);
  expect(pod.containers[0].volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }, MOUNT]);
  expect(only(manifests, 'RoleBinding').roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' });
  expect(Guard.findings(chart).map(f => [f.controlId, f.status, f.pointer])).toEqual([
    ['service-account-token', FindingStatus.EXEMPT, '/spec/template/spec/volumes/0/projected/sources/0/serviceAccountToken'],
  ]);
});

test('by default the token names no audience (the API server\'s own audiences apply); tokenAudience sets one', () => {
  const defaulted = podSpec(only(synth(deploymentWith({ permissions: [Permission.read(RbacResource.PODS)] }).chart), 'Deployment'));
  const source = defaulted.volumes.find((v: any) => v.name === 'kube-api-access').projected.sources[0].serviceAccountToken;
  expect(source).toEqual({ path: 'token', expirationSeconds: 3600 });
  expect(Object.keys(source)).not.toContain('audience');
  const tuned = podSpec(only(synth(deploymentWith({ permissions: [Permission.read(RbacResource.PODS)], tokenAudience: 'vault' }).chart), 'Deployment'));
  expect(tuned.volumes.find((v: any) => v.name === 'kube-api-access').projected.sources[0].serviceAccountToken)
    .toEqual({ path: 'token', expirationSeconds: 3600, audience: 'vault' });
});
