import { Violation } from './control';
import { ContainerView, pointer } from './pod-template';
/**
 * A container image reference split into its parts, as the container runtime reads it.
 *
 * Follows the distribution reference grammar (github.com/distribution/reference) with the Docker
 * normalisation the kubelet and containerd apply: the first path component is a registry only when it
 * contains `.` or `:`, is `localhost`, or has an uppercase letter; otherwise the image comes from
 * Docker Hub and `registry` is undefined (the repository is kept as written, without `library/`).
 */
export interface ImageReference {
  /** Registry host, with its port when given (`registry.example.com:5000`); undefined for Docker Hub. */
  readonly registry?: string;
  /** Repository path below the registry (`team/app`). */
  readonly repository: string;
  /** Tag, when given (`1.2.3`). */
  readonly tag?: string;
  /** Digest, when given (`sha256:<64 hex>`). */
  readonly digest?: string;
}

// The grammar of distribution/reference regexp.go.
const ALPHANUMERIC = '[a-z0-9]+';
const SEPARATOR = '(?:[._]|__|[-]+)';
const PATH_COMPONENT = `${ALPHANUMERIC}(?:${SEPARATOR}${ALPHANUMERIC})*`;
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN_NAME = `${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*`;
const IPV6 = '\\[(?:[a-fA-F0-9:]+)\\]';
const DOMAIN = `(?:${DOMAIN_NAME}|${IPV6})(?::[0-9]+)?`;

const DOMAIN_RE = new RegExp(`^${DOMAIN}$`);
const PATH_RE = new RegExp(`^${PATH_COMPONENT}(?:/${PATH_COMPONENT})*$`);
const TAG_RE = /^[\w][\w.-]{0,127}$/;
const DIGEST_RE = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;
// A bare 64-hex name is an image id, which ParseNormalizedNamed refuses as a repository name.
const IDENTIFIER_RE = /^[a-f0-9]{64}$/;

/** Encoded lengths of the algorithms go-digest validates; any other algorithm is unsupported. */
const DIGEST_HEX_LENGTHS: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };

/** distribution/reference NameTotalLengthMax. */
const NAME_MAX_LENGTH = 255;

/** A path component without `.`: a first component that cannot be a registry (parseImageReference's rule). */
const PLAIN_COMPONENT = `${ALPHANUMERIC}(?:(?:_|__|[-]+)${ALPHANUMERIC})*`;
const PATH = `${PATH_COMPONENT}(?:/${PATH_COMPONENT})*`;

/**
 * RE2 patterns accepting exactly the references parseImageReference accepts (for the CEL forms of the image
 * controls): the grammar, the supported digests, the 255-character name limit, and no bare image id.
 */
export const IMAGE_REFERENCE_PATTERNS = {
  /** The whole reference: name, optional tag, optional supported digest. */
  reference: `^(?:(?:${DOMAIN}|${PLAIN_COMPONENT})/${PATH}|${PATH_COMPONENT})(?::[\\w][\\w.-]{0,127})?`
    + '(?:@(?:sha256:[a-f0-9]{64}|sha384:[a-f0-9]{96}|sha512:[a-f0-9]{128}))?$',
  /** The name (before tag and digest) is at most 255 characters (given a reference that matches `reference`). */
  nameLength: `^[^@]{1,${NAME_MAX_LENGTH}}(?::[\\w][\\w.-]{0,127})?(?:@.*)?$`,
  /** A bare image id, refused as a name. */
  identifier: '^[a-f0-9]{64}$',
};

/**
 * Parses an image reference such as `registry.example.com:5000/team/app:1.2.3@sha256:...`.
 *
 * @returns the parts, or undefined when the string is not a valid reference (empty, uppercase in the
 * repository, bad tag, unsupported or malformed digest, name longer than 255 characters...)
 */
/**
 * A container's image, parsed; or the violation every image control reports when it is missing or malformed
 * (so the three image controls word it identically).
 */
export function containerImage(c: ContainerView): ContainerImage {
  const image = c.container.image;
  const at = pointer(c.pointer, 'image');
  if (typeof image !== 'string' || image === '') {
    return { ok: false, problem: { pointer: at, message: `${c.label} has image ${JSON.stringify(image) ?? 'unset'}, not an image reference` } };
  }
  const reference = parseImageReference(image);
  if (!reference) {
    return { ok: false, problem: { pointer: at, message: `${c.label} has image '${image}', which is not a valid image reference` } };
  }
  return { ok: true, pointer: at, image, reference };
}

/** A parsed container image, or why it could not be parsed. */
export type ContainerImage =
  | { readonly ok: true; readonly pointer: string; readonly image: string; readonly reference: ImageReference }
  | { readonly ok: false; readonly problem: Violation };

export function parseImageReference(image: string): ImageReference | undefined {
  if (typeof image !== 'string') return undefined;
  // Several controls parse every container's image, and a pipeline's input names few distinct images: each is
  // parsed once (the cache is bounded; a reference is frozen, as it is shared).
  if (PARSED.has(image)) return PARSED.get(image);
  const reference = parsed(image);
  // No valid reference is longer (name 255, tag 128, digest 135 characters): longer text is not kept.
  if (image.length > 520) return reference;
  if (PARSED.size >= PARSED_MAX) PARSED.clear();
  PARSED.set(image, reference === undefined ? undefined : Object.freeze(reference));
  return reference;
}

const PARSED = new Map<string, ImageReference | undefined>();
const PARSED_MAX = 10_000;

function parsed(image: string): ImageReference | undefined {
  if (image === '' || IDENTIFIER_RE.test(image)) {
    return undefined;
  }

  let rest = image;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at !== -1) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!isValidDigest(digest)) return undefined;
  }

  // A tag follows the last ':' only when no '/' comes after it (`host:5000/app` has a port, no tag).
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon !== -1 && !rest.slice(colon).includes('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG_RE.test(tag)) return undefined;
  }

  const name = rest;
  if (name === '' || name.length > NAME_MAX_LENGTH) {
    return undefined;
  }

  let registry: string | undefined;
  let repository = name;
  const slash = name.indexOf('/');
  if (slash !== -1) {
    const first = name.slice(0, slash);
    if (/[.:]/.test(first) || first === 'localhost' || first !== first.toLowerCase()) {
      registry = first;
      repository = name.slice(slash + 1);
      if (!DOMAIN_RE.test(registry)) return undefined;
    }
  }
  if (!PATH_RE.test(repository)) {
    return undefined;
  }

  return {
    ...(registry !== undefined ? { registry } : {}),
    repository,
    ...(tag !== undefined ? { tag } : {}),
    ...(digest !== undefined ? { digest } : {}),
  };
}

function isValidDigest(digest: string): boolean {
  if (!DIGEST_RE.test(digest)) return false;
  const [algorithm, hex] = digest.split(':');
  const length = DIGEST_HEX_LENGTHS[algorithm];
  return length !== undefined && hex.length === length && /^[a-f0-9]+$/.test(hex);
}
