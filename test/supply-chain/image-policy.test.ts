import { generateKeyPairSync } from 'crypto';
import { App, Chart, Testing } from 'cdk8s';
import {
  Controls, FindingStatus, Guard, GuardReport, HardenedDefaults, HardenedDeployment, ImagePolicy, ImagePolicyProps, ImageSignature,
  IsolatedNamespace, PssVersion, Severity,
} from '../../src';
import { expectCrdValid } from '../helpers/crd-schema';
import { DIGEST_IMAGE, IMAGE, synthError, withoutGuardSummary } from '../helpers/synth';

const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const PUBLIC_PEM = publicKey.export({ type: 'spki', format: 'pem' }).toString();
const PRIVATE_PEM = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const GITHUB = 'https://token.actions.githubusercontent.com';
const RELEASE = '^https://github\\.com/example/shop/\\.github/workflows/release\\.yml@refs/tags/v.*$';

function chart(app: App = Testing.app()): Chart {
  return new Chart(app, 'test', { namespace: 'shop' });
}

const globs = (name: string) => [{ glob: `${name}/**` }, { glob: `${name}:*` }, { glob: `${name}@*` }];

/** The ClusterImagePolicies of the ImagePolicy charts below `c`. */
function policies(c: Chart): any[] {
  return c.node.children.filter(x => x instanceof ImagePolicy).flatMap(p => Testing.synth(p as ImagePolicy)).filter(m => m.kind === 'ClusterImagePolicy');
}

