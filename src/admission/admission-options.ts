import { AdmissionAction } from './admission-action';
import { AdmissionExemption } from './admission-exemption';
import { PssVersion } from '../controls/core/pss-version';
import { Profile } from '../controls/profile';
import { Platform } from '../platforms/platform';

/** What the exported ValidatingAdmissionPolicies enforce, and how (AdmissionGuardrails, `cdk8s-hardened policies`). */
export interface AdmissionOptions {
  /**
   * The controls enforced (their CEL forms; controls that need other objects stay synth- and CLI-only).
   * @default Profile.HARDENED
   */
  readonly profile?: Profile;
  /**
   * What the bindings do: DENY refuses objects failing an error control and warns about warning controls; WARN and
   * AUDIT admit everything (a dry run: warnings to the client, or audit log entries).
   * @default AdmissionAction.DENY
   */
  readonly action?: AdmissionAction;
  /**
   * The Pod Security Standards version the PSS policies mirror: the version of the clusters' Pod Security Admission.
   * @default PssVersion.V1_27
   */
  readonly pssVersion?: PssVersion;
  /**
   * Registries (hosts or host/path prefixes) images must come from; the `image-registry` policy is rendered only
   * with them.
   * @default - no image-registry policy
   */
  readonly allowedRegistries?: string[];
  /**
   * Whether images must be pinned by digest (an ImagePolicy's `requireDigests`): the `image-digest` policy then
   * denies instead of warning, as the control fails synthesis under such a policy.
   * @default false
   */
  readonly requireImageDigests?: boolean;
  /**
   * The platform of the clusters: a control that does not apply there is not exported and is listed with the
   * platform's reason (OpenShift assigns uids itself: `high-uid-gid`).
   * @default - Platform.GENERIC; AdmissionGuardrails: the platform of HardenedDefaults at its scope
   */
  readonly platform?: Platform;
  /**
   * Objects a control is not enforced on, each keyed on its identity (see `AdmissionGuardrails.exemptionsOf` and
   * `exemptionsFromReport`).
   * @default - none
   */
  readonly exemptions?: AdmissionExemption[];
}
