import { ChildProcess, spawn } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';

/** The CNCF distribution registry of Debian's `docker-registry` package (`.ci/run` installs it). */
export const REGISTRY_BINARY = '/usr/bin/docker-registry';

export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';

export function sha256(data: Buffer | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

/** A real registry on 127.0.0.1, filesystem storage in a temporary directory, no auth; `stop()` always cleans up. */
export class LocalRegistry {
  public static async start(): Promise<LocalRegistry> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-hardened-registry-'));
    const port = await freePort();
    const config = path.join(dir, 'config.yml');
    fs.writeFileSync(config, [
      'version: 0.1',
      'log:', '  level: error', '  accesslog:', '    disabled: true',
      'storage:', '  filesystem:', `    rootdirectory: ${path.join(dir, 'data')}`,
      'http:', `  addr: 127.0.0.1:${port}`, '  secret: test-only-secret',
      '',
    ].join('\n'));
    const child = spawn(REGISTRY_BINARY, ['serve', config], { stdio: ['ignore', 'ignore', 'pipe'] });
    const registry = new LocalRegistry(child, dir, `127.0.0.1:${port}`);
    let stderr = '';
    child.stderr!.on('data', chunk => { stderr += String(chunk); });
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) break;
      try {
        const response = await fetch(`http://${registry.host}/v2/`);
        if (response.status === 200) return registry;
      } catch {
        // not listening yet
      }
      await new Promise(r => setTimeout(r, 100));
    }
    await registry.stop();
    throw new Error(`docker-registry did not start on ${registry.host}: ${stderr.slice(0, 2000)}`);
  }

  private readonly onExit: () => void;

  private constructor(private readonly child: ChildProcess, private readonly dir: string, public readonly host: string) {
    // A test run that dies early still takes its registry with it.
    this.onExit = () => this.child.kill('SIGKILL');
    process.once('exit', this.onExit);
  }

  /** Stops the registry (SIGTERM, then SIGKILL) and removes its storage. */
  public async stop(): Promise<void> {
    process.removeListener('exit', this.onExit);
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise(resolve => this.child.once('exit', resolve));
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  public get pid(): number | undefined {
    return this.child.pid;
  }

  /** Uploads a blob (POST an upload, then PUT it whole with its digest); returns its descriptor. */
  public async pushBlob(repository: string, data: Buffer, mediaType: string): Promise<{ mediaType: string; digest: string; size: number }> {
    const digest = sha256(data);
    const start = await fetch(`http://${this.host}/v2/${repository}/blobs/uploads/`, { method: 'POST' });
    if (start.status !== 202) throw new Error(`blob upload start: HTTP ${start.status} ${await start.text()}`);
    const location = new URL(start.headers.get('location')!, `http://${this.host}`);
    location.searchParams.set('digest', digest);
    const put = await fetch(location, { method: 'PUT', body: data, headers: { 'Content-Type': 'application/octet-stream' } });
    if (put.status !== 201) throw new Error(`blob upload: HTTP ${put.status} ${await put.text()}`);
    return { mediaType, digest, size: data.length };
  }

  /** Puts a manifest under a tag (or its digest); returns its digest as the registry reports it. */
  public async pushManifest(
    repository: string, reference: string, manifest: object, mediaType: string,
  ): Promise<{ digest: string; size: number; body: Buffer }> {
    const body = Buffer.from(JSON.stringify(manifest));
    const put = await fetch(`http://${this.host}/v2/${repository}/manifests/${reference}`, { method: 'PUT', body, headers: { 'Content-Type': mediaType } });
    if (put.status !== 201) throw new Error(`manifest put: HTTP ${put.status} ${await put.text()}`);
    const digest = put.headers.get('docker-content-digest')!;
    if (digest !== sha256(body)) throw new Error(`registry digest ${digest} != ${sha256(body)}`);
    return { digest, size: body.length, body };
  }

  /** A single-platform image (a config and one layer) under `tag`; returns the manifest digest. */
  public async pushImage(
    repository: string, tag: string, options: { arch?: string; docker?: boolean } = {},
  ): Promise<{ digest: string; size: number }> {
    const arch = options.arch ?? 'amd64';
    const config = await this.pushBlob(repository, Buffer.from(JSON.stringify({ architecture: arch, os: 'linux', rootfs: { type: 'layers', diff_ids: [] }, tag })),
      options.docker ? 'application/vnd.docker.container.image.v1+json' : 'application/vnd.oci.image.config.v1+json');
    const layer = await this.pushBlob(repository, Buffer.from(`layer of ${repository}:${tag} ${arch}`),
      options.docker ? 'application/vnd.docker.image.rootfs.diff.tar.gzip' : 'application/vnd.oci.image.layer.v1.tar+gzip');
    const mediaType = options.docker ? DOCKER_MANIFEST : OCI_MANIFEST;
    return this.pushManifest(repository, tag, { schemaVersion: 2, mediaType, config, layers: [layer] }, mediaType);
  }

  /** A multi-arch image: two platform manifests (by digest) and an OCI index under `tag`; returns the index digest. */
  public async pushIndex(repository: string, tag: string): Promise<{ digest: string; platforms: string[] }> {
    const platforms: Array<{ digest: string; size: number; arch: string }> = [];
    for (const arch of ['amd64', 'arm64']) {
      const config = await this.pushBlob(repository, Buffer.from(JSON.stringify({ architecture: arch, os: 'linux', rootfs: { type: 'layers', diff_ids: [] } })),
        'application/vnd.oci.image.config.v1+json');
      const layer = await this.pushBlob(repository, Buffer.from(`layer ${arch}`), 'application/vnd.oci.image.layer.v1.tar+gzip');
      const manifest = { schemaVersion: 2, mediaType: OCI_MANIFEST, config, layers: [layer] };
      const digest = sha256(JSON.stringify(manifest));
      const pushed = await this.pushManifest(repository, digest, manifest, OCI_MANIFEST);
      platforms.push({ digest: pushed.digest, size: pushed.size, arch });
    }
    const index = {
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: platforms.map(p => ({ mediaType: OCI_MANIFEST, digest: p.digest, size: p.size, platform: { architecture: p.arch, os: 'linux' } })),
    };
    const pushed = await this.pushManifest(repository, tag, index, OCI_INDEX);
    return { digest: pushed.digest, platforms: platforms.map(p => p.digest) };
  }
}

