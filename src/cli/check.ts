import * as fs from 'fs';
import * as path from 'path';
import { Controls } from '../controls/controls';
import { Control, ControlContext } from '../controls/core/control';
import { PodTemplateRecord, podTemplateRecordOf, REFERENCE_KINDS, referenceSet } from '../controls/core/manifest-index';
import { PssVersion } from '../controls/core/pss-version';
import { Profile } from '../controls/profile';
import { evaluateManifest, isBlocking, today } from '../guard/evaluate';
import { Exemption, EXEMPTION_ANNOTATION_PREFIX } from '../guard/exemption';
import { Finding, FindingStatus, ObjectEvaluation } from '../guard/finding';
import { InputError, LoadedManifest, readManifests } from '../guard/manifest-reader';
import { GuardReport } from '../guard/report';
import { detachedSource, ObjectSource, positionOf, releaseSource, SourcePosition } from '../guard/source-position';
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
    const text = readText(file, cwd);
    if (text instanceof InputError) throw text;
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
  const run = new CheckRun(options);
  const context = run.context(manifests.map(m => m.json));
  manifests.forEach((manifest, index) => {
    run.evaluate(index, manifest, context);
    // A file's manifests are consecutive: after its last one, its text and log are not needed any more.
    const source = manifest.source;
    if (source && options.releaseSources && manifests[index + 1]?.source?.document.file !== source.document.file) releaseSource(source);
  });
  return run.result();
}

/** What an object without exemption annotations has (shared: most objects). */
const NO_EXEMPTIONS = Object.freeze({
  exemptions: Object.freeze([]), problems: Object.freeze([]), all: Object.freeze([]),
}) as unknown as { exemptions: Exemption[]; problems: string[]; all: Exemption[] };

/**
 * One check's state: each object is evaluated on its own (`evaluate`, in any order, at its index in the input), its
 * findings located at once, and the result built from them all.
 */
class CheckRun {
  private readonly profile: Profile;
  /** The profile's controls, read once: `Profile.controls` builds its list on each read. */
  private readonly controls: Control[];
  private readonly honourAnnotations: boolean;
  private readonly now = today();
  private readonly evaluations: ObjectEvaluation[] = [];
  private readonly positions = new Map<Finding, SourcePosition>();
  /** Per object: its exemption annotations' problems and its exemptions, in input order. */
  private readonly exemptionProblems: string[][] = [];
  private readonly exemptions: Exemption[][] = [];

  constructor(private readonly options: CheckOptions) {
    this.profile = options.profile ?? Profile.HARDENED;
    this.controls = this.profile.controls;
    this.honourAnnotations = this.profile === Profile.HARDENED && (options.annotationExemptions ?? true);
  }

  /** The controls' context, with `objects` as the set cross-object controls read. */
  public context(objects: any[]): ControlContext {
    const { options } = this;
    return {
      pssVersion: options.pssVersion,
      allowedRegistries: options.allowedRegistries,
      requireImageDigests: options.requireImageDigests,
      objects,
      platform: options.platform,
    };
  }

  /** Evaluates the object at `index` of the input and locates its findings. */
  public evaluate(index: number, manifest: LoadedManifest, context: ControlContext): void {
    const where = `${manifest.file}:${manifest.line}`;
    const { exemptions, problems, all } = this.honourAnnotations ? this.exemptionsOf(manifest.json, where) : NO_EXEMPTIONS;
    const { evaluation } = evaluateManifest(manifest.json, context, exemptions, {
      constructPath: where, sourceFile: manifest.file, sourceLine: manifest.line,
    }, this.controls);
    this.evaluations[index] = { ...evaluation, applicableControls: interned(evaluation.applicableControls) };
    this.exemptionProblems[index] = problems;
    this.exemptions[index] = all;
    const source = manifest.source;
    if (source) for (const f of evaluation.findings) this.positions.set(f, positionOf(source, f.pointer));
  }

