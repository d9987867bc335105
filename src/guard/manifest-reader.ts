import * as jsYaml from 'js-yaml';
import { ComposedNodeRecorder, DocumentText, ObjectSource } from './source-position';

// Reads Kubernetes YAML the way kubectl does, for the check CLI and for the guard's read-back of what it wrote.
// kubectl reads YAML 1.1 (go-yaml v2 through sigs.k8s.io/yaml); js-yaml reads YAML 1.2. Where the two would read one
// text differently, this reader either reads it as kubectl does (plain scalars) or refuses it (line breaks).

/** Input that cannot be used as Kubernetes objects (bad YAML, not an object, a divergent reading): exit code 2. */
export class InputError extends Error {}

/** One Kubernetes object read from a text. */
export interface LoadedManifest {
  readonly json: any;
  /** The file (or text) name, as shown in messages. */
  readonly file: string;
  /** The line of the document's first content. */
  readonly line: number;
  /** Where the object is in the text, to locate its fields (`positionOf`) when they have findings. */
  readonly source?: ObjectSource;
}

// Plain scalars as go-yaml v2 resolves them (resolve.go): YAML 1.1 booleans and nulls, Go's integer syntax after
// removing underscores (0x hex, 0b binary, 0o and leading-zero octal), and floats. `privileged: yes` is true for
// kubectl; YAML 1.2 would read the string "yes", which no control treats as true.
const BOOL_TRUE = new Set(['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON']);
const BOOL_FALSE = new Set(['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF']);
const NULLS = new Set(['', '~', 'null', 'Null', 'NULL']);
const GO_INT = /^[-+]?(0[xX][0-9a-fA-F]+|0[bB][01]+|0[oO]?[0-7]+|[1-9][0-9]*|0)$/;
const YAML_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const SPECIAL_FLOATS = new Map<string, number>([
  ['.inf', Infinity], ['.Inf', Infinity], ['.INF', Infinity],
  ['+.inf', Infinity], ['+.Inf', Infinity], ['+.INF', Infinity],
  ['-.inf', -Infinity], ['-.Inf', -Infinity], ['-.INF', -Infinity],
  ['.nan', NaN], ['.NaN', NaN], ['.NAN', NaN],
]);

/**
 * Whether a plain scalar may be a number: go-yaml v2 only tries numbers for scalars starting with a digit, a sign or
 * a dot (so `_1` is a string). js-yaml asks every resolver about every plain scalar, keys included: this keeps the
 * common case (words) to one comparison.
 */
