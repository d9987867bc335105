import * as jsYaml from 'js-yaml';
import { detachedString } from '../controls/core/json';

// Maps a finding's JSON pointer to the line and column of the field in the YAML it was read from. The positions
// are recorded during the one parse that reads the objects (js-yaml's listener), as a flat log of the composed
// nodes: nearly every object of a pipeline's input has a finding, and reading positions with a second parse cost
// as much as the first one.

/** A line and column in a file, both 1-based. */
export interface SourcePosition {
  readonly line: number;
  readonly column: number;
}

/**
 * The nodes js-yaml composed for one text, in the order it opened them (keys included, nested as the nodes are):
 * node i spans offsets `starts[i]` to `stops[i]` of the text, and its descendants are the nodes i+1 .. `ends[i]`-1.
 * `kinds[i]` says what its value is (NodeKind); `wraps[i]` is 1 when node i only wraps node i+1 (the same mapping or
 * sequence, composed inside it). Values are not kept: a key's text is read back from the source (see keyIs). Typed
 * arrays only, 14 bytes a node, for every node of the input until its findings are located.
 */
export interface ComposedLog {
  readonly starts: Int32Array;
  readonly stops: Int32Array;
  readonly ends: Int32Array;
  readonly kinds: Uint8Array;
  readonly wraps: Uint8Array;
  /** Every node's value, scalars included: only in the log of a second parse (see parsedAgain). */
  readonly values?: unknown[];
}

/**
 * What a composed node's value is. For kubectl-reading: INEXACT_NUMBER, a float or an integer JavaScript does not hold
 * exactly (or -0), which kubectl writes as another string when it is a key; NON_FINITE, `.inf` or `.nan`, which
 * kubectl cannot convert to JSON; TYPED, a boolean or another number (SCALAR: a string); NONSPECIFIC, any node tagged
 * `!`, which go-yaml reads as a string and js-yaml leaves untyped.
 */
export const enum NodeKind { SCALAR = 0, MAPPING = 1, SEQUENCE = 2, NULL = 3, INEXACT_NUMBER = 4, NON_FINITE = 5, TYPED = 6, NONSPECIFIC = 7 }

const FLOAT_TAG = 'tag:yaml.org,2002:float';

function kindOf(value: unknown, tag: string | null | undefined): NodeKind {
  if (tag === '!') return NodeKind.NONSPECIFIC;
  if (value === null) return NodeKind.NULL;
  if (Array.isArray(value)) return NodeKind.SEQUENCE;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return NodeKind.NON_FINITE;
    return tag === FLOAT_TAG || !Number.isSafeInteger(value) || Object.is(value, -0) ? NodeKind.INEXACT_NUMBER : NodeKind.TYPED;
  }
  if (typeof value === 'boolean') return NodeKind.TYPED;
  return typeof value === 'object' ? NodeKind.MAPPING : NodeKind.SCALAR;
}

/**
 * A text that was parsed with its own line numbers: one document of a file, or a few (`...` ends a document). It is
 * `length` characters of the file's text from `offset`, its first `blanked` characters (a `---` marker) read as
 * spaces. The file's text and its log are shared by the file's documents: one copy of each per file.
 */
export interface DocumentText {
  readonly file: SourceFile;
  readonly offset: number;
  readonly length: number;
  readonly blanked: number;
  /** The file line of the text's first line. */
  readonly firstLine: number;
  /** The document's nodes in the file's log: `firstNode` .. `endNode`-1 (offsets in them are the document's). */
  readonly firstNode: number;
  readonly endNode: number;
  /** The schema it was parsed with, to parse it again when a key's text is not the key (see keyIs). */
  readonly schema: jsYaml.Schema;
}

/** A file's text and the log of its parse, shared by its documents; `released` once they are no longer needed. */
export interface SourceFile {
  readonly text: string;
  log?: ComposedLog;
  /** The offset of each line break of `text`, found on first use (line numbers by binary search). */
  lineBreaks?: Int32Array;
  released?: boolean;
}

/**
 * Lets the file of `source` go: its text and log (about 3 times the text's size) are no longer held, and positionOf
 * throws for its objects. The check CLI releases each file once its findings are located.
 */
export function releaseSource(source: ObjectSource): void {
  const file = source.document.file as { text: string; log?: ComposedLog; lineBreaks?: Int32Array; released?: boolean };
  file.text = '';
  file.log = undefined;
  file.lineBreaks = undefined;
  file.released = true;
}

/**
 * The same object's source, holding only its document (its text and its nodes), not the whole file: for an object
 * whose findings are located after its file was released.
 */
