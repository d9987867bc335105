import { Cron, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Guard, HardenedCronJob, HardenedDeployment, HardenedJob, IsolatedNamespace, NamespaceQuota, ResourcePreset } from '../../src';
import { DIGEST_IMAGE, only, podSpec, synth, synthError } from '../helpers/synth';

const BACKUPS = { path: '/var/backups', sizeLimit: Size.gibibytes(10) };

function job(props: any = {}, containers: kplus.ContainerProps[] = [{ image: DIGEST_IMAGE }]) {
  const chart = Testing.chart();
  const w = new HardenedJob(chart, 'backup', { metadata: { namespace: 'shop' }, containers, ...props });
  return { chart, w };
}

describe('sizedWritablePaths', () => {
  test('renders the emptyDir with its own sizeLimit, mounted in every container, next to /tmp and writablePaths', () => {
    const { chart } = job({ writablePaths: ['/var/cache/app'], sizedWritablePaths: [BACKUPS] }, [{ image: DIGEST_IMAGE }, { name: 'uploader', image: DIGEST_IMAGE }]);
    const pod = podSpec(only(synth(chart), 'Job'));
    expect(pod.volumes).toEqual(expect.arrayContaining([
      { name: 'tmp', emptyDir: { sizeLimit: '256Mi' } },
      { name: 'var-cache-app', emptyDir: { sizeLimit: '256Mi' } },
      { name: 'var-backups', emptyDir: { sizeLimit: '10240Mi' } },
    ]));
    for (const c of pod.containers) expect(c.volumeMounts).toContainEqual({ name: 'var-backups', mountPath: '/var/backups' });
    expect(Guard.findings(chart)).toEqual([]);
  });

  test('the first container\'s ephemeral-storage request and limit grow by the size, so the pod is not evicted when it fills', () => {
    const { chart } = job({ sizedWritablePaths: [BACKUPS, { path: '/var/spool', sizeLimit: Size.mebibytes(512) }] }, [{ image: DIGEST_IMAGE }, { name: 'b', image: DIGEST_IMAGE }]);
    const [first, second] = podSpec(only(synth(chart), 'Job')).containers;
    // SMALL: 128Mi request, 512Mi limit; + 10Gi + 512Mi.
    expect(first.resources.requests['ephemeral-storage']).toBe(`${128 + 10240 + 512}Mi`);
    expect(first.resources.limits['ephemeral-storage']).toBe(`${512 + 10240 + 512}Mi`);
    expect(second.resources.limits['ephemeral-storage']).toBe('512Mi');
    // Sum of limits (11776Mi + 512Mi) covers every writable emptyDir (256Mi /tmp + 10Gi + 512Mi).
  });

  test('without sized paths nothing changes (string writablePaths keep working)', () => {
    const { chart } = job({ writablePaths: ['/var/cache/app'] });
    const [c] = podSpec(only(synth(chart), 'Job')).containers;
    expect(c.resources.limits['ephemeral-storage']).toBe('512Mi');
    expect(c.resources.requests['ephemeral-storage']).toBe('128Mi');
  });

  test('a container limit you set is kept, and must cover the sizes', () => {
    const storage = (request: number, limit: number) => ({ ephemeralStorage: { request: Size.gibibytes(request), limit: Size.gibibytes(limit) } });
    const ok = job({ sizedWritablePaths: [BACKUPS] }, [{ image: DIGEST_IMAGE, resources: storage(11, 12) }]);
    expect(podSpec(only(synth(ok.chart), 'Job')).containers[0].resources.limits['ephemeral-storage']).toBe('12Gi');
    const short = job({ sizedWritablePaths: [BACKUPS] }, [{ image: DIGEST_IMAGE, resources: storage(1, 2) }]);
    expect(synthError(short.chart)).toMatch(/\[test\/backup\] sizedWritablePaths: the containers' ephemeral-storage limits add up to 2048Mi, less than the 10496Mi their writable emptyDirs may hold .* raise containers\[0\] resources.ephemeralStorage.limit by at least 8448Mi/);
  });

  test('a CronJob and a Deployment get the same', () => {
    const chart = Testing.chart();
    new HardenedCronJob(chart, 'nightly', { metadata: { namespace: 'shop' }, schedule: Cron.daily(), containers: [{ image: DIGEST_IMAGE }], sizedWritablePaths: [BACKUPS] });
    new HardenedDeployment(chart, 'cache', { metadata: { namespace: 'shop' }, containers: [{ image: DIGEST_IMAGE, portNumber: 8080 }], sizedWritablePaths: [{ path: '/var/cache/nginx', sizeLimit: Size.gibibytes(1) }] });
    const manifests = synth(chart);
    expect(podSpec(only(manifests, 'CronJob')).volumes).toContainEqual({ name: 'var-backups', emptyDir: { sizeLimit: '10240Mi' } });
    expect(podSpec(only(manifests, 'Deployment')).containers[0].resources.limits['ephemeral-storage']).toBe(`${512 + 1024}Mi`);
  });

  test('in an IsolatedNamespace the quota counts the grown amounts and the LimitRange maximum applies to them', () => {
    const app = Testing.app();
    const ns = new IsolatedNamespace(app, 'shop', { quota: NamespaceQuota.fromWorkloads(), containerMaximum: ResourcePreset.custom({ name: 'backup', cpuMillis: { request: 100, limit: 1000 }, memoryMebibytes: { request: 128, limit: 1024 }, ephemeralStorageMebibytes: { request: 128, limit: 16384 } }) });
    new HardenedJob(ns, 'backup', { containers: [{ image: DIGEST_IMAGE }], sizedWritablePaths: [BACKUPS] });
    const quota = only(Testing.synth(ns), 'ResourceQuota');
    expect(quota.spec.hard['limits.ephemeral-storage']).toBe(`${512 + 10240}Mi`);
    const tight = Testing.app();
    const small = new IsolatedNamespace(tight, 'shop');
    new HardenedJob(small, 'backup', { containers: [{ image: DIGEST_IMAGE }], sizedWritablePaths: [BACKUPS] });
    expect(synthError(small)).toMatch(/ephemeral-storage/);
  });

  test.each([
    [{ path: '/var/backups', sizeLimit: Size.mebibytes(0) }, /sizedWritablePaths\[0\].sizeLimit: 0Mi is not a positive quantity; use a positive whole number of MiB/],
    [{ path: '/var/backups', sizeLimit: Size.kibibytes(100) }, /sizedWritablePaths\[0\].sizeLimit: 100Ki is not a whole number of MiB/],
    [{ path: '/var/backups', sizeLimit: '10Gi' }, /sizedWritablePaths\[0\].sizeLimit: "10Gi" is not a Size; use a positive whole number of MiB, e.g. Size.gibibytes\(10\)/],
    [{ path: '/var/backups' }, /sizedWritablePaths\[0\].sizeLimit: undefined is not a Size/],
    [{ path: 'var/backups', sizeLimit: Size.gibibytes(1) }, /sizedWritablePaths\[0\].path: "var\/backups" is not an absolute path/],
    [{ path: '/tmp/x', sizeLimit: Size.gibibytes(1) }, /sizedWritablePaths\[0\].path: '\/tmp\/x' collides with writable path '\/tmp'/],
    ['/var/backups', /sizedWritablePaths\[0\]: "\/var\/backups" is not a writable path; give \{ path, sizeLimit: Size.gibibytes\(n\) \}/],
  ])('refuses %j', (entry, message) => {
    expect(() => job({ sizedWritablePaths: [entry] })).toThrow(message);
  });

  test('refuses a path given both ways, and a sizedWritablePaths that is not a list', () => {
    expect(() => job({ writablePaths: ['/var/backups'], sizedWritablePaths: [BACKUPS] })).toThrow(/\[test\/backup\] sizedWritablePaths\[0\].path: '\/var\/backups' collides with writable path '\/var\/backups'/);
    expect(() => job({ sizedWritablePaths: BACKUPS })).toThrow(/sizedWritablePaths: .* is not a list; give \[\{ path, sizeLimit \}\]/);
  });
});
