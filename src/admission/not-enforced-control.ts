import { Control } from '../controls/core/control';

/** A control of the profile that is not exported as a policy, and why. */
export interface NotEnforcedControl {
  /** The control. */
  readonly control: Control;
  /** Why it stays synth- and CLI-only. */
  readonly reason: string;
}
