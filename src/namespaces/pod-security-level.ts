/**
 * A Pod Security Standards level, as Pod Security Admission reads it from a namespace label.
 *
 * `RESTRICTED` is the only level the `namespace-psa-labels` control accepts; the others weaken the namespace and
 * fail synthesis unless an exemption of that control covers them.
 */
export class PodSecurityLevel {
  /** The restricted profile: current pod hardening best practice. The default. */
  public static readonly RESTRICTED = new PodSecurityLevel('restricted');
  /** The baseline profile: blocks known privilege escalations only (host namespaces, privileged, hostPath...). */
  public static readonly BASELINE = new PodSecurityLevel('baseline');
  /** No restriction at all: for system namespaces of node agents and the like. */
  public static readonly PRIVILEGED = new PodSecurityLevel('privileged');

  private constructor(
    /** The label value: `restricted`, `baseline` or `privileged`. */
    public readonly value: string,
  ) {}
}
