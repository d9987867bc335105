import * as path from 'path';
import { pathToFileURL } from 'url';
import { IConstruct } from 'constructs';
import { today } from './evaluate';
import { Exemption } from './exemption';
import { Finding, findingLine, FindingStatus, ObjectEvaluation } from './finding';
import { jsonPieces, materialized, StreamedList } from './json-stream';
import type { SourcePosition } from './source-position';
import { TOOL_VERSION } from './tool-version';
import { Control, Severity } from '../controls/core/control';
import { Profile } from '../controls/profile';

/** The outcome of one control on one object. */
export enum ControlStatus {
  /** The control applied and found nothing. */
  PASS = 'pass',
  /** At least one unexempted violation. */
  FAIL = 'fail',
  /** Every violation is covered by an exemption. */
  EXEMPT = 'exempt',
  /** The control does not judge this kind of object. */
  NOT_APPLICABLE = 'not-applicable',
}

const TOOL_NAME = 'cdk8s-hardened';
const TOOL_URI = 'https://github.com/cdk8s-hardened/cdk8s-hardened';
/** How many failed findings of one control the summary names. */
const NAMED_PER_CONTROL = 5;

/**
 * The date expiries were judged on, and whether CDK8S_HARDENED_TODAY pinned it (see today()): a pinned date can
 * keep an expired exemption alive, so every rendering of the report says so.
 */
function judgedOn(): { date: string; pinned: boolean } {
  return { date: today(), pinned: process.env.CDK8S_HARDENED_TODAY !== undefined };
}

function pinnedNotice(date: string): string {
  return `today is pinned to ${date} by CDK8S_HARDENED_TODAY: exemption expiries were judged on that date, not the real one`;
}

/**
 * What the guard found: every object x control status, the findings with their exemptions, and the exemptions
 * that covered nothing. Renders as a JSON report, as SARIF 2.1.0 (GitHub code scanning and other viewers), and as
 * a short text summary.
 */
export class GuardReport {
  /** The report of the latest synthesis of everything guarded below `scope`. */
  public static of(scope: IConstruct): GuardReport {
    // Required here, not imported: the guard loads cdk8s and cdk8s-plus-27, which the check CLI's reports do not
    // need and which would double its startup time.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { Guard } = require('./guard') as typeof import('./guard');
    return new GuardReport(Guard.evaluations(scope), Guard.unusedExemptions(scope), Profile.HARDENED);
  }

  /** @internal */
  public static _fromEvaluations(
    evaluations: ObjectEvaluation[], unusedExemptions: Exemption[], profile: Profile = Profile.HARDENED,
    locate?: (evaluation: ObjectEvaluation, finding: Finding) => SourcePosition | undefined,
  ): GuardReport {
    return new GuardReport(evaluations, unusedExemptions, profile, locate);
  }

  // Built once: the summary, the counts and every rendering read them, and on a pipeline's input (50,000 objects,
  // most with findings) rebuilding them on each use cost more than rendering. A report's evaluations do not change.
  private findingsCache?: readonly Finding[];
  private countsCache?: { readonly errors: number; readonly warnings: number; readonly exempted: number };
  private sortedCache?: readonly ObjectEvaluation[];

  private constructor(
    /** Every evaluated object. */
    public readonly evaluations: ObjectEvaluation[],
    /** Exemptions that covered no finding. */
    public readonly unusedExemptions: Exemption[],
    /** The profile the objects were evaluated with: its controls are the report's. */
    public readonly profile: Profile,
    /** Where a finding's field is in its source file (the check CLI), for SARIF regions. */
    private readonly locate?: (evaluation: ObjectEvaluation, finding: Finding) => SourcePosition | undefined,
  ) {}

  /** Every finding, failed and exempted (a fresh copy on each read). */
  public get findings(): Finding[] {
    return [...this.allFindings()];
  }

  /** Unexempted errors. */
  public get errorCount(): number {
    return this.counts().errors;
  }

  /** Unexempted warnings. */
  public get warningCount(): number {
    return this.counts().warnings;
  }

  /** Exempted findings. */
  public get exemptedCount(): number {
    return this.counts().exempted;
  }


