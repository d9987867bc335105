import * as fs from 'fs';
import * as path from 'path';
import { ImageLock, ImageLockEntry } from './image-lock';
import { PinError, RegistryOptions, resolveImage } from './oci-distribution';
import { parseImageReference } from '../controls/core/image-reference';
import { podsOf } from '../controls/core/pod-template';

// `cdk8s-hardened pin`: image tags to digests, into images.lock.json (internal; the CLI's engine, not jsii API).

export { PinError };

export interface PinOptions extends RegistryOptions {
  /** The lock file to write. */
  readonly lockFile: string;
  /** How many registry requests run at once. Default 4. */
  readonly concurrency?: number;
}

export interface PinResult {
  /** The lock written. */
  readonly lock: ImageLock;
  /** Images given with a digest and no tag: already immutable, nothing to resolve, not in the lock. */
  readonly skipped: string[];
}

/** Every container image of the manifests (all pod-bearing kinds, init and ephemeral containers included). */
export function imagesOf(manifests: any[]): string[] {
  const images = new Set<string>();
  for (const manifest of manifests) {
    for (const pod of podsOf(manifest)) {
      for (const c of pod.containers) {
        if (typeof c.container?.image === 'string') images.add(c.container.image);
      }
    }
  }
  return [...images];
}

/**
 * The tags to resolve: each image without its digest (a rendered `tag@sha256:...` is resolved again by its tag, so
 * re-pinning over synthesized YAML updates the lock), deduplicated and sorted. Digest-only images are skipped.
 */
export function tagsToPin(images: string[]): { tags: string[]; skipped: string[] } {
  const tags = new Set<string>();
  const skipped: string[] = [];
  const invalid: string[] = [];
  for (const image of images) {
    const reference = parseImageReference(image);
    if (!reference) {
      invalid.push(image);
    } else if (reference.tag === undefined) {
      if (reference.digest === undefined) invalid.push(image);
      else skipped.push(image);
    } else {
      tags.add(image.split('@')[0]);
    }
  }
  if (invalid.length > 0) {
    throw new PinError(`${invalid.map(i => `'${i}'`).join(', ')}: not ${invalid.length > 1 ? 'image references' : 'an image reference'} with a tag; `
      + 'give [registry/]repository:tag (pin resolves tags: an image with neither tag nor digest has nothing to pin)');
  }
  return { tags: [...tags].sort(), skipped: [...new Set(skipped)].sort() };
}

/**
 * Resolves every tag through its registry, then writes the lock file atomically (a temporary file renamed over it).
 * Any failure fails the whole run with every failed image listed, and writes nothing.
 */
export async function pin(images: string[], options: PinOptions): Promise<PinResult> {
  const { tags, skipped } = tagsToPin(images);
  if (tags.length === 0) {
    throw new PinError('no image tags to pin: give images with a tag (--image registry.example.com/app:1.2.3) or YAML that uses them');
  }
  const entries: ImageLockEntry[] = [];
  const failures: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < tags.length) {
      const image = tags[next++];
      try {
        entries.push(await resolveImage(image, options));
      } catch (e) {
        failures.push(e instanceof PinError ? e.message : `${image}: ${(e as Error).message}`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency ?? 4, tags.length)) }, worker));
  if (failures.length > 0) {
    throw new PinError(`${failures.length} of ${tags.length} image(s) could not be pinned; ${options.lockFile} was not written:\n  ${failures.sort().join('\n  ')}`);
  }
  const lock = ImageLock._of(entries, options.lockFile);
  writeAtomically(options.lockFile, lock.toJson());
  return { lock, skipped };
}

/** Writes `text` to a temporary file beside `file` and renames it over `file`: readers see the old or the new lock, never half. */
function writeAtomically(file: string, text: string): void {
  const dir = path.dirname(path.resolve(file));
  const temporary = path.join(dir, `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  try {
    fs.writeFileSync(temporary, text, { flag: 'wx' });
    fs.renameSync(temporary, file);
  } catch (e) {
    fs.rmSync(temporary, { force: true });
    throw new PinError(`${file}: cannot write the lock (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}
