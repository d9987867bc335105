// JSON written in pieces: the check CLI's JSON and SARIF reports of a pipeline's input run to hundreds of megabytes
// (50,000 objects: 400 MB of JSON), which as one object and one string were held three times over (the object, the
// text, its bytes). The report's long lists are streamed instead, item by item, in exactly JSON.stringify's text.

/** An array whose items are produced (and written) one at a time, never held together. Its items hold no StreamedList. */
export class StreamedList {
  constructor(public readonly items: () => Iterable<unknown>) {}
}

/**
 * The text `JSON.stringify(value, undefined, 2)` gives for `value` with every StreamedList read as the array of its
 * items, in pieces: each item of a StreamedList is one piece (so a list of objects is never one string).
 * @param indent the indentation of the line `value` starts on (for a value nested in another)
 */
export function* jsonPieces(value: unknown, indent = ''): Generator<string> {
  if (value instanceof StreamedList) {
    const inner = `${indent}  `;
    let first = true;
    for (const item of value.items()) {
      yield `${first ? '[' : ','}\n${inner}${plainJson(item, inner) ?? 'null'}`;
      first = false;
    }
    yield first ? '[]' : `\n${indent}]`;
    return;
  }
  if (!holdsStreamedList(value)) {
    yield plainJson(value, indent) ?? 'null';
    return;
  }
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    yield '[';
    for (let i = 0; i < value.length; i++) {
      yield `${i > 0 ? ',' : ''}\n${inner}`;
      yield* jsonPieces(value[i], inner);
    }
    yield `\n${indent}]`;
    return;
  }
  // An object holding a StreamedList has at least that member: never `{}`. Members JSON.stringify omits are omitted.
  yield '{';
  let first = true;
  for (const [key, member] of Object.entries(value as object)) {
    if (member === undefined || typeof member === 'function' || typeof member === 'symbol') continue;
    yield `${first ? '' : ','}\n${inner}${JSON.stringify(key)}: `;
    first = false;
    yield* jsonPieces(member, inner);
  }
  yield `\n${indent}}`;
}

/**
 * JSON.stringify's text of a value without StreamedList, its lines after the first indented by `indent` (pairs of
 * spaces): the value is written nested in as many arrays as its indentation has levels, and cut out of them, so
 * JSON.stringify indents it (no pass over the text to indent it again).
 */
function plainJson(value: unknown, indent: string): string | undefined {
  if (indent === '') return JSON.stringify(value, undefined, 2);
  if (value === undefined || typeof value === 'function' || typeof value === 'symbol') return undefined;
  let nested: unknown = value;
  for (let level = 0; level < indent.length / 2; level++) nested = [nested];
  const text = JSON.stringify(nested, undefined, 2);
  // `[\n  [\n    ` before the value and `\n  ]\n]` after it, for two levels.
  let before = 0;
  let after = 0;
  for (let level = 1; level <= indent.length / 2; level++) {
    before += 2 + 2 * level;
    after += 2 + 2 * (level - 1);
  }
  return text.slice(before, text.length - after);
}

function holdsStreamedList(value: unknown): boolean {
  if (value instanceof StreamedList) return true;
  if (value === null || typeof value !== 'object') return false;
  return Object.values(value).some(holdsStreamedList);
}

/** `value` with every StreamedList replaced by the array of its items (what JSON.stringify of the pieces reads). */
export function materialized(value: unknown): any {
  if (value instanceof StreamedList) return [...value.items()];
  if (!holdsStreamedList(value)) return value;
  if (Array.isArray(value)) return value.map(materialized);
  return Object.fromEntries(Object.entries(value as object).map(([k, v]) => [k, materialized(v)]));
}
