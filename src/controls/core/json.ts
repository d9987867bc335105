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
