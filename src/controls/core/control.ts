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
  /**
   * The severity of this violation, when the context raises it above the control's own (`image-digest` is an error
   * when the context requires digests).
   * @default the control's severity
   */
  readonly severity?: Severity;
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
   * Every image must carry a sha256 digest: `image-digest` reports errors instead of warnings (an ImagePolicy with
   * `requireDigests`, `HardenedDefaults` `requireImageDigests`, or `check --require-digests`).
   * @default false
   */
  readonly requireImageDigests?: boolean;
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
   * do not apply on some platforms, and say why (`Platform.reasonNotApplicable`): the evaluation skips them there.
   * @default Platform.GENERIC
   */
  readonly platform?: Platform;
}

/** A named CEL expression of an admission policy (a `variables` or `matchConditions` entry). */
export interface AdmissionExpression {
  /** The name, e.g. `podSpec` (read as `variables.podSpec`). */
  readonly name: string;
  /** The CEL expression. */
  readonly expression: string;
}

/** One validation of an admission policy: the object is refused (or warned about) when it evaluates to false. */
export interface AdmissionValidation {
  /** CEL expression over `object`, `request` and `variables`; true admits. */
  readonly expression: string;
  /** What is wrong, shown to whoever applies the object. */
  readonly message: string;
  /**
   * A CEL expression producing the message with details (e.g. the names of the failing containers).
   * @default - `message`
   */
  readonly messageExpression?: string;
}

/** A kind an admission policy matches: its API group, its resource (plural) and its kind. */
export interface AdmissionResource {
  /** The API group, `''` for the core group. */
  readonly apiGroup: string;
  /** The resource, e.g. `deployments`, or a subresource such as `pods/ephemeralcontainers`. */
  readonly resource: string;
  /** The kind, e.g. `Deployment`. */
  readonly kind: string;
}

/**
 * A control's CEL form, judging one object at admission: what it matches, the variables it reads and the
 * validations that must all hold (see docs/in-the-cluster.md).
 */
export interface AdmissionRule {
  /** The kinds the rule judges. */
  readonly resources: AdmissionResource[];
  /**
   * Variables, evaluated lazily and in order; the pod controls share `podSpec` (wherever the kind keeps its pod spec).
   * @default - none
   */
  readonly variables?: AdmissionExpression[];
  /**
   * Conditions an object must meet to be judged at all (e.g. probes: not a run-to-completion pod).
   * @default - every matched object is judged
   */
  readonly matchConditions?: AdmissionExpression[];
  /** The validations; all must hold. */
  readonly validations: AdmissionValidation[];
}

/** Whether, and how, a control is enforced in the cluster as a ValidatingAdmissionPolicy. */
export interface ControlAdmission {
  /**
   * The control's CEL form.
   * @default - not enforced in the cluster: see `notEnforcedReason`
   */
  readonly rule?: AdmissionRule;
  /**
   * Why the control stays synth- and CLI-only (it needs other objects, or means nothing in the cluster).
   * @default - enforced: `rule` is set
   */
  readonly notEnforcedReason?: string;
  /**
   * The severity the cluster enforces, when the context changes it (`image-digest` under a policy that requires
   * digests): errors deny, warnings warn.
   * @default - the control's severity
   */
  readonly severity?: Severity;
}

/** The reason of a control that has not declared its admission form (a test keeps the catalog free of it). */
export const ADMISSION_NOT_DECLARED = 'This control has not declared a CEL form.';

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

  /**
   * The control's CEL form for ValidatingAdmissionPolicies, mirroring `check` on one object, or why it has none.
   * `context` carries the pinned PSS version and the registry allow-list (its `objects` are not used).
   */
  public admission(_context: ControlContext): ControlAdmission {
    return { notEnforcedReason: ADMISSION_NOT_DECLARED };
  }
}
