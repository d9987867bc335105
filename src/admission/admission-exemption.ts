import { Control } from '../controls/core/control';

/**
 * One object a control does not judge in the cluster: an exemption granted in code, keyed on the object's identity.
 *
 * In the cluster an exemption is never read from an annotation or a label: whoever may apply an object may write
 * its annotations, so an annotation-keyed exclusion would let any author exempt anything. The identity (API group,
 * kind, namespace, name) is fixed in the policy, which only the platform may change.
 */
export interface AdmissionExemption {
  /** The control not enforced on the object, e.g. `Controls.HOST_PATH_VOLUMES`. */
  readonly control: Control;
  /** The object's kind, e.g. `DaemonSet`. */
  readonly kind: string;
  /**
   * The object's API group (`''` for the core group).
   * @default - the group of the built-in kind (`apps` for Deployment...); required for any other kind
   */
  readonly apiGroup?: string;
  /**
   * The object's namespace (not `namespace`: a reserved word in C#, for the jsii targets).
   * @default - a cluster-scoped object
   */
  readonly objectNamespace?: string;
  /** The object's `metadata.name`. */
  readonly name: string;
  /** Why the control is not enforced on it: the reason of the exemption in code. */
  readonly reason: string;
}
