/**
 * 64-bit state fingerprints and the tables the exhaustive engine keeps them
 * in (TLC's approach): a state is stored as two 32-bit words in an
 * open-addressing table, not as its canonical text, so a stored state costs
 * tens of bytes whatever its size.
 *
 * A key is hashed where it stands: a string char by char, a plain value by
 * walking it. Object fields are combined by a commutative sum of per-field
 * hashes, so the fingerprint is independent of field order exactly as
 * `canonical()` is (which sorts keys), without sorting anything. Two values
 * with the same canonical text always get the same fingerprint; two
 * different ones collide with probability about 2^-64 per pair, so among n
 * states the chance of any collision (a state wrongly taken as seen) is
 * about n²/2^65 — 3·10^-6 for ten million states. Exact mode (full keys)
 * removes that risk.
 */

// The running hash: two 32-bit lanes, written by the hash functions below.
// Module-level scratch keeps the recursive walk free of allocation.
let ra = 0;
let rb = 0;

/** Murmur3's 32-bit finalizer: every input bit reaches every output bit. */
function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

// Tags keep values of different kinds apart (the string "1" from the number 1, [] from {}).
const T_STR = 0x1b873593;
const T_INT = 0x2f1d3c4b;
const T_NUM = 0x3c6ef372;
const T_ARR = 0x4a7c15f9;
const T_OBJ = 0x5bd1e995;
const T_NULL = 0x68e31da4;
const T_TRUE = 0x7f4a7c15;
const T_FALSE = 0x1656667b;

function hashStr(s: string, tag: number): void {
  // two lanes with different multipliers and feeds; each step is a bijection of the lane
  let a = tag ^ s.length;
  let b = Math.imul(tag, 0x9e3779b1) ^ s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 0x9e3779b1);
    a ^= a >>> 15;
    b = Math.imul(b + c, 0x85ebca77);
    b ^= b >>> 13;
  }
  ra = fmix(a);
  rb = fmix(b ^ Math.imul(ra, 0x27d4eb2f));
}

function hashAny(v: unknown): void {
  switch (typeof v) {
    case 'string':
      hashStr(v, T_STR);
      return;
    case 'number':
      if ((v | 0) === v) {
        // -0 lands here as 0, as canonical() writes it
        ra = fmix(v ^ T_INT);
        rb = fmix(Math.imul(v, 0x9e3779b1) ^ T_STR);
      } else if (Number.isFinite(v)) hashStr(String(v), T_NUM);
      else nul();
      return;
    case 'boolean':
      ra = v ? T_TRUE : T_FALSE;
      rb = v ? T_FALSE : T_TRUE;
      return;
    case 'object':
      if (v === null) nul();
      else if (Array.isArray(v)) hashArray(v);
      else hashObject(v as Record<string, unknown>);
      return;
    default:
      // undefined, functions and symbols are written as null by canonical()
      nul();
  }
}

function nul(): void {
  ra = T_NULL;
  rb = ~T_NULL >>> 0;
}

function hashArray(v: readonly unknown[]): void {
  let a = T_ARR ^ v.length;
  let b = Math.imul(T_ARR, 0x85ebca77) + v.length;
  for (let i = 0; i < v.length; i++) {
    hashAny(v[i]);
    a = Math.imul(a ^ ra, 0x9e3779b1);
    a ^= a >>> 15;
    b = Math.imul(b + rb, 0x85ebca77);
    b ^= b >>> 13;
  }
  ra = fmix(a);
  rb = fmix(b ^ ra);
}

// Field names are few and repeat in every state: their hashes are computed once.
const keySlot = new Map<string, number>();
let keyHash = new Uint32Array(256);

function newKey(k: string): number {
  const slot = keySlot.size;
  if (2 * slot + 1 >= keyHash.length) {
    const grown = new Uint32Array(keyHash.length * 2);
    grown.set(keyHash);
    keyHash = grown;
  }
  hashStr(k, T_OBJ);
  keyHash[2 * slot] = ra;
  keyHash[2 * slot + 1] = rb;
  // a model with unbounded field names (ids as keys) must not grow the cache forever
  if (slot < 1 << 16) keySlot.set(k, slot);
  return slot;
}