function mayBeNumber(d: string): boolean {
  const c = d.charCodeAt(0);
  return (c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2d || c === 0x2e; // 0-9 + - .
}

function goInt(text: string): number {
  const plain = text.replace(/_/g, '');
  const sign = plain.startsWith('-') ? -1 : 1;
  const digits = plain.replace(/^[-+]/, '');
  const [base, body] = /^0[xX]/.test(digits) ? [16, digits.slice(2)] : /^0[bB]/.test(digits) ? [2, digits.slice(2)]
    : /^0[oO]/.test(digits) ? [8, digits.slice(2)] : /^0[0-7]/.test(digits) ? [8, digits.slice(1)] : [10, digits];
  return sign * parseInt(body, base);
}

const KUBECTL_TYPES = [
  new jsYaml.Type('tag:yaml.org,2002:null', {
    // Length first: js-yaml asks about every plain scalar, keys included, and the words are short.
    kind: 'scalar', resolve: (d: string) => d.length <= 4 && NULLS.has(d), construct: () => null, predicate: (v: unknown) => v === null,
  }),
  new jsYaml.Type('tag:yaml.org,2002:bool', {
    kind: 'scalar',
    resolve: (d: string) => d.length <= 5 && (BOOL_TRUE.has(d) || BOOL_FALSE.has(d)),
    construct: (d: string) => BOOL_TRUE.has(d),
    predicate: (v: unknown) => typeof v === 'boolean',
  }),
  new jsYaml.Type('tag:yaml.org,2002:int', {
    kind: 'scalar',
    resolve: (d: string) => mayBeNumber(d) && GO_INT.test(d.replace(/_/g, '')),
    construct: goInt,
    predicate: (v: unknown) => typeof v === 'number' && Number.isInteger(v),
  }),
  new jsYaml.Type('tag:yaml.org,2002:float', {
    kind: 'scalar',
    resolve: (d: string) => mayBeNumber(d) && (SPECIAL_FLOATS.has(d) || YAML_FLOAT.test(d.replace(/_/g, ''))),
    construct: (d: string) => SPECIAL_FLOATS.get(d) ?? parseFloat(d.replace(/_/g, '')),
    predicate: (v: unknown) => typeof v === 'number',
  }),
];

/**
 * Strings, sequences and mappings, kubectl's plain scalars (no timestamps: go-yaml hands a date to kubectl as the
 * string it is), and merge keys (`<<`), which kubectl applies. Any other tag (`!!binary`, `!custom`) is refused.
 */
// `types` is exported by js-yaml 4 but missing from @types/js-yaml.
const KUBECTL_SCHEMA = jsYaml.FAILSAFE_SCHEMA.extend({
  implicit: [...KUBECTL_TYPES, (jsYaml as unknown as { types: { merge: jsYaml.Type } }).types.merge],
});
/** A line that starts a YAML document. The spec forbids it inside any scalar, so splitting here is exact. */
const DOCUMENT_START = /^---(?=[ \t\r\n]|$)/;
/** Aliases may not expand a document beyond this many nodes (a "billion laughs" file would exhaust the checker). */
const MAX_EXPANDED_NODES = 1_000_000;
/**
 * Nor nest it deeper than its text may (js-yaml's limit, 100 levels): every reader of the objects walks them
 * recursively, and aliases chained thousands of levels deep would exhaust the stack (a crash, not a finding).
 */
const MAX_EXPANDED_DEPTH = 100;
/** Line breaks in YAML 1.1 (so for kubectl) that are ordinary characters in YAML 1.2: NEL, LS, PS. */
const YAML11_ONLY_BREAKS = /[\u0085\u2028\u2029]/;

/**
 * The Kubernetes objects of one YAML text (multi-document, Lists flattened), as kubectl reads them.
 * @param text the file's content
 * @param shown the name used in messages and in each LoadedManifest (e.g. a path relative to the working directory)
 * @param options `locate`: record where each node is, so that each LoadedManifest has a `source` (positionOf);
 *   `documents`: read only the documents whose text it accepts (the others are not parsed at all)
 * @throws InputError naming `shown:line` for text kubectl would read differently, bad YAML, or a non-object
 */
export function readManifests(
  text: string, shown: string, options: { locate?: boolean; documents?: (text: string) => boolean } = {},
): LoadedManifest[] {
  refuseDivergentBreaks(text, shown);
  const manifests: LoadedManifest[] = [];
  // One log and one copy of the text per file, shared by its documents.
  const recorder = options.locate ? new ComposedNodeRecorder() : undefined;
  const file: DocumentText['file'] = { text };
  for (const chunk of documentChunks(text)) {
    if (options.documents && !options.documents(chunk.text)) continue;
    let documents: unknown[];
    const firstNode = recorder?.count ?? 0;
    try {
      documents = jsYaml.loadAll(chunk.text, undefined, { schema: KUBECTL_SCHEMA, filename: shown, listener: recorder?.listener });
    } catch (e) {
      const mark = (e as jsYaml.YAMLException).mark;
      const reason = (e as jsYaml.YAMLException).reason ?? (e as Error).message;
      throw new InputError(`${shown}:${chunk.firstLine + (mark?.line ?? 0)}: invalid YAML: ${reason}`);
    }
    const document: DocumentText | undefined = recorder ? {
      file,
      offset: chunk.offset,
      length: chunk.text.length,
      blanked: chunk.blanked,
      firstLine: chunk.firstLine,
      firstNode,
      endNode: recorder.count,
      schema: KUBECTL_SCHEMA,
    } : undefined;
    documents.forEach((json, documentIndex) => {
      if (json === null || json === undefined) return; // empty document
      const where = `${shown}:${chunk.contentLine}`;
      // Only an alias (`*name`) can expand a document or make it contain itself.
      if (chunk.text.includes('*')) checkExpandedSize(json, where);
      for (const item of flattenList(json, where, '')) {
        manifests.push({
          json: item.json, file: shown, line: chunk.contentLine, source: document ? { document, documentIndex, pointer: item.pointer } : undefined,
        });
      }
    });
  }
  if (recorder) file.log = recorder.take();
  return manifests;
}

/**
 * Refuses NEL, LS and PS anywhere: kubectl breaks lines there and js-yaml does not, so `# note<NEL>privileged: true`
 * is a comment to one and a field to the other. Normalising would mean re-implementing YAML 1.1's folding rules in
 * every context (comments, quoted and block scalars); no real manifest needs these characters raw (escape them
 * in a double-quoted string: "\u2028").
 */
function refuseDivergentBreaks(text: string, shown: string): void {
  const found = YAML11_ONLY_BREAKS.exec(text);
  if (!found) return;
  const before = text.slice(0, found.index);
  const line = countNewlines(before, before.length) + 1;
  const column = found.index - before.lastIndexOf('\n');
  const code = found[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
  throw new InputError(`${shown}:${line}:${column}: character U+${code} is a line break for kubectl (YAML 1.1) but not for `
    + 'YAML 1.2 readers, so the two read different objects; remove it, or write it escaped inside a double-quoted string ("\\u'
    + `${code.toLowerCase()}")`);
}

/** One document of a text: its text, the line it starts on, and the line of its first content. */
interface DocumentChunk {
  /** The document's text as parsed: `---` blanked. */
  readonly text: string;
  /** Where it is in the file's text, and how many of its first characters are blanked. */
  readonly offset: number;
  readonly blanked: number;
  readonly firstLine: number;
  readonly contentLine: number;
}

/**
 * A multi-document text split at its `---` lines, so each document is parsed with its own line numbers. The marker's
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
    const blanked = DOCUMENT_START.test(raw) ? 3 : 0;
    const body = blanked ? `   ${raw.slice(3)}` : raw;
    const content = /^[ \t]*[^ \t\r\n#]/m.exec(body);
    const contentLine = line + (content ? countNewlines(body, content.index) : 0);
    chunks.push({ text: body, offset, blanked, firstLine: line, contentLine });
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
  const measured = new Map<object, { size: number; height: number }>();
  const open = new Set<object>();
  const tooDeep = () => new InputError(`${where}: YAML aliases nest this document deeper than ${MAX_EXPANDED_DEPTH} levels (the `
    + 'most its text may nest); expand the aliases');
  // `depth` is how deep `node` sits: checked before going deeper, so no nesting can exhaust the stack.
  const measure = (node: unknown, depth: number): { size: number; height: number } => {
    if (node === null || typeof node !== 'object') return SCALAR;
    if (depth > MAX_EXPANDED_DEPTH) throw tooDeep();
    let known = measured.get(node);
    if (known === undefined) {
      if (open.has(node)) throw new InputError(`${where}: the document contains itself through a YAML alias; expand the alias`);
      open.add(node);
      known = { size: 1, height: 1 };
      for (const child of Object.values(node)) {
        const { size, height } = measure(child, depth + 1);
        known.size += size;
        known.height = Math.max(known.height, height + 1);
      }
      open.delete(node);
      measured.set(node, known);
    }
    // A node measured where it sat higher may sit deeper here (an alias).
    if (depth + known.height - 1 > MAX_EXPANDED_DEPTH) throw tooDeep();
    return known;
  };
  const total = measure(json, 1).size;
  if (total > MAX_EXPANDED_NODES) {
    throw new InputError(`${where}: YAML aliases expand this document to ${total} nodes (more than ${MAX_EXPANDED_NODES}); `
      + 'expand the aliases, or split the document');
  }
}
const SCALAR = { size: 1, height: 0 };

/**
 * The objects kubectl applies from one document. kubectl decodes any object with an `items` field as a List (whatever
 * its kind: a ConfigMap with `items: [<Pod>]` is applied as that Pod) and applies its items, recursively.
 */
function flattenList(json: any, where: string, pointer: string): { json: any; pointer: string }[] {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new InputError(`${where}: document is not a Kubernetes object (expected a mapping with apiVersion and kind)`);
  }
  if (json.items !== undefined && json.items !== null) {
    if (!Array.isArray(json.items)) {
      throw new InputError(`${where}: items is ${typeof json.items}, not a list; kubectl reads an object with items as a List of objects`);
    }
    return json.items.flatMap((item: any, i: number) => flattenList(item, `${where} items[${i}]`, `${pointer}/items/${i}`));
  }
  if (typeof json.kind !== 'string' || typeof json.apiVersion !== 'string') {
    throw new InputError(`${where}: document is not a Kubernetes object: it has no ${typeof json.kind !== 'string' ? 'kind' : 'apiVersion'}`);
  }
  return [{ json, pointer }];
}
