import * as fs from 'fs';
import * as path from 'path';
import * as jsYaml from 'js-yaml';
import { Controls } from '../controls/controls';
import { ControlContext } from '../controls/core/control';
import { PssVersion } from '../controls/core/pss-version';
import { Profile } from '../controls/profile';
import { evaluateManifest, isBlocking, today } from '../guard/evaluate';
import { Exemption, EXEMPTION_ANNOTATION_PREFIX } from '../guard/exemption';
import { Finding, FindingStatus, ObjectEvaluation } from '../guard/finding';
import { GuardReport } from '../guard/report';

// `cdk8s-hardened check`: the guard over YAML no cdk8s app produced. Not part of the jsii API.

/** Input the check cannot use (unreadable path, bad YAML, not a Kubernetes object): exit code 2. */
export class InputError extends Error {}

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

/** One Kubernetes object read from a file. */
export interface LoadedManifest {
  readonly json: any;
  readonly file: string;
  readonly line: number;
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

/**
 * YAML 1.2 core schema (no timestamps: a date stays the string it is in the file, as Kubernetes sees it) plus merge
 * keys (`<<`): kubectl applies them, so a field merged in from an anchor must be checked like any other.
 */
// `types` is exported by js-yaml 4 but missing from @types/js-yaml.
const YAML_SCHEMA = jsYaml.CORE_SCHEMA.extend({ implicit: [(jsYaml as unknown as { types: { merge: jsYaml.Type } }).types.merge] });
/** A line that starts a YAML document. The spec forbids it inside any scalar, so splitting here is exact. */
const DOCUMENT_START = /^---(?=[ \t\r\n]|$)/;
/** Aliases may not expand a document beyond this many nodes (a "billion laughs" file would exhaust the checker). */
const MAX_EXPANDED_NODES = 1_000_000;

/** The Kubernetes objects of YAML files (multi-document files and `List` kinds flattened). */
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
    for (const chunk of documentChunks(text)) {
      let documents: unknown[];
      try {
        documents = jsYaml.loadAll(chunk.text, undefined, { schema: YAML_SCHEMA, filename: shown });
      } catch (e) {
        const mark = (e as jsYaml.YAMLException).mark;
        const reason = (e as jsYaml.YAMLException).reason ?? (e as Error).message;
        throw new InputError(`${shown}:${chunk.firstLine + (mark?.line ?? 0)}: invalid YAML: ${reason}`);
      }
      for (const json of documents) {
        if (json === null || json === undefined) continue; // empty document
        const where = `${shown}:${chunk.contentLine}`;
        checkExpandedSize(json, where);
        for (const item of flattenList(json, where)) {
          manifests.push({ json: item, file: shown, line: chunk.contentLine });
        }
      }
    }
  }
  return manifests;
}

/** One document of a file: its text, the file line it starts on, and the line of its first content. */
interface DocumentChunk {
  readonly text: string;
  readonly firstLine: number;
  readonly contentLine: number;
}

/**
 * A multi-document file split at its `---` lines, so each document is parsed with its own line numbers. The marker's
 * own line is kept blank (content after it, `--- {...}`, stays on that line), so reported lines match the file.
 */
function documentChunks(text: string): DocumentChunk[] {
  const marker = new RegExp(DOCUMENT_START.source, 'gm');
  const starts = [0];
  for (let m = marker.exec(text); m; m = marker.exec(text)) if (m.index > 0) starts.push(m.index);
  const chunks: DocumentChunk[] = [];
  let line = 1;
  starts.forEach((offset, k) => {
    const raw = text.slice(offset, starts[k + 1] ?? text.length);
    const body = DOCUMENT_START.test(raw) ? `   ${raw.slice(3)}` : raw;
    const content = /^[ \t]*[^ \t\r\n#]/m.exec(body);
    const contentLine = line + (content ? countNewlines(body, content.index) : 0);
    chunks.push({ text: body, firstLine: line, contentLine });
    line += countNewlines(raw, raw.length);
  });
  return chunks;
}

function countNewlines(text: string, end: number): number {
  let count = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < end; i = text.indexOf('\n', i + 1)) count++;
  return count;
}

/**
 * Refuses a document whose aliases expand it beyond MAX_EXPANDED_NODES (each shared node counted per use), or that
 * contains itself through an alias (no Kubernetes object can).
 */
function checkExpandedSize(json: unknown, where: string): void {
  const sizes = new Map<object, number>();
  const open = new Set<object>();
  const sizeOf = (node: unknown): number => {
    if (node === null || typeof node !== 'object') return 1;
    const known = sizes.get(node);
    if (known !== undefined) return known;
    if (open.has(node)) throw new InputError(`${where}: the document contains itself through a YAML alias; expand the alias`);
    open.add(node);
    let size = 1;
    for (const child of Object.values(node)) size += sizeOf(child);
    open.delete(node);
    sizes.set(node, size);
    return size;
  };
  const total = sizeOf(json);
  if (total > MAX_EXPANDED_NODES) {
    throw new InputError(`${where}: YAML aliases expand this document to ${total} nodes (more than ${MAX_EXPANDED_NODES}); `
      + 'expand the aliases, or split the document');
  }
}

/**
 * The objects kubectl applies from one document. kubectl decodes any object with an `items` field as a List (whatever
 * its kind: a ConfigMap with `items: [<Pod>]` is applied as that Pod) and applies its items, recursively.
 */
function flattenList(json: any, where: string): any[] {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new InputError(`${where}: document is not a Kubernetes object (expected a mapping with apiVersion and kind)`);
  }
  if (json.items !== undefined && json.items !== null) {
    if (!Array.isArray(json.items)) {
      throw new InputError(`${where}: items is ${typeof json.items}, not a list; kubectl reads an object with items as a List of objects`);
    }
    return json.items.flatMap((item: any, i: number) => flattenList(item, `${where} items[${i}]`));
  }
  if (typeof json.kind !== 'string' || typeof json.apiVersion !== 'string') {
    throw new InputError(`${where}: document is not a Kubernetes object: it has no ${typeof json.kind !== 'string' ? 'kind' : 'apiVersion'}`);
  }
  return [json];
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