function hashObject(o: Record<string, unknown>): void {
  // fields are summed, so their order does not matter; undefined fields are
  // left out, as canonical() leaves them out
  let sa = 0;
  let sb = 0;
  let n = 0;
  for (const k in o) {
    const x = o[k];
    if (x === undefined) continue;
    hashAny(x);
    const va = ra;
    const vb = rb;
    let slot = keySlot.get(k);
    if (slot === undefined) slot = newKey(k); // overwrites ra, rb
    sa = (sa + fmix((keyHash[2 * slot] as number) ^ Math.imul(va, 0xcc9e2d51))) | 0;
    sb = (sb + fmix((keyHash[2 * slot + 1] as number) + Math.imul(vb ^ 0x1b873593, 0x38b34ae5))) | 0;
    n++;
  }
  ra = fmix(sa ^ Math.imul(n, T_OBJ));
  rb = fmix(sb + Math.imul(n ^ T_ARR, 0x85ebca77));
}

/** A 64-bit fingerprint as two unsigned 32-bit words. */
export interface Fingerprint {
  readonly hi: number;
  readonly lo: number;
}

/**
 * Fingerprints a key (a string from a model's view, or any plain JSON value)
 * and returns the low word; the high word is left in {@link fpHi}. Split this
 * way so the engine's hot loop allocates nothing.
 */
export function fingerprint(key: unknown): number {
  if (typeof key === 'string') hashStr(key, T_STR);
  else hashAny(key);
  return ra;
}

/** The high word of the last {@link fingerprint}. */
export function fpHi(): number {
  return rb;
}

/** Both words of a key's fingerprint (for tests and tools; the engine uses {@link fingerprint}). */
export function fingerprintOf(key: unknown): Fingerprint {
  const lo = fingerprint(key);
  return { lo, hi: rb };
}

/**
 * A set of 64-bit fingerprints that numbers them densely in insertion order
 * (the liveness engine uses the numbers as graph nodes). The fingerprints
 * sit side by side in one Uint32Array indexed by number; the hash table is
 * an Int32Array of numbers plus one (0 marks an empty slot), open addressing
 * with linear probing, grown at 3/4 load. A stored state costs 8 bytes plus
 * 4 per slot: 13 to 27 bytes, with both arrays grown by doubling.
 */
export class FingerprintSet {
  private table: Int32Array;
  private mask: number;
  private fps: Uint32Array;
  private count = 0;

  constructor(capacity = 1 << 12) {
    let cap = 16;
    while (cap < capacity) cap *= 2;
    this.table = new Int32Array(cap);
    this.mask = cap - 1;
    this.fps = new Uint32Array(cap * 2);
  }

  /** Number of fingerprints stored. */
  get size(): number {
    return this.count;
  }

  /** Bytes held by the table and the fingerprints. */
  get bytes(): number {
    return this.table.byteLength + this.fps.byteLength;
  }

  /** Adds a fingerprint; true when it was not there yet. */
  add(lo: number, hi: number): boolean {
    const n = this.count;
    this.intern(lo, hi);
    return this.count > n;
  }

  /** The number of a fingerprint, adding it (as number `size`) when it is new. */
  intern(lo: number, hi: number): number {
    lo >>>= 0;
    hi >>>= 0;
    const t = this.table;
    const f = this.fps;
    let i = (lo ^ Math.imul(hi, 0x9e3779b1)) & this.mask;
    for (;;) {
      const id = (t[i] as number) - 1;
      if (id < 0) break;
      if (f[2 * id] === lo && f[2 * id + 1] === hi) return id;
      i = (i + 1) & this.mask;
    }
    const id = this.count++;
    if (2 * id + 1 >= f.length) {
      const grown = new Uint32Array(f.length * 2);
      grown.set(f);
      this.fps = grown;
    }
    this.fps[2 * id] = lo;
    this.fps[2 * id + 1] = hi;
    t[i] = id + 1;
    if (this.count * 4 > (this.mask + 1) * 3) this.grow();
    return id;
  }

  private grow(): void {
    const cap = (this.mask + 1) * 2;
    const t = new Int32Array(cap);
    const mask = cap - 1;
    const f = this.fps;
    for (let id = 0; id < this.count; id++) {
      let i = ((f[2 * id] as number) ^ Math.imul(f[2 * id + 1] as number, 0x9e3779b1)) & mask;
      while (t[i] !== 0) i = (i + 1) & mask;
      t[i] = id + 1;
    }
    this.table = t;
    this.mask = mask;
  }
}
