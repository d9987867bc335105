import { createHash } from 'crypto';
import { MANIFEST_MEDIA_TYPES } from './media-types';
import { parseImageReference } from '../controls/core/image-reference';

// A minimal client of the OCI distribution API: resolve one tag to the digest of what it names (internal; not jsii API).
// https://github.com/opencontainers/distribution-spec/blob/main/spec.md (pulling manifests) and the distribution
// token spec (https://distribution.github.io/distribution/spec/auth/token/) for bearer tokens.

/** Why an image could not be pinned; the message names the image. */
export class PinError extends Error {}

export interface RegistryOptions {
  /** Registries (`host[:port]`) reached over plain http; every other registry is https only. */
  readonly insecureRegistries?: string[];
  /** Milliseconds each request may take. Default 30 s. */
  readonly timeoutMs?: number;
}

export interface ResolvedImage {
  /** The image as given, without a digest. */
  readonly image: string;
  readonly digest: string;
  readonly mediaType: string;
}

/** The distribution spec's limit a registry must accept for a manifest; a bigger answer is refused unread. */
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
const DOCKER_HUB_HOSTS = ['docker.io', 'index.docker.io', 'registry-1.docker.io'];

/** Where an image's manifests live: the API origin and the repository name. */
export function registryLocation(image: string, options: RegistryOptions = {}): { host: string; origin: string; repository: string; tag: string } {
  const reference = parseImageReference(image);
  if (!reference) {
    throw new PinError(`${image}: not a valid image reference; use [registry/]repository:tag, e.g. registry.example.com/app:1.2.3`);
  }
  if (reference.tag === undefined) {
    throw new PinError(`${image}: has no tag to resolve; give image:tag`);
  }
  const named = reference.registry ?? 'docker.io';
  const hub = DOCKER_HUB_HOSTS.includes(named.toLowerCase());
  const host = hub ? 'registry-1.docker.io' : named.toLowerCase();
  const repository = hub && !reference.repository.includes('/') ? `library/${reference.repository}` : reference.repository;
  const insecure = (options.insecureRegistries ?? []).map(r => r.toLowerCase()).includes(named.toLowerCase());
  return { host: named, origin: `${insecure ? 'http' : 'https'}://${host}`, repository, tag: reference.tag };
}

/**
 * Resolves `image` (`name:tag`) to the digest of the manifest the tag names: for a multi-arch image, its index (the
 * digest the runtime resolves on every platform). Anonymous access, with a bearer token when the registry asks for one.
 */
export async function resolveImage(image: string, options: RegistryOptions = {}): Promise<ResolvedImage> {
  const { host, origin, repository, tag } = registryLocation(image, options);
  const url = `${origin}/v2/${repository}/manifests/${encodeURIComponent(tag)}`;
  const headers: Record<string, string> = { Accept: MANIFEST_MEDIA_TYPES.join(', ') };
  let response = await request(image, url, headers, options);
  if (response.status === 401) {
    const token = await bearerToken(image, response.headers.get('www-authenticate'), repository, options);
    await response.arrayBuffer().catch(() => undefined);
    response = await request(image, url, { ...headers, Authorization: `Bearer ${token}` }, options);
    if (response.status === 401 || response.status === 403) {
      throw new PinError(`${image}: ${host} refused the token it issued (HTTP ${response.status}${await registryError(response)}); the image is private or `
        + 'the token does not grant pull on it: pin uses anonymous pull tokens only');
    }
  }
  if (response.status === 404) {
    throw new PinError(`${image}: ${host} has no tag '${tag}' in ${repository} (HTTP 404${await registryError(response)}); check the tag, or push it first`);
  }
  if (response.status === 403) {
    throw new PinError(`${image}: ${host} denied access (HTTP 403${await registryError(response)}); the image is private or pull is not allowed anonymously`);
  }
  if (response.status !== 200) {
    throw new PinError(`${image}: ${host} answered HTTP ${response.status}${await registryError(response)} for ${url}`);
  }
  const mediaType = (response.headers.get('content-type') ?? '').split(';')[0].trim();
  if (!MANIFEST_MEDIA_TYPES.includes(mediaType)) {
    throw new PinError(`${image}: ${host} answered a manifest of media type '${mediaType || '(none)'}', not an OCI index/manifest or a Docker `
      + 'v2 manifest list/manifest (a schema1 image? push it again with a current client)');
  }
  const body = await boundedBody(image, response);
  const digest = `sha256:${createHash('sha256').update(body).digest('hex')}`;
  const announced = response.headers.get('docker-content-digest');
  // The digest is the hash of the bytes received: a registry (or a proxy) answering other bytes is caught here.
  if (announced !== null && announced.startsWith('sha256:') && announced !== digest) {
    throw new PinError(`${image}: ${host} announced Docker-Content-Digest ${announced}, but the manifest it sent hashes to ${digest}; `
      + 'refusing to pin content that does not match (a proxy rewriting responses?)');
  }
  let declared: unknown;
  try {
    declared = JSON.parse(body.toString('utf-8'))?.mediaType;
  } catch {
    throw new PinError(`${image}: ${host} answered a manifest that is not JSON`);
  }
  if (declared !== undefined && declared !== mediaType) {
    throw new PinError(`${image}: ${host} sent a manifest declaring media type '${String(declared)}' as '${mediaType}'; refusing an ambiguous manifest`);
  }
  return { image, digest, mediaType };
}

