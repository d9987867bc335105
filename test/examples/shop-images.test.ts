import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart, Testing } from 'cdk8s';
import { SHOP_IMAGE_LOCK, SHOP_IMAGES } from '../../examples/shop/images';
import { buildApp, ShopChart } from '../../examples/shop/main';
import { HardenedDeployment, ImageLock, ImagePolicy } from '../../src';
import { expectCrdValid } from '../helpers/crd-schema';
import { podSpec } from '../helpers/synth';

// The shop declares its image policy (examples/shop/images.ts): every image is digest-pinned from images.lock.json.

const outdirs: string[] = [];
function outdir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shop-images-'));
  outdirs.push(dir);
  return dir;
}
afterAll(() => outdirs.forEach(dir => fs.rmSync(dir, { recursive: true, force: true })));

test('every shop container renders its tag with the lock\'s digest, and the lock has exactly the shop\'s images', () => {
  const lock = ImageLock.fromFile(SHOP_IMAGE_LOCK);
  const chart = new ShopChart(Testing.app(), 'shop');
  const containers = Testing.synth(chart).filter(m => ['Deployment', 'StatefulSet', 'CronJob'].includes(m.kind))
    .flatMap(m => podSpec(m).containers.map((c: any) => c.image));
  expect(containers.sort()).toEqual(Object.values(SHOP_IMAGES).map(i => `${i}@${lock.entryFor(i)!.digest}`).sort());
  expect(lock.entries.map(e => e.image)).toEqual(Object.values(SHOP_IMAGES).sort());
  // The file is what pin writes: sorted, stable bytes.
  expect(fs.readFileSync(SHOP_IMAGE_LOCK, 'utf-8')).toBe(lock.toJson());
});

test('the shop\'s policy: its registry path only, signed by its release workflow, opted in to policy-controller', () => {
  const app = buildApp(outdir());
  const policy = app.node.findChild('image-policy') as ImagePolicy;
  expect(policy.allowedRegistries).toEqual(['registry.example.com/shop']);
  expect(policy.requireDigests).toBe(true);
  const [cip] = Testing.synth(policy);
  expectCrdValid([cip]);
  expect(cip.spec).toEqual({
    images: [{ glob: 'registry.example.com/shop/**' }, { glob: 'registry.example.com/shop:*' }, { glob: 'registry.example.com/shop@*' }],
    authorities: [{
      name: 'signature-0',
      keyless: { identities: [{ issuer: 'https://token.actions.githubusercontent.com', subjectRegExp: expect.stringMatching(/^\^https:\/\/github\\\.com\/example\/shop\//) }] },
    }],
  });
  const shop = app.node.findChild('shop') as ShopChart;
  expect(Testing.synth(shop).find(m => m.kind === 'Namespace').metadata.labels['policy.sigstore.dev/include']).toBe('true');
});

test('a tag the lock does not pin fails synthesis under the shop\'s policy, naming the image and the command', () => {
  const app = new App({ outdir: outdir() });
  new ShopChart(app, 'shop');
  const other = new Chart(app, 'other', { namespace: 'other' });
  expect(() => new HardenedDeployment(other, 'web', { containers: [{ image: 'registry.example.com/shop/frontend:2.4.0', portNumber: 8080 }] }))
    .toThrow(/image 'registry.example.com\/shop\/frontend:2.4.0' is not pinned in .*images.lock.json\. It has 'registry.example.com\/shop\/frontend:2.3.1': the lock is stale/);
});

test('the shop\'s admission guardrails admit exactly the image policy\'s registries (one list, two layers)', () => {
  const app = buildApp(outdir());
  const policy = app.node.findChild('image-policy') as ImagePolicy;
  const admission = Testing.synth(app.node.findChild('guardrails') as Chart)
    .find(m => m.kind === 'ValidatingAdmissionPolicy' && m.metadata.name.includes('image-registry'));
  expect(admission).toBeDefined();
  for (const registry of policy.allowedRegistries) expect(JSON.stringify(admission)).toContain(`'${registry}'`);
  expect(JSON.stringify(admission)).not.toContain('registry.example.com/payments');
});