  /** The evaluations in construct path order (what every rendering lists), sorted once. */
  private sortedEvaluations(): readonly ObjectEvaluation[] {
    return this.sortedCache ??= [...this.evaluations].sort((a, b) => compareCodeUnits(a.constructPath, b.constructPath));
  }

  private allFindings(): readonly Finding[] {
    return this.findingsCache ??= this.evaluations.flatMap(e => e.findings);
  }

  private counts(): { readonly errors: number; readonly warnings: number; readonly exempted: number } {
    if (!this.countsCache) {
      let errors = 0, warnings = 0, exempted = 0;
      for (const f of this.allFindings()) {
        if (f.status === FindingStatus.EXEMPT) exempted++;
        else if (f.status === FindingStatus.FAIL && f.severity === Severity.ERROR) errors++;
        else if (f.status === FindingStatus.FAIL && f.severity === Severity.WARNING) warnings++;
      }
      this.countsCache = { errors, warnings, exempted };
    }
    return this.countsCache;
  }

  /** The status of every control of the catalog on every object. */
  public statusOf(evaluation: ObjectEvaluation, control: Control): ControlStatus {
    return statusOfFindings(evaluation.applicableControls.includes(control.id), evaluation.findings.filter(f => f.controlId === control.id));
  }

  /** The JSON report: objects x controls, findings with exemption reasons, controls with their references. */
  public toJson(): any {
    return materialized(this.jsonDocument());
  }

  /**
   * The JSON report's text (`JSON.stringify(toJson(), undefined, 2)`) in pieces, its objects one at a time; members
   * of `extra` are added at the end.
   * @internal
   */
  public _jsonPieces(extra: Record<string, unknown> = {}): Iterable<string> {
    return jsonPieces({ ...this.jsonDocument(), ...extra });
  }

  /** The SARIF report's text (`JSON.stringify(toSarif(), undefined, 2)`) in pieces, its results one at a time. @internal */
  public _sarifPieces(): Iterable<string> {
    return jsonPieces(this.sarifDocument());
  }

  /** The JSON report with its objects as a StreamedList. */
  private jsonDocument(): any {
    const controls = this.profile.controls;
    const exemptions = new Map<Exemption, boolean>();
    for (const f of this.allFindings()) if (f.exemption) exemptions.set(f.exemption, true);
    for (const e of this.unusedExemptions) exemptions.set(e, false);
    const { date, pinned } = judgedOn();
    return {
      tool: { name: TOOL_NAME, version: TOOL_VERSION },
      profile: this.profile.name,
      // Only a pinned date is written: the real one would make every report differ from day to day.
      ...(pinned ? { today: { date, pinned, notice: pinnedNotice(date) } } : {}),
      summary: {
        objects: this.evaluations.length,
        errors: this.errorCount,
        warnings: this.warningCount,
        exempted: this.exemptedCount,
        unusedExemptions: this.unusedExemptions.length,
      },
      controls: controls.map(c => ({
        id: c.id, title: c.title, severity: c.severity, rationale: c.rationale, remediation: c.remediation, references: c.references,
      })),
      objects: new StreamedList(function* (this: GuardReport) {
        for (const e of this.sortedEvaluations()) yield this.objectJson(e, controls);
      }.bind(this)),
      exemptions: [...exemptions.entries()].map(([e, used]) => ({ ...exemptionJson(e), used })),
    };
  }

  /** SARIF 2.1.0: one rule per control, one result per finding; exempted findings carry an in-source suppression. */
  public toSarif(): any {
    return materialized(this.sarifDocument());
  }

