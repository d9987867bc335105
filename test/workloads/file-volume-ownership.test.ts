// A Secret mounted 0440 is root:root until the kubelet makes it group-owned by the pod's fsGroup: hardened pods set
// fsGroup (their gid) exactly when a secret, configMap, projected or downwardAPI file gives "others" no read.
import { Cron, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import {
  ExternalSecret, Guard, HardenedCronJob, HardenedDaemonSet, HardenedDeployment, HardenedJob, HardenedStatefulSet,
  LeastPrivilegeServiceAccount, Permission, RbacResource, SealedSecret, SecretStoreRef,
} from '../../src';
import { apiAccessVolume } from '../../src/identity/projected-token';
import { fileVolumeNeedsGroup } from '../../src/workloads/volume-ownership';
import { sealedValue } from '../data/sample-sealed';
import { DIGEST_IMAGE, only, podSpec, synth } from '../helpers/synth';

const KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob'] as const;
type Kind = typeof KINDS[number];
const GID = 10002;

function workload(scope: Construct, kind: Kind, mounts: kplus.VolumeMount[]): void {
  const props = {
    metadata: { namespace: 'shop' },
    runAsGroup: GID,
    containers: [{ image: DIGEST_IMAGE, ...(kind === 'Job' || kind === 'CronJob' ? {} : { portNumber: 8080 }), volumeMounts: mounts }],
  };
  if (kind === 'Deployment') new HardenedDeployment(scope, 'w', props);
  else if (kind === 'StatefulSet') new HardenedStatefulSet(scope, 'w', props);
  else if (kind === 'DaemonSet') new HardenedDaemonSet(scope, 'w', props);
  else if (kind === 'Job') new HardenedJob(scope, 'w', props);
  else new HardenedCronJob(scope, 'w', { ...props, schedule: Cron.daily() });
}

function secretVolume(scope: Construct, defaultMode: number): kplus.Volume {
  return kplus.Volume.fromSecret(scope, 'vol', kplus.Secret.fromSecretName(scope, 'sec', 'credentials'), { name: 'credentials', defaultMode });
}

describe.each(KINDS)('a hardened %s', kind => {
  test('mounting an ExternalSecret (files 0440) sets fsGroup = runAsGroup, OnRootMismatch, in the synthesized YAML', () => {
    const chart = Testing.chart();
    const secret = new ExternalSecret(chart, 'db', {
      store: SecretStoreRef.clusterSecretStore('vault'), data: [{ secretKey: 'password', remoteKey: 'shop/db' }], name: 'db', metadata: { namespace: 'shop' },
    } as any);
    workload(chart, kind, [secret.volumeMount('/etc/app/credentials')]);
    const pod = podSpec(only(synth(chart), kind));
    expect(pod.volumes).toContainEqual({ name: expect.any(String), secret: { secretName: 'db', defaultMode: 0o440 } });
    expect(pod.securityContext).toMatchObject({ runAsGroup: GID, fsGroup: GID, fsGroupChangePolicy: 'OnRootMismatch' });
    expect(Guard.findings(chart).filter(f => f.severity === 'error')).toEqual([]);
  });

  test('mounting a Secret 0444 (others may read) sets no fsGroup', () => {
    const chart = Testing.chart();
    workload(chart, kind, [{ path: '/etc/app/credentials', volume: secretVolume(chart, 0o444), readOnly: true }]);
    const pod = podSpec(only(synth(chart), kind));
    expect(pod.volumes).toContainEqual({ name: 'credentials', secret: { secretName: 'credentials', defaultMode: 0o444 } });
    expect(pod.securityContext).not.toHaveProperty('fsGroup');
    expect(pod.securityContext).not.toHaveProperty('fsGroupChangePolicy');
  });
});

test('a SealedSecret mount (0440) and a 0400 Secret set fsGroup; a Secret with the default mode (0644) does not', () => {
  const sealed = Testing.chart();
  const secret = new SealedSecret(sealed, 'db', { name: 'db', encryptedData: { password: sealedValue() }, metadata: { namespace: 'shop' } } as any);
  workload(sealed, 'Deployment', [secret.volumeMount('/etc/app/credentials')]);
  expect(podSpec(only(synth(sealed), 'Deployment')).securityContext).toMatchObject({ fsGroup: GID, fsGroupChangePolicy: 'OnRootMismatch' });
  const owner = Testing.chart();
  workload(owner, 'Job', [{ path: '/etc/app/credentials', volume: secretVolume(owner, 0o400), readOnly: true }]);
  expect(podSpec(only(synth(owner), 'Job')).securityContext).toMatchObject({ fsGroup: GID });
  const plain = Testing.chart();
  const volume = kplus.Volume.fromSecret(plain, 'vol', kplus.Secret.fromSecretName(plain, 'sec', 'credentials'), { name: 'credentials' });
  workload(plain, 'Job', [{ path: '/etc/app/credentials', volume, readOnly: true }]);
  expect(podSpec(only(synth(plain), 'Job')).securityContext).not.toHaveProperty('fsGroup');
});

test('the projected API token of a LeastPrivilegeServiceAccount stays 0644 (readable by the uid) and sets no fsGroup', () => {
  const chart = Testing.chart();
  const account = new LeastPrivilegeServiceAccount(chart, 'account', {
    metadata: { namespace: 'shop' }, permissions: [Permission.read(RbacResource.CONFIG_MAPS).withResourceNames('web-config')],
  });
  new HardenedDeployment(chart, 'web', { metadata: { namespace: 'shop' }, serviceAccount: account, containers: [{ image: DIGEST_IMAGE, portNumber: 8080 }] });
  const pod = podSpec(only(synth(chart), 'Deployment'));
  expect(pod.volumes).toContainEqual(expect.objectContaining({ name: 'kube-api-access', projected: expect.objectContaining({ defaultMode: 0o644 }) }));
  expect(pod.securityContext).not.toHaveProperty('fsGroup');
  expect(fileVolumeNeedsGroup(apiAccessVolume({ expirationSeconds: 3600 } as any))).toBe(false);
});

describe('fileVolumeNeedsGroup reads the modes as Kubernetes applies them', () => {
  test.each([
    ['a secret with no mode (0644)', { secret: { secretName: 's' } }, false],
    ['a secret 0444', { secret: { secretName: 's', defaultMode: 0o444 } }, false],
    ['a secret 0440', { secret: { secretName: 's', defaultMode: 0o440 } }, true],
    ['a secret 0644 with one item 0400', { secret: { secretName: 's', items: [{ key: 'a', path: 'a' }, { key: 'b', path: 'b', mode: 0o400 }] } }, true],
    ['a secret 0440 whose only item is 0444 (only listed keys are written)', { secret: { secretName: 's', defaultMode: 0o440, items: [{ key: 'a', path: 'a', mode: 0o444 }] } }, false],
    ['a secret 0440 with one item at the default', { secret: { secretName: 's', defaultMode: 0o440, items: [{ key: 'a', path: 'a', mode: 0o444 }, { key: 'b', path: 'b' }] } }, true],
    ['a projected volume 0440 of one secret item 0444', { projected: { defaultMode: 0o440, sources: [{ secret: { name: 's', items: [{ key: 'a', path: 'a', mode: 0o444 }] } }] } }, false],
    ['a projected volume 0440 of a token', { projected: { defaultMode: 0o440, sources: [{ serviceAccountToken: { path: 'token' } }] } }, true],
    ['a configMap 0440', { configMap: { name: 'c', defaultMode: 0o440 } }, true],
    ['a configMap 0644', { configMap: { name: 'c', defaultMode: 0o644 } }, false],
    ['a downwardAPI (API spelling) 0600', { downwardAPI: { defaultMode: 0o600, items: [] } }, true],
    ['a downwardApi (cdk8s spelling) item 0640', { downwardApi: { items: [{ path: 'n', mode: 0o640 }] } }, true],
    ['a projected volume with no mode whose secret item is 0400', { projected: { sources: [{ secret: { name: 's', items: [{ key: 'a', path: 'a', mode: 0o400 }] } }] } }, true],
    ['a projected volume 0644 with a downwardAPI item 0600', { projected: { defaultMode: 0o644, sources: [{ downwardAPI: { items: [{ path: 'n', mode: 0o600 }] } }] } }, true],
    ['a projected volume 0644 of a token, a CA and the namespace', apiAccessVolume({ expirationSeconds: 3600 } as any), false],
    ['an emptyDir', { emptyDir: {} }, false],
  ])('%s: %s', (_name, volume, expected) => {
    expect(fileVolumeNeedsGroup({ name: 'v', ...volume })).toBe(expected);
  });
});
