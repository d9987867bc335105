import { ApiObject, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { ImageLock } from './image-lock';
import { ImageSignature } from './image-signature';
import { HardenedDefaults } from '../defaults/hardened-defaults';
import { describeValue } from '../defaults/kubernetes-validation';
import { IsolatedNamespace } from '../namespaces/isolated-namespace';

/** A registry (or registry/path prefix) images may come from, and the signatures its images must carry. */
export interface ImageRegistryRule {
  /**
   * The registry host (with its port, if any) and an optional repository path prefix, without scheme, tag or digest:
   * `registry.example.com`, `ghcr.io/example-org`, `docker.io/library` (Docker Hub is always written `docker.io/...`).
   * Matching is by whole path segments: `ghcr.io/example` does not admit `ghcr.io/example-evil`.
   */
  readonly prefix: string;
  /**
   * Signatures images under this prefix must carry; any one of them admits an image (a ClusterImagePolicy's
   * authorities are alternatives).
   * @default - no signature required: the prefix's ClusterImagePolicy admits its images with a `static: pass` authority
   */
  readonly signatures?: ImageSignature[];
}

/** Props of an ImagePolicy. */
export interface ImagePolicyProps {
  /** The registries images may come from (`image-registry`), each with its required signatures. */
  readonly registries: ImageRegistryRule[];
  /**
   * Every image must carry a sha256 digest: `image-digest` becomes an error below this policy's scope.
   * @default true
   */
  readonly requireDigests?: boolean;
  /**
   * The digests of the app's image tags (`ImageLock.fromFile('images.lock.json')`, written by `cdk8s-hardened pin`):
   * hardened workloads render `tag@sha256:...` from it, and an image it does not pin fails synthesis.
   * @default - images render as written
   */
  readonly imageLock?: ImageLock;
  /**
   * Emit one Sigstore policy-controller ClusterImagePolicy per registry (policy.sigstore.dev/v1beta1). They are
   * cluster-scoped and take effect only in namespaces labelled `policy.sigstore.dev/include=true`
   * (`IsolatedNamespace`s can carry it, see docs/supply-chain.md) of a cluster that runs policy-controller.
   * @default true
   */
  readonly signaturePolicies?: boolean;
}

/** The ClusterImagePolicy kind's group/version (the version policy-controller serves and documents). */
const CLUSTER_IMAGE_POLICY = { apiVersion: 'policy.sigstore.dev/v1beta1', kind: 'ClusterImagePolicy' };

/**
 * The app's image supply chain, declared once: which registries images come from, which signatures they carry, and
 * whether they must be digest-pinned (from a lock file). It sets the defaults of its scope (`HardenedDefaults`:
 * `allowedRegistries` for the `image-registry` control, `requireImageDigests`, `imageLock`), so create it before the
 * workloads it governs (usually in the App, before the charts); and, as a chart of its own (cluster-scoped objects, no
 * namespace, its own YAML file), it emits a policy-controller ClusterImagePolicy per registry with its signature
 * authorities. `allowedRegistries` is the plain list an admission policy takes.
 */
export class ImagePolicy extends Chart {
  /** The registry prefixes images may come from, as declared (for `image-registry` and admission policies). */
  public readonly allowedRegistries: string[];
  /** Whether every image must carry a digest. */
  public readonly requireDigests: boolean;
  /** The lock images are pinned from, if any. */
  public readonly imageLock?: ImageLock;
  /** The ClusterImagePolicies emitted, one per registry (empty when `signaturePolicies` is false). */
  public readonly clusterImagePolicies: ApiObject[];

  constructor(scope: Construct, id: string, props: ImagePolicyProps) {
    super(scope, id, { labels: { 'app.kubernetes.io/managed-by': HardenedDefaults.MANAGED_BY } });
    const where = `[${this.node.path}] ImagePolicy`;
    if (props === null || typeof props !== 'object' || !Array.isArray(props.registries) || props.registries.length === 0) {
      throw new Error(`${where}: registries ${describeValue(props?.registries)} is not a non-empty list; declare where images come from, `
        + 'e.g. registries: [{ prefix: \'registry.example.com/shop\', signatures: [ImageSignature.keyless({...})] }]');
    }
    if (props.requireDigests !== undefined && typeof props.requireDigests !== 'boolean') {
      throw new Error(`${where}: requireDigests ${describeValue(props.requireDigests)} is not a boolean; give true or false, or leave it out (true)`);
    }
    if (props.imageLock !== undefined && !(props.imageLock instanceof ImageLock)) {
      throw new Error(`${where}: imageLock ${describeValue(props.imageLock)} is not an ImageLock; use ImageLock.fromFile('images.lock.json'), or leave it out`);
    }
    const rules = props.registries.map((rule, i) => checkRule(`${where}: registries[${i}]`, rule));
    const seen = new Map<string, number>();
    rules.forEach((rule, i) => {
      const earlier = seen.get(rule.prefix);
      if (earlier !== undefined) {
        throw new Error(`${where}: registries[${i}] repeats prefix '${rule.prefix}' of registries[${earlier}]; merge their signatures into one entry`);
      }
      seen.set(rule.prefix, i);
    });

    // Every signature is checked before anything is set or emitted: a refused policy leaves no trace.
    const authorities = rules.map((rule, i) => (rule.signatures ?? []).length === 0
      ? [{ name: 'unsigned-allowed', static: { action: 'pass' } }]
      : rule.signatures!.map((s, j) => s._authority(`${where}: registries[${i}].signatures[${j}]`, `signature-${j}`)));

    this.allowedRegistries = rules.map(r => r.prefix);
    this.requireDigests = props.requireDigests ?? true;
    this.imageLock = props.imageLock;
    HardenedDefaults.set(scope, {
      allowedRegistries: [...this.allowedRegistries],
      requireImageDigests: this.requireDigests,
      ...(this.imageLock ? { imageLock: this.imageLock } : {}),
    });

    this.clusterImagePolicies = props.signaturePolicies === false ? [] : rules.map((rule, i) => new ApiObject(this, `ClusterImagePolicy${i}`, {
      ...CLUSTER_IMAGE_POLICY,
      metadata: {
        name: `image-policy-${slug(rule.prefix)}`,
        annotations: { 'cdk8s-hardened.io/image-prefix': rule.prefix },
      },
      spec: { images: globsOf(rule.prefix).map(glob => ({ glob })), authorities: authorities[i] },
    }));
  }

  /**
   * Opts a namespace in to policy-controller's verification: labels it `policy.sigstore.dev/include=true`, without which
   * policy-controller admits its pods unchecked.
   */
  public enforceIn(isolatedNamespace: IsolatedNamespace): void {
    // Not `instanceof`: cdk8s' Chart answers `instanceof` for every chart, whatever the subclass.
    const object = (isolatedNamespace as IsolatedNamespace | undefined)?.namespaceObject;
    if (!ApiObject.isApiObject(object) || object.kind !== 'Namespace') {
      throw new Error(`[${this.node.path}] ImagePolicy.enforceIn: ${describeValue(isolatedNamespace)} is not an IsolatedNamespace; label other namespaces `
        + `with ${SIGSTORE_INCLUDE_LABEL}=true (kubectl label namespace <name> ${SIGSTORE_INCLUDE_LABEL}=true)`);
    }
    object.metadata.addLabel(SIGSTORE_INCLUDE_LABEL, 'true');
  }
}

/** The namespace label policy-controller's webhooks select on (opt-in). */
const SIGSTORE_INCLUDE_LABEL = 'policy.sigstore.dev/include';

/** Hosts that name Docker Hub; policy-controller sees its images as index.docker.io/... */
const DOCKER_HUB = ['docker.io', 'index.docker.io', 'registry-1.docker.io'];
const HOST = /^(?:localhost|\[[a-fA-F0-9:]+\]|[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+)(?::[0-9]{1,5})?$|^localhost:[0-9]{1,5}$|^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?:[0-9]{1,5}$/;
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;

function checkRule(where: string, rule: unknown): { prefix: string; signatures?: ImageSignature[] } {
  if (rule === null || typeof rule !== 'object') {
    throw new Error(`${where}: ${describeValue(rule)} is not a registry rule; give { prefix: 'registry.example.com/team', signatures?: [...] }`);
  }
  const { prefix, signatures } = rule as ImageRegistryRule;
  const fix = 'give host[:port] and an optional repository path, without scheme, wildcard, tag or digest, e.g. \'registry.example.com/shop\' '
    + 'or \'docker.io/library\'';
  if (typeof prefix !== 'string' || prefix === '' || prefix.length > 255) {
    throw new Error(`${where}.prefix: ${describeValue(prefix)} is not a registry prefix; ${fix}`);
  }
  if (/[*?[\]]/.test(prefix.replace(/^\[[a-fA-F0-9:]+\]/, ''))) {
    throw new Error(`${where}.prefix: '${prefix}' is a glob; give a plain prefix (matching is by whole path segments, so 'ghcr.io/org' covers ghcr.io/org/**); ${fix}`);
  }
  const [host, ...path] = prefix.replace(/\/$/, '').split('/');
  // A first segment without '.', ':' or 'localhost' is a Docker Hub path (the runtime's normalisation), not a host.
  if (!HOST.test(host) || (!/[.:]/.test(host) && host !== 'localhost')) {
    throw new Error(`${where}.prefix: '${prefix}' does not start with a registry host ('${host}' is not one${/^[a-z0-9-]+$/.test(host) ? '; an image '
      + `'${host}/app' would come from Docker Hub, written 'docker.io/${host}'` : ''}); ${fix}`);
  }
  const badPath = path.find(p => !PATH_COMPONENT.test(p));
  if (badPath !== undefined) {
    throw new Error(`${where}.prefix: '${prefix}' has the path component '${badPath}', which no image repository can have (lowercase letters, `
      + `digits and single separators); ${fix}`);
  }
  if (signatures !== undefined && (!Array.isArray(signatures) || signatures.some(s => !(s instanceof ImageSignature)))) {
    throw new Error(`${where}.signatures: ${describeValue(signatures)} is not a list of ImageSignature; use ImageSignature.keyless({...}) or `
      + 'ImageSignature.publicKey(pem), or leave it out (no signature required)');
  }
  return { prefix: prefix.replace(/\/$/, ''), signatures };
}

/**
 * The ClusterImagePolicy globs of a prefix, matching what `image-registry` admits (whole path segments): everything
 * below it (`**`); and, when the prefix has a path (it may name a repository itself), that repository by tag or digest
 * (`*` stops at `/`). A host alone gets no `host:*`, which could read as another port of that host. policy-controller
 * matches globs against the image as `index.docker.io/library/...` for Docker Hub.
 */
function globsOf(prefix: string): string[] {
  const [host, ...path] = prefix.split('/');
  const name = DOCKER_HUB.includes(host) ? ['index.docker.io', ...path].join('/') : prefix;
  return path.length === 0 ? [`${name}/**`] : [`${name}/**`, `${name}:*`, `${name}@*`];
}

/** A prefix as a DNS-subdomain-safe name part: `registry.example.com:5000/shop` -> `registry.example.com-5000-shop`. */
function slug(prefix: string): string {
  return prefix.toLowerCase().replace(/[^a-z0-9.]+/g, '-').replace(/^[-.]+|[-.]+$/g, '').slice(0, 200);
}
