/**
 * JSON with object keys sorted, with JSON's own semantics (undefined members dropped, undefined in a list is null),
 * so that deep-equal manifests compare equal as text: for exemptions' pinned values, probes that must differ, and
 * the guard's read-back of the YAML it wrote. `'undefined'` for a value JSON cannot hold.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v) => (v !== null && typeof v === 'object' && !Array.isArray(v)
    ? Object.fromEntries(Object.keys(v).sort().map(k => [k, v[k]]))
    : v)) ?? 'undefined';
}

/**
 * A copy of a string that holds no other string: a slice of a long text (a YAML file) is a view that keeps the whole
 * text alive, and a string built from such slices keeps each of them. For strings kept long after their text.
 */
export function detachedString(text: string): string {
  return ` ${text}`.slice(1);
}