export function detachedSource(source: ObjectSource): ObjectSource {
  const { document } = source;
  const { file } = document;
  if (file.released) throw new Error('detachedSource: the source of this object was released (releaseSource)');
  const log = file.log!;
  const [from, to] = [document.firstNode, document.endNode];
  const ends = log.ends.slice(from, to);
  for (let i = 0; i < ends.length; i++) ends[i] -= from;
  const detached: DocumentText = {
    ...document,
    file: {
      text: detachedString(file.text.slice(document.offset, document.offset + document.length)),
      log: {
        starts: log.starts.slice(from, to),
        stops: log.stops.slice(from, to),
        ends,
        kinds: log.kinds.slice(from, to),
        wraps: log.wraps.slice(from, to),
      },
    },
    offset: 0,
    firstNode: 0,
    endNode: to - from,
  };
  return { ...source, document: detached };
}

/** The document's text as it was parsed. */
export function documentText(document: DocumentText): string {
  const { text } = document.file;
  return ' '.repeat(document.blanked) + text.slice(document.offset + document.blanked, document.offset + document.length);
}

/** Where one object was read: its document in a text, and its place in that document (a List's items). */
export interface ObjectSource {
  readonly document: DocumentText;
  /** Index of the document in the text (empty documents count). */
  readonly documentIndex: number;
  /** JSON pointer of the object in its document: '' or e.g. `/items/3`. */
  readonly pointer: string;
}

/**
 * Records the nodes of a parse: pass `listener` as js-yaml's `listener` option, which calls it around every node
 * it composes ('open' before, 'close' after, the node's value in `state.result`); then `take()` the log.
 */
export class ComposedNodeRecorder {
  // Typed arrays grown by doubling: a file of a pipeline's input has hundreds of thousands of nodes, and arrays of
  // numbers grown one push at a time cost more than the parse's own work per node.
  private starts: Int32Array = new Int32Array(1024);
  private stops: Int32Array = new Int32Array(1024);
  private ends: Int32Array = new Int32Array(1024);
  private kinds: Uint8Array = new Uint8Array(1024);
  private wraps: Uint8Array = new Uint8Array(1024);
  private size = 0;
  private open: Int32Array = new Int32Array(64);
  private depth = 0;
  /** The node that closed last, and its value: a node that wraps another closes right after it, on the same value. */
  private lastClosed = -1;
  private lastValue: unknown = undefined;

  public readonly listener = (event: 'open' | 'close', state: { position: number; result: unknown; tag?: string | null }): void => {
    if (event === 'open') {
      const node = this.size++;
      if (node === this.starts.length) this.grow();
      if (this.depth === this.open.length) this.open = grown(this.open, this.depth);
      this.open[this.depth++] = node;
      this.starts[node] = state.position;
      this.stops[node] = 0;
      this.ends[node] = 0;
      this.kinds[node] = NodeKind.SCALAR;
      this.wraps[node] = 0;
    } else {
      const node = this.open[--this.depth];
      const value = state.result;
      this.stops[node] = state.position;
      this.ends[node] = this.size;
      this.kinds[node] = kindOf(value, state.tag);
      // Exactly one child (it starts right after the node and its descendants end where the node's do), same value.
      if (this.lastClosed === node + 1 && node + 1 < this.size && this.ends[node + 1] === this.size
        && this.lastValue === value && typeof value === 'object') this.wraps[node] = 1;
      this.lastClosed = node;
      this.lastValue = value;
    }
  };

  /** How many nodes were recorded so far. */
  public get count(): number {
    return this.size;
  }

  /** The nodes recorded so far, not copied: valid until the next node is recorded. */
  public get current(): ComposedLog {
    return { starts: this.starts, stops: this.stops, ends: this.ends, kinds: this.kinds, wraps: this.wraps };
  }

  /** The log of the nodes recorded so far, compacted; the recorder starts over. */
  public take(): ComposedLog {
    const log: ComposedLog = {
      starts: this.starts.slice(0, this.size),
      stops: this.stops.slice(0, this.size),
      ends: this.ends.slice(0, this.size),
      kinds: this.kinds.slice(0, this.size),
      wraps: this.wraps.slice(0, this.size),
    };
    this.starts = new Int32Array(1024);
    this.stops = new Int32Array(1024);
    this.ends = new Int32Array(1024);
    this.kinds = new Uint8Array(1024);
    this.wraps = new Uint8Array(1024);
    this.size = 0;
    this.depth = 0;
    this.lastClosed = -1;
    this.lastValue = undefined;
    return log;
  }