/** How the token-protected front of a registry behaves (switchable per test). */
export interface TokenFrontMode {
  /** The token endpoint answers this status instead of a token. */
  tokenStatus?: number;
  /** The registry refuses even the token it issued. */
  refuseToken?: boolean;
  /** The challenge to send instead of the Bearer one. */
  challenge?: string;
  /** Replace the Docker-Content-Digest header (a lying proxy). */
  digestHeader?: string;
}

/**
 * A registry front implementing the distribution token flow: /v2/ requests without a valid bearer token get 401 with
 * `WWW-Authenticate: Bearer realm=.../token,service=...,scope=repository:<name>:pull`; /token issues a token for the
 * asked scope; requests with the token are forwarded to the real registry behind it.
 */
export class TokenFront {
  public static async start(backend: string): Promise<TokenFront> {
    const front = new TokenFront(backend);
    await new Promise<void>(resolve => front.server.listen(0, '127.0.0.1', () => resolve()));
    return front;
  }

  public mode: TokenFrontMode = {};
  /** Every token request's query, in order. */
  public readonly tokenRequests: Array<Record<string, string>> = [];
  private readonly tokens = new Map<string, string>();
  private readonly server: http.Server;

  private constructor(private readonly backend: string) {
    this.server = http.createServer((req, res) => {
      void this.handle(req, res).catch(e => {
        res.statusCode = 500;
        res.end(String(e));
      });
    });
  }

  public get host(): string {
    return `127.0.0.1:${(this.server.address() as net.AddressInfo).port}`;
  }

  public async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise(resolve => this.server.close(resolve));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url!, `http://${this.host}`);
    if (url.pathname === '/token') {
      const query = Object.fromEntries(url.searchParams);
      this.tokenRequests.push(query);
      if (this.mode.tokenStatus !== undefined) {
        res.writeHead(this.mode.tokenStatus, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'access to the requested resource is not authorized' }] }));
        return;
      }
      const token = `token-${this.tokens.size}`;
      this.tokens.set(token, query.scope);
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ token, expires_in: 300 }));
      return;
    }
    const name = /^\/v2\/(.+)\/manifests\/[^/]+$/.exec(url.pathname)?.[1];
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const granted = bearer !== undefined && !this.mode.refuseToken && this.tokens.get(bearer) === `repository:${name}:pull`;
    if (!granted) {
      res.writeHead(401, {
        'Content-Type': 'application/json',
        'WWW-Authenticate': this.mode.challenge
          ?? `Bearer realm="http://${this.host}/token",service="test-registry",scope="repository:${name}:pull"`,
      });
      res.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }));
      return;
    }
    const upstream = await fetch(`http://${this.backend}${url.pathname}`, { headers: { Accept: String(req.headers.accept ?? '') } });
    const body = Buffer.from(await upstream.arrayBuffer());
    const headers: Record<string, string> = {};
    for (const h of ['content-type', 'docker-content-digest']) {
      const v = upstream.headers.get(h);
      if (v !== null) headers[h] = v;
    }
    if (this.mode.digestHeader !== undefined) headers['docker-content-digest'] = this.mode.digestHeader;
    res.writeHead(upstream.status, headers);
    res.end(body);
  }
}
