import { Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Guard, HardenedDaemonSet, HardenedDeployment, HardenedJob, HardenedStatefulSet } from '../../src';
import { DIGEST_IMAGE, only, podSpec, synth } from '../helpers/synth';

const OWNED = { fsGroup: 65532, fsGroupChangePolicy: 'OnRootMismatch' };

function podSecurity(chart: any, kind: string): any {
  return podSpec(only(synth(chart), kind)).securityContext;
}

describe('fsGroup only where a volume needs group ownership', () => {
  test('no volume beyond /tmp, configMap, secret or emptyDir: neither fsGroup nor fsGroupChangePolicy', () => {
    const chart = Testing.chart();
    const web = new HardenedDeployment(chart, 'web', { metadata: { namespace: 'shop' }, containers: [{ image: DIGEST_IMAGE, portNumber: 8080 }] });
    const config = new kplus.ConfigMap(chart, 'config', { metadata: { namespace: 'shop' }, data: { a: 'b' } });
    web.containers[0].mount('/etc/app', kplus.Volume.fromConfigMap(chart, 'cfg', config));
    web.containers[0].mount('/var/cache', kplus.Volume.fromEmptyDir(chart, 'cache', 'cache', { sizeLimit: Size.mebibytes(64) }));
    const security = podSecurity(chart, 'Deployment');
    expect(security).not.toHaveProperty('fsGroup');
    expect(security).not.toHaveProperty('fsGroupChangePolicy');
    expect(Guard.findings(chart)).toEqual([]);
  });

  test.each(['Deployment', 'DaemonSet', 'Job'])('a %s with a persistentVolumeClaim volume mounted after construction gets the gid as fsGroup, OnRootMismatch', kind => {
    const chart = Testing.chart();
    const props = { metadata: { namespace: 'shop' }, containers: [{ image: DIGEST_IMAGE, portNumber: 8080 }] };
    const w = kind === 'Deployment' ? new HardenedDeployment(chart, 'w', props) : kind === 'DaemonSet' ? new HardenedDaemonSet(chart, 'w', props) : new HardenedJob(chart, 'w', props);
    const claim = kplus.PersistentVolumeClaim.fromClaimName(chart, 'claim', 'shared-data');
    w.containers[0].mount('/data', kplus.Volume.fromPersistentVolumeClaim(chart, 'data', claim));
    expect(podSecurity(chart, kind)).toMatchObject({ ...OWNED, runAsGroup: 65532 });
    expect(Guard.findings(chart).filter(f => f.severity === 'error')).toEqual([]);
  });

  test('a StatefulSet with volumeClaims gets fsGroup; one without gets none; a fsGroupChangePolicy you set is kept', () => {
    const claims = [{ name: 'data', mountPath: '/var/lib/app', storage: Size.gibibytes(1) }];
    const chart = Testing.chart();
    new HardenedStatefulSet(chart, 'db', { metadata: { namespace: 'shop' }, containers: [{ image: DIGEST_IMAGE, portNumber: 5432 }], volumeClaims: claims, runAsGroup: 10002 });
    expect(podSecurity(chart, 'StatefulSet')).toMatchObject({ fsGroup: 10002, fsGroupChangePolicy: 'OnRootMismatch' });
    const always = Testing.chart();
    new HardenedStatefulSet(always, 'db', {
      metadata: { namespace: 'shop' },
      containers: [{ image: DIGEST_IMAGE, portNumber: 5432 }],
      volumeClaims: claims,
      securityContext: { fsGroupChangePolicy: kplus.FsGroupChangePolicy.ALWAYS },
    });
    expect(podSecurity(always, 'StatefulSet')).toMatchObject({ fsGroup: 65532, fsGroupChangePolicy: 'Always' });
    const none = Testing.chart();
    new HardenedStatefulSet(none, 'db', { metadata: { namespace: 'shop' }, containers: [{ image: DIGEST_IMAGE, portNumber: 5432 }] });
    expect(podSecurity(none, 'StatefulSet')).not.toHaveProperty('fsGroup');
  });

  test('volumeGroupOwnership decides both ways; an explicit securityContext.fsGroup is kept', () => {
    const make = (props: any) => {
      const chart = Testing.chart();
      const w = new HardenedDeployment(chart, 'w', { metadata: { namespace: 'shop' }, containers: [{ image: DIGEST_IMAGE, portNumber: 8080 }], ...props });
      return { chart, w };
    };
    expect(podSecurity(make({ volumeGroupOwnership: true }).chart, 'Deployment')).toMatchObject(OWNED);
    const off = make({ volumeGroupOwnership: false });
    off.w.containers[0].mount('/data', kplus.Volume.fromPersistentVolumeClaim(off.chart, 'data', kplus.PersistentVolumeClaim.fromClaimName(off.chart, 'c', 'data')));
    expect(podSecurity(off.chart, 'Deployment')).not.toHaveProperty('fsGroup');
    expect(podSecurity(make({ securityContext: { fsGroup: 20000 } }).chart, 'Deployment')).toMatchObject({ fsGroup: 20000, fsGroupChangePolicy: 'OnRootMismatch' });
  });

  test('a volumeGroupOwnership that is not a boolean is refused', () => {
    const chart = Testing.chart();
    expect(() => new HardenedDeployment(chart, 'w', { containers: [{ image: DIGEST_IMAGE }], volumeGroupOwnership: 'yes' as any }))
      .toThrow(/\[test\/w\] volumeGroupOwnership: "yes" is not true or false/);
  });
});
