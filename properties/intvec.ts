/**
 * A growable vector of 32-bit integers over one Int32Array: the engines'
 * per-state links and the liveness graph's edges, millions of entries
 * without a JS object each.
 */
export class IntVec {
  /** The backing array; entries past `length` are unused. */
  data: Int32Array;
  /** Number of entries. */
  length: number;

  /** An empty vector, or one over `data` as it is. */
  constructor(data?: Int32Array) {
    this.data = data ?? new Int32Array(1 << 12);
    this.length = data?.length ?? 0;
  }

  /** Bytes held. */
  get bytes(): number {
    return this.data.byteLength;
  }

  /** Appends `x`. */
  push(x: number): void {
    if (this.length === this.data.length) {
      const d = new Int32Array(this.data.length * 2);
      d.set(this.data);
      this.data = d;
    }
    this.data[this.length++] = x;
  }

  /** Entry `i`. */
  at(i: number): number {
    return this.data[i] as number;
  }

  /** Sets entry `i` (below `length`). */
  set(i: number, x: number): void {
    this.data[i] = x;
  }
}
