import * as fs from 'fs';
import { MANIFEST_MEDIA_TYPES as MEDIA_TYPES } from './media-types';
import { parseImageReference } from '../controls/core/image-reference';
import { describeValue } from '../defaults/kubernetes-validation';

/** One pinned image of a lock file. */
export interface ImageLockEntry {
  /** The image as the app writes it, with its tag and without a digest (`registry.example.com/shop/web:1.4.2`). */
  readonly image: string;
  /** The digest the tag resolved to (`sha256:<64 hex>`); for a multi-arch image, the digest of its index. */
  readonly digest: string;
  /** The media type of what the digest names (an OCI index or manifest, a Docker manifest list or manifest). */
  readonly mediaType: string;
}

const IMAGE_LOCK_VERSION = 1;
const SHA256 = /^sha256:[a-f0-9]{64}$/;

/**
 * The digests `cdk8s-hardened pin` resolved for an app's image tags (`images.lock.json`). Given to an ImagePolicy (or
 * `HardenedDefaults.set(scope, { imageLock })`), hardened workloads render every tag as `tag@sha256:...` from it; an
 * image the lock does not know, or knows under another tag or registry, fails synthesis (never a silent tag).
 * Reading the lock is offline: resolving digests is `pin`'s job.
 */
export class ImageLock {
  /** The lock file's name by convention. */
  public static readonly FILE_NAME = 'images.lock.json';

  /** Reads a lock file written by `cdk8s-hardened pin`. @throws if it is missing or malformed */
  public static fromFile(file: string): ImageLock {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf-8');
    } catch (e) {
      throw new Error(`ImageLock.fromFile: cannot read '${file}' (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); `
        + `run \`cdk8s-hardened pin --lock ${file} --image <image:tag>...\` (or over the synthesized YAML) to create it`);
    }
    return ImageLock.fromJson(text, file);
  }

  /** Parses the text of a lock file; `source` names it in errors. @throws if it is malformed */
  public static fromJson(text: string, source: string = 'image lock'): ImageLock {
    let data: any;
    try {
      data = JSON.parse(text);
    } catch (e) {
      throw new Error(`${source}: not JSON (${(e as Error).message}); regenerate it with \`cdk8s-hardened pin\``);
    }
    if (data === null || typeof data !== 'object' || data.lockfileVersion !== IMAGE_LOCK_VERSION || !Array.isArray(data.images)) {
      throw new Error(`${source}: not an image lock file (expected { "lockfileVersion": ${IMAGE_LOCK_VERSION}, "images": [...] }); `
        + 'regenerate it with `cdk8s-hardened pin`');
    }
    const entries = (data.images as unknown[]).map((entry, i) => checkEntry(`${source}: images[${i}]`, entry));
    return new ImageLock(entries, source);
  }

  /** A lock of the given entries (what `pin` writes). @internal */
  public static _of(entries: ImageLockEntry[], source: string): ImageLock {
    return new ImageLock(entries.map((e, i) => checkEntry(`${source}: images[${i}]`, e)), source);
  }

  /** Every entry, sorted by image. */
  public readonly entries: ImageLockEntry[];
  /** Where the lock came from (its file, or the `source` given). */
  public readonly source: string;
  private readonly byImage = new Map<string, ImageLockEntry>();

  private constructor(entries: ImageLockEntry[], source: string) {
    this.source = source;
    for (const entry of entries) {
      if (this.byImage.has(entry.image)) {
        throw new Error(`${source}: image '${entry.image}' appears twice; regenerate the lock with \`cdk8s-hardened pin\``);
      }
      this.byImage.set(entry.image, entry);
    }
    this.entries = [...entries].sort((a, b) => compare(a.image, b.image));
  }

  /** The entry for an image `name:tag` as written (no digest), if the lock has one. */
  public entryFor(image: string): ImageLockEntry | undefined {
    return this.byImage.get(image);
  }

  /**
   * The image as it must render: `name:tag@sha256:...` from the lock. An image that already carries a digest is kept
   * as written, unless the lock pins its tag to another digest.
   * @param where the construct path and field, for errors
   * @throws if the lock has no entry for the tag, or pins it differently
   */
  public pin(where: string, image: string): string {
    const reference = parseImageReference(image);
    if (!reference) {
      throw new Error(`${where}: image '${image}' is not a valid image reference; use [registry/]repository:tag`);
    }
    const at = image.indexOf('@');
    const tagged = at === -1 ? image : image.slice(0, at);
    const entry = this.byImage.get(tagged);
    if (reference.digest !== undefined) {
      if (entry && reference.tag !== undefined && entry.digest !== reference.digest) {
        throw new Error(`${where}: image '${image}' carries digest ${reference.digest}, but ${this.source} pins '${tagged}' to ${entry.digest}; `
          + 'drop the digest from the code (the lock supplies it) or run `cdk8s-hardened pin` again if the tag moved on purpose');
      }
      return image;
    }
    if (entry) return `${tagged}@${entry.digest}`;
    const repository = reference.repository;
    const near = this.entries.filter(e => parseImageReference(e.image)?.repository === repository).map(e => `'${e.image}'`);
    const stale = near.length > 0 ? ` It has ${near.join(', ')}: the lock is stale (the code names another tag or registry).` : '';
    throw new Error(`${where}: image '${image}' is not pinned in ${this.source}.${stale} Run \`cdk8s-hardened pin --lock ${this.source} `
      + `--image ${tagged}\` (or pin over the synthesized YAML) and commit the lock; a tag is never rendered unpinned`);
  }

  /** The lock file text: entries sorted by image, stable across runs (no timestamps). */
  public toJson(): string {
    return `${JSON.stringify({ lockfileVersion: IMAGE_LOCK_VERSION, images: this.entries.map(e => ({ image: e.image, digest: e.digest, mediaType: e.mediaType })) }, undefined, 2)}\n`;
  }
}

function checkEntry(where: string, entry: unknown): ImageLockEntry {
  if (entry === null || typeof entry !== 'object') {
    throw new Error(`${where}: ${describeValue(entry)} is not an entry { image, digest, mediaType }; regenerate the lock with \`cdk8s-hardened pin\``);
  }
  const { image, digest, mediaType } = entry as Record<string, unknown>;
  const reference = typeof image === 'string' ? parseImageReference(image) : undefined;
  if (!reference || reference.tag === undefined || reference.digest !== undefined) {
    throw new Error(`${where}: image ${describeValue(image)} is not an image name with a tag and no digest; regenerate the lock with \`cdk8s-hardened pin\``);
  }
  if (typeof digest !== 'string' || !SHA256.test(digest)) {
    throw new Error(`${where}: digest ${describeValue(digest)} of '${image}' is not sha256:<64 lowercase hex>; regenerate the lock with \`cdk8s-hardened pin\``);
  }
  if (typeof mediaType !== 'string' || !MEDIA_TYPES.includes(mediaType)) {
    throw new Error(`${where}: mediaType ${describeValue(mediaType)} of '${image}' is not one of ${MEDIA_TYPES.join(', ')}; `
      + 'regenerate the lock with `cdk8s-hardened pin`');
  }
  return { image: image as string, digest, mediaType };
}

/** Code-point order, independent of locale: the lock's order is the same on every machine. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