  /** The SARIF report with its results as a StreamedList. */
  private sarifDocument(): any {
    const controls = this.profile.controls;
    const ruleIndex = new Map(controls.map((c, i) => [c.id, i]));
    const results = new StreamedList(() => this.sarifResults(ruleIndex));
    const { date, pinned } = judgedOn();
    return {
      $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
      version: '2.1.0',
      runs: [{
        ...(pinned ? {
          properties: { today: date, todayPinned: pinned },
          invocations: [{
            executionSuccessful: true,
            toolConfigurationNotifications: [{ level: 'warning', message: { text: pinnedNotice(date) } }],
          }],
        } : {}),
        tool: {
          driver: {
            name: TOOL_NAME,
            version: TOOL_VERSION,
            informationUri: TOOL_URI,
            rules: controls.map(c => ({
              id: c.id,
              name: c.id.split('-').map(w => w[0].toUpperCase() + w.slice(1)).join(''),
              shortDescription: { text: c.title },
              fullDescription: { text: c.rationale },
              help: { text: c.remediation },
              helpUri: `${TOOL_URI}/blob/main/docs/controls.md#${c.id}`,
              defaultConfiguration: { level: c.severity === Severity.ERROR ? 'error' : 'warning' },
              properties: { tags: ['security', 'kubernetes'], references: c.references },
            })),
          },
        },
        results,
      }],
    };
  }

  /** One object of the JSON report: its status and findings under every control of the profile. */
  private objectJson(e: ObjectEvaluation, controls: Control[]): any {
    // The findings of each control, grouped once (not filtered once per control: 50,000 objects x the catalog).
    const byControl = new Map<string, Finding[]>();
    for (const f of e.findings) {
      const list = byControl.get(f.controlId);
      if (list) list.push(f); else byControl.set(f.controlId, [f]);
    }
    const applicable = new Set(e.applicableControls);
    return {
      constructPath: e.constructPath,
      apiVersion: e.apiVersion,
      kind: e.kind,
      namespace: e.objectNamespace,
      name: e.name,
      controls: Object.fromEntries(controls.map(c => {
        const findings = byControl.get(c.id) ?? [];
        return [c.id, {
          status: statusOfFindings(applicable.has(c.id), findings),
          findings: findings.map(f => ({
            pointer: f.pointer,
            message: f.message,
            fix: f.fix,
            // Only where the context raised it (image-digest under an image policy): the control's severity is listed above.
            ...(f.severity !== c.severity ? { severity: f.severity } : {}),
            exemption: f.exemption ? exemptionJson(f.exemption) : undefined,
          })),
        }];
      })),
    };
  }

  /** One SARIF result per finding, in construct path order. */
  private *sarifResults(ruleIndex: Map<string, number>): Generator<any> {
    for (const e of this.sortedEvaluations()) {
      yield* e.findings.map(f => ({
        ruleId: f.controlId,
        ruleIndex: ruleIndex.get(f.controlId),
        level: f.severity === Severity.ERROR ? 'error' : 'warning',
        message: { text: `${f.kind} ${f.objectNamespace ? `${f.objectNamespace}/` : ''}${f.name} ${f.pointer}: ${f.message}; ${f.fix}` },
        locations: [{
          physicalLocation: {
            // Synthesized objects: the chart's YAML file (cdk8s names it after the top-level chart).
            artifactLocation: { uri: e.sourceFile ? artifactUri(e.sourceFile) : `${e.constructPath.split('/')[0]}.k8s.yaml` },
            ...regionOf(e, f, this.locate),
          },
          logicalLocations: [{ fullyQualifiedName: `${e.constructPath}#${f.pointer}`, name: `${f.kind}/${f.name}`, kind: 'object' }],
        }],
        partialFingerprints: { objectPointer: `${f.kind}/${f.objectNamespace ?? ''}/${f.name}${f.pointer}` },
        ...(f.exemption ? {
          suppressions: [{ kind: 'inSource', status: 'accepted', justification: f.exemption.reason }],
        } : {}),
      }));
    }
  }

  /** A short table: counts per control that failed or was exempted, then the totals. */
  public summary(): string {
    return this._summary(true);
  }

