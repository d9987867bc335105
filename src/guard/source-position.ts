import * as jsYaml from 'js-yaml';

// Maps a finding's JSON pointer to the line and column of the field in the YAML it was read from. Positions are
// parsed lazily, once per document text and only for documents with findings: most objects of a pipeline's input
// have none, and reading positions costs a second parse.

/** A line and column in a file, both 1-based. */
export interface SourcePosition {
  readonly line: number;
  readonly column: number;
}

/** A text that was parsed with its own line numbers: one document of a file, or a few (`...` ends a document). */
export interface DocumentText {
  readonly text: string;
  /** The file line of the text's first line. */
  readonly firstLine: number;
  readonly schema: jsYaml.Schema;
}

/** Where one object was read: its document in a text, and its place in that document (a List's items). */
export interface ObjectSource {
  readonly document: DocumentText;
  /** Index of the document in the text (empty documents count). */
  readonly documentIndex: number;
  /** JSON pointer of the object in its document: '' or e.g. `/items/3`. */
  readonly pointer: string;
}

/** One node as js-yaml composed it: where it starts, its value, and the nodes composed inside it. */
interface ComposedNode {
  readonly start: number;
  value: unknown;
  readonly children: ComposedNode[];
}

// Only the latest text's nodes are kept: callers locate findings object by object, in file order, so a text's
// objects are located together, and keeping every text's nodes would hold a second copy of the whole input.
let latest: { document: DocumentText; roots: ComposedNode[] } | undefined;

/**
 * The position of `pointer` (a JSON pointer into the object) in its file: the key of the field it names, or the
 * item of a list. A pointer to a field that is not in the text (a missing field, or one merged in through an
 * alias or `<<`) gets the position of its nearest ancestor that is.
 */
export function positionOf(source: ObjectSource, pointer: string): SourcePosition {
  const roots = composedNodes(source.document);
  let node = roots[source.documentIndex];
  let at = node?.start ?? 0;
  for (const segment of segments(source.pointer + pointer)) {
    if (!node) break;
    const child = childAt(unwrap(node), segment);
    if (!child) break;
    at = child.at;
    node = child.node;
  }
  return toPosition(source.document, at);
}

function composedNodes(document: DocumentText): ComposedNode[] {
  if (latest?.document === document) return latest.roots;
  const roots: ComposedNode[] = [];
  const open: ComposedNode[] = [];
  jsYaml.loadAll(document.text, undefined, {
    schema: document.schema,
    // js-yaml calls this around every node it composes, keys included, nested as the nodes are.
    listener: (event, state) => {
      if (event === 'open') {
        const node: ComposedNode = { start: state.position, value: undefined, children: [] };
        (open.length > 0 ? open[open.length - 1].children : roots).push(node);
        open.push(node);
      } else {
        open.pop()!.value = state.result;
      }
    },
  });
  latest = { document, roots };
  return roots;
}

/** A node that only wraps the node composed inside it (a sequence item, a key candidate) is that node. */
function unwrap(node: ComposedNode): ComposedNode {
  let inner = node;
  while (inner.children.length === 1 && inner.children[0].value === inner.value && typeof inner.value === 'object') inner = inner.children[0];
  return inner;
}

/** The node of `segment` inside a mapping (at its key) or a sequence (at its item). */
function childAt(node: ComposedNode, segment: string): { node: ComposedNode; at: number } | undefined {
  if (Array.isArray(node.value)) {
    const item = node.children[Number(segment)];
    return /^(0|[1-9][0-9]*)$/.test(segment) && item ? { node: item, at: item.start } : undefined;
  }
  if (node.value === null || typeof node.value !== 'object') return undefined;
  // A mapping's nodes are its keys and values, in turn.
  for (let i = 0; i + 1 < node.children.length; i += 2) {
    if (String(node.children[i].value) === segment) return { node: node.children[i + 1], at: node.children[i].start };
  }
  return undefined;
}

function segments(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer.slice(1).split('/').map(s => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** The line and column of the first character at or after `offset` that is not blank (js-yaml opens nodes early). */
function toPosition(document: DocumentText, offset: number): SourcePosition {
  const text = document.text;
  let at = offset;
  for (;;) {
    while (at < text.length && /[ \t\r\n]/.test(text[at])) at++;
    if (text[at] !== '#') break;
    while (at < text.length && text[at] !== '\n') at++;
  }
  if (at >= text.length) at = offset;
  let line = document.firstLine;
  for (let i = text.indexOf('\n'); i !== -1 && i < at; i = text.indexOf('\n', i + 1)) line++;
  return { line, column: at - text.lastIndexOf('\n', at - 1) };
}
