import { ComposedLog, isBlank, NodeKind, unwrap } from './source-position';

// Where kubectl's reading of a file (apimachinery's YAMLOrJSONDecoder, go-yaml v2, sigs.k8s.io/yaml) and js-yaml's
// would differ, the check refuses the text (exit 2) rather than judge objects kubectl would not apply as written.
// Each rule below names the reading it guards against; test/guard/kubectl-reading.test.ts holds one input per rule.

/** Input that cannot be used as Kubernetes objects (bad YAML, not an object, a divergent reading): exit code 2. */
export class InputError extends Error {}

/** Line breaks in YAML 1.1 (so for kubectl) that are ordinary characters in YAML 1.2: NEL, LS, PS. */
const YAML11_ONLY_BREAKS = /[\u0085\u2028\u2029]/;
/** A byte order mark after the first character: go-yaml drops characters after one in mid-file. */
const LATER_BOM = /(?!^)\uFEFF/;
/** A carriage return not before a line feed: kubectl's line reader turns `\r\r\n` into one break, js-yaml reads two. */
const LONE_CR = /\r(?!\n)/;
/** A tab in the blanks that start a line: go-yaml refuses it where it expects indentation (outside block scalars). */
const TAB_INDENT = /^ *\t/gm;
/** Go's unicode.IsSpace, which kubectl trims around separators and before sniffing JSON. */
const GO_SPACE = '\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const GO_TRIMMED = new RegExp(`^[${GO_SPACE}]+|[${GO_SPACE}]+$`, 'g');
const LEADING_GO_SPACE = new RegExp(`^[${GO_SPACE}]*`);
/** How much of a file kubectl looks at to tell JSON from YAML. */
const KUBECTL_SNIFF_BYTES = 4096;

/**
 * Refuses characters kubectl reads differently. NEL, LS and PS: kubectl breaks lines there and js-yaml does not, so
 * `# note<NEL>privileged: true` is a comment to one and a field to the other. A byte order mark after the start: go-yaml
 * checks for one at the start of its buffer, wherever that is, and a BOM that lands there makes it drop the first
 * character of lines (a `#` of a comment). No real manifest needs these characters raw.
 */
export function refuseDivergentCharacters(text: string, shown: string): void {
  const escaped = (code: string) => `; remove it, or write it escaped inside a double-quoted string ("\\u${code.toLowerCase()}")`;
  for (const [pattern, why, fix] of [
    [YAML11_ONLY_BREAKS, 'is a line break for kubectl (YAML 1.1) but not for YAML 1.2 readers, so the two read different objects', escaped],
    [LATER_BOM, 'is a byte order mark after the start of the file, where kubectl\'s YAML parser (go-yaml) drops characters '
      + 'around it and reads different objects', escaped],
    [LONE_CR, 'is a carriage return without a line feed after it: kubectl\'s line reader and YAML 1.2 readers count line '
      + 'breaks differently around it', () => '; end lines with LF or CRLF only'],
  ] as const) {
    if (pattern === LONE_CR && !text.includes('\r')) continue;
    const found = pattern.exec(text);
    if (!found) continue;
    const { line, column } = lineAndColumn(text, found.index);
    const code = text.charCodeAt(found.index).toString(16).toUpperCase().padStart(4, '0');
    throw new InputError(`${shown}:${line}:${column}: character U+${code} ${why}${fix(code)}`);
  }
}

/**
 * Whether kubectl reads the file as JSON: its decoder sniffs the first character that is not a space (Go's) for `{`.
 * It then reads JSON values one after another, which a YAML reader does not; the caller requires exactly one.
 */
export function kubectlReadsJson(text: string): boolean {
  const found = LEADING_GO_SPACE.exec(text)!;
  // kubectl looks at the first 4096 bytes only: a `{` after them leaves the file YAML.
  return text[found[0].length] === '{' && Buffer.byteLength(found[0]) < KUBECTL_SNIFF_BYTES;
}


