import { Exemption, EXEMPTION_ANNOTATION_PREFIX } from './exemption';
import { Finding, FindingStatus, ObjectEvaluation } from './finding';
import { Controls } from '../controls/controls';
import { Control, ControlContext, Severity, Violation } from '../controls/core/control';
import { detachedString } from '../controls/core/json';
import type { Platform } from '../platforms/platform';

// Shared by the synth-time guard and the check CLI: one manifest, every applicable control, exemptions applied.

/** Where an evaluated manifest came from. */
export interface ManifestOrigin {
  readonly constructPath: string;
  readonly sourceFile?: string;
  readonly sourceLine?: number;
}

/** Today's date (UTC). CDK8S_HARDENED_TODAY=YYYY-MM-DD pins it for reproducible builds and tests. */
export function today(): string {
  const pinned = process.env.CDK8S_HARDENED_TODAY;
  if (pinned !== undefined) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(pinned)) {
      throw new Error(`CDK8S_HARDENED_TODAY is ${JSON.stringify(pinned)}; use YYYY-MM-DD or unset it`);
    }
    return pinned;
  }
  return new Date().toISOString().slice(0, 10);
}

export function isBlocking(finding: Finding): boolean {
  return finding.status === FindingStatus.FAIL && finding.severity === Severity.ERROR;
}

/**
 * Every applicable control (of the catalog, or of a profile's `controls`) on one manifest; returns the JSON to emit
 * (exemption annotations added) and its evaluation.
 */
export function evaluateManifest(
  json: any, context: ControlContext, exemptions: Exemption[], origin: ManifestOrigin, controls: Control[] = Controls.all(),
): { emitted: any; evaluation: ObjectEvaluation } {
  const findings: Finding[] = [];
  const applied: string[] = [];
  for (const control of controlsOn(controls, context.platform)) {
    if (!control.appliesTo(json, context)) continue;
    applied.push(control.id);
    for (const violation of control.check(json, context)) {
      // The nearest exemption that covers this finding (exemptions come nearest scope first).
      const exemption = exemptions.find(e => e.covers(control.id, json, violation.pointer));
      findings.push(findingOf(origin, json, control, violation, exemption));
    }
  }
  const evaluation: ObjectEvaluation = {
    constructPath: origin.constructPath,
    kind: String(json?.kind),
    apiVersion: String(json?.apiVersion),
    objectNamespace: json?.metadata?.namespace,
    name: String(json?.metadata?.name),
    applicableControls: applied,
    findings,
    sourceFile: origin.sourceFile,
    sourceLine: origin.sourceLine,
  };
  return { emitted: annotateExemptions(json, findings), evaluation };
}

/**
 * The controls that apply on `platform`: a platform may make a control moot (OpenShift assigns uids itself), and then
 * it does not apply there, for every control alike. Filtered once per list and platform, not once per object.
 */
function controlsOn(controls: Control[], platform: Platform | undefined): Control[] {
  if (platform === undefined) return controls;
  let byPlatform = ON_PLATFORM.get(controls);
  if (!byPlatform) ON_PLATFORM.set(controls, byPlatform = new Map());
  let applicable = byPlatform.get(platform);
  if (!applicable) byPlatform.set(platform, applicable = controls.filter(c => platform.reasonNotApplicable(c.id) === undefined));
  return applicable;
}
const ON_PLATFORM = new WeakMap<Control[], Map<Platform, Control[]>>();

function findingOf(
  origin: ManifestOrigin, json: any, control: Control, { pointer, message, fix, severity }: Violation, exemption?: Exemption,
): Finding {
  return {
    controlId: control.id,
    severity: severity ?? control.severity,
    status: exemption ? FindingStatus.EXEMPT : FindingStatus.FAIL,
    constructPath: origin.constructPath,
    kind: String(json?.kind),
    objectNamespace: json?.metadata?.namespace,
    name: String(json?.metadata?.name),
    // Findings are kept until the report is written: a message built from the YAML's text must not keep that text.
    pointer: detachedString(pointer),
    message: detachedString(message),
    fix: fix === undefined ? control.remediation : detachedString(fix),
    exemption,
  };
}

/**
 * Records every exemption that covered a finding as an annotation on the object (audit trail in the YAML): one key
 * per control, its value the exemption's JSON, or a JSON list when several narrowed exemptions of one control apply.
 */
function annotateExemptions(json: any, findings: Finding[]): any {
  if (!findings.some(f => f.exemption)) return json;
  const byControl = new Map<string, Exemption[]>();
  for (const finding of findings) {
    if (!finding.exemption) continue;
    const list = byControl.get(finding.exemption.control.id) ?? [];
    if (!list.includes(finding.exemption)) list.push(finding.exemption);
    byControl.set(finding.exemption.control.id, list);
  }
  const annotations: Record<string, string> = {};
  for (const [id, list] of byControl) {
    const values = list.map(e => e._annotationValue());
    annotations[EXEMPTION_ANNOTATION_PREFIX + id] = JSON.stringify(values.length === 1 ? values[0] : values);
  }
  if (Object.keys(annotations).length === 0) return json;
  const merged = { ...json.metadata?.annotations, ...annotations };
  const sorted = Object.fromEntries(Object.keys(merged).sort().map(k => [k, merged[k]]));
  return { ...json, metadata: { ...json.metadata, annotations: sorted } };
}
