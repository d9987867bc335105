import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { Exemption, Exemptions } from './exemption';
import { Controls } from '../controls/controls';
import { Control, ControlContext, Severity } from '../controls/core/control';
import { HardenedDefaults } from '../defaults/hardened-defaults';

/** What became of a failed control on one object. */
export enum FindingStatus {
  /** Not exempted: an error fails synthesis, a warning is reported. */
  FAIL = 'fail',
  /** Covered by an exemption, whose reason is recorded. */
  EXEMPT = 'exempt',
}

/** One violation of one control at one place in one synthesized object. */
export interface Finding {
  /** The control's id. */
  readonly controlId: string;
  /** The control's severity. */
  readonly severity: Severity;
  /** Failed or exempted. */
  readonly status: FindingStatus;
  /** Construct path of the ApiObject. */
  readonly constructPath: string;
  /** The object's kind. */
  readonly kind: string;
  /** The object's namespace, when it has one. */
  readonly namespace?: string;
  /** The object's name. */
  readonly name: string;
  /** JSON pointer into the object. */
  readonly pointer: string;
  /** What is wrong. */
  readonly message: string;
  /** How to fix it. */
  readonly fix: string;
  /** The exemption that covers it, when status is EXEMPT. */
  readonly exemption?: Exemption;
}

// The unguarded serializer of each guarded object: used to report every failing object at once.
const SERIALIZERS = new WeakMap<ApiObject, () => any>();
const LATEST_FINDINGS = new WeakMap<ApiObject, Finding[]>();
const PROTECTED_SCOPES = new WeakSet<IConstruct>();

/**
 * The synth-time guard: checks synthesized objects against the controls catalog.
 *
 * A guarded object is checked on the exact JSON its `toJson()` returns (JSON patches and other escape
 * hatches included), once per serialization, so what is written is what was checked. An error that no
 * exemption covers fails synthesis with one line per finding:
 * `[construct/path] control-id: Kind namespace/name /json/pointer: what is wrong; how to fix`.
 */
export class Guard {
  /**
   * Guards every ApiObject below `scope`, including objects added after this call.
   * Hardened constructs protect themselves; call it on a Chart or the App to guard everything else too.
   */
  public static protect(scope: IConstruct): void {
    if (PROTECTED_SCOPES.has(scope)) return;
    PROTECTED_SCOPES.add(scope);
    scope.node.addValidation({
      validate: () => {
        // Runs before any object is serialized (cdk8s validates before it synthesizes).
        for (const child of scope.node.findAll()) {
          if (child instanceof ApiObject) guardObject(child);
        }
        return expiredExemptions(scope);
      },
    });
  }

  /** The findings (failed and exempted, errors and warnings) of the latest synthesis of objects below `scope`. */
  public static findings(scope: IConstruct): Finding[] {
    return scope.node.findAll()
      .filter((c): c is ApiObject => c instanceof ApiObject)
      .flatMap(o => LATEST_FINDINGS.get(o) ?? []);
  }

  /** Exemptions attached below `scope` that covered no finding in the latest synthesis. */
  public static unusedExemptions(scope: IConstruct): Exemption[] {
    const used = new Set(Guard.findings(scope).map(f => f.exemption).filter(e => e !== undefined));
    return Exemptions.below(scope).filter(e => !used.has(e));
  }

  /** One finding as one line: `[path] control-id: Kind namespace/name /pointer: message; fix`. */
  public static formatFinding(finding: Finding): string {
    const object = finding.namespace ? `${finding.namespace}/${finding.name}` : finding.name;
    return `[${finding.constructPath}] ${finding.controlId}: ${finding.kind} ${object} ${finding.pointer}: ${finding.message}; ${finding.fix}`;
  }

  private constructor() {}
}

/** Today's date (UTC). CDK8S_HARDENED_TODAY=YYYY-MM-DD pins it for reproducible builds and tests. */
function today(): string {
  const pinned = process.env.CDK8S_HARDENED_TODAY;
  if (pinned !== undefined) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(pinned)) {
      throw new Error(`CDK8S_HARDENED_TODAY is ${JSON.stringify(pinned)}; use YYYY-MM-DD or unset it`);
    }
    return pinned;
  }
  return new Date().toISOString().slice(0, 10);
}

