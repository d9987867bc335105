import * as jsYaml from 'js-yaml';
import { documentChunks, InputError, kubectlReadsJson, lineAndColumn, refuseDivergentCharacters, refuseDivergentNodes } from './kubectl-reading';
import { ComposedNodeRecorder, DocumentText, ObjectSource } from './source-position';
import { canonicalJson } from '../controls/core/json';

// Reads Kubernetes YAML the way kubectl does, for the check CLI and for the guard's read-back of what it wrote.
// kubectl reads YAML 1.1 (go-yaml v2 through sigs.k8s.io/yaml); js-yaml reads YAML 1.2. Where the two would read one
// text differently, this reader either reads it as kubectl does (plain scalars) or refuses it (kubectl-reading).

export { InputError };

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

/** The sign, base and digits of an integer in Go's syntax (underscores removed). */
function goIntParts(plain: string): { negative: boolean; base: number; body: string } {
  const digits = plain.replace(/^[-+]/, '');
  const [base, body] = /^0[xX]/.test(digits) ? [16, digits.slice(2)] : /^0[bB]/.test(digits) ? [2, digits.slice(2)]
    : /^0[oO]/.test(digits) ? [8, digits.slice(2)] : /^0[0-7]/.test(digits) ? [8, digits.slice(1)] : [10, digits];
  return { negative: plain.startsWith('-'), base, body };
}

function goInt(text: string): number {
  const { negative, base, body } = goIntParts(text.replace(/_/g, ''));
  return (negative ? -1 : 1) * parseInt(body, base);
}

/**
 * Whether go-yaml v2 reads the integer as one: Go's ParseInt (64-bit) or ParseUint (64-bit unsigned). Beyond those a
 * decimal is read as a float (the float type takes it) and any other base as a string (`0x` and 20 hex digits).
 */
function inGoIntRange(plain: string): boolean {
  if (plain.length <= 15) return true;
  const { negative, base, body } = goIntParts(plain);
  const prefix = base === 16 ? '0x' : base === 8 ? '0o' : base === 2 ? '0b' : '';
  const magnitude = BigInt(prefix + body);
  return negative ? magnitude <= BigInt('9223372036854775808') : magnitude <= BigInt('18446744073709551615');
}

/**
 * A float as go-yaml v2 reads one, or undefined: text starting with a dot goes to Go's ParseFloat as written (so `._5`
 * is a string), other text without its underscores and only in YAML's float form; an overflow (`1e309`) is an error
 * to ParseFloat, so the text stays a string.
 */
