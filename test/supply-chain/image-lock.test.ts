import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart, Cron, Testing } from 'cdk8s';
import {
  FindingStatus, Guard, GuardReport, HardenedCronJob, HardenedDefaults, HardenedDeployment, HardenedStatefulSet, ImageLock, ImagePolicy,
} from '../../src';
import { podSpec, withoutGuardSummary } from '../helpers/synth';

const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const WEB = 'registry.example.com/shop/web:1.4.2';
const JOB = 'registry.example.com/shop/job:0.9.0';

function lockOf(entries: Array<[string, string]>): ImageLock {
  return ImageLock.fromJson(JSON.stringify({ lockfileVersion: 1, images: entries.map(([image, digest]) => ({ image, digest, mediaType: OCI_INDEX })) }), 'images.lock.json');
}

function chartWith(lock: ImageLock, app: App = Testing.app()): Chart {
  const chart = new Chart(app, 'test', { namespace: 'shop' });
  HardenedDefaults.set(chart, { imageLock: lock });
  return chart;
}

describe('hardened workloads render digests from the lock', () => {
  test('every hardened kind, containers and init containers, added in props or later: tag@sha256 and IfNotPresent', () => {
    const chart = chartWith(lockOf([[WEB, D1], [JOB, D2]]));
    const web = new HardenedDeployment(chart, 'web', { containers: [{ image: WEB, portNumber: 8080 }], initContainers: [{ name: 'init', image: JOB }] });
    web.addContainer({ name: 'side', image: JOB });
    new HardenedStatefulSet(chart, 'db', { containers: [{ image: WEB, portNumber: 5432 }] });
    new HardenedCronJob(chart, 'job', { schedule: Cron.daily(), containers: [{ image: JOB }] });
    const manifests = Testing.synth(chart);
    const images = manifests.filter(m => ['Deployment', 'StatefulSet', 'CronJob'].includes(m.kind)).flatMap(m => {
      const spec = podSpec(m);
      return [...(spec.initContainers ?? []), ...spec.containers].map((c: any) => [m.kind, c.name, c.image, c.imagePullPolicy]);
    });
    expect(images).toEqual([
      ['Deployment', 'init', `${JOB}@${D2}`, 'IfNotPresent'],
      ['Deployment', 'main', `${WEB}@${D1}`, 'IfNotPresent'],
      ['Deployment', 'side', `${JOB}@${D2}`, 'IfNotPresent'],
      ['StatefulSet', 'main', `${WEB}@${D1}`, 'IfNotPresent'],
      ['CronJob', 'main', `${JOB}@${D2}`, 'IfNotPresent'],
    ]);
  });

  test('with an ImagePolicy requiring digests, a locked app synthesizes with zero failed findings', () => {
    const app = Testing.app();
    new ImagePolicy(app, 'image-policy', { registries: [{ prefix: 'registry.example.com/shop' }], imageLock: lockOf([[WEB, D1]]) });
    const chart = new Chart(app, 'shop', { namespace: 'shop' });
    new HardenedDeployment(chart, 'web', { containers: [{ image: WEB, portNumber: 8080 }] });
    Guard.protect(app);
    withoutGuardSummary(() => app.synth());
    const findings = GuardReport.of(app).evaluations.flatMap(e => e.findings);
    expect(findings.filter(f => f.status === FindingStatus.FAIL)).toEqual([]);
    expect(findings.filter(f => f.controlId === 'image-digest')).toEqual([]);
  });

  test('an image that carries the digest the lock has is kept as written', () => {
    const chart = chartWith(lockOf([[WEB, D1]]));
    new HardenedDeployment(chart, 'web', { containers: [{ image: `${WEB}@${D1}`, portNumber: 8080 }] });
    expect(podSpec(Testing.synth(chart).find(m => m.kind === 'Deployment')).containers[0].image).toBe(`${WEB}@${D1}`);
  });

  test('a digest-only image the lock cannot know is kept as written', () => {
    const chart = chartWith(lockOf([[WEB, D1]]));
    new HardenedDeployment(chart, 'web', { containers: [{ image: `registry.example.com/shop/other@${D2}`, portNumber: 8080 }] });
    expect(podSpec(Testing.synth(chart).find(m => m.kind === 'Deployment')).containers[0].image).toBe(`registry.example.com/shop/other@${D2}`);
  });
});