function expiredExemptions(scope: IConstruct): string[] {
  const now = today();
  return Exemptions.below(scope)
    .filter(e => e.isExpiredOn(now))
    .map(e => `${e.control.id}: exemption attached at [${e.scopePath}] expired on ${e.expires} (reason: ${e.reason}); `
      + 'fix the finding and remove the exemption, or renew it with a new expiry after review');
}

function guardObject(object: ApiObject): void {
  if (SERIALIZERS.has(object)) return;
  const serialize = object.toJson.bind(object);
  SERIALIZERS.set(object, serialize);
  Object.defineProperty(object, 'toJson', {
    value: () => checkSerialized(object, serialize()),
    configurable: true,
    writable: true,
  });
}

function contextOf(object: ApiObject): ControlContext {
  const defaults = HardenedDefaults.of(object);
  return { pssVersion: defaults.pssVersion, allowedRegistries: defaults.allowedRegistries };
}

function checkSerialized(object: ApiObject, json: any): any {
  const findings = evaluate(object, json);
  const errors = findings.filter(isBlocking);
  if (errors.length > 0) {
    // Synthesis stops at the first failing object; report every other guarded object's errors with it, so one
    // run shows the whole list. Only the failure path pays for this.
    const others = object.node.root.node.findAll()
      .filter((o): o is ApiObject => o instanceof ApiObject && o !== object && SERIALIZERS.has(o))
      .flatMap(o => otherErrors(o));
    const all = [...errors, ...others];
    throw new Error(`cdk8s-hardened guard: ${all.length} finding(s) fail synthesis:\n  ${all.map(Guard.formatFinding).join('\n  ')}\n`
      + 'Fix each finding, or exempt it explicitly with a reason (exemptions prop or Exemptions.of(scope).add()).');
  }
  return annotateExemptions(json, findings);
}

function otherErrors(object: ApiObject): Finding[] {
  let json: any;
  try {
    json = SERIALIZERS.get(object)!();
  } catch {
    return []; // its own serialization error surfaces when cdk8s reaches it
  }
  return evaluate(object, json).filter(isBlocking);
}

function isBlocking(finding: Finding): boolean {
  return finding.status === FindingStatus.FAIL && finding.severity === Severity.ERROR;
}

/** Every finding of every applicable control on one serialized object; records them as the object's latest. */
function evaluate(object: ApiObject, json: any): Finding[] {
  const context = contextOf(object);
  const now = today();
  const exemptions = Exemptions.covering(object).filter(e => !e.isExpiredOn(now));
  const findings: Finding[] = [];
  for (const control of Controls.all()) {
    if (!control.appliesTo(json, context)) continue;
    const exemption = exemptions.find(e => e.control.id === control.id);
    for (const violation of control.check(json, context)) {
      findings.push(findingOf(object, json, control, violation.pointer, violation.message, violation.fix, exemption));
    }
  }
  LATEST_FINDINGS.set(object, findings);
  return findings;
}

function findingOf(
  object: ApiObject, json: any, control: Control, pointer: string, message: string, fix: string | undefined, exemption?: Exemption,
): Finding {
  return {
    controlId: control.id,
    severity: control.severity,
    status: exemption ? FindingStatus.EXEMPT : FindingStatus.FAIL,
    constructPath: object.node.path,
    kind: String(json.kind),
    namespace: json.metadata?.namespace,
    name: String(json.metadata?.name),
    pointer,
    message,
    fix: fix ?? control.remediation,
    exemption,
  };
}

/** Records every exemption that covered a finding as an annotation on the object (audit trail in the YAML). */
function annotateExemptions(json: any, findings: Finding[]): any {
  const annotations: Record<string, string> = {};
  for (const finding of findings) {
    if (finding.exemption) Object.assign(annotations, finding.exemption.annotation());
  }
  if (Object.keys(annotations).length === 0) return json;
  const merged = { ...json.metadata?.annotations, ...annotations };
  const sorted = Object.fromEntries(Object.keys(merged).sort().map(k => [k, merged[k]]));
  return { ...json, metadata: { ...json.metadata, annotations: sorted } };
}
