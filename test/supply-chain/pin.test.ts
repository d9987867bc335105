import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import { Chart, Testing } from 'cdk8s';
import { HardenedDefaults, HardenedDeployment, ImageLock } from '../../src';
import { runCliAsync } from '../../src/cli/program';
import { parseChallenge, resolveImage } from '../../src/supply-chain/oci-distribution';
import { pin, tagsToPin } from '../../src/supply-chain/pin';
import { freePort, LocalRegistry, OCI_INDEX, OCI_MANIFEST, DOCKER_MANIFEST, REGISTRY_BINARY, sha256, TokenFront } from '../helpers/registry';
import { podSpec } from '../helpers/synth';

// `pin` against a real registry: Debian's docker-registry (CNCF distribution), started here on 127.0.0.1, images
// pushed through its HTTP API; and a token-protected front implementing the distribution token flow.

const HAVE_REGISTRY = fs.existsSync(REGISTRY_BINARY);
if (!HAVE_REGISTRY) {
  if (process.env.CI) throw new Error(`${REGISTRY_BINARY} is missing: .ci/run installs Debian's docker-registry before npm test`);
  // eslint-disable-next-line no-console
  console.warn(`SKIPPED: the real-registry tests of pin need ${REGISTRY_BINARY} (apt-get install -y docker-registry)`);
}