describe('a missing or stale entry is a synthesis error, never a silent tag', () => {
  test('no entry for the image', () => {
    const chart = chartWith(lockOf([[WEB, D1]]));
    expect(() => new HardenedDeployment(chart, 'api', { containers: [{ name: 'api', image: 'registry.example.com/shop/api:2.0.0', portNumber: 8080 }] }))
      .toThrow(/\[test\/api\] containers\[0\] 'api' image: image 'registry.example.com\/shop\/api:2.0.0' is not pinned in images.lock.json\. Run `cdk8s-hardened pin --lock images.lock.json --image registry.example.com\/shop\/api:2.0.0`/);
  });

  test('the lock has another tag of the repository (stale)', () => {
    const chart = chartWith(lockOf([[WEB, D1]]));
    expect(() => new HardenedDeployment(chart, 'web', { containers: [{ image: 'registry.example.com/shop/web:1.5.0', portNumber: 8080 }] }))
      .toThrow(/image 'registry.example.com\/shop\/web:1.5.0' is not pinned in images.lock.json\. It has 'registry.example.com\/shop\/web:1.4.2': the lock is stale/);
  });

  test('the lock has the repository under another registry (stale)', () => {
    const chart = chartWith(lockOf([[WEB, D1]]));
    expect(() => new HardenedDeployment(chart, 'web', { containers: [{ image: 'mirror.example.com/shop/web:1.4.2', portNumber: 8080 }] }))
      .toThrow(/It has 'registry.example.com\/shop\/web:1.4.2': the lock is stale \(the code names another tag or registry\)/);
  });

  test('an image whose digest differs from the lock\'s', () => {
    const chart = chartWith(lockOf([[WEB, D1]]));
    expect(() => new HardenedDeployment(chart, 'web', { containers: [{ image: `${WEB}@${D2}`, portNumber: 8080 }] }))
      .toThrow(new RegExp(`carries digest ${D2}, but images.lock.json pins '${WEB.replace(/[./]/g, '\\$&')}' to ${D1}`));
  });

  test('a container added after construction is checked too', () => {
    const chart = chartWith(lockOf([[WEB, D1]]));
    const web = new HardenedDeployment(chart, 'web', { containers: [{ image: WEB, portNumber: 8080 }] });
    expect(() => web.addContainer({ name: 'side', image: 'registry.example.com/shop/side:1.0.0' })).toThrow(/containers\[1\] 'side' image: .* is not pinned/);
  });
});

describe('lock files: read, checked, written stably', () => {
  let dir: string;
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lock-')); });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('fromFile reads what toJson writes; entries are sorted by code point', () => {
    const lock = lockOf([['registry.example.com/z:1', D1], ['registry.example.com/B:1'.toLowerCase(), D2], ['ghcr.io/a/b:2', D1]]);
    const file = path.join(dir, 'images.lock.json');
    fs.writeFileSync(file, lock.toJson());
    const read = ImageLock.fromFile(file);
    expect(read.entries.map(e => e.image)).toEqual(['ghcr.io/a/b:2', 'registry.example.com/b:1', 'registry.example.com/z:1']);
    expect(read.toJson()).toBe(lock.toJson());
    expect(read.source).toBe(file);
    expect(read.entryFor('ghcr.io/a/b:2')).toEqual({ image: 'ghcr.io/a/b:2', digest: D1, mediaType: OCI_INDEX });
  });

  test('a missing file names the command that creates it', () => {
    expect(() => ImageLock.fromFile(path.join(dir, 'nope.json'))).toThrow(/cannot read '.*nope.json' \(ENOENT\); run `cdk8s-hardened pin --lock .*nope.json/);
  });

  test.each([
    ['not JSON', '{', /not JSON/],
    ['another format', '{"images": {}}', /not an image lock file \(expected \{ "lockfileVersion": 1, "images": \[...\] \}\)/],
    ['an entry with a digest in its image', JSON.stringify({ lockfileVersion: 1, images: [{ image: `${WEB}@${D1}`, digest: D1, mediaType: OCI_INDEX }] }),
      /images\[0\]: image .* is not an image name with a tag and no digest/],
    ['an untagged image', JSON.stringify({ lockfileVersion: 1, images: [{ image: 'registry.example.com/x', digest: D1, mediaType: OCI_INDEX }] }), /is not an image name with a tag/],
    ['a short digest', JSON.stringify({ lockfileVersion: 1, images: [{ image: WEB, digest: 'sha256:abc', mediaType: OCI_INDEX }] }), /digest "sha256:abc" of '.*' is not sha256:<64 lowercase hex>/],
    ['a sha512 digest', JSON.stringify({ lockfileVersion: 1, images: [{ image: WEB, digest: `sha512:${'a'.repeat(128)}`, mediaType: OCI_INDEX }] }), /is not sha256/],
    ['an unknown media type', JSON.stringify({ lockfileVersion: 1, images: [{ image: WEB, digest: D1, mediaType: 'text/html' }] }), /mediaType "text\/html" of .* is not one of/],
    ['a duplicate image', JSON.stringify({ lockfileVersion: 1, images: [{ image: WEB, digest: D1, mediaType: OCI_INDEX }, { image: WEB, digest: D2, mediaType: OCI_INDEX }] }),
      /image 'registry.example.com\/shop\/web:1.4.2' appears twice/],
  ])('refused: %s', (_name, text, message) => {
    expect(() => ImageLock.fromJson(text, 'images.lock.json')).toThrow(message);
  });

  test('HardenedDefaults refuses an imageLock that is not an ImageLock', () => {
    expect(() => HardenedDefaults.set(new Chart(Testing.app(), 'x'), { imageLock: { entries: [] } as any }))
      .toThrow(/imageLock \{"entries":\[\]\} is not an ImageLock; use ImageLock.fromFile/);
    expect(() => HardenedDefaults.set(new Chart(Testing.app(), 'x'), { requireImageDigests: 'yes' as any })).toThrow(/requireImageDigests "yes" is not a boolean/);
  });
});
