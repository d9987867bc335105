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
import { positionOf, releaseSource, SourcePosition } from '../guard/source-position';
import { Platform } from '../platforms/platform';

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
  /** `image-digest` is an error (an image policy that requires digests). */
  readonly requireImageDigests?: boolean;
  /** The platform the manifests run on (default: generic). */
  readonly platform?: Platform;
  /** Paths in messages are relative to this directory. */
  readonly cwd: string;
  /**
   * Honour `exemptions.cdk8s-hardened.io/*` annotations. Default: true for the hardened profile; the PSS profiles
   * (restricted, baseline) never do, as Pod Security Admission knows no exemption annotation.
   */
  readonly annotationExemptions?: boolean;
  /**
   * Release each file's text and parse log once its objects' findings are located (releaseSource): the manifests
   * cannot be checked again. For the CLI, whose peak memory is otherwise every file's text and log at once.
   * @default false
   */
  readonly releaseSources?: boolean;
}

export interface CheckResult {
  /** 0: no error; 1: errors; (2 is thrown as InputError). */
  readonly exitCode: number;
  /** The rendered report (built when read: `writeOutput` writes it without holding all of it). */
  readonly output: string;
  readonly report: GuardReport;
  /** Writes `output` in pieces of about OUTPUT_PIECE characters. */
  writeOutput(write: (text: string) => void): void;
}

/**
 * How much output is written at once. The text output of a pipeline's input runs to tens of megabytes (a line per
 * finding): built as one string, it was held two or three times over (the lines, the joined text, its bytes).
 */
const OUTPUT_PIECE = 1_048_576;


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
    const shown = displayPath(cwd, file);
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf-8');
    } catch (e) {
      throw new InputError(`${shown}: cannot read: ${(e as Error).message}`);
    }
    manifests.push(...readManifests(text, shown, { locate: true }));
  }
  return manifests;
}

/**
 * A file as messages and reports show it: relative to the working directory when it is below it, else absolute
 * (never `..`: SARIF viewers and code scanning do not resolve it).
 */
export function displayPath(cwd: string, file: string): string {
  const absolute = path.resolve(cwd, file);
  const relative = path.relative(cwd, absolute);
  return relative === '' || relative === '..' || relative.startsWith(`..${path.sep}`) || path.isAbsolute(relative) ? absolute : relative;
}

/** Runs every control of the profile over the manifests as one set, honouring exemption annotations. */
export function check(manifests: LoadedManifest[], options: CheckOptions): CheckResult {
  const profile = options.profile ?? Profile.HARDENED;
  const controls = profile.controls;
  const honourAnnotations = profile === Profile.HARDENED && (options.annotationExemptions ?? true);
  const objects = manifests.map(m => m.json);
  const context: ControlContext = {
    pssVersion: options.pssVersion,
    allowedRegistries: options.allowedRegistries,
    requireImageDigests: options.requireImageDigests,
    objects,
    platform: options.platform,
  };
  const now = today();
  const evaluations: ObjectEvaluation[] = [];
  const positions = new Map<Finding, SourcePosition>();
  const exemptionProblems: string[] = [];
  const allExemptions: Exemption[] = [];
  manifests.forEach((manifest, index) => {
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
    const source = manifest.source;
    if (source) {
      for (const f of evaluation.findings) positions.set(f, positionOf(source, f.pointer));
      // A file's manifests are consecutive: after its last one, its text and log are not needed any more.
      if (options.releaseSources && manifests[index + 1]?.source?.document.file !== source.document.file) releaseSource(source);
    }
  });
  const used = new Set<Exemption | undefined>();
  for (const e of evaluations) for (const f of e.findings) if (f.exemption) used.add(f.exemption);
  // An exemption of a control the profile does not evaluate is not "unused": it was not asked about.
  const inProfile = new Set(controls.map(c => c.id));
  const unused = allExemptions.filter(e => !used.has(e) && inProfile.has(e.control.id));
  const locate = (_e: ObjectEvaluation, f: Finding): SourcePosition | undefined => positions.get(f);
  const report = GuardReport._fromEvaluations(evaluations, unused, profile, locate);
  const failed = report.errorCount > 0 || exemptionProblems.length > 0;
  const pieces = () => render(report, exemptionProblems, options.format, locate);
  return {
    exitCode: failed ? 1 : 0,
    report,
    get output() {
      return [...pieces()].join('');
    },
    writeOutput(write) {
      let buffered = '';
      for (const piece of pieces()) {
        buffered += piece;
        if (buffered.length >= OUTPUT_PIECE) {
          write(buffered);
          buffered = '';
        }
      }
      if (buffered !== '') write(buffered);
    },
  };
}

type Locate = (e: ObjectEvaluation, f: Finding) => SourcePosition | undefined;

/** The output as it is rendered, in pieces: the text format's lines (between line breaks), the JSON and SARIF texts. */
function* render(report: GuardReport, exemptionProblems: string[], format: OutputFormat, locate: Locate): Generator<string> {
  if (format === 'json') {
    yield* report._jsonPieces({ exemptionProblems });
    return;
  }
  if (format === 'sarif') {
    yield* report._sarifPieces();
    return;
  }
  let first = true;
  for (const line of textLines(report, exemptionProblems, locate)) {
    yield first ? line : `\n${line}`;
    first = false;
  }
}

/** The text format's lines. */
function* textLines(report: GuardReport, exemptionProblems: string[], locate: Locate): Generator<string> {
  // Failed findings, blocking ones first, each group in evaluation order (one pass per group: no list of them all).
  for (const blocking of [true, false]) {
    for (const e of report.evaluations) {
      for (const f of e.findings) {
        if (f.status === FindingStatus.FAIL && isBlocking(f) === blocking) yield formatFinding(e, f, locate);
      }
    }
  }
  yield* exemptionProblems;
  // Every finding an annotation exempted, with the reason it gives: a reviewer sees what the YAML waived.
  for (const e of report.evaluations) {
    for (const f of e.findings) {
      if (f.status !== FindingStatus.EXEMPT || !f.exemption) continue;
      yield `${formatFinding(e, f, locate)} [exempted by annotation: ${f.exemption.reason}${f.exemption.ticket ? ` (${f.exemption.ticket})` : ''}]`;
    }
  }
  // Every failed finding is listed above: the summary's table and totals only.
  yield report._summary(false, exemptionProblems.length);
}

/** `file:line:column: severity control: object pointer: message; fix`, at the finding's field (editors jump there). */
function formatFinding(e: ObjectEvaluation, f: Finding, locate: Locate): string {
  const object = f.objectNamespace ? `${f.objectNamespace}/${f.name}` : f.name;
  const status = f.status === FindingStatus.EXEMPT ? 'exempted' : f.severity;
  const position = locate(e, f);
  const where = position ? `${e.sourceFile}:${position.line}:${position.column}` : f.constructPath;
  return `${where}: ${status} ${f.controlId}: ${f.kind} ${object} ${f.pointer}: ${f.message}; ${f.fix}`;
}
