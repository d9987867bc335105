import { ImageLock } from './image-lock';

/**
 * The image a hardened container renders: pinned from the lock in force at its scope (`tag@sha256:...`), or as written
 * when no lock is set. Missing or stale entries throw (a tag is never rendered unpinned once a lock is declared).
 */
export function lockedImage(where: string, image: string, lock: ImageLock | undefined): string {
  return lock === undefined ? image : lock.pin(`${where} image`, image);
}