/** Redirects followed per request; a registry or CDN needs one or two. */
const MAX_REDIRECTS = 5;
const REDIRECT_STATUSES = [301, 302, 303, 307, 308];

/**
 * GET `url`, following redirects by hand: every hop must be https, or plain http to a host named with
 * --insecure-registry, so no plain-http hop (where an on-path attacker could point at another manifest) is crossed
 * even when the chain ends on https. The Authorization header is not sent past a change of origin.
 */
async function request(image: string, url: string, headers: Record<string, string>, options: RegistryOptions): Promise<Response> {
  let current = new URL(url);
  let sent = headers;
  for (let redirects = 0; ; redirects++) {
    const response = await requestOnce(image, current, sent, options);
    if (!REDIRECT_STATUSES.includes(response.status)) return response;
    await response.arrayBuffer().catch(() => undefined);
    if (redirects === MAX_REDIRECTS) {
      throw new PinError(`${image}: more than ${MAX_REDIRECTS} redirects from ${new URL(url).origin}${new URL(url).pathname}; refusing (a redirect loop?)`);
    }
    const location = response.headers.get('location');
    if (location === null) {
      throw new PinError(`${image}: ${current.host} answered HTTP ${response.status} with no Location header`);
    }
    let next: URL;
    try {
      next = new URL(location, current);
    } catch {
      throw new PinError(`${image}: ${current.host} redirected (HTTP ${response.status}) to '${location}', which is not a URL`);
    }
    if (!allowedScheme(next, options)) {
      throw new PinError(`${image}: ${current.origin} redirected to ${next.origin}, which is not https; refusing a downgraded answer `
        + '(every hop of a redirect must be https, or plain http to a registry named with --insecure-registry)');
    }
    if (next.origin !== current.origin) {
      sent = Object.fromEntries(Object.entries(sent).filter(([name]) => name.toLowerCase() !== 'authorization'));
    }
    current = next;
  }
}

/** https, or plain http to a host named with --insecure-registry. */
function allowedScheme(url: URL, options: RegistryOptions): boolean {
  const insecure = (options.insecureRegistries ?? []).map(r => r.toLowerCase()).includes(url.host.toLowerCase());
  return url.protocol === 'https:' || (url.protocol === 'http:' && insecure);
}

async function requestOnce(image: string, url: URL, headers: Record<string, string>, options: RegistryOptions): Promise<Response> {
  try {
    return await fetch(url, { headers, redirect: 'manual', signal: AbortSignal.timeout(options.timeoutMs ?? 30_000) });
  } catch (e) {
    const err = e as Error & { cause?: { code?: string; message?: string } };
    const why = err.name === 'TimeoutError' ? `no answer within ${(options.timeoutMs ?? 30_000) / 1000} s` : (err.cause?.code ?? err.cause?.message ?? err.message);
    throw new PinError(`${image}: cannot reach ${url.host} (${why}); check the registry name and the network`
      + (url.protocol === 'https:' ? ' (a registry served over plain http must be named with --insecure-registry)' : ''));
  }
}

