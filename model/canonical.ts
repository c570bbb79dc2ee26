/**
 * Canonical JSON: object keys sorted at every level, so two equal states give
 * the same text whatever order their fields were written in. Used as the
 * state key of the exhaustive engine and for byte-stable files.
 */
export function canonical(v: unknown): string {
  if (v === null || typeof v !== 'object') {
    if (v === undefined) return 'null';
    return JSON.stringify(v);
  }
  if (Array.isArray(v)) return '[' + v.map(canonical).join(',') + ']';
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o).filter((k) => o[k] !== undefined).sort();
  return '{' + keys.map((k) => JSON.stringify(k) + ':' + canonical(o[k])).join(',') + '}';
}
