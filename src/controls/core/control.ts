import { PssVersion } from './pss-version';
import { Platform } from '../../platforms/platform';

/** How a failed control is treated. */
export enum Severity {
  /** Fails synthesis (or `check` exits 1) unless an exemption covers it. */
  ERROR = 'error',
  /** Reported only. */
  WARNING = 'warning',
}

/**
 * What a control corresponds to in public benchmarks and scanners, so a report can be mapped to theirs.
 * Kept in our own catalog: scanners' own framework mappings contain known errors.
 */
export interface ControlReferences {
  /** Pod Security Standards level and check name, e.g. `restricted: Running as Non-root`. */
  readonly pss?: string;
  /** CIS Kubernetes Benchmark item, with the benchmark version, e.g. `CIS 1.9 5.2.6`. */
  readonly cis?: string;
  /** NSA/CISA Kubernetes Hardening Guide section. */
  readonly nsa?: string;
  /** kube-score check ids. */
  readonly kubeScore?: string[];
  /** Polaris check ids. */
  readonly polaris?: string[];
  /** kube-linter check names. */
  readonly kubeLinter?: string[];
  /** Trivy Kubernetes check ids (KSV...). */
  readonly trivy?: string[];
  /** Kyverno policy library policy names. */
  readonly kyverno?: string[];
}

/** The metadata of a control. */
export interface ControlProps {
  /** Stable kebab-case id; never changes once published. */
  readonly id: string;
  /** One-line title. */
  readonly title: string;
  /** Whether a failure fails synthesis. */
  readonly severity: Severity;
  /** Why the control exists. */
  readonly rationale: string;
  /** How to comply. */
  readonly remediation: string;
  /** Benchmarks and scanner checks this control serves. */
  readonly references: ControlReferences;
  /**
   * Whether an exemption may cover a failure of this control.
   * @default true
   */
  readonly exemptable?: boolean;
}

/** One place in one manifest where a control fails. */
export interface Violation {
  /** RFC 6901 JSON pointer into the manifest, e.g. `/spec/template/spec/containers/0/securityContext`. */
  readonly pointer: string;
  /** What is wrong, naming the bad value. */
  readonly message: string;
  /**
   * How to fix this particular violation.
   * @default the control's remediation
   */
  readonly fix?: string;
}

/** What a control may depend on besides the manifest itself. */
export interface ControlContext {
  /** The pinned Pod Security Standards version. */
  readonly pssVersion: PssVersion;
  /**
   * Registries (host or host/path prefixes) images must come from.
   * @default - no allow-list: `image-registry` does not apply
   */
  readonly allowedRegistries?: string[];
  /**
   * Every manifest evaluated together with this one (the app, or all of the CLI's input), for controls that
   * relate objects: a Namespace and its NetworkPolicies, a workload and its PodDisruptionBudget.
   * @default - only the manifest itself
   */
  readonly objects?: any[];
  /**
   * True when the guard evaluates an app's own objects at synthesis, where exemptions exist only as code; false for
   * YAML read by the check CLI, where exemption annotations are how exemptions travel.
   * @default false
   */
  readonly synthesis?: boolean;
  /**
   * The platform the manifests run on (`HardenedDefaults.set(scope, { platform })`, `check --platform`): some controls
   * do not apply on some platforms, and say why (`Platform.reasonNotApplicable`).
   * @default Platform.GENERIC
   */
  readonly platform?: Platform;
}

/**
 * A security control: metadata plus a check over one manifest's JSON.
 *
 * Controls read manifest JSON only and never construct classes, so the same check covers hardened
 * constructs, cdk8s-plus objects, raw ApiObjects, included YAML and files checked by the CLI.
 */
export abstract class Control {
  /** Stable kebab-case id. */
  public readonly id: string;
  /** One-line title. */
  public readonly title: string;
  /** Whether a failure fails synthesis. */
  public readonly severity: Severity;
  /** Why the control exists. */
  public readonly rationale: string;
  /** How to comply. */
  public readonly remediation: string;
  /** Benchmarks and scanner checks this control serves. */
  public readonly references: ControlReferences;
  /** Whether an exemption may cover a failure of this control. */
  public readonly exemptable: boolean;

  protected constructor(props: ControlProps) {
    if (!/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(props.id)) {
      throw new Error(`Control id '${props.id}' must be kebab-case (e.g. 'read-only-root-filesystem')`);
    }
    this.id = props.id;
    this.title = props.title;
    this.severity = props.severity;
    this.rationale = props.rationale;
    this.remediation = props.remediation;
    this.references = props.references;
    this.exemptable = props.exemptable ?? true;
  }

  /** Whether the control has anything to say about this manifest (its kind carries what it checks). */
  public abstract appliesTo(manifest: any, context: ControlContext): boolean;

  /** The violations of this control in one manifest; empty when it complies. */
  public abstract check(manifest: any, context: ControlContext): Violation[];
}