function goFloat(d: string): number | undefined {
  const plain = d.charCodeAt(0) === 0x2e ? d : d.replace(/_/g, '');
  if (!YAML_FLOAT.test(plain)) return undefined;
  const value = parseFloat(plain);
  return Number.isFinite(value) ? value : undefined;
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
    resolve: (d: string) => {
      if (!mayBeNumber(d)) return false;
      const plain = d.replace(/_/g, '');
      return GO_INT.test(plain) && inGoIntRange(plain);
    },
    construct: goInt,
    predicate: (v: unknown) => typeof v === 'number' && Number.isInteger(v),
  }),
  new jsYaml.Type('tag:yaml.org,2002:float', {
    kind: 'scalar',
    resolve: (d: string) => mayBeNumber(d) && (SPECIAL_FLOATS.has(d) || goFloat(d) !== undefined),
    construct: (d: string) => SPECIAL_FLOATS.get(d) ?? goFloat(d)!,
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
/** Aliases may not expand a document beyond this many nodes (a "billion laughs" file would exhaust the checker). */
const MAX_EXPANDED_NODES = 1_000_000;
/**
 * Nor nest it deeper than its text may (js-yaml's limit, 100 levels): every reader of the objects walks them
 * recursively, and aliases chained thousands of levels deep would exhaust the stack (a crash, not a finding).
 */
const MAX_EXPANDED_DEPTH = 100;

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
  refuseDivergentCharacters(text, shown);
  const json = kubectlReadsJson(text) ? jsonValueOf(text, shown) : undefined;
  const manifests: LoadedManifest[] = [];
  // Every parse is recorded: the checks of kubectl's reading read its nodes. One log and one copy of the text per
  // file, shared by its documents, kept when `locate` asks for them.
  const recorder = new ComposedNodeRecorder();
  const file: DocumentText['file'] = { text };
  const chunks = json === undefined ? documentChunks(text, shown) : [{ text, offset: 0, blanked: 0, firstLine: 1, contentLine: 1 }];
  for (const chunk of chunks) {
    if (options.documents && !options.documents(chunk.text)) continue;
    let documents: unknown[];
    const firstNode = recorder.count;
    try {
      documents = jsYaml.loadAll(chunk.text, undefined, { schema: KUBECTL_SCHEMA, filename: shown, listener: recorder.listener });
    } catch (e) {
      const mark = (e as jsYaml.YAMLException).mark;
      const reason = (e as jsYaml.YAMLException).reason ?? (e as Error).message;
      throw new InputError(`${shown}:${chunk.firstLine + (mark?.line ?? 0)}: invalid YAML: ${reason}`);
    }
    const at = (offset: number) => {
      const { line, column } = lineAndColumn(chunk.text, offset);
      return `${shown}:${chunk.firstLine + line - 1}:${column}`;
    };
    refuseDivergentNodes(recorder.current, firstNode, recorder.count, chunk.text, at, json !== undefined);
    // kubectl decodes the first document between separator lines only: one after `...` would never be applied.
    if (documents.some((d, i) => i > 0 && d !== null && d !== undefined)) {
      throw new InputError(`${shown}:${chunk.contentLine}: a document follows a document end marker (...) with no '---' line `
        + 'between them: kubectl reads only the first document up to the next \'---\' line, and would not apply the other; '
        + 'write --- between them');
    }
    if (json !== undefined && canonicalJson(documents[0]) !== canonicalJson(json)) {
      throw new InputError(`${shown}:1: kubectl reads this file as JSON (it starts with '{'), and the JSON reading differs `
        + 'from the YAML reading of the same text; write it as plain JSON');
    }
    const document: DocumentText | undefined = options.locate ? {
      file,
      offset: chunk.offset,
      length: chunk.text.length,
      blanked: chunk.blanked,
      firstLine: chunk.firstLine,
      firstNode,
      endNode: recorder.count,
      schema: KUBECTL_SCHEMA,
    } : undefined;
    documents.forEach((value, documentIndex) => {
      if (value === null || value === undefined) return; // empty document
      const where = `${shown}:${chunk.contentLine}`;
      // Only an alias (`*name`) can expand a document or make it contain itself.
      if (chunk.text.includes('*')) checkExpandedSize(value, where, (chunk.text.match(ALIAS_TOKEN) ?? []).length);
      for (const item of flattenList(value, where, '')) {
        manifests.push({
          json: item.json, file: shown, line: chunk.contentLine, source: document ? { document, documentIndex, pointer: item.pointer } : undefined,
        });
      }
    });
  }
  if (options.locate) file.log = recorder.take();
  return manifests;
}

/**
 * The one JSON value of a file kubectl reads as JSON. Its decoder reads JSON values one after another (and may go on
 * as YAML after the first), which no YAML reader does: anything but exactly one JSON value is refused.
 */
function jsonValueOf(text: string, shown: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new InputError(`${shown}:1: kubectl reads a file that starts with '{' as JSON, and this is not one JSON value `
      + `(${(e as Error).message}); write one JSON object per file, or YAML that does not start with '{'`);
  }
}

/**
 * Refuses a document whose aliases expand it beyond MAX_EXPANDED_NODES (each shared node counted per use), that
 * contains itself through an alias (no Kubernetes object can), or whose nodes come from aliases in a proportion
 * go-yaml refuses ("excessive aliasing", estimated from above: `aliasTokens` is how many `*name` the text holds).
 */