  /** The object's exemption annotations: those in force, the problems of the others, and all of them. */
  private exemptionsOf(json: any, where: string): { exemptions: Exemption[]; problems: string[]; all: Exemption[] } {
    const annotations = json.metadata?.annotations;
    if (annotations === null || typeof annotations !== 'object') return NO_EXEMPTIONS;
    const keys = Object.keys(annotations).filter(key => key.startsWith(EXEMPTION_ANNOTATION_PREFIX));
    if (keys.length === 0) return NO_EXEMPTIONS;
    const exemptions: Exemption[] = [];
    const problems: string[] = [];
    const all: Exemption[] = [];
    for (const key of keys) {
      try {
        for (const exemption of Exemption._fromAnnotation(where, key, String(annotations[key]), id => Controls.byId(id))) {
          all.push(exemption);
          if (exemption.isExpiredOn(this.now)) {
            problems.push(`${where}: ${exemption.control.id}: exemption expired on ${exemption.expires} (reason: ${exemption.reason}); `
              + 'fix the finding and remove the annotation, or renew it after review');
          } else {
            exemptions.push(exemption);
          }
        }
      } catch (e) {
        problems.push(`${(e as Error).message}`);
      }
    }
    return { exemptions, problems, all };
  }

  /** The result, once every object of the input is evaluated. */
  public result(): CheckResult {
    const { evaluations, positions, profile, options } = this;
    const exemptionProblems = this.exemptionProblems.flat();
    const allExemptions = this.exemptions.flat();
    const used = new Set<Exemption | undefined>();
    for (const e of evaluations) for (const f of e.findings) if (f.exemption) used.add(f.exemption);
    // An exemption of a control the profile does not evaluate is not "unused": it was not asked about.
    const inProfile = new Set(this.controls.map(c => c.id));
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
}

/**
 * `check` over files, parsed one at a time: what the CLI runs. The objects cross-object controls read of others
 * (REFERENCE_KINDS) are collected first, from the documents that can hold them; then each file is parsed with
 * positions, its objects evaluated against those and located, and its parse dropped. Objects judged against every pod
 * template of the input (NetworkPolicies) are evaluated last. Same result as `check(loadManifests(files))`, without
 * holding every object and every file's positions at once.
 */
export function checkFiles(files: string[], options: CheckOptions): CheckResult {
  const run = new CheckRun(options);
  // Each file is read once, up front: the references and the objects judged against them come from one reading of it
  // (a file rewritten during the check cannot show one text to each pass). A file that cannot be read fails the
  // check where the file-by-file read reaches it, after any error before it.
  const texts = files.map(file => readText(file, options.cwd));
  const { references, failure: referenceFailure } = referencesOf(files, texts, options.cwd);
  const context = run.context(referenceSet(references));
  const podTemplates: PodTemplateRecord[] = [];
  const deferred: Array<{ index: number; manifest: LoadedManifest }> = [];
  // An internal error while evaluating is thrown once every file is read, so bad input anywhere is reported first,
  // as when every file was read before any object was evaluated.
  let failure: unknown = undefined;
  let index = 0;
  files.forEach((file, f) => {
    const text = texts[f];
    if (text instanceof InputError) throw text;
    const manifests = readManifests(text, displayPath(options.cwd, file), { locate: true });
    texts[f] = '';
    // The deferred objects of a document share one copy of it (a List of many NetworkPolicies is one document).
    const detached = new Map<unknown, ObjectSource>();
    for (const manifest of manifests) {
      const record = podTemplateRecordOf(manifest.json);
      if (record) podTemplates.push(record);
      if (NEEDS_EVERY_POD_TEMPLATE.some(c => c.appliesTo(manifest.json, context))) {
        deferred.push({ index, manifest: { ...manifest, source: manifest.source && detachedOnce(manifest.source, detached) } });
      } else if (failure === undefined) {
        try {
          run.evaluate(index, manifest, context);
        } catch (e) {
          failure = e;
        }
      }
      index++;
    }
    if (manifests[0]?.source) releaseSource(manifests[0].source);
  });
  // The full read raises what the reference pass met, where it is; anything else it met is raised now.
  if (failure === undefined) failure = referenceFailure;
  if (failure !== undefined) throw failure;
  const complete = run.context(referenceSet(references, podTemplates));
  for (const { index: at, manifest } of deferred) run.evaluate(at, manifest, complete);
  return run.result();
}

/** `source` with its document detached (detachedSource), one copy per document: `copies` maps documents to theirs. */
export function detachedOnce(source: ObjectSource, copies: Map<unknown, ObjectSource>): ObjectSource {
  let copy = copies.get(source.document);
  if (copy === undefined) copies.set(source.document, copy = detachedSource(source));
  return { ...source, document: copy.document };
}

/** Controls that judge an object against the pod templates of the whole input: their objects are evaluated last. */
const NEEDS_EVERY_POD_TEMPLATE = ['network-policy-targets'].map(id => Controls.byId(id));

/** A file's text, or why it cannot be used: unreadable, or not UTF-8 (kubectl refuses it; no replacement characters). */
function readText(file: string, cwd: string): string | InputError {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    return new InputError(`${displayPath(cwd, file)}: cannot read: ${(e as Error).message}`);
  }
  try {
    return UTF8.decode(bytes);
  } catch {
    return new InputError(`${displayPath(cwd, file)}: not valid UTF-8: kubectl refuses the file; save it as UTF-8`);
  }
}
/** Strict: invalid bytes fail (not U+FFFD); a byte order mark is kept, for the reader to handle as kubectl does. */
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * The objects of REFERENCE_KINDS in the files, in input order. Only documents whose text names one of those kinds (or
 * holds a backslash, which a double-quoted scalar could spell a kind with) are parsed: a kind is compared as written,
 * so an object of one of them cannot come from a document without its name. What fails here (bad YAML) is left to
 * the full read, which reports it where it is, in input order.
 */
