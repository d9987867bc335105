/**
 * A pinned Pod Security Standards version.
 *
 * The Pod Security Admission checks change between Kubernetes versions (allowed sysctls, SELinux types,
 * AppArmor fields...). The guard evaluates the baseline and restricted controls exactly as the admission
 * code of the pinned version does. `latest` is deliberately not offered: a policy must not change meaning
 * when the cluster is upgraded.
 */
export class PssVersion {
  /** Kubernetes 1.25. */
  public static readonly V1_25 = new PssVersion(25);
  /** Kubernetes 1.26. */
  public static readonly V1_26 = new PssVersion(26);
  /** Kubernetes 1.27, the version of cdk8s-plus-27 and the library default. */
  public static readonly V1_27 = new PssVersion(27);
  /** Kubernetes 1.28. */
  public static readonly V1_28 = new PssVersion(28);
  /** Kubernetes 1.29. */
  public static readonly V1_29 = new PssVersion(29);
  /** Kubernetes 1.30. */
  public static readonly V1_30 = new PssVersion(30);
  /** Kubernetes 1.31. */
  public static readonly V1_31 = new PssVersion(31);
  /** Kubernetes 1.32. */
  public static readonly V1_32 = new PssVersion(32);
  /** Kubernetes 1.33. */
  public static readonly V1_33 = new PssVersion(33);

  /**
   * Parses a version such as `v1.27` or `1.27`.
   * @throws if the string is not a supported `1.x` version
   */
  public static of(version: string): PssVersion {
    if (typeof version !== 'string') {
      const shown = typeof version === 'number' || typeof version === 'boolean' || version === null ? String(version) : typeof version;
      throw new Error(`PssVersion.of: version ${shown} is not a string; give a version such as 'v1.27' (v1.25 to v1.33), `
        + 'or use a constant such as PssVersion.V1_27');
    }
    const match = /^v?1\.(\d+)$/.exec(version.trim());
    const minor = match ? Number(match[1]) : NaN;
    const known = [
      PssVersion.V1_25, PssVersion.V1_26, PssVersion.V1_27, PssVersion.V1_28, PssVersion.V1_29,
      PssVersion.V1_30, PssVersion.V1_31, PssVersion.V1_32, PssVersion.V1_33,
    ].find(v => v.minor === minor);
    if (!match || !known) {
      throw new Error(`PssVersion.of: PSS version '${version}' is not supported; use one of v1.25 to v1.33 (never 'latest': pin the version your clusters run)`);
    }
    return known;
  }

  /** The label value, e.g. `v1.27`, as used by `pod-security.kubernetes.io/enforce-version`. */
  public readonly label: string;

  private constructor(
    /** The Kubernetes minor version (27 for 1.27). */
    public readonly minor: number,
  ) {
    this.label = `v1.${minor}`;
  }

  /** True when this version is the given minor version or newer. */
  public atLeast(minor: number): boolean {
    return this.minor >= minor;
  }
}