describe('ImagePolicy renders one ClusterImagePolicy per registry, valid against the upstream CRD', () => {
  test('keyless (subject and subjectRegExp), public key and unsigned registries, each with its globs and authorities', () => {
    const c = chart();
    new ImagePolicy(c, 'images', {
      registries: [
        {
          prefix: 'registry.example.com/shop',
          signatures: [
            ImageSignature.keyless({ issuer: GITHUB, subjectRegExp: RELEASE }),
            ImageSignature.publicKey(PUBLIC_PEM),
          ],
        },
        { prefix: 'ghcr.io/example-org', signatures: [ImageSignature.keyless({ issuer: 'https://accounts.google.com', subject: 'release@example.com', fulcioUrl: 'https://fulcio.example.com' })] },
        { prefix: 'docker.io/library' },
      ],
    });
    const rendered = policies(c);
    expect(expectCrdValid(rendered, ['ClusterImagePolicy'])).toBe(3);
    expect(rendered.map(p => [p.apiVersion, p.metadata.name, p.spec.images])).toEqual([
      ['policy.sigstore.dev/v1beta1', 'image-policy-registry.example.com-shop', globs('registry.example.com/shop')],
      ['policy.sigstore.dev/v1beta1', 'image-policy-ghcr.io-example-org', globs('ghcr.io/example-org')],
      ['policy.sigstore.dev/v1beta1', 'image-policy-docker.io-library', globs('index.docker.io/library')],
    ]);
    expect(rendered[0].spec.authorities).toEqual([
      { name: 'signature-0', keyless: { identities: [{ issuer: GITHUB, subjectRegExp: RELEASE }] } },
      { name: 'signature-1', key: { data: PUBLIC_PEM.trim() + '\n', hashAlgorithm: 'sha256' } },
    ]);
    expect(rendered[1].spec.authorities).toEqual([
      { name: 'signature-0', keyless: { url: 'https://fulcio.example.com', identities: [{ issuer: 'https://accounts.google.com', subject: 'release@example.com' }] } },
    ]);
    // Declared without signatures: admitted explicitly (policy-controller denies images no policy matches).
    expect(rendered[2].spec.authorities).toEqual([{ name: 'unsigned-allowed', static: { action: 'pass' } }]);
    // Cluster-scoped: its own chart, no namespace even inside a namespaced chart.
    expect(rendered.every(p => p.metadata.namespace === undefined && p.metadata.labels['app.kubernetes.io/managed-by'] === 'cdk8s-hardened')).toBe(true);
    expect(Testing.synth(c).filter(m => m.kind === 'ClusterImagePolicy')).toEqual([]);
  });

  test('declared in the App, it governs every chart below it and writes its policies to a file of its own', () => {
    const app = Testing.app();
    const policy = new ImagePolicy(app, 'image-policy', { registries: [{ prefix: 'registry.example.com/payments' }] });
    const c = chart(app);
    expect(HardenedDefaults.of(c).allowedRegistries).toEqual(['registry.example.com/payments']);
    new HardenedDeployment(c, 'web', { containers: [{ image: DIGEST_IMAGE, portNumber: 8080 }] });
    expect(synthError(c)).toMatch(/image-registry/);
    expect(Testing.synth(policy).map(m => m.metadata.name)).toEqual(['image-policy-registry.example.com-payments']);
  });

  test('enforceIn labels an IsolatedNamespace policy.sigstore.dev/include=true (policy-controller\'s opt-in)', () => {
    const app = Testing.app();
    const policy = new ImagePolicy(app, 'image-policy', { registries: [{ prefix: 'registry.example.com' }] });
    const ns = new IsolatedNamespace(app, 'shop', { name: 'shop' });
    policy.enforceIn(ns);
    const namespace = Testing.synth(ns).find(m => m.kind === 'Namespace');
    expect(namespace.metadata.labels['policy.sigstore.dev/include']).toBe('true');
    expect(namespace.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
    expect(() => policy.enforceIn(chart(app) as any)).toThrow(/is not an IsolatedNamespace; label other namespaces with policy.sigstore.dev\/include=true/);
  });

  test('the CRD check can fail: a wrong type in an authority is refused by the schema', () => {
    expect(() => expectCrdValid([{
      apiVersion: 'policy.sigstore.dev/v1beta1',
      kind: 'ClusterImagePolicy',
      metadata: { name: 'x' },
      spec: { images: [{ glob: 7 }], authorities: [{ keyless: { identities: 'x' } }] },
    }])).toThrow(/CRD schema validation failed/);
  });

  test('signaturePolicies: false emits none; the synth-time settings stay', () => {
    const c = chart();
    const policy = new ImagePolicy(c, 'images', { registries: [{ prefix: 'registry.example.com' }], signaturePolicies: false });
    expect(policy.clusterImagePolicies).toEqual([]);
    expect(policies(c)).toEqual([]);
    expect(HardenedDefaults.of(c).allowedRegistries).toEqual(['registry.example.com']);
  });
});

/**
 * policy-controller's glob matching (pkg/apis/glob): `**` any characters, `*` any but `/`, anchored; the image as
 * go-containerregistry names it (Docker Hub as index.docker.io, official images under library/).
 */
function signaturePolicyMatches(glob: string, image: string): boolean {
  const pattern = glob.split('**').map(part => part.split('*').map(t => t.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*')).join('.*');
  const first = image.includes('/') ? image.split('/')[0] : '';
  const named = /[.:]/.test(first) || first === 'localhost' ? image.replace(/^docker\.io\//, 'index.docker.io/')
    : `index.docker.io/${image.includes('/') ? '' : 'library/'}${image}`;
  return new RegExp(`^${pattern}$`).test(named);
}

describe('the two renderings agree: image-registry admits exactly the images the ClusterImagePolicies match', () => {
  const prefixes = ['registry.example.com', 'ghcr.io/example', 'ghcr.io/org/app', 'localhost:5000/mirror', 'docker.io/library'];
  const d = `sha256:${'a'.repeat(64)}`;
  const images = [
    'registry.example.com/app:1', `registry.example.com/team/app@${d}`, 'registry.example.com.evil.io/app:1', 'registry.example.com:5000/app:1',
    'ghcr.io/example/app:1', `ghcr.io/example/deep/path/app:1@${d}`, 'ghcr.io/example-evil/app:1', 'ghcr.io/examples/app:1', 'ghcr.io/other/app:1',
    'ghcr.io/org/app:1.0', `ghcr.io/org/app@${d}`, `ghcr.io/org/app:2@${d}`, 'ghcr.io/org/app/sub:1', 'ghcr.io/org/apple:1', 'ghcr.io/org/app-evil:1',
    'localhost:5000/mirror/app:1', 'localhost:5000/mirrors/app:1', 'localhost:5001/mirror/app:1',
    'nginx:1.27', 'docker.io/library/nginx:1.27', 'someone/nginx:1', 'index.docker.io/library/redis:7',
  ];
  test.each(prefixes)('prefix %s', prefix => {
    const app = Testing.app();
    const policy = new ImagePolicy(app, 'image-policy', { registries: [{ prefix }] });
    const c = chart(app);
    const [cip] = Testing.synth(policy);
    const verdicts = images.map(image => {
      const registry = Controls.IMAGE_REGISTRY.check({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'p', namespace: 'shop' },
        spec: { containers: [{ name: 'c', image }] },
      }, { pssVersion: PssVersion.V1_27, allowedRegistries: HardenedDefaults.of(c).allowedRegistries });
      return [image, registry.length === 0, cip.spec.images.some((g: { glob: string }) => signaturePolicyMatches(g.glob, image))];
    });
    expect(verdicts.filter(([, a, b]) => a !== b)).toEqual([]);
    // Both renderings admit something and refuse something for every prefix: the comparison is not vacuous.
    expect(new Set(verdicts.map(([, a]) => a))).toEqual(new Set([true, false]));
  });
});

describe('ImagePolicy drives the synth-time controls of its scope', () => {
  test('allowedRegistries is the plain list of prefixes (what an admission policy takes), and the scope\'s defaults', () => {
    const c = chart();
    const policy = new ImagePolicy(c, 'images', { registries: [{ prefix: 'registry.example.com/shop/' }, { prefix: 'ghcr.io/example-org' }] });
    expect(policy.allowedRegistries).toEqual(['registry.example.com/shop', 'ghcr.io/example-org']);
    expect(policy.requireDigests).toBe(true);
    expect(HardenedDefaults.of(c)).toMatchObject({ allowedRegistries: ['registry.example.com/shop', 'ghcr.io/example-org'], requireImageDigests: true });
  });

  test('an image from another registry fails synthesis (image-registry); one under the prefix passes with zero findings', () => {
    const bad = chart();
    new ImagePolicy(bad, 'images', { registries: [{ prefix: 'registry.example.com/payments' }] });
    new HardenedDeployment(bad, 'web', { containers: [{ image: DIGEST_IMAGE, portNumber: 8080 }] });
    expect(synthError(bad)).toMatch(/image-registry: .*under none of the allowed registries registry\.example\.com\/payments/);

    const app = Testing.app();
    const good = chart(app);
    new ImagePolicy(good, 'images', { registries: [{ prefix: 'registry.example.com/shop', signatures: [ImageSignature.publicKey(PUBLIC_PEM)] }] });
    new HardenedDeployment(good, 'web', { containers: [{ image: DIGEST_IMAGE, portNumber: 8080 }] });
    Guard.protect(app);
    withoutGuardSummary(() => app.synth());
    expect(GuardReport.of(app).evaluations.flatMap(e => e.findings).filter(f => f.status === FindingStatus.FAIL)).toEqual([]);
    expect(GuardReport.of(app).evaluations.map(e => e.kind)).toContain('ClusterImagePolicy');
  });

  test('requireDigests (the default) makes a tag-only image an image-digest error; without a policy it is a warning', () => {
    const strict = chart();
    new ImagePolicy(strict, 'images', { registries: [{ prefix: 'registry.example.com' }] });
    new HardenedDeployment(strict, 'web', { containers: [{ image: IMAGE, portNumber: 8080 }] });
    expect(synthError(strict)).toMatch(/image-digest: Deployment shop\/.* with no @sha256: digest/);

    const relaxed = chart();
    new ImagePolicy(relaxed, 'images', { registries: [{ prefix: 'registry.example.com' }], requireDigests: false });
    new HardenedDeployment(relaxed, 'web', { containers: [{ image: IMAGE, portNumber: 8080 }] });
    expect(() => Testing.synth(relaxed)).not.toThrow();

    const app = Testing.app();
    const plain = chart(app);
    new HardenedDeployment(plain, 'web', { containers: [{ image: IMAGE, portNumber: 8080 }] });
    Guard.protect(app);
    withoutGuardSummary(() => app.synth());
    expect(GuardReport.of(app).evaluations.flatMap(e => e.findings).filter(f => f.controlId === 'image-digest').map(f => [f.severity, f.status]))
      .toEqual([[Severity.WARNING, FindingStatus.FAIL]]);
  });

  test('created after a workload of its scope: refused (the workload already resolved its defaults)', () => {
    const c = chart();
    new HardenedDeployment(c, 'web', { containers: [{ image: DIGEST_IMAGE, portNumber: 8080 }] });
    expect(() => new ImagePolicy(c, 'images', { registries: [{ prefix: 'registry.example.com' }] }))
      .toThrow(/already resolved by \[test\/web\]; call HardenedDefaults.set before creating the constructs/);
  });
});

describe('ImagePolicy refuses bad input with the path, the field, the value and the fix', () => {
  const keyless = (o: any) => ({ registries: [{ prefix: 'registry.example.com', signatures: [ImageSignature.keyless(o)] }] });
  const cases: Array<[string, any, RegExp]> = [
    ['no registries', { registries: [] }, /\[test\/images\] ImagePolicy: registries \[\] is not a non-empty list; declare where images come from/],
    ['a scheme', { registries: [{ prefix: 'https://registry.example.com' }] }, /registries\[0\]\.prefix: 'https:\/\/registry.example.com' (does not start|has the path component)/],
    ['a glob', { registries: [{ prefix: 'registry.example.com/*' }] }, /registries\[0\]\.prefix: 'registry.example.com\/\*' is a glob; give a plain prefix/],
    ['a Docker Hub path without host', { registries: [{ prefix: 'example-org' }] }, /'example-org' is not one; an image 'example-org\/app' would come from Docker Hub, written 'docker.io\/example-org'/],
    ['an uppercase path', { registries: [{ prefix: 'registry.example.com/Shop' }] }, /has the path component 'Shop', which no image repository can have/],
    ['a tag', { registries: [{ prefix: 'registry.example.com/shop:1.0' }] }, /has the path component 'shop:1.0'/],
    ['a bad port', { registries: [{ prefix: 'registry.example.com:http/shop' }] }, /does not start with a registry host/],
    ['a repeated prefix', { registries: [{ prefix: 'ghcr.io/x' }, { prefix: 'ghcr.io/x/' }] }, /registries\[1\] repeats prefix 'ghcr.io\/x' of registries\[0\]/],
    ['signatures not ImageSignature', { registries: [{ prefix: 'ghcr.io/x', signatures: [{ issuer: GITHUB }] }] }, /signatures: .* is not a list of ImageSignature/],
    ['an http issuer', keyless({ issuer: 'http://issuer.example.com', subject: 'a@b.c' }), /signatures\[0\]\.issuer: "http:\/\/issuer.example.com" is not an https URL/],
    ['an issuer with credentials', keyless({ issuer: 'https://u:p@issuer.example.com', subject: 'a@b.c' }), /is not an https URL; give the OIDC issuer/],
    ['an issuer that is no URL', keyless({ issuer: 'token.actions.githubusercontent.com', subject: 'a@b.c' }), /is not an https URL/],
    ['an http Fulcio', keyless({ issuer: GITHUB, subject: 'a@b.c', fulcioUrl: 'http://fulcio' }), /fulcioUrl: "http:\/\/fulcio" is not an https URL/],
    ['subject and subjectRegExp', keyless({ issuer: GITHUB, subject: 'a', subjectRegExp: '^a$' }), /give exactly one of subject and subjectRegExp \(got both\)/],
    ['no subject', keyless({ issuer: GITHUB }), /give exactly one of subject and subjectRegExp \(got neither\)/],
    ['an invalid regexp', keyless({ issuer: GITHUB, subjectRegExp: '^(https://$' }), /subjectRegExp: '\^\(https:\/\/\$' is not a valid regular expression/],
    ['an unanchored regexp', keyless({ issuer: GITHUB, subjectRegExp: 'https://github\\.com/example/' }), /is not anchored; .* e\.g\. '\^https:\/\/github\\\.com\/example\/\$'/],
    ['a lookahead', keyless({ issuer: GITHUB, subjectRegExp: '^(?!evil).*$' }), /uses lookaround or a backreference, which RE2/],
    ['a PEM that is no key', { registries: [{ prefix: 'ghcr.io/x', signatures: [ImageSignature.publicKey('-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----')] }] },
      /signatures\[0\]: public key '-----BEGIN PUBLIC KEY-----[\s\S]*' does not parse/],
    ['not PEM at all', { registries: [{ prefix: 'ghcr.io/x', signatures: [ImageSignature.publicKey('ssh-ed25519 AAAA')] }] }, /is not a PEM public key; give the text of cosign.pub/],
    ['a private key', { registries: [{ prefix: 'ghcr.io/x', signatures: [ImageSignature.publicKey(PRIVATE_PEM)] }] }, /the key is a PRIVATE key; give the public key only/],
    ['requireDigests not boolean', { registries: [{ prefix: 'ghcr.io/x' }], requireDigests: 'yes' }, /requireDigests "yes" is not a boolean/],
    ['imageLock not an ImageLock', { registries: [{ prefix: 'ghcr.io/x' }], imageLock: { images: [] } }, /imageLock \{"images":\[\]\} is not an ImageLock; use ImageLock.fromFile/],
  ];
  test.each(cases)('%s', (_name, props: ImagePolicyProps, message) => {
    const c = chart();
    expect(() => new ImagePolicy(c, 'images', props)).toThrow(message);
    // Refused before anything is set: the scope has no allow-list.
    expect(HardenedDefaults.of(c).allowedRegistries).toBeUndefined();
  });
});