function referencesOf(files: string[], texts: Array<string | InputError>, cwd: string): { references: any[]; failure?: unknown } {
  const names = REFERENCE_KINDS.map(r => r.kind);
  const mayHold = (text: string) => text.includes('\\') || names.some(name => text.includes(name));
  const references: any[] = [];
  let failure: unknown = undefined;
  files.forEach((file, f) => {
    const text = texts[f];
    if (failure !== undefined || text instanceof InputError || !mayHold(text)) return;
    try {
      for (const m of readManifests(text, displayPath(cwd, file), { documents: mayHold })) {
        if (names.includes(m.json.kind)) references.push(m.json);
      }
    } catch (e) {
      failure = e;
    }
  });
  return { references, failure };
}

/**
 * One shared array per distinct list of applicable controls: most objects of an input share a few such lists, and a
 * list per object was a fifth of the check CLI's memory on a pipeline's input. Shared arrays are frozen. The CLI's
 * own evaluations only: the guard's are the API's (GuardReport), each with its own list.
 */
function interned(ids: string[]): string[] {
  // Looked up by a hash of the ids (no key string built per object), compared in full.
  let hash = ids.length;
  for (const id of ids) hash = (hash * 31 + (ID_HASHES.get(id) ?? idHash(id))) % HASH_MODULUS;
  const bucket = APPLIED_LISTS.get(hash);
  const shared = bucket?.find(list => list.length === ids.length && list.every((id, i) => id === ids[i]));
  if (shared) return shared;
  if (interning >= MAX_INTERNED) return ids;
  interning++;
  const frozen = Object.freeze(ids) as string[];
  if (bucket) bucket.push(frozen); else APPLIED_LISTS.set(hash, [frozen]);
  return frozen;
}
const APPLIED_LISTS = new Map<number, string[][]>();
const ID_HASHES = new Map<string, number>();
let interning = 0;
/** A prime: hashes stay exact integers (31 x it is far below 2^53). */
const HASH_MODULUS = 1_000_000_007;

function idHash(id: string): number {
  let hash = 0;
  for (let i = 0; i < id.length; i++) hash = (hash * 31 + id.charCodeAt(i)) % HASH_MODULUS;
  ID_HASHES.set(id, hash);
  return hash;
}
/** Distinct lists are few (one per combination of kinds and features); a bound keeps an odd input from growing it. */
const MAX_INTERNED = 10_000;

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
