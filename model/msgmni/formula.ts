/**
 * The msgmni formula of spec 01 §2 (ipc/msg.c `recompute_msgmni`, v2.6.27)
 * and its scaled form of §7, as pure functions over integers.
 *
 * Kernel form, all divisions integer, `L` = lowmem pages, `n` = nr_ipc_ns:
 * `a = ((L / MSG_MEM_SCALE) * PAGE_SIZE / MSGMNB) / n`, then
 * `a < MSGMNI ? MSGMNI : (a > IPCMNI / n ? IPCMNI / n : a)`. The lower clamp
 * is tested first and is not divided by `n`.
 */

/** include/linux/msg.h: lowmem is divided by this before scaling to bytes. */
export const MSG_MEM_SCALE = 32;
/** include/linux/msg.h: the lower clamp (default minimum of msgmni). */
export const MSGMNI = 16;
/** include/linux/msg.h: bytes of one queue's default size. */
export const MSGMNB = 16384;
/** include/linux/ipc.h: ids per ipc type; the upper clamp is IPCMNI / n. */
export const IPCMNI = 32768;
/** mem_unit of sysinfo: PAGE_SIZE on 4 KiB-page kernels. */
export const PAGE_SIZE = 4096;
/** include/linux/ipc_namespace.h: priority of every ns's block on the ipcns chain. */
export const IPCNS_CALLBACK_PRI = 0;
/** ipcns chain events (include/linux/ipc_namespace.h). */
export const IPCNS_MEMCHANGED = 1;
/** A namespace was created. */
export const IPCNS_CREATED = 2;
/** A namespace was removed. */
export const IPCNS_REMOVED = 3;

/** The constants the formula is built from; {@link KERNEL} or {@link SCALED}. */
export interface FormulaConstants {
  readonly memScale: number;
  readonly pageSize: number;
  readonly mnb: number;
  /** Lower clamp (MSGMNI). */
  readonly lo: number;
  /** Upper clamp before division by n (IPCMNI). */
  readonly hi: number;
}

/** The kernel's constants. */
export const KERNEL: FormulaConstants = { memScale: MSG_MEM_SCALE, pageSize: PAGE_SIZE, mnb: MSGMNB, lo: MSGMNI, hi: IPCMNI };
/** Spec 01 §7: `f(L, n) = clamp(L / n, lo = 1, hi = 8 / n)`, same order of tests. */
export const SCALED: FormulaConstants = { memScale: 1, pageSize: 1, mnb: 1, lo: 1, hi: 8 };

const div = (a: number, b: number): number => Math.trunc(a / b);

/**
 * f(L, n) with the given constants (default: the kernel's). `L` must be a
 * non-negative integer small enough that `L / memScale * pageSize` is exact
 * in a double (below 2^53), `n` a positive integer.
 */
export function formula(L: number, n: number, k: FormulaConstants = KERNEL): number {
  if (!Number.isInteger(L) || L < 0 || !Number.isInteger(n) || n < 1) throw new Error(`formula(${L}, ${n}): L must be a natural, n positive`);
  const bytes = div(L, k.memScale) * k.pageSize;
  if (!Number.isSafeInteger(bytes)) throw new Error(`formula(${L}, ${n}): lowmem too large for exact arithmetic`);
  const a = div(div(bytes, k.mnb), n);
  if (a < k.lo) return k.lo;
  const top = div(k.hi, n);
  return a > top ? top : a;
}

/** The kernel's `recompute_msgmni` value: {@link formula} with {@link KERNEL}. */
export function recomputeMsgmni(lowmemPages: number, nrIpcNs: number): number {
  return formula(lowmemPages, nrIpcNs, KERNEL);
}
