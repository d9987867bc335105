import { HardenedDefaults } from '../defaults/hardened-defaults';

/** Optional fields of an ImageUser. */
export interface ImageUserOptions {
  /**
   * The image's own gid, when it needs one too (nginx: 101).
   * @default - the workload's runAsGroup (HardenedDefaults.RUN_AS_GROUP, 65532)
   */
  readonly gid?: number;
  /**
   * Owner or ticket tracking the exemption.
   * @default - none
   */
  readonly ticket?: string;
  /**
   * Last day (UTC, `YYYY-MM-DD`) the exemption is valid.
   * @default - never expires
   */
  readonly expires?: string;
}

/**
 * The uid (and gid) a stock image must run as, e.g. nginx's 101: the workload runs as it, and `high-uid-gid`
 * (ids >= 10000) is exempted for exactly these values, with the reason, at the pod level where the hardened
 * workload sets them (the containers repeat them; the control reports the pod and the containers repeating its
 * value as one finding). Any other low id, or a changed value, still fails.
 *
 * @example
 * new HardenedDeployment(chart, 'web', {
 *   containers: [{ image: 'nginx:1.27.3', portNumber: 8080 }],
 *   imageUser: ImageUser.of(101, 'the nginx image owns its cache and pid paths as uid 101', { gid: 101 }),
 * });
 */
export class ImageUser {
  /**
   * The image's own uid.
   * @param uid the numeric uid the image runs as (1 to 2147483647; 0 is root and never allowed)
   * @param reason why the image cannot run as a uid >= 10000 (at least 20 characters; recorded on the objects)
   * @throws if an id is not a positive integer
   */
  public static of(uid: number, reason: string, options: ImageUserOptions = {}): ImageUser {
    for (const [field, value] of [['uid', uid], ['gid', options.gid]] as const) {
      if (value !== undefined && (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 2147483647)) {
        throw new Error(`ImageUser.of: ${field} ${JSON.stringify(value)} is not a non-root numeric id; give the id the image runs as, e.g. 101 `
          + '(0 is root, which run-as-user-non-zero and non-root-groups refuse)');
      }
    }
    return new ImageUser(uid, reason, options);
  }

  /** The uid. */
  public readonly uid: number;
  /** The gid, if the image needs its own. */
  public readonly gid?: number;
  /** Why the image needs these ids. */
  public readonly reason: string;
  /** Owner or ticket. */
  public readonly ticket?: string;
  /** Last valid day of the exemption. */
  public readonly expires?: string;

  private constructor(uid: number, reason: string, options: ImageUserOptions) {
    this.uid = uid;
    this.gid = options.gid;
    this.reason = reason;
    this.ticket = options.ticket;
    this.expires = options.expires;
  }

  /**
   * The ids of this image user that are below `high-uid-gid`'s 10000, by field.
   * @internal
   */
  public _lowIds(): Array<['runAsUser' | 'runAsGroup', number]> {
    const ids: Array<['runAsUser' | 'runAsGroup', number | undefined]> = [['runAsUser', this.uid], ['runAsGroup', this.gid]];
    return ids.filter((e): e is ['runAsUser' | 'runAsGroup', number] => e[1] !== undefined && e[1] < HardenedDefaults.MIN_UID_GID);
  }
}