(HAVE_REGISTRY ? describe : describe.skip)('pin against a real registry', () => {
  let registry: LocalRegistry;
  let front: TokenFront;
  let dir: string;
  let web: { digest: string };
  let api: { digest: string };
  let multi: { digest: string; platforms: string[] };
  const insecure = () => ({ insecureRegistries: [registry.host, front.host], timeoutMs: 10_000 });

  beforeAll(async () => {
    registry = await LocalRegistry.start();
    front = await TokenFront.start(registry.host);
    web = await registry.pushImage('shop/web', '1.4.2');
    api = await registry.pushImage('shop/api', '2.0.0', { docker: true });
    multi = await registry.pushIndex('shop/multi', '3.1.0');
  }, 30_000);

  afterAll(async () => {
    await front?.stop();
    await registry?.stop();
  });

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pin-'));
    front.mode = {};
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('a tag resolves to the digest of its manifest (OCI and Docker v2), as the registry stores it', async () => {
    await expect(resolveImage(`${registry.host}/shop/web:1.4.2`, insecure()))
      .resolves.toEqual({ image: `${registry.host}/shop/web:1.4.2`, digest: web.digest, mediaType: OCI_MANIFEST });
    await expect(resolveImage(`${registry.host}/shop/api:2.0.0`, insecure()))
      .resolves.toEqual({ image: `${registry.host}/shop/api:2.0.0`, digest: api.digest, mediaType: DOCKER_MANIFEST });
  });

  test('a multi-arch tag resolves to its index digest, not a platform manifest', async () => {
    const resolved = await resolveImage(`${registry.host}/shop/multi:3.1.0`, insecure());
    expect(resolved).toEqual({ image: `${registry.host}/shop/multi:3.1.0`, digest: multi.digest, mediaType: OCI_INDEX });
    expect(multi.platforms).not.toContain(resolved.digest);
  });

  test('bearer token flow: 401 with a challenge, a token for the asked scope, the retry succeeds', async () => {
    const resolved = await resolveImage(`${front.host}/shop/web:1.4.2`, insecure());
    expect(resolved.digest).toBe(web.digest);
    expect(front.tokenRequests).toContainEqual({ service: 'test-registry', scope: 'repository:shop/web:pull' });
  });

  test('the lock file: sorted, stable, no timestamp; read back by ImageLock and rendered by hardened workloads', async () => {
    const lockFile = path.join(dir, 'images.lock.json');
    const images = [`${registry.host}/shop/web:1.4.2`, `${front.host}/shop/api:2.0.0`, `${registry.host}/shop/multi:3.1.0`, `${registry.host}/shop/web:1.4.2`];
    await pin(images, { lockFile, ...insecure() });
    const first = fs.readFileSync(lockFile, 'utf-8');
    await pin([...images].reverse(), { lockFile, ...insecure() });
    expect(fs.readFileSync(lockFile, 'utf-8')).toBe(first);
    expect(JSON.parse(first)).toEqual({
      lockfileVersion: 1,
      images: [
        { image: `${front.host}/shop/api:2.0.0`, digest: api.digest, mediaType: DOCKER_MANIFEST },
        { image: `${registry.host}/shop/multi:3.1.0`, digest: multi.digest, mediaType: OCI_INDEX },
        { image: `${registry.host}/shop/web:1.4.2`, digest: web.digest, mediaType: OCI_MANIFEST },
      ].sort((a, b) => (a.image < b.image ? -1 : 1)),
    });
    expect(first).not.toMatch(/20\d\d-\d\d-\d\d/);
    expect(fs.readdirSync(dir)).toEqual(['images.lock.json']);

    const chart = new Chart(Testing.app(), 'test', { namespace: 'shop' });
    HardenedDefaults.set(chart, { imageLock: ImageLock.fromFile(lockFile) });
    new HardenedDeployment(chart, 'web', { containers: [{ image: `${registry.host}/shop/web:1.4.2`, portNumber: 8080 }] });
    new HardenedDeployment(chart, 'multi', { containers: [{ image: `${registry.host}/shop/multi:3.1.0`, portNumber: 8080 }] });
    const rendered = Testing.synth(chart).filter(m => m.kind === 'Deployment').map(m => podSpec(m).containers[0]);
    expect(rendered.map(c => [c.image, c.imagePullPolicy])).toEqual([
      [`${registry.host}/shop/web:1.4.2@${web.digest}`, 'IfNotPresent'],
      [`${registry.host}/shop/multi:3.1.0@${multi.digest}`, 'IfNotPresent'],
    ]);
  });

  describe('any failure: a clear error naming the image, and nothing written', () => {
    let lockFile: string;
    const before = '{"previous": "lock"}\n';
    beforeEach(() => {
      lockFile = path.join(dir, 'images.lock.json');
      fs.writeFileSync(lockFile, before);
    });
    afterEach(() => {
      expect(fs.readFileSync(lockFile, 'utf-8')).toBe(before);
      expect(fs.readdirSync(dir)).toEqual(['images.lock.json']);
    });
    const pinOne = (image: string) => pin([`${registry.host}/shop/web:1.4.2`, image], { lockFile, ...insecure() });

    test('a tag the registry does not have (404)', async () => {
      await expect(pinOne(`${registry.host}/shop/web:9.9.9`))
        .rejects.toThrow(new RegExp(`1 of 2 image\\(s\\) could not be pinned; .* was not written:\\n  ${registry.host}/shop/web:9.9.9: ${registry.host} has no tag '9.9.9' in shop/web \\(HTTP 404: MANIFEST_UNKNOWN`));
    });

    test('a repository the registry does not have (404)', async () => {
      await expect(pinOne(`${registry.host}/shop/nothing:1.0.0`)).rejects.toThrow(/shop\/nothing:1.0.0: .* has no tag '1.0.0' in shop\/nothing \(HTTP 404: MANIFEST_UNKNOWN/);
    });

    test('an unreachable registry', async () => {
      const closed = `127.0.0.1:${await freePort()}`;
      await expect(pin([`${closed}/shop/web:1.0.0`], { lockFile, insecureRegistries: [closed], timeoutMs: 5000 }))
        .rejects.toThrow(new RegExp(`${closed}/shop/web:1.0.0: cannot reach ${closed} \\(ECONNREFUSED\\)`));
    });

    test('https by default: a plain-http registry not named insecure is not reached', async () => {
      await expect(pin([`${registry.host}/shop/web:1.4.2`], { lockFile, timeoutMs: 5000 }))
        .rejects.toThrow(/cannot reach .*\(a registry served over plain http must be named with --insecure-registry\)/);
    });

    test('the token endpoint refuses (401)', async () => {
      front.mode = { tokenStatus: 401 };
      await expect(pinOne(`${front.host}/shop/web:1.4.2`)).rejects.toThrow(/shop\/web:1.4.2: the token endpoint .*\/token answered HTTP 401: UNAUTHORIZED/);
    });

    test('401 again after the token', async () => {
      front.mode = { refuseToken: true };
      await expect(pinOne(`${front.host}/shop/web:1.4.2`)).rejects.toThrow(/shop\/web:1.4.2: .* refused the token it issued \(HTTP 401: UNAUTHORIZED/);
    });

    test('a Basic challenge (credentials needed)', async () => {
      front.mode = { challenge: 'Basic realm="registry"' };
      await expect(pinOne(`${front.host}/shop/web:1.4.2`)).rejects.toThrow(/requires authentication \(HTTP 401, WWW-Authenticate: Basic realm="registry"\); pin uses anonymous access/);
    });

    test('a token realm over plain http on a host not named insecure', async () => {
      front.mode = { challenge: 'Bearer realm="http://auth.example.com/token",service="x"' };
      await expect(pinOne(`${front.host}/shop/web:1.4.2`)).rejects.toThrow(/token realm http:\/\/auth.example.com is not https; refusing/);
    });

    test('a Docker-Content-Digest that does not match the bytes sent', async () => {
      front.mode = { digestHeader: `sha256:${'0'.repeat(64)}` };
      await expect(pinOne(`${front.host}/shop/web:1.4.2`)).rejects.toThrow(/announced Docker-Content-Digest sha256:0{64}, but the manifest it sent hashes to sha256:/);
    });

    test('a malformed reference', async () => {
      await expect(pinOne('Registry.example.com/UPPER/case:1')).rejects.toThrow(/'Registry.example.com\/UPPER\/case:1': not an image reference with a tag/);
    });
  });

  test('the CLI: pins YAML and --image, prints each digest, exit 0; a failure exits 1 and writes nothing', async () => {
    const yamlFile = path.join(dir, 'app.k8s.yaml');
    fs.writeFileSync(yamlFile, [
      'apiVersion: apps/v1', 'kind: Deployment', 'metadata: {name: web}', 'spec:', '  template:', '    spec:',
      `      initContainers: [{name: init, image: "${registry.host}/shop/api:2.0.0"}]`,
      `      containers: [{name: web, image: "${registry.host}/shop/web:1.4.2@${web.digest}"}, {name: side, image: "${registry.host}/shop/web@${web.digest}"}]`,
      '',
    ].join('\n'));
    const lockFile = path.join(dir, 'out.lock.json');
    const out = { stdout: '', stderr: '' };
    const io = { stdout: (t: string) => { out.stdout += t; }, stderr: (t: string) => { out.stderr += t; } };
    const code = await runCliAsync(['node', 'cdk8s-hardened', 'pin', yamlFile, '--lock', lockFile, '--insecure-registry', registry.host,
      '--image', `${registry.host}/shop/multi:3.1.0`], io);
    expect([code, out.stderr]).toEqual([0, '']);
    expect(out.stdout).toContain(`${registry.host}/shop/multi:3.1.0 -> ${multi.digest}`);
    expect(out.stdout).toContain(`${registry.host}/shop/web@${web.digest}: already pinned by digest`);
    expect(ImageLock.fromFile(lockFile).entries.map(e => e.image)).toEqual(
      [`${registry.host}/shop/api:2.0.0`, `${registry.host}/shop/multi:3.1.0`, `${registry.host}/shop/web:1.4.2`]);

    const failed = path.join(dir, 'failed.lock.json');
    out.stdout = '';
    const bad = await runCliAsync(['node', 'cdk8s-hardened', 'pin', '--lock', failed, '--insecure-registry', registry.host,
      '--image', `${registry.host}/shop/web:0.0.0`], io);
    expect(bad).toBe(1);
    expect(out.stderr).toMatch(/cdk8s-hardened pin: 1 of 1 image\(s\) could not be pinned; .*failed.lock.json was not written/);
    expect(fs.existsSync(failed)).toBe(false);
  });
});

describe('pin: input handling without a registry', () => {
  test('tags are deduplicated and sorted, a rendered digest is dropped (re-pinned by its tag), digest-only images are skipped', () => {
    const d = `sha256:${'a'.repeat(64)}`;
    expect(tagsToPin(['r.io/b:1', `r.io/a:2@${d}`, 'r.io/b:1', `r.io/c@${d}`])).toEqual({ tags: ['r.io/a:2', 'r.io/b:1'], skipped: [`r.io/c@${d}`] });
    expect(() => tagsToPin(['r.io/untagged'])).toThrow(/'r.io\/untagged': not an image reference with a tag/);
  });

  test('the CLI refuses bad flags and empty input (exit 2)', async () => {
    let err = '';
    const io = { stdout: () => undefined, stderr: (t: string) => { err += t; } };
    expect(await runCliAsync(['node', 'cdk8s-hardened', 'pin'], io)).toBe(2);
    expect(err).toMatch(/no input: give YAML files or directories, or --image/);
    expect(await runCliAsync(['node', 'cdk8s-hardened', 'pin', '--image', 'r.io/a:1', '--insecure-registry', 'http://r.io'], io)).toBe(2);
    expect(err).toMatch(/--insecure-registry: 'http:\/\/r.io' is not host\[:port\]/);
    expect(await runCliAsync(['node', 'cdk8s-hardened', 'pin', '--image', 'r.io/a:1', '--timeout', '0'], io)).toBe(2);
  });

  test('WWW-Authenticate challenges parse with quoted, escaped and bare values', () => {
    expect(parseChallenge('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull"')).toEqual({
      scheme: 'bearer', params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/nginx:pull' },
    });
    expect(parseChallenge('Bearer realm="https://a/t", service=svc, error="insufficient_scope", x="q\\"d"')?.params)
      .toEqual({ realm: 'https://a/t', service: 'svc', error: 'insufficient_scope', x: 'q"d' });
  });
});

interface HopAnswer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}
type Answer = (path: string, authorization: string | undefined) => HopAnswer;

/** A plain-http server on 127.0.0.1 answering with `answer`, recording every request's path and Authorization. */
class Hop {
  public static async start(answer: Answer): Promise<Hop> {
    const hop = new Hop(answer);
    await new Promise<void>(resolve => hop.server.listen(0, '127.0.0.1', () => resolve()));
    return hop;
  }

  public readonly requests: Array<{ path: string; authorization?: string }> = [];
  private readonly server: http.Server;

  private constructor(answer: Answer) {
    this.server = http.createServer((req, res) => {
      this.requests.push({ path: req.url!, authorization: req.headers.authorization });
      const { status, headers, body } = answer(req.url!, req.headers.authorization);
      res.writeHead(status, headers);
      res.end(body ?? '');
    });
  }

  public get host(): string {
    return `127.0.0.1:${(this.server.address() as import('net').AddressInfo).port}`;
  }

  public async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise(resolve => this.server.close(resolve));
  }
}

