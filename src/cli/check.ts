import * as fs from 'fs';
import * as path from 'path';
import { Controls } from '../controls/controls';
import { ControlContext } from '../controls/core/control';
import { PssVersion } from '../controls/core/pss-version';
import { Profile } from '../controls/profile';
import { evaluateManifest, isBlocking, today } from '../guard/evaluate';
import { Exemption, EXEMPTION_ANNOTATION_PREFIX } from '../guard/exemption';
import { Finding, FindingStatus, ObjectEvaluation } from '../guard/finding';
import { InputError, LoadedManifest, readManifests } from '../guard/manifest-reader';
import { GuardReport } from '../guard/report';

// `cdk8s-hardened check`: the guard over YAML no cdk8s app produced. Not part of the jsii API.

export { InputError };
export type { LoadedManifest };

export type OutputFormat = 'text' | 'json' | 'sarif';

export interface CheckOptions {
  readonly format: OutputFormat;
  readonly pssVersion: PssVersion;
  /** The controls to evaluate (default: the whole catalog). */
  readonly profile?: Profile;
  readonly allowedRegistries?: string[];
  /** Paths in messages are relative to this directory. */
  readonly cwd: string;
  /**
   * Honour `exemptions.cdk8s-hardened.io/*` annotations. Default: true for the hardened profile; the PSS profiles
   * (restricted, baseline) never do, as Pod Security Admission knows no exemption annotation.
   */
  readonly annotationExemptions?: boolean;
}

export interface CheckResult {
  /** 0: no error; 1: errors; (2 is thrown as InputError). */
  readonly exitCode: number;
  readonly output: string;
  readonly report: GuardReport;
}


const YAML_FILE = /\.(ya?ml|json)$/i;

/** Every file to read: files as given, directories recursively (YAML and JSON files), in a stable order. */
export function inputFiles(paths: string[]): string[] {
  if (paths.length === 0) {
    throw new InputError('no input: give YAML files or directories, e.g. `cdk8s-hardened check dist/`');
  }
  const files: string[] = [];
  const visit = (p: string, explicit: boolean) => {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(p);
    } catch {
      throw new InputError(`${p}: no such file or directory`);
    }
    if (stat.isDirectory()) {
      for (const name of fs.readdirSync(p).sort()) visit(path.join(p, name), false);
    } else if (explicit || YAML_FILE.test(p)) {
      files.push(p);
    }
  };
  for (const p of paths) visit(p, true);
  if (files.length === 0) {
    throw new InputError(`no YAML or JSON files under ${paths.join(', ')}`);
  }
  return files;
}

/** The Kubernetes objects of YAML files, read as kubectl reads them (multi-document files and Lists flattened). */
export function loadManifests(files: string[], cwd: string): LoadedManifest[] {
  const manifests: LoadedManifest[] = [];
  for (const file of files) {
    const shown = path.relative(cwd, file) || file;
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf-8');
    } catch (e) {
      throw new InputError(`${shown}: cannot read: ${(e as Error).message}`);
    }
    manifests.push(...readManifests(text, shown));
  }
  return manifests;
}

/** Runs every control of the profile over the manifests as one set, honouring exemption annotations. */
export function check(manifests: LoadedManifest[], options: CheckOptions): CheckResult {
  const profile = options.profile ?? Profile.HARDENED;
  const controls = profile.controls;
  const honourAnnotations = profile === Profile.HARDENED && (options.annotationExemptions ?? true);
  const objects = manifests.map(m => m.json);
  const context: ControlContext = { pssVersion: options.pssVersion, allowedRegistries: options.allowedRegistries, objects };
  const now = today();
  const evaluations: ObjectEvaluation[] = [];
  const exemptionProblems: string[] = [];
  const allExemptions: Exemption[] = [];
  for (const manifest of manifests) {
    const where = `${manifest.file}:${manifest.line}`;
    const exemptions: Exemption[] = [];
    for (const [key, value] of Object.entries<any>(manifest.json.metadata?.annotations ?? {})) {
      if (!honourAnnotations || !key.startsWith(EXEMPTION_ANNOTATION_PREFIX)) continue;
      try {
        for (const exemption of Exemption._fromAnnotation(where, key, String(value), id => Controls.byId(id))) {
          allExemptions.push(exemption);
          if (exemption.isExpiredOn(now)) {
            exemptionProblems.push(`${where}: ${exemption.control.id}: exemption expired on ${exemption.expires} (reason: ${exemption.reason}); `
              + 'fix the finding and remove the annotation, or renew it after review');
          } else {
            exemptions.push(exemption);
          }
        }
      } catch (e) {
        exemptionProblems.push(`${(e as Error).message}`);
      }
    }
    const { evaluation } = evaluateManifest(manifest.json, context, exemptions, {
      constructPath: where, sourceFile: manifest.file, sourceLine: manifest.line,
    }, controls);
    evaluations.push(evaluation);
  }
  const used = new Set(evaluations.flatMap(e => e.findings).map(f => f.exemption));
  const report = GuardReport._fromEvaluations(evaluations, allExemptions.filter(e => !used.has(e)), profile);
  const failed = report.errorCount > 0 || exemptionProblems.length > 0;
  return { exitCode: failed ? 1 : 0, output: render(report, exemptionProblems, options.format), report };
}

function render(report: GuardReport, exemptionProblems: string[], format: OutputFormat): string {
  if (format === 'json') {
    return JSON.stringify({ ...report.toJson(), exemptionProblems }, undefined, 2);
  }
  if (format === 'sarif') {
    return JSON.stringify(report.toSarif(), undefined, 2);
  }
  const lines = report.findings
    .filter(f => f.status === FindingStatus.FAIL)
    .sort((a, b) => (isBlocking(b) ? 1 : 0) - (isBlocking(a) ? 1 : 0))
    .map(formatFinding);
  // Every finding an annotation exempted, with the reason it gives: a reviewer sees what the YAML waived.
  const exempted = report.findings
    .filter(f => f.status === FindingStatus.EXEMPT && f.exemption)
    .map(f => `${formatFinding(f)} [exempted by annotation: ${f.exemption!.reason}${f.exemption!.ticket ? ` (${f.exemption!.ticket})` : ''}]`);
  return [...lines, ...exemptionProblems, ...exempted, report.summary()].join('\n');
}

function formatFinding(f: Finding): string {
  const object = f.objectNamespace ? `${f.objectNamespace}/${f.name}` : f.name;
  const status = f.status === FindingStatus.EXEMPT ? 'exempted' : f.severity;
  return `${f.constructPath}: ${status} ${f.controlId}: ${f.kind} ${object} ${f.pointer}: ${f.message}; ${f.fix}`;
}
