import { InputError, readManifests } from './manifest-reader';
import { canonicalJson } from '../controls/core/json';
import { pointer } from '../controls/core/pod-template';

// The guard's last word on a synthesis: the YAML written is read back as kubectl reads it, and every object in it
// must be one the guard evaluated, exactly. Whatever changed an object between the check and the write (a toJson
// replaced during the evaluation, a Chart overriding toJson, an ApiObject created inside a validation, a value that
// YAML 1.1 reads differently) fails synthesis.

/** One output of a synthesis: a file written, or the string `synthYaml()` returns. */
export interface WrittenText {
  readonly name: string;
  readonly text: string;
}

/**
 * Problems with the written output: one line per object that was not evaluated as written (empty when the output is
 * exactly the evaluated objects, or a subset of them).
 * @param evaluated the JSON of every object the guard evaluated: what it emitted for guarded objects, the serialized
 * JSON of the others
 */
export function unevaluatedOutput(written: WrittenText[], evaluated: any[]): string[] {
  const remaining = new Map<string, number>();
  const byIdentity = new Map<string, any>();
  for (const json of evaluated) {
    const key = canonicalJson(json);
    remaining.set(key, (remaining.get(key) ?? 0) + 1);
    byIdentity.set(identityOf(json), json);
  }
  const problems: string[] = [];
  for (const { name, text } of written) {
    let manifests;
    try {
      manifests = readManifests(text, name);
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      problems.push(`${e.message}`);
      continue;
    }
    for (const manifest of manifests) {
      const key = canonicalJson(manifest.json);
      const left = remaining.get(key) ?? 0;
      if (left > 0) {
        remaining.set(key, left - 1);
        continue;
      }
      const twin = byIdentity.get(identityOf(manifest.json));
      const where = `${manifest.file}:${manifest.line}: ${describe(manifest.json)}`;
      problems.push(twin === undefined
        ? `${where} was written but never evaluated by the guard`
        : `${where} differs from what the guard evaluated at ${firstDifference(twin, manifest.json, '')}`);
    }
  }
  return problems;
}

function describe(json: any): string {
  const ns = json?.metadata?.namespace;
  return `${json?.kind} ${ns ? `${ns}/` : ''}${json?.metadata?.name}`;
}

function identityOf(json: any): string {
  return JSON.stringify([json?.apiVersion, json?.kind, json?.metadata?.namespace, json?.metadata?.name]);
}

/** The JSON pointer of the first difference between two JSON values, in sorted-key order. */
function firstDifference(a: any, b: any, at: string): string {
  if (a === b) return at;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object' || Array.isArray(a) !== Array.isArray(b)) {
    return `${at || '/'} (evaluated ${JSON.stringify(a)}, written ${JSON.stringify(b)})`;
  }
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  for (const key of keys) {
    if (canonicalJson(a[key]) !== canonicalJson(b[key])) {
      return firstDifference(a[key], b[key], pointer(at, key));
    }
  }
  return at;
}