/** One document of a text as kubectl splits it: its text, the line it starts on, and the line of its first content. */
export interface DocumentChunk {
  /** The document's text as parsed: a separator line kubectl drops is blanked (spaces). */
  readonly text: string;
  /** Where it is in the file's text, and how many of its first characters are blanked. */
  readonly offset: number;
  readonly blanked: number;
  readonly firstLine: number;
  readonly contentLine: number;
}

/**
 * The documents of a text as kubectl's YAML reader splits it (apimachinery YAMLReader): at lines that start with
 * `---` followed only by spaces or a comment, but only once the document has some text (a separator line that starts
 * a document is part of it, for the YAML parser to read). A line starting with `---` followed by anything else fails
 * kubectl ("invalid Yaml document separator") and is refused. Each document is parsed with its own line numbers; a
 * separator line that ends a document is kept as spaces at the start of the next one, so reported lines match the file.
 */
export function documentChunks(text: string, shown: string): DocumentChunk[] {
  const chunks: DocumentChunk[] = [];
  // A byte order mark at the start is not part of the text (js-yaml drops it, and node offsets must match the text).
  let start = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let blanked = 0;
  let startLine = 1;
  /** Where the text kubectl keeps of the current document starts (after the separator line it dropped). */
  let kept = start;
  let line = 1;
  for (let at = start; at < text.length; line++) {
    const lineEnd = text.indexOf('\n', at);
    const next = lineEnd === -1 ? text.length : lineEnd + 1;
    if (text.startsWith('---', at)) {
      const rest = text.slice(at + 3, next).replace(GO_TRIMMED, '');
      if (rest !== '' && !rest.startsWith('#')) {
        throw new InputError(`${shown}:${line}: a line starting with '---' must be a document separator, followed only by `
          + `spaces or a comment: kubectl refuses '${text.slice(at, next).trim()}' ("invalid Yaml document separator"); `
          + 'put the content on the next line');
      }
      if (at === kept && !/^---([ \t\r\n]|$)/.test(text.slice(at, at + 4))) {
        // A separator line that starts a document stays in it (kubectl): go-yaml reads `---#` as text, js-yaml as `---`.
        throw new InputError(`${shown}:${line}: a line starting with '---' and no space, at the start of a document: `
          + 'kubectl reads it as text, other readers as a document start; write a space after ---');
      }
      if (at > kept) {
        chunks.push(chunkOf(text, start, at, blanked, startLine, shown));
        // The separator line is dropped by kubectl: blanked at the start of the next document (its line break kept).
        start = at;
        blanked = (lineEnd === -1 ? text.length : lineEnd) - at;
        startLine = line;
        kept = next;
      }
    }
    at = next;
  }
  chunks.push(chunkOf(text, start, text.length, blanked, startLine, shown));
  return chunks;
}