function checkExpandedSize(json: unknown, where: string, aliasTokens: number): void {
  const measured = new Map<object, { size: number; height: number; decodes: number }>();
  let repeats = 0;
  let aliasDecodes = 0;
  // go-yaml checks its ratio at every node it decodes: counted in document order, checked after each alias.
  let decodedSoFar = 0;
  const refuseExcessive = (aliased: number, decodes: number) => {
    if (aliased > 100 && decodes > 1000 && aliased / decodes > goYamlAliasRatio(decodes) - ALIAS_RATIO_MARGIN) {
      throw new InputError(`${where}: ${Math.round((100 * aliased) / decodes)}% of this document's first ${decodes} nodes come `
        + 'from YAML aliases: kubectl refuses it ("document contains excessive aliasing"); expand the aliases');
    }
  };
  const open = new Set<object>();
  const tooDeep = () => new InputError(`${where}: YAML aliases nest this document deeper than ${MAX_EXPANDED_DEPTH} levels (the `
    + 'most its text may nest); expand the aliases');
  // `depth` is how deep `node` sits: checked before going deeper, so no nesting can exhaust the stack.
  const measure = (node: unknown, depth: number): { size: number; height: number; decodes: number } => {
    if (node === null || typeof node !== 'object') {
      decodedSoFar++;
      return SCALAR;
    }
    if (depth > MAX_EXPANDED_DEPTH) throw tooDeep();
    let known = measured.get(node);
    if (known === undefined) {
      if (open.has(node)) throw new InputError(`${where}: the document contains itself through a YAML alias; expand the alias`);
      open.add(node);
      // go-yaml decodes a mapping's keys as nodes too.
      const keys = Array.isArray(node) ? 0 : 1;
      known = { size: 1, height: 1, decodes: 1 };
      decodedSoFar++;
      for (const child of Object.values(node)) {
        decodedSoFar += keys;
        const { size, height, decodes } = measure(child, depth + 1);
        known.size += size;
        known.height = Math.max(known.height, height + 1);
        known.decodes += keys + decodes;
      }
      open.delete(node);
      measured.set(node, known);
    } else {
      repeats++;
      aliasDecodes += known.decodes;
      decodedSoFar += known.decodes + 1;
      refuseExcessive(aliasDecodes, decodedSoFar);
    }
    // A node measured where it sat higher may sit deeper here (an alias).
    if (depth + known.height - 1 > MAX_EXPANDED_DEPTH) throw tooDeep();
    return known;
  };
  const root = measure(json, 1);
  if (root.size > MAX_EXPANDED_NODES) {
    throw new InputError(`${where}: YAML aliases expand this document to ${root.size} nodes (more than ${MAX_EXPANDED_NODES}); `
      + 'expand the aliases, or split the document');
  }
  // Each alias is a node of its own, and an alias of a scalar one more decoded from it.
  refuseExcessive(aliasDecodes + Math.max(0, aliasTokens - repeats), root.decodes + aliasTokens);
}
const SCALAR = { size: 1, height: 0, decodes: 1 };
/** `*name`, where a token starts. */
const ALIAS_TOKEN = /(?:^|[\s[{,])\*[^\s[\]{},]/g;
/** Below go-yaml's own limit, as the proportion is estimated. */
const ALIAS_RATIO_MARGIN = 0.02;

/**
 * The proportion of decoded nodes go-yaml v2 lets come from aliases (decode.go allowedAliasRatio): 99% up to 400,000
 * decodes, falling to 10% at 4,000,000.
 */
function goYamlAliasRatio(decodes: number): number {
  if (decodes <= 400_000) return 0.99;
  if (decodes >= 4_000_000) return 0.1;
  return 0.99 - (0.89 * (decodes - 400_000)) / 3_600_000;
}

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