  private grow(): void {
    this.starts = grown(this.starts, this.size);
    this.stops = grown(this.stops, this.size);
    this.ends = grown(this.ends, this.size);
    this.kinds = grown(this.kinds, this.size);
    this.wraps = grown(this.wraps, this.size);
  }
}

/** A copy of the first `length` items of `array` in an array twice its size. */
function grown<T extends Int32Array | Uint8Array>(array: T, length: number): T {
  const bigger = new (array.constructor as new (size: number) => T)(array.length * 2);
  bigger.set(array.subarray(0, length));
  return bigger;
}

/**
 * The position of `pointer` (a JSON pointer into the object) in its file: the key of the field it names, or the
 * item of a list. A pointer to a field that is not in the text (a missing field, or one merged in through an
 * alias or `<<`) gets the position of its nearest ancestor that is.
 */
export function positionOf(source: ObjectSource, pointer: string): SourcePosition {
  const document = source.document;
  if (document.file.released) throw new Error('positionOf: the source of this object was released (releaseSource)');
  const log = document.file.log!;
  const located = locate(log, document.firstNode, document.endNode, source, pointer, document);
  if (located !== undefined) return toPosition(document, located);
  // A key on the path whose text is not plainly the key (quoted, tagged, a number...): parse the text again for
  // every node's value.
  const again = parsedAgain(document);
  return toPosition(document, locate(again, 0, again.starts.length, source, pointer)!);
}

/**
 * The offset of the pointer's field, or undefined when a key on its path could not be read from the text alone
 * (only without `text`: a log with every scalar's value).
 */
function locate(
  log: ComposedLog, firstNode: number, count: number, source: ObjectSource, pointer: string, text?: DocumentText,
): number | undefined {
  // The documents' root nodes follow one another.
  let node = count > firstNode ? firstNode : -1;
  for (let k = 0; k < source.documentIndex && node >= 0; k++) node = log.ends[node] < count ? log.ends[node] : -1;
  let at = node >= 0 ? log.starts[node] : 0;
  const path = segments(source.pointer + pointer);
  // The findings of one object are located one after another and share most of their paths: resume the last walk
  // where the paths part.
  const last = text !== undefined && lastWalk?.log === log && lastWalk.root === node ? lastWalk : undefined;
  const walk: Walk = { log, root: node, segments: path, nodes: [], ats: [] };
  let from = 0;
  if (last) {
    while (from < last.nodes.length && from < path.length && last.segments[from] === path[from]) {
      walk.nodes.push(node = last.nodes[from]);
      walk.ats.push(at = last.ats[from]);
      from++;
    }
  }
  for (let i = from; i < path.length; i++) {
    if (node < 0) break;
    const child = childAt(log, unwrap(log, node), path[i], text);
    if (child === 'unknown') return undefined;
    if (!child) break;
    at = child.at;
    node = child.node;
    walk.nodes.push(node);
    walk.ats.push(at);
  }
  if (text !== undefined) lastWalk = walk;
  return at;
}

/** A located path: the node and offset reached by each of its first segments (as far as it went). */
interface Walk {
  readonly log: ComposedLog;
  readonly root: number;
  readonly segments: string[];
  readonly nodes: number[];
  readonly ats: number[];
}
let lastWalk: Walk | undefined;

/** The log of a second parse of the text, with every node's value (scalars included) in `values`. */
function parsedAgain(document: DocumentText): ComposedLog {
  const recorder = new ComposedNodeRecorder();
  // The recorder numbers the nodes in the order they open, as this does.
  const values: unknown[] = [];
  const open: number[] = [];
  jsYaml.loadAll(documentText(document), undefined, {
    schema: document.schema,
    listener: (event, state) => {
      recorder.listener(event, state);
      if (event === 'open') {
        open.push(values.length);
        values.push(undefined);
      } else {
        values[open.pop()!] = state.result;
      }
    },
  });
  return { ...recorder.take(), values };
}

/** A node that only wraps the node composed inside it (a sequence item, a key candidate) is that node. */
export function unwrap(log: ComposedLog, node: number): number {
  let inner = node;
  // Exactly one child (it starts right after the node, and its descendants end where the node's do), same value.
  while (log.wraps[inner] === 1) inner++;
  return inner;
}

/**
 * The node of `segment` inside a mapping (at its key) or a sequence (at its item); 'unknown' when a key's text does
 * not say which key it is (see keyIs).
 */
