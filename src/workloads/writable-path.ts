import { Size } from 'cdk8s';

/** A writable directory with its own size, for paths that need more (or less) than the preset's scratch size. */
export interface WritablePath {
  /** Absolute path, e.g. `/var/backups`. */
  readonly path: string;
  /**
   * Size limit of the path's emptyDir, in whole MiB (e.g. `Size.gibibytes(10)`). The containers' ephemeral-storage
   * request and limit grow by it, so the pod may fill it without being evicted.
   */
  readonly sizeLimit: Size;
}
