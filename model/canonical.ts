/**
 * Canonical JSON: object keys sorted at every level, so two equal states give
 * the same text whatever order their fields were written in. Used as the
 * state key of the exhaustive engine and for byte-stable files. This is the
 * engine's hottest function, hence the caches of sorted key lists and quoted keys.
 */
const sortedKeys = new Map<string, { raw: string[]; keys: string[]; quoted: string[] }>();

function shapeOf(o: Record<string, unknown>): { keys: string[]; quoted: string[] } {
  const raw = Object.keys(o);
  // the count keeps {} and {"": …} apart; the check below, keys that contain the separator
  const id = `${raw.length}\u0001${raw.join('\u0001')}`;
  let s = sortedKeys.get(id);
  if (!s || s.raw.some((k, i) => k !== raw[i])) {
    const keys = [...raw].sort();
    s = { raw, keys, quoted: keys.map((k) => JSON.stringify(k) + ':') };
    if (sortedKeys.size < 100_000) sortedKeys.set(id, s);
  }
  return s;
}

function write(v: unknown): string {
  switch (typeof v) {
    case 'number':
      return Number.isFinite(v) ? String(v) : 'null';
    case 'boolean':
      return v ? 'true' : 'false';
    case 'string':
      return JSON.stringify(v);
    case 'object': {
      if (v === null) return 'null';
      if (Array.isArray(v)) {
        let out = '[';
        for (let i = 0; i < v.length; i++) out += (i ? ',' : '') + write(v[i]);
        return out + ']';
      }
      const o = v as Record<string, unknown>;
      const { keys, quoted } = shapeOf(o);
      let out = '{';
      let first = true;
      for (let i = 0; i < keys.length; i++) {
        const x = o[keys[i] as string];
        if (x === undefined) continue;
        out += (first ? '' : ',') + quoted[i] + write(x);
        first = false;
      }
      return out + '}';
    }
    default:
      return 'null';
  }
}

/** Canonical JSON text of a plain value (undefined fields are left out, as JSON.stringify does). */
export function canonical(v: unknown): string {
  return write(v);
}