function childAt(log: ComposedLog, node: number, segment: string, text?: DocumentText): { node: number; at: number } | 'unknown' | undefined {
  const kind = log.kinds[node];
  const end = log.ends[node];
  if (kind === NodeKind.SEQUENCE) {
    if (!/^(0|[1-9][0-9]*)$/.test(segment)) return undefined;
    const index = Number(segment);
    let item = node + 1;
    for (let i = 0; i < index && item < end; i++) item = log.ends[item];
    return item < end ? { node: item, at: log.starts[item] } : undefined;
  }
  if (kind !== NodeKind.MAPPING) return undefined;
  // A mapping's nodes are its keys and values, in turn.
  for (let key = node + 1; key < end;) {
    const child = log.ends[key];
    if (child >= end) break;
    const matches = text === undefined ? String(log.values![key]) === segment : keyIs(log, key, text, segment);
    if (matches === undefined) return 'unknown';
    if (matches) return { node: child, at: log.starts[key] };
    key = log.ends[child];
  }
  return undefined;
}

/** Plain scalars of that shape that are not strings (YAML 1.1 booleans and nulls, see manifest-reader). */
const NOT_STRINGS = new Set(['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON',
  'n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF', 'null', 'Null', 'NULL']);

/**
 * Whether a key node is the key `segment`, read from its text, when the text plainly is a key: a plain scalar of
 * letters, digits and `_./-`, starting with a letter or `_` (so no number), that is no boolean or null. Anything else
 * (quoted, tagged, anchored, an alias, a number, a comment in between) is undefined, and the caller parses the text
 * again for the key's value. Reads the text in place: every key before the one sought is read.
 */
function keyIs(log: ComposedLog, key: number, document: DocumentText, segment: string): boolean | undefined {
  if (log.kinds[key] !== NodeKind.SCALAR) return undefined;
  const text = document.file.text;
  // The blanked marker is spaces to the parse, and skipped here.
  let from = document.offset + Math.max(log.starts[key], document.blanked);
  let to = Math.max(from, document.offset + log.stops[key]);
  while (from < to && isBlank(text.charCodeAt(from))) from++;
  while (to > from && isBlank(text.charCodeAt(to - 1))) to--;
  if (from === to || !isKeyStart(text.charCodeAt(from))) return undefined;
  for (let i = from + 1; i < to; i++) if (!isKeyPart(text.charCodeAt(i))) return undefined;
  // The longest boolean or null word has 5 characters.
  if (to - from <= 5 && NOT_STRINGS.has(text.slice(from, to))) return undefined;
  return to - from === segment.length && text.startsWith(segment, from);
}

/** Space, tab, CR, LF: what separates a key from the text around it. */
export function isBlank(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a;
}

/** A-Z, a-z, _ */
function isKeyStart(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f;
}

/** A-Z, a-z, _, 0-9, . / - */
function isKeyPart(c: number): boolean {
  return isKeyStart(c) || (c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x2f || c === 0x2d;
}

function segments(pointer: string): string[] {
  if (pointer === '') return [];
  const tokens = pointer.slice(1).split('/');
  return pointer.includes('~') ? tokens.map(s => s.replace(/~1/g, '/').replace(/~0/g, '~')) : tokens;
}

/** The line and column of the first character at or after `offset` that is not blank (js-yaml opens nodes early). */
function toPosition(document: DocumentText, offset: number): SourcePosition {
  const { text } = document.file;
  const base = document.offset;
  const length = document.length;
  // The document's character code at `at`, its blanked marker read as spaces (-1 past its end).
  const codeAt = (at: number) => (at >= length ? -1 : at < document.blanked ? 0x20 : text.charCodeAt(base + at));
  let at = offset;
  for (;;) {
    while (at < length && isBlank(codeAt(at))) at++;
    if (codeAt(at) !== 0x23) break; // #
    while (at < length && codeAt(at) !== 0x0a) at++;
  }
  if (at >= length) at = offset;
  // The line breaks from the document's start to `at`, counted in the file's line break offsets.
  const breaks = lineBreaksOf(document.file);
  const line = document.firstLine + countBelow(breaks, base + at) - countBelow(breaks, base);
  const lineStart = text.lastIndexOf('\n', base + Math.max(at - 1, 0));
  return { line, column: at - (lineStart < base ? -1 : lineStart - base) };
}

function lineBreaksOf(file: SourceFile): Int32Array {
  if (file.lineBreaks === undefined) {
    const { text } = file;
    const offsets: number[] = [];
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) offsets.push(i);
    file.lineBreaks = Int32Array.from(offsets);
  }
  return file.lineBreaks;
}

/** How many of the sorted `offsets` are below `limit`. */
function countBelow(offsets: Int32Array, limit: number): number {
  let low = 0;
  let high = offsets.length;
  while (low < high) {
    const middle = Math.floor((low + high) / 2);
    if (offsets[middle] < limit) low = middle + 1; else high = middle;
  }
  return low;
}