function chunkOf(text: string, offset: number, end: number, blanked: number, firstLine: number, shown: string): DocumentChunk {
  const raw = text.slice(offset, end);
  const body = blanked > 0 ? ' '.repeat(blanked) + raw.slice(blanked) : raw;
  const content = /^[ \t]*[^ \t\r\n#]/m.exec(body);
  const contentLine = firstLine + (content ? countNewlines(body, content.index) : 0);
  // go-yaml needs a document before `...` (kubectl dropped the separator line); js-yaml reads an empty one.
  if (content && /^[ \t]*\.\.\.(?=[ \t\r\n]|$)/.test(body.slice(content.index))) {
    throw new InputError(`${shown}:${contentLine}: a document end marker (...) with no document before it: kubectl refuses it `
      + '("did not find expected node content"); remove the line');
  }
  return { text: body, offset, blanked, firstLine, contentLine };
}

/**
 * Refuses what one document's nodes (`first` .. `end`-1 of `log`, offsets in `text`) make kubectl read differently:
 * - a merge key (`<<`) after other keys of its mapping, or twice in one: go-yaml lets merged values replace keys
 *   written before them (`privileged: false` then `<<: {privileged: true}` is privileged), js-yaml never does; a merge
 *   of an alias of a list, which go-yaml refuses; and a document with both a merge key and a number or boolean key
 *   (go-yaml keeps `0x10` and `"16"` apart, then sigs.k8s.io/yaml writes both as "16", the survivor chosen at random);
 * - a null or complex key (`~: x`, `? [a]`, any explicit `?` key): sigs.k8s.io/yaml refuses the document, which kubectl
 *   then does not apply; a key longer than 1024 characters, which go-yaml refuses;
 * - a number key that is not an integer JavaScript holds exactly (`1.23456789`, `9007199254740993`): sigs.k8s.io/yaml
 *   writes floats with 32-bit precision and keeps 64-bit integers, so the key (a label) is another string;
 * - `.inf` and `.nan`: sigs.k8s.io/yaml cannot write them as JSON and refuses the document;
 * - in a double-quoted scalar, the escape `\/` (YAML 1.2 only: go-yaml refuses the document; JSON has it too), an
 *   escaped UTF-16 surrogate (`\ud83d\ude00`: go-yaml writes U+FFFD for each half, JavaScript joins them) or a code
 *   point beyond U+10FFFF;
 * - in a flow collection, a plain scalar starting with `:` (`[a, :8080]`) or holding `? ` (`{memory: 12? 8Mi}`), which
 *   go-yaml refuses.
 */
export function refuseDivergentNodes(
  log: ComposedLog, first: number, end: number, text: string, where: (offset: number) => string, json: boolean,
): void {
  const at = (n: number) => where(contentStart(text, log.starts[n], log.stops[n]));
  // Plain string searches first: most documents hold no `?`, backslash or ` :`, and the patterns cost more.
  const question = text.includes('?');
  if (question) refuseExplicitKeys(log, first, end, text, where);
  // Most documents hold none of these: their scalars' and keys' text is not read.
  const escapes = text.includes('\\') && /\\[/uU\r\n]/.test(text);
  const merges = text.includes('<<');
  const flowItems = question || COLON_AFTER_BLANK_OR_INDICATOR.test(text);
  if (!json && text.includes('\t')) refuseTabIndentation(log, first, end, text, where);
  if (!json && EMPTY_DASH_ANYWHERE.test(text)) refuseEmptyListItems(log, first, end, text, where);
  let mergeKey = -1;
  let typedKey = -1;
  const anchors = text.includes('&') || text.includes('*');
  for (let node = first; node < end; node++) {
    const kind = log.kinds[node];
    if (anchors) refuseAnchorName(text, contentStart(text, log.starts[node], log.stops[node]), log.stops[node], () => at(node));
    if (kind === NodeKind.NONSPECIFIC) {
      throw new InputError(`${at(node)}: the non-specific tag '!': go-yaml reads its node as a string (an empty one as ""), `
        + 'js-yaml leaves it untyped (an empty one as null); remove the tag');
    }
    if (kind === NodeKind.INEXACT_NUMBER && INTEGER_TEXT.test(nodeText(text, log.starts[node], log.stops[node]))) {
      throw new InputError(`${at(node)}: an integer beyond 2^53 (${nodeText(text, log.starts[node], log.stops[node])}): kubectl keeps `
        + 'its 64 bits, JavaScript rounds it; write it as a string if it is one');
    }
    if (kind === NodeKind.NON_FINITE) {
      throw new InputError(`${at(node)}: ${nodeText(text, log.starts[node], log.stops[node])} is not a number JSON `
        + 'can hold: kubectl refuses the document; quote it if it is meant as a string');
    }
    const escape = escapes && kind === NodeKind.SCALAR ? divergentEscape(text, log.starts[node], log.stops[node], json) : undefined;
    if (escape === ESCAPED_BREAK_BEFORE_EMPTY_LINE) {
      throw new InputError(`${at(node)}: an escaped line break followed by an empty line in a double-quoted string: js-yaml `
        + 'drops the empty line, kubectl keeps it as a line feed, so the two read different text; write \\n where a line feed is meant');
    }
    if (escape !== undefined) {
      throw new InputError(`${at(node)}: the escape ${escape} in a double-quoted string ${escape === '\\/'
        ? 'is YAML 1.2 only: kubectl (YAML 1.1) refuses the document; write / unescaped'
        : /^\\[uU](0000)?[dD]/.test(escape) ? 'is half of a UTF-16 pair: kubectl reads U+FFFD, not the character; write the character itself'
          : 'is beyond U+10FFFF: kubectl refuses the document'}`);
    }
    if ((kind === NodeKind.MAPPING || kind === NodeKind.SEQUENCE) && log.wraps[node] === 0) {
      refuseFlowItems(log, node, text, at, flowItems);
    }
    if (kind !== NodeKind.MAPPING || log.wraps[node] === 1) continue;
    let merged = 0;
    let index = 0;
    for (let key = node + 1; key < log.ends[node]; index++) {
      // Keys and values alternate; js-yaml may log a node of its own after a block mapping's last value (a key with no
      // value in a flow mapping is refused by refuseFlowItems).
      const value = log.ends[key];
      if (value >= log.ends[node]) break;
      const keyKind = log.kinds[key];
      const keyOpening = text[contentStart(text, log.starts[key], log.stops[key])];
      if (keyOpening === '!' || keyOpening === '&' || keyOpening === '*') {
        throw new InputError(`${at(key)}: a tag, anchor or alias on a mapping key: kubectl and YAML 1.2 readers read such keys `
          + 'differently (a tagged or anchored << merges for kubectl only); write the key plainly');
      }
      if (keyKind === NodeKind.NULL || keyKind === NodeKind.MAPPING || keyKind === NodeKind.SEQUENCE) {
        throw new InputError(`${at(key)}: a ${keyKind === NodeKind.NULL ? 'null' : 'complex'} mapping key: kubectl refuses the `
          + 'document (sigs.k8s.io/yaml takes string, number and boolean keys only); write the key as a string');
      }
      if (keyKind === NodeKind.INEXACT_NUMBER) {
        throw new InputError(`${at(key)}: a number key that is not an integer below 2^53 (${nodeText(text, log.starts[key], log.stops[key])}) `
          + 'becomes another string for kubectl (floats keep 32-bit precision, integers 64 bits) than for this reader; quote it');
      }
      if (keyKind === NodeKind.TYPED && typedKey < 0) typedKey = key;
      const keyStart = log.starts[key];
      const keyStop = log.stops[key];
      if (keyStop - keyStart > MAX_KEY_LENGTH && keyStop - contentStart(text, keyStart, keyStop) > MAX_KEY_LENGTH) {
        throw new InputError(`${at(key)}: a key longer than ${MAX_KEY_LENGTH} characters: kubectl's YAML parser refuses it`);
      }
      if (merges && nodeText(text, log.starts[key], log.stops[key]) === '<<') {
        if (index > 0 || merged++ > 0) {
          throw new InputError(`${at(key)}: a merge key (<<) ${index > 0 ? 'after other keys' : 'twice'} in one mapping: kubectl `
            + '(go-yaml) lets merged values replace the keys written before them, YAML 1.2 readers do not, so the two read '
            + 'different objects; write one << as the first key of the mapping');
        }
        if (log.kinds[value] === NodeKind.SEQUENCE && text[valueStart(text, log.starts[value], log.stops[value])] === '*') {
          throw new InputError(`${at(value)}: a merge (<<) of an alias of a list: kubectl (go-yaml) refuses it; merge the `
            + 'aliases of mappings in a list written here ([*a, *b])');
        }
        if (!mergesMappings(log, value)) {
          throw new InputError(`${at(value)}: a merge (<<) of something other than a mapping or a list of mappings: kubectl `
            + '(go-yaml) refuses it ("map merge requires map or sequence of maps")');
        }
        if (mergeKey < 0) mergeKey = key;
      }
      key = log.ends[value];
    }
  }
  if (mergeKey >= 0 && typedKey >= 0) {
    throw new InputError(`${at(typedKey)}: a number or boolean key (${nodeText(text, log.starts[typedKey], log.stops[typedKey])}) in a `
      + `document with a merge key (<<, ${at(mergeKey)}): kubectl keeps it apart from the string key it equals ("16" and 0x10), `
      + 'then writes both as one, the survivor chosen at random; quote the key');
  }
}

/**
 * Refuses what go-yaml reads otherwise directly in a flow collection (`[...]`, `{...}`): a key with no value in a flow
 * mapping (`{x, a: b}`: js-yaml composes no node for the missing value, so keys and values no longer alternate in the
 * log); a pair in a flow list (`[a: b]`, `[: b]`, whose key js-yaml may compose as no node at all); and, when `items`
 * (the text holds `?` or a `:` after a blank or indicator), a plain item starting with `:` (`[a, :8080]`) or holding
 * `?` (`{memory: 12?8Mi}`, `[?app]`), which go-yaml refuses or reads as a key.
 */
function refuseFlowItems(log: ComposedLog, node: number, text: string, at: (n: number) => string, items: boolean): void {
  // After its tag and anchor: `&s {?privileged: true}` is a flow mapping too.
  const opening = text[valueStart(text, log.starts[node], log.stops[node])];
  if (opening !== '[' && opening !== '{') return;
  let isKey = true;
  let previousEnd = valueStart(text, log.starts[node], log.stops[node]) + 1;
  for (let item = node + 1; item < log.ends[node]; item = log.ends[item], isKey = !isKey) {
    // Between the previous item and this one: separators, blanks, comments, and no `?` (an explicit key, which js-yaml
    // builds into a mapping it does not log: none of the key rules would see it).
    const gap = text.slice(previousEnd, contentStart(text, log.starts[item], log.stops[item])).replace(/#[^\n]*/g, '');
    previousEnd = log.stops[item];
    if (gap.includes('?')) {
      throw new InputError(`${at(item)}: an explicit key (?) in a flow collection: js-yaml and kubectl read its key `
        + 'differently; write the key plainly');
    }
    const colon = contentStart(text, log.stops[item], text.length);
    const colonAfter = text[colon] === ':';
    if (opening === '{' && isKey && colonAfter && !/^["']/.test(text[valueStart(text, log.starts[item], log.stops[item])])
      && !isBlank(text.charCodeAt(colon + 1))) {
      throw new InputError(`${at(item)}: a ':' not followed by a blank after a plain key in a flow mapping ({a:,b: 1}): go-yaml `
        + 'keeps the \':\' in the key; write a space after it');
    }
    if (opening === '[' && colonAfter) {
      throw new InputError(`${at(item)}: a key: value pair in a flow list ([a: b]): kubectl and YAML 1.2 readers read its `
        + 'keys differently; write the mapping in braces ([{a: b}])');
    }
    if (opening === '{' && isKey && !colonAfter) {
      throw new InputError(`${at(item)}: a key with no ':' and value in a flow mapping ({a, b: c}): kubectl and YAML 1.2 `
        + 'readers pair its keys and values differently; write a: null');
    }
    if (!items) continue;
    const itemText = text.slice(valueStart(text, log.starts[item], log.stops[item]), log.stops[item]).trimEnd();
    if (itemText.startsWith(':') || (!/^["'[{]/.test(itemText) && itemText.includes('?'))) {
      throw new InputError(`${at(item)}: a plain value starting with ':' or holding '?' in a flow collection ([...] or {...}): `
        + 'kubectl\'s YAML parser refuses it or reads a key; quote it');
    }
  }
}

/**
 * Refuses a tab in the blanks that start a line where go-yaml expects indentation (it refuses the document; js-yaml
 * reads a blank): anywhere outside block scalars (`|`, `>`), and inside one before its indentation is known (up to its
 * first line of text) or before its indentation column. After the indentation, a tab is text to both readers.
 */
function refuseTabIndentation(log: ComposedLog, first: number, end: number, text: string, where: (offset: number) => string): void {
  let blocks: BlockScalar[] | undefined;
  for (const found of text.matchAll(TAB_INDENT)) {
    const tab = found.index! + found[0].length - 1;
    const column = found[0].length - 1;
    blocks ??= blockScalars(log, first, end, text);
    if (blocks.some(b => tab > b.textFrom && tab < b.to && column >= b.indent)) continue;
    throw new InputError(`${where(tab)}: a tab where kubectl's YAML parser expects indentation (it refuses the document); `
      + 'indent with spaces');
  }
}

/** A block scalar's text (after its first line of text begins) and the indentation go-yaml finds on that line. */
interface BlockScalar {
  readonly textFrom: number;
  readonly to: number;
  readonly indent: number;
}

function blockScalars(log: ComposedLog, first: number, end: number, text: string): BlockScalar[] {
  const blocks: BlockScalar[] = [];
  for (let node = first; node < end; node++) {
    if (log.kinds[node] !== NodeKind.SCALAR) continue;
    const from = valueStart(text, log.starts[node], log.stops[node]);
    if (text[from] !== '|' && text[from] !== '>') continue;
    // The first line of text: the first line after the header holding more than spaces (a tab counts as text here,
    // and then the indentation is not known when go-yaml meets it: refused, as textFrom is past it).
    const firstText = /\n( *)[^ \r\n]/.exec(text.slice(from, log.stops[node]));
    if (!firstText) continue;
    const lineStart = from + firstText.index + 1;
    blocks.push({ textFrom: lineStart + firstText[1].length, to: log.stops[node], indent: firstText[1].length });
  }
  return blocks;
}

/**
 * Refuses an anchor or alias at `from` whose name go-yaml does not read as js-yaml does: go-yaml takes letters, digits,
 * `_` and `-` only, then needs a blank or a flow indicator (`&a: c`, `&é c` are errors to it, names to js-yaml).
 */
function refuseAnchorName(text: string, from: number, stop: number, at: () => string): void {
  let start = from;
  // A tag may come first (`!!map &a {...}`).
  if (text[start] === '!') start = valueStartAnchor(text, start, stop);
  if (text[start] !== '&' && text[start] !== '*') return;
  let nameEnd = start + 1;
  while (nameEnd < stop && !isBlank(text.charCodeAt(nameEnd)) && !'[]{},'.includes(text[nameEnd])) nameEnd++;
  const name = text.slice(start + 1, nameEnd);
  if (!/^[A-Za-z0-9_-]+$/.test(name)) {
    throw new InputError(`${at()}: the ${text[start] === '&' ? 'anchor' : 'alias'} name '${name}': go-yaml reads only letters, `
      + 'digits, _ and - in it, then a blank, so kubectl refuses the document; rename it');
  }
}

/** Past a tag and blanks, where an anchor may follow. */
function valueStartAnchor(text: string, from: number, stop: number): number {
  const verbatimEnd = text.startsWith('!<', from) ? text.indexOf('>', from) : -1;
  let at = verbatimEnd >= 0 ? verbatimEnd + 1 : from;
  while (at < stop && !isBlank(text.charCodeAt(at)) && !'[]{},'.includes(text[at])) at++;
  return contentStart(text, at, stop);
}


/**
 * Refuses an empty item of a block list (a `-` with nothing after it on its line, and nothing more indented below):
 * js-yaml mishandles it in nested lists (`x:\n- -\n- b` is [[null, b]] to it, [[null], b] to kubectl), moving later
 * items into it, so a List's next object could vanish into the one before. Scalars' text (`title: a -`) is skipped.
 */
function refuseEmptyListItems(log: ComposedLog, first: number, end: number, text: string, where: (offset: number) => string): void {
  for (const found of text.matchAll(EMPTY_DASH)) {
    const dash = found.index! + found[0].indexOf('-');
    const lineStart = text.lastIndexOf('\n', dash) + 1;
    // The next line with content: more indented than the dash means the item holds it.
    const next = /^( *)[^ \t\r\n#]/m.exec(text.slice(text.indexOf('\n', dash) + 1));
    if (next && next[1].length > dash - lineStart && text.indexOf('\n', dash) !== -1) continue;
    if (insideScalar(log, first, end, text, dash)) continue;
    throw new InputError(`${where(dash)}: an empty list item (a '-' with no value): js-yaml and kubectl read the items around `
      + 'it differently in nested lists; write the value (null, "" or the item itself)');
  }
}
/** Whether the text has such a `-` at all (one scan, before the per-match work). */
const EMPTY_DASH_ANYWHERE = /(?:^|[ \t])-[ \t]*(?:#[^\n]*)?\r?$/m;
/** A `-` at the start of a line or after a blank, followed by nothing but blanks and a comment. */
const EMPTY_DASH = /(?:^|[ \t])-(?=[ \t]*(?:#[^\n]*)?\r?$)/gm;

/** Whether `offset` is inside the text of a scalar among the nodes (after its first character). */
function insideScalar(log: ComposedLog, first: number, end: number, text: string, offset: number): boolean {
  for (let node = first; node < end; node++) {
    const kind = log.kinds[node];
    if (kind === NodeKind.MAPPING || kind === NodeKind.SEQUENCE) continue;
    if (offset > contentStart(text, log.starts[node], log.stops[node]) && offset < log.stops[node]) return true;
  }
  return false;
}

/**
 * Refuses an explicit key in block context: a `?` and a blank starting a line (after list dashes), outside every scalar
 * (a CEL expression's `? :` folded onto a new line is text). In flow collections, see refuseFlowItems.
 */
function refuseExplicitKeys(log: ComposedLog, first: number, end: number, text: string, where: (offset: number) => string): void {
  for (const found of text.matchAll(EXPLICIT_KEY)) {
    const mark = found.index! + found[0].length - 1;
    if (insideScalar(log, first, end, text, mark)) continue;
    throw new InputError(`${where(mark)}: an explicit mapping key (?): kubectl refuses or reads otherwise the keys it allows `
      + '(null, lists, mappings); write the key as a plain or quoted string');
  }
}

/** A `?` and a blank at the start of a line, after list dashes: an explicit key in block context. */
const EXPLICIT_KEY = /^[ \t]*(?:-[ \t]+)*\?(?=[ \t\r\n]|$)/gm;
/** Whether a merge's value is a mapping, or a list whose items are all mappings (go-yaml accepts nothing else). */
function mergesMappings(log: ComposedLog, value: number): boolean {
  const inner = unwrap(log, value);
  if (log.kinds[inner] === NodeKind.MAPPING) return true;
  if (log.kinds[inner] !== NodeKind.SEQUENCE) return false;
  for (let item = inner + 1; item < log.ends[inner]; item = log.ends[item]) {
    if (log.kinds[unwrap(log, item)] !== NodeKind.MAPPING) return false;
  }
  return true;
}


/** What divergentEscape returns for an escaped line break followed by an empty line. */
const ESCAPED_BREAK_BEFORE_EMPTY_LINE = '\\<line break>';
/** An integer as written in YAML 1.1 (go-yaml): decimal, or hexadecimal, octal or binary with their prefix. */
const INTEGER_TEXT = /^[-+]?(?:[0-9_]+|0[xX][0-9a-fA-F_]+|0[oObB][0-9_]+)$/;
/** A `:` after a blank or a flow indicator: where a flow item may start with one. */
const COLON_AFTER_BLANK_OR_INDICATOR = /[ \t\r\n[{,]:/;
/** go-yaml's limit on a simple key's length. */
const MAX_KEY_LENGTH = 1024;

/** A node's text without the blanks and comment lines js-yaml opens it on, and without trailing blanks. */
function nodeText(text: string, start: number, stop: number): string {
  return text.slice(contentStart(text, start, stop), stop).trimEnd();
}

/**
 * Where a node's value starts: after the blanks and comment lines js-yaml opens it on and after its properties (a tag
 * `!...`, an anchor `&...`), which end at a blank or a flow indicator.
 */
function valueStart(text: string, start: number, stop: number): number {
  let at = contentStart(text, start, stop);
  while (at < stop && (text[at] === '!' || text[at] === '&')) {
    // A verbatim tag (`!<tag:yaml.org,2002:str>`) ends at its `>`.
    const verbatim = text.startsWith('!<', at) ? text.indexOf('>', at) : -1;
    if (verbatim >= 0 && verbatim < stop) at = verbatim + 1;
    while (at < stop && !isBlank(text.charCodeAt(at)) && !'[]{},'.includes(text[at])) at++;
    at = contentStart(text, at, stop);
  }
  return at;
}

/** Where a node's own text starts: after the blanks and comment lines js-yaml opens it on. */
function contentStart(text: string, start: number, stop: number): number {
  let from = start;
  for (;;) {
    while (from < stop && isBlank(text.charCodeAt(from))) from++;
    if (from >= stop || text[from] !== '#') return from;
    while (from < stop && text[from] !== '\n') from++;
  }
}

/**
 * The first escape of the scalar at `start`..`stop` that kubectl reads differently, when it is double-quoted (after its
 * tag and anchor, if any): `\/` (not in JSON files), an escaped surrogate (`\ud800`-`\udfff`, `\U0000d800`...) or a
 * code point beyond U+10FFFF.
 */
function divergentEscape(text: string, start: number, stop: number, json: boolean): string | undefined {
  const at = valueStart(text, start, stop);
  if (text[at] !== '"') return undefined;
  for (let i = at + 1; i < stop; i++) {
    if (text[i] === '"') return undefined;
    if (text[i] !== '\\') continue;
    const next = text[i + 1];
    if (next === '/' && !json) return '\\/';
    // An escaped line break: js-yaml drops the empty lines after it, go-yaml keeps each as a line feed.
    const breakEnd = next === '\n' ? i + 2 : next === '\r' && text[i + 2] === '\n' ? i + 3 : -1;
    if (breakEnd >= 0) {
      let after = breakEnd;
      while (text[after] === ' ' || text[after] === '\t') after++;
      if (text[after] === '\n' || text[after] === '\r') return ESCAPED_BREAK_BEFORE_EMPTY_LINE;
    }
    const hex = next === 'u' ? text.slice(i + 2, i + 6) : next === 'U' ? text.slice(i + 2, i + 10) : '';
    // In JSON (Go's decoder) an escaped pair is the character, as for JavaScript; a lone half is U+FFFD to Go.
    if (json && /^[dD][89abAB][0-9a-fA-F]{2}$/.test(hex) && /^\\u[dD][c-fC-F][0-9a-fA-F]{2}/.test(text.slice(i + 6, i + 12))) {
      i += 11;
      continue;
    }
    if (/^(0000)?[dD][89a-fA-F][0-9a-fA-F]{2}$/.test(hex) || (hex.length === 8 && parseInt(hex, 16) > 0x10ffff)) {
      return text.slice(i, i + 2 + hex.length);
    }
    i++;
  }
  return undefined;
}

/** The 1-based line and column of `offset` in `text`. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  return { line: countNewlines(before, before.length) + 1, column: offset - before.lastIndexOf('\n') };
}

export function countNewlines(text: string, end: number): number {
  let count = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < end; i = text.indexOf('\n', i + 1)) count++;
  return count;
}