async function boundedBody(image: string, response: Response): Promise<Buffer> {
  const length = Number(response.headers.get('content-length') ?? '0');
  if (length > MAX_MANIFEST_BYTES) {
    throw new PinError(`${image}: the manifest is ${length} bytes, over the ${MAX_MANIFEST_BYTES}-byte limit of the distribution spec`);
  }
  const body = Buffer.from(await response.arrayBuffer());
  if (body.length > MAX_MANIFEST_BYTES) {
    throw new PinError(`${image}: the manifest is ${body.length} bytes, over the ${MAX_MANIFEST_BYTES}-byte limit of the distribution spec`);
  }
  return body;
}

/** ` (CODE: message)` from a registry's JSON error body, when it has one. */
async function registryError(response: Response): Promise<string> {
  try {
    const text = (await response.text()).slice(0, 4096);
    const first = JSON.parse(text)?.errors?.[0];
    return first?.code ? `: ${first.code}${first.message ? ` ${first.message}` : ''}` : '';
  } catch {
    return '';
  }
}

/** A pull token per the distribution token spec: GET realm?service=...&scope=... (anonymously). */
async function bearerToken(image: string, challenge: string | null, repository: string, options: RegistryOptions): Promise<string> {
  const parsed = challenge ? parseChallenge(challenge) : undefined;
  if (!parsed || parsed.scheme !== 'bearer' || !parsed.params.realm) {
    throw new PinError(`${image}: the registry requires authentication (HTTP 401, ${challenge ? `WWW-Authenticate: ${challenge.slice(0, 200)}` : 'no challenge'}); `
      + 'pin uses anonymous access and bearer tokens only: mirror the image to a registry that allows pulling it');
  }
  let realm: URL;
  try {
    realm = new URL(parsed.params.realm);
  } catch {
    throw new PinError(`${image}: the registry's token realm '${parsed.params.realm}' is not a URL`);
  }
  if (!allowedScheme(realm, options)) {
    throw new PinError(`${image}: the registry's token realm ${realm.origin} is not https; refusing to fetch a token over plain http `
      + '(name it with --insecure-registry only if it is a local test registry)');
  }
  if (parsed.params.service !== undefined) realm.searchParams.set('service', parsed.params.service);
  realm.searchParams.set('scope', parsed.params.scope ?? `repository:${repository}:pull`);
  const response = await request(image, realm.toString(), { Accept: 'application/json' }, options);
  if (response.status !== 200) {
    throw new PinError(`${image}: the token endpoint ${realm.origin}${realm.pathname} answered HTTP ${response.status}${await registryError(response)}; `
      + 'the image is private or the registry does not issue anonymous pull tokens');
  }
  let token: unknown;
  try {
    const json = JSON.parse((await boundedBody(image, response)).toString('utf-8'));
    token = json?.token ?? json?.access_token;
  } catch {
    token = undefined;
  }
  if (typeof token !== 'string' || token === '') {
    throw new PinError(`${image}: the token endpoint ${realm.origin}${realm.pathname} answered no token (expected JSON { "token": ... })`);
  }
  return token;
}

/** `Bearer realm="...",service="...",scope="..."` as its scheme (lower-cased) and parameters. */
export function parseChallenge(header: string): { scheme: string; params: Record<string, string> } | undefined {
  const match = /^\s*([A-Za-z][A-Za-z0-9_-]*)\s+(.*)$/.exec(header);
  if (!match) return undefined;
  const params: Record<string, string> = {};
  const param = /\s*([A-Za-z][A-Za-z0-9_-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))\s*(?:,|$)/gy;
  const rest = match[2];
  let m: RegExpExecArray | null;
  while (param.lastIndex < rest.length && (m = param.exec(rest)) !== null) {
    params[m[1].toLowerCase()] = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3];
  }
  return { scheme: match[1].toLowerCase(), params };
}