describe('pin: redirects, every hop checked', () => {
  const MANIFEST_PATH = '/v2/shop/web/manifests/1.0.0';
  const manifest = JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: {}, layers: [] });
  const serveManifest: HopAnswer = { status: 200, headers: { 'Content-Type': OCI_MANIFEST }, body: manifest };
  const redirect = (location: string, status = 307): HopAnswer => ({ status, headers: { Location: location } });
  let hops: Hop[];
  let dir: string;
  let lockFile: string;
  const before = '{"previous": "lock"}\n';
  const start = async (answer: Answer) => {
    const hop = await Hop.start(answer);
    hops.push(hop);
    return hop;
  };

  beforeEach(() => {
    hops = [];
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pin-redirect-'));
    lockFile = path.join(dir, 'images.lock.json');
    fs.writeFileSync(lockFile, before);
  });
  afterEach(async () => {
    for (const hop of hops) await hop.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('a redirect between registries allowed the same scheme is followed: the digest of the bytes at the end', async () => {
    const storage = await start(p => (p === MANIFEST_PATH ? serveManifest : { status: 404 }));
    const entry = await start(() => redirect(`http://${storage.host}${MANIFEST_PATH}`, 302));
    const image = `${entry.host}/shop/web:1.0.0`;
    await pin([image], { lockFile, insecureRegistries: [entry.host, storage.host], timeoutMs: 5000 });
    expect(ImageLock.fromFile(lockFile).entries.map(e => [e.image, e.digest])).toEqual([[image, sha256(manifest)]]);
    expect(storage.requests.map(r => r.path)).toEqual([MANIFEST_PATH]);
  });

  test('a chain through a plain-http hop not named insecure is refused, even when it ends on an allowed registry; nothing written', async () => {
    // entry (insecure, allowed) -> plain (plain http, not named) -> entry again: the final URL alone looks fine.
    let plainHost = '';
    const entry = await start(p => (p === '/real' ? serveManifest : redirect(`http://${plainHost}/hop`)));
    const plain = await start(() => redirect(`http://${entry.host}/real`));
    plainHost = plain.host;
    await expect(pin([`${entry.host}/shop/web:1.0.0`], { lockFile, insecureRegistries: [entry.host], timeoutMs: 5000 }))
      .rejects.toThrow(new RegExp(`shop/web:1.0.0: http://${entry.host} redirected to http://${plain.host}, which is not https; `
        + 'refusing a downgraded answer \\(every hop of a redirect must be https, or plain http to a registry named with --insecure-registry\\)'));
    expect(plain.requests).toEqual([]);
    expect(fs.readFileSync(lockFile, 'utf-8')).toBe(before);
    expect(fs.readdirSync(dir)).toEqual(['images.lock.json']);
  });

  test('the token request is held to the same rule: a realm redirecting through a plain-http hop is refused', async () => {
    let plainHost = '';
    const entry = await start((p): HopAnswer => {
      if (p.startsWith('/token')) return redirect(`http://${plainHost}/token`);
      return { status: 401, headers: { 'WWW-Authenticate': `Bearer realm="http://${entryHost()}/token",service="s"` } };
    });
    const entryHost = () => entry.host;
    const plain = await start(() => ({ status: 200, headers: { 'Content-Type': 'application/json' }, body: '{"token":"t"}' }));
    plainHost = plain.host;
    await expect(resolveImage(`${entry.host}/shop/web:1.0.0`, { insecureRegistries: [entry.host], timeoutMs: 5000 }))
      .rejects.toThrow(new RegExp(`redirected to http://${plain.host}, which is not https; refusing a downgraded answer`));
    expect(plain.requests).toEqual([]);
  });

  test('the bearer token is not sent past a change of origin', async () => {
    const storage = await start(p => (p === MANIFEST_PATH ? serveManifest : { status: 404 }));
    const entry = await start((p, authorization): HopAnswer => {
      if (p.startsWith('/token')) return { status: 200, headers: { 'Content-Type': 'application/json' }, body: '{"token":"secret-token"}' };
      if (authorization === undefined) return { status: 401, headers: { 'WWW-Authenticate': `Bearer realm="http://${entryHost()}/token"` } };
      return p === MANIFEST_PATH ? redirect('/moved') : redirect(`http://${storage.host}${MANIFEST_PATH}`);
    });
    const entryHost = () => entry.host;
    const resolved = await resolveImage(`${entry.host}/shop/web:1.0.0`, { insecureRegistries: [entry.host, storage.host], timeoutMs: 5000 });
    expect(resolved.digest).toBe(sha256(manifest));
    // Same origin (/moved) keeps it; the other origin gets none.
    expect(entry.requests.filter(r => r.path === '/moved').map(r => r.authorization)).toEqual(['Bearer secret-token']);
    expect(storage.requests).toEqual([{ path: MANIFEST_PATH, authorization: undefined }]);
  });

  test('a redirect loop stops after 5 redirects, and a redirect without Location is an error', async () => {
    const loop = await start(p => redirect(p === MANIFEST_PATH ? '/a' : `${p}a`));
    await expect(resolveImage(`${loop.host}/shop/web:1.0.0`, { insecureRegistries: [loop.host], timeoutMs: 5000 }))
      .rejects.toThrow(`more than 5 redirects from http://${loop.host}${MANIFEST_PATH}; refusing (a redirect loop?)`);
    expect(loop.requests).toHaveLength(6);
    const bare = await start(() => ({ status: 302 }));
    await expect(resolveImage(`${bare.host}/shop/web:1.0.0`, { insecureRegistries: [bare.host], timeoutMs: 5000 }))
      .rejects.toThrow(`${bare.host} answered HTTP 302 with no Location header`);
  });
});