  /**
   * The summary, naming failed findings below the table or not (the check CLI lists every one of them itself);
   * `exemptionProblems` (expired or invalid exemption annotations, which fail the check) count as errors.
   * @internal
   */
  public _summary(nameFindings: boolean, exemptionProblems = 0): string {
    const rows = new Map<string, { failed: number; exempted: number; severity: string }>();
    for (const f of this.allFindings()) {
      const row = rows.get(f.controlId) ?? { failed: 0, exempted: 0, severity: f.severity };
      if (f.status === FindingStatus.EXEMPT) row.exempted++; else row.failed++;
      rows.set(f.controlId, row);
    }
    const width = Math.max(7, ...[...rows.keys()].map(k => k.length));
    const { date, pinned } = judgedOn();
    const lines = [
      ...(pinned ? [pinnedNotice(date)] : []),
      ...(this.profile === Profile.HARDENED ? [] : [`profile ${this.profile.name}: ${this.profile.description}`]),
      `${'control'.padEnd(width)}  severity  failed  exempted`,
    ];
    const controlIds = [...rows.keys()].sort(compareCodeUnits);
    for (const id of controlIds) {
      const r = rows.get(id)!;
      lines.push(`${id.padEnd(width)}  ${r.severity.padEnd(8)}  ${String(r.failed).padStart(6)}  ${String(r.exempted).padStart(8)}`);
    }
    if (nameFindings) lines.push(...this.namedFailures(controlIds));
    const problems = exemptionProblems > 0 ? ` (${exemptionProblems} of them exemption problems)` : '';
    lines.push(`${this.evaluations.length} objects checked: ${this.errorCount + exemptionProblems} errors${problems}, ${this.warningCount} warnings, `
      + `${this.exemptedCount} exempted, ${this.unusedExemptions.length} unused exemptions`);
    for (const e of this.unusedExemptions) {
      lines.push(`unused exemption: ${e.control.id} at [${e.scopePath}] (${e.reason})`);
    }
    return lines.join('\n');
  }

  /**
   * The failed findings (errors and warnings) under the table, so a count always comes with the objects and fields
   * it counts: the first NAMED_PER_CONTROL of each control, then how many more.
   */
  private namedFailures(controlIds: string[]): string[] {
    const failed = this.sortedEvaluations().flatMap(e => e.findings).filter(f => f.status === FindingStatus.FAIL);
    if (failed.length === 0) return [];
    const lines = [`failed findings (first ${NAMED_PER_CONTROL} per control):`];
    for (const id of controlIds) {
      const ofControl = failed.filter(f => f.controlId === id);
      lines.push(...ofControl.slice(0, NAMED_PER_CONTROL).map(f => `  ${findingLine(f)}`));
      if (ofControl.length > NAMED_PER_CONTROL) {
        lines.push(`  ... and ${ofControl.length - NAMED_PER_CONTROL} more ${id} finding(s)`);
      }
    }
    return lines;
  }
}

/**
 * A SARIF artifact URI: a relative path as a relative URI reference (resolved against the working directory, where
 * code scanning expects the repository root), an absolute one as a `file://` URI. Never `..`, which viewers reject.
 */
function artifactUri(file: string): string {
  if (path.isAbsolute(file)) return pathToFileURL(file).href;
  return file.split(path.sep).map(encodeURIComponent).join('/');
}

/** The finding's field when the report can locate it, else the object's document; nothing for synthesized YAML. */
function regionOf(
  e: ObjectEvaluation, f: Finding, locate: ((evaluation: ObjectEvaluation, finding: Finding) => SourcePosition | undefined) | undefined,
): { region?: { startLine: number; startColumn?: number } } {
  const position = locate?.(e, f);
  if (position) return { region: { startLine: position.line, startColumn: position.column } };
  return e.sourceLine ? { region: { startLine: e.sourceLine } } : {};
}

/** The status of one control on one object, from whether it applied and its findings there. */
function statusOfFindings(applicable: boolean, findings: Finding[]): ControlStatus {
  if (!applicable) return ControlStatus.NOT_APPLICABLE;
  if (findings.length === 0) return ControlStatus.PASS;
  return findings.every(f => f.status === FindingStatus.EXEMPT) ? ControlStatus.EXEMPT : ControlStatus.FAIL;
}

function exemptionJson(e: Exemption): any {
  return {
    control: e.control.id,
    reason: e.reason,
    ticket: e.ticket,
    expires: e.expires,
    scope: e.scopePath,
    kind: e.kind,
    name: e.name,
    pointer: e.pointer,
    pointerValue: e.pointerValue,
  };
}

/**
 * Orders strings by UTF-16 code units. Not `localeCompare`: its order follows the process locale (in Danish `aa`
 * sorts after `z`), so the same app would write differently ordered reports on differently configured machines.
 */
function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
