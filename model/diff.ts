/**
 * State differences: only the fields that changed, as `path: old → new`,
 * or `path = value` for a field that appeared. Used by the traces (reports)
 * and by the model hygiene check (properties/hygiene.ts).
 */

/** Compact one-line JSON of a value. */
export function compact(v: unknown): string {
  return v === undefined ? 'undefined' : JSON.stringify(v);
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The changed leaves between two states, in key order. */
export function diff(a: unknown, b: unknown, path = ''): string[] {
  if (a === b) return [];
  if (isObj(a) && isObj(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) => {
      const p = path ? `${path}.${k}` : k;
      if (!(k in a) || a[k] === undefined) return b[k] === undefined ? [] : [`${p} = ${compact(b[k])}`];
      if (!(k in b) || b[k] === undefined) return [`${p} removed`];
      return diff(a[k], b[k], p);
    });
  }
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
    return a.flatMap((x, i) => diff(x, b[i], `${path}[${i}]`));
  }
  return JSON.stringify(a) === JSON.stringify(b) ? [] : [`${path || '(state)'}: ${compact(a)} → ${compact(b)}`];
}

/**
 * Whether {@link diff} would list any change between `a` and `b`, without
 * building the list: the same walk, stopping at the first difference. The
 * fast-path check (properties/fastpath.ts) compares two states at every
 * transition and needs the list only when they differ.
 */
export function differs(a: unknown, b: unknown): boolean {
  if (a === b) return false;
  if (isObj(a) && isObj(b)) {
    for (const k in a) if (fieldDiffers(a[k], b[k])) return true;
    // a key only `b` has as its own (the union of keys, as in diff)
    for (const k in b) if (!Object.prototype.hasOwnProperty.call(a, k) && fieldDiffers(a[k], b[k])) return true;
    return false;
  }
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
    for (let i = 0; i < a.length; i++) if (differs(a[i], b[i])) return true;
    return false;
  }
  return JSON.stringify(a) !== JSON.stringify(b);
}

/** One field of both objects, as diff judges it: undefined on both sides (or missing) is no change. */
function fieldDiffers(x: unknown, y: unknown): boolean {
  if (x === undefined) return y !== undefined;
  return y === undefined || differs(x, y);
}
