import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';

/** Sizes of a custom resource preset. */
export interface ResourcePresetOptions {
  /** Name shown in errors and docs, e.g. `api-server`. */
  readonly name: string;
  /** CPU request and limit, in millicores. */
  readonly cpuMillis: ResourceRange;
  /** Memory request and limit, in mebibytes. */
  readonly memoryMebibytes: ResourceRange;
  /** Ephemeral-storage request and limit, in mebibytes. */
  readonly ephemeralStorageMebibytes: ResourceRange;
  /**
   * Size limit of each writable scratch emptyDir (`/tmp` and every writable path), in mebibytes.
   * @default - half the ephemeral-storage limit
   */
  readonly scratchMebibytes?: number;
}

/** A request and a limit. */
export interface ResourceRange {
  /** The amount requested (scheduling). */
  readonly request: number;
  /** The hard limit. Must be at least the request. */
  readonly limit: number;
}

/**
 * Requests and limits for cpu, memory and ephemeral-storage, and the size of writable scratch space.
 *
 * Presets are starting points named by size; measure your workload and pick or define the one that fits.
 * Satisfies `resource-requests`, `resource-limits` and `cpu-limit`.
 */
export class ResourcePreset {
  /** 50m/250m cpu, 64/128 MiB memory, 64/256 MiB ephemeral storage. */
  public static readonly MICRO = ResourcePreset.custom({
    name: 'micro', cpuMillis: { request: 50, limit: 250 }, memoryMebibytes: { request: 64, limit: 128 }, ephemeralStorageMebibytes: { request: 64, limit: 256 },
  });
  /** 100m/500m cpu, 128/256 MiB memory, 128/512 MiB ephemeral storage. The default. */
  public static readonly SMALL = ResourcePreset.custom({
    name: 'small', cpuMillis: { request: 100, limit: 500 }, memoryMebibytes: { request: 128, limit: 256 }, ephemeralStorageMebibytes: { request: 128, limit: 512 },
  });
  /** 250m/1000m cpu, 512/1024 MiB memory, 256/1024 MiB ephemeral storage. */
  public static readonly MEDIUM = ResourcePreset.custom({
    name: 'medium', cpuMillis: { request: 250, limit: 1000 }, memoryMebibytes: { request: 512, limit: 1024 }, ephemeralStorageMebibytes: { request: 256, limit: 1024 },
  });
  /** 1000m/2000m cpu, 2048/4096 MiB memory, 512/2048 MiB ephemeral storage. */
  public static readonly LARGE = ResourcePreset.custom({
    name: 'large', cpuMillis: { request: 1000, limit: 2000 }, memoryMebibytes: { request: 2048, limit: 4096 }, ephemeralStorageMebibytes: { request: 512, limit: 2048 },
  });

  /**
   * A preset of your own sizes.
   * @throws if an amount is not a positive integer or a request exceeds its limit
   */
  public static custom(options: ResourcePresetOptions): ResourcePreset {
    return new ResourcePreset(options);
  }

  /** The preset's name. */
  public readonly name: string;
  /** CPU request and limit. */
  public readonly cpu: kplus.CpuResources;
  /** Memory request and limit. */
  public readonly memory: kplus.MemoryResources;
  /** Ephemeral-storage request and limit. */
  public readonly ephemeralStorage: kplus.EphemeralStorageResources;
  /** The size limit of each writable scratch emptyDir. */
  public readonly scratchSize: Size;

  private constructor(options: ResourcePresetOptions) {
    const ranges: Array<[string, ResourceRange]> = [
      ['cpuMillis', options.cpuMillis], ['memoryMebibytes', options.memoryMebibytes], ['ephemeralStorageMebibytes', options.ephemeralStorageMebibytes],
    ];
    for (const [field, range] of ranges) {
      for (const [end, amount] of [['request', range?.request], ['limit', range?.limit]] as const) {
        if (!Number.isInteger(amount) || (amount as number) <= 0) {
          throw new Error(`ResourcePreset '${options.name}': ${field}.${end} is ${JSON.stringify(amount)}; use a positive integer`);
        }
      }
      if (range.request > range.limit) {
        throw new Error(`ResourcePreset '${options.name}': ${field}.request ${range.request} exceeds ${field}.limit ${range.limit}; a request must not exceed its limit`);
      }
    }
    const scratch = options.scratchMebibytes ?? Math.floor(options.ephemeralStorageMebibytes.limit / 2);
    if (!Number.isInteger(scratch) || scratch <= 0 || scratch > options.ephemeralStorageMebibytes.limit) {
      throw new Error(`ResourcePreset '${options.name}': scratchMebibytes is ${JSON.stringify(options.scratchMebibytes)}; use a positive integer no larger than the ephemeral-storage limit (${options.ephemeralStorageMebibytes.limit})`);
    }
    this.name = options.name;
    this.scratchSize = Size.mebibytes(scratch);
    this.cpu = { request: kplus.Cpu.millis(options.cpuMillis.request), limit: kplus.Cpu.millis(options.cpuMillis.limit) };
    this.memory = { request: Size.mebibytes(options.memoryMebibytes.request), limit: Size.mebibytes(options.memoryMebibytes.limit) };
    this.ephemeralStorage = {
      request: Size.mebibytes(options.ephemeralStorageMebibytes.request),
      limit: Size.mebibytes(options.ephemeralStorageMebibytes.limit),
    };
  }
}
