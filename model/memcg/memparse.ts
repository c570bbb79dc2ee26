/**
 * The size parser behind writes to `memory.shrink_in_bytes` and
 * `memory.limit_in_bytes` (spec 03 §2 "Parse", property M5, weaknesses W1/W2),
 * as a pure function of the written string.
 *
 * Modelled on (64-bit kernel, PAGE_SIZE 4096):
 * - kernel/cgroup.c `cgroup_write_string`: a write of `nbytes >= 63` → -E2BIG;
 *   the buffer is NUL-terminated and passed through lib/string.c `strstrip`.
 *   v2.6.27 ignores strstrip's return value (only trailing whitespace goes, a
 *   leading blank reaches the parser → -EINVAL); v2.6.33 passes
 *   `strstrip(buffer)` (both ends stripped). The 63-byte limit is in both.
 * - kernel/res_counter.c `res_counter_memparse_write_strategy`:
 *   `memparse`, `*end != '\0'` → -EINVAL, then `PAGE_ALIGN` (wraps mod 2^64,
 *   W1). The 2013 fix (Sha Zhengju) keeps the value if `PAGE_ALIGN(x) >= x`,
 *   else clamps to "unlimited" (LLONG_MAX in this model). From v2.6.31
 *   (so in v2.6.33) a leading `-` takes a separate path: the rest, read by
 *   `simple_strtoull(.., 10)`, must be exactly 1 with nothing after it, giving
 *   RESOURCE_MAX (= LLONG_MAX, not page-aligned); anything else → -EINVAL.
 * - lib/cmdline.c `memparse`: `simple_strtoull(ptr, &end, 0)`, then one suffix
 *   by switch fall-through: G/g `<<= 10`, M/m `<<= 10`, K/k `<<= 10` (no T/P/E).
 * - lib/vsprintf.c `simple_strtoull` with base 0 (`simple_guess_base`).
 *
 * simple_strtoull corner cases followed here:
 * - `0x`/`0X` selects hex only if a hex digit follows; otherwise the base is 8
 *   and the leading `0` is the number, so `0x`, `0xg`, `0xK` stop at `x` → -EINVAL.
 * - A leading `0` means octal; the first digit invalid for the base stops the
 *   number (`08` → 0 with `8` left → -EINVAL).
 * - No digits at all is the number 0, so `` → 0, `K` → 0, `m` → 0 (W2).
 * - No sign is accepted (`+1`, and `-1` before v2.6.33, → -EINVAL).
 * - `result = result * base + digit` wraps mod 2^64 at every step, which equals
 *   the full value mod 2^64 (W2); suffix shifts wrap the same way.
 *
 * Bytes: the JS string stands for the UTF-8 bytes of the write (what `echo`
 * sends, trailing newline included). The 63-byte limit counts those bytes; the
 * C string ends at the first NUL byte; kernel `isspace` is `\t \n \v \f \r`,
 * space and byte 0xA0 (Latin-1 NBSP in the kernel's ctype table). A non-ASCII
 * character therefore always ends in -EINVAL unless it follows a NUL (so the
 * 0xA0 case, kept for fidelity, can never change a result).
 */

/** Page size of the model (bytes); parsed values are rounded up to a multiple of it. */
export const PAGE_SIZE = 4096;

/** 2^64 - 1, the largest `unsigned long long`. */
export const U64_MAX: bigint = (1n << 64n) - 1n;

/** 2^63 - 1: the initial limit and the "unlimited" value of the model (RESOURCE_MAX). */
export const LLONG_MAX: bigint = (1n << 63n) - 1n;

/** Which kernel's write path to model. */
export interface ParseOptions {
  /**
   * Cgroup write path. Both: writes of 63 bytes or more → -E2BIG.
   * '2.6.27' (default): only TRAILING whitespace is stripped (leading blank → -EINVAL).
   * '2.6.33': both ends are stripped, and `-1` (rest read in base 10 and equal
   * to 1 mod 2^64, e.g. `-01`) means unlimited, i.e. {@link LLONG_MAX}.
   */
  readonly kernel?: '2.6.27' | '2.6.33';
  /**
   * W1: when true (default, the real v2.6.27 code), rounding up to a PAGE_SIZE
   * multiple wraps mod 2^64 (a value within PAGE_SIZE-1 of 2^64 becomes 0).
   * When false (the 2013 fix, the reference), a value whose round-up would wrap
   * is clamped to {@link LLONG_MAX}.
   */
  readonly roundingWrap?: boolean;
}

/** Parsed byte count (`0 ≤ bytes ≤ U64_MAX`) or the errno the write returns. */
export type ParseResult =
  | { readonly ok: true; readonly bytes: bigint }
  | { readonly ok: false; readonly errno: 'EINVAL' | 'E2BIG' };

const MOD = 1n << 64n;
const PAGE = BigInt(PAGE_SIZE);
/** `sizeof(local_buffer) - 1` in `cgroup_write_string`. */
const MAX_WRITE_BYTES = 63;
const NUL = 0x00;
const ch = (c: string): number => c.charCodeAt(0);
const encoder = new TextEncoder();

/** Kernel `isspace` (include/linux/ctype.h `_S`): 9..13, 32, 160. */
function isSpace(b: number): boolean {
  return (b >= 0x09 && b <= 0x0d) || b === 0x20 || b === 0xa0;
}

function isDigit(b: number): boolean {
  return b >= ch('0') && b <= ch('9');
}

function isXDigit(b: number): boolean {
  const l = b | 0x20;
  return isDigit(b) || (l >= ch('a') && l <= ch('f'));
}

/** lib/vsprintf.c `simple_strtoull(buf + pos, &end, base)`: [value mod 2^64, end index]. */
function simpleStrtoull(buf: Uint8Array, pos: number, base0: number): [bigint, number] {
  const at = (i: number): number => buf[i] ?? NUL; // reading past the end sees the NUL terminator
  let base = base0;
  let cp = pos;
  if (base === 0) {
    // simple_guess_base
    if (at(cp) === ch('0')) base = (at(cp + 1) | 0x20) === ch('x') && isXDigit(at(cp + 2)) ? 16 : 8;
    else base = 10;
  }
  if (base === 16 && at(cp) === ch('0') && (at(cp + 1) | 0x20) === ch('x')) cp += 2;
  let result = 0n;
  while (isXDigit(at(cp))) {
    const c = at(cp);
    const value = isDigit(c) ? c - ch('0') : (c | 0x20) - ch('a') + 10;
    if (value >= base) break;
    result = (result * BigInt(base) + BigInt(value)) % MOD;
    cp++;
  }
  return [result, cp];
}

/** lib/cmdline.c `memparse`: number, then one optional G/M/K suffix (fall-through shifts). */
function kernelMemparse(buf: Uint8Array, pos: number): [bigint, number] {
  const [n, end] = simpleStrtoull(buf, pos, 0);
  const shifts: Readonly<Record<string, bigint>> = { g: 30n, m: 20n, k: 10n };
  const c = buf[end];
  const shift = c === undefined ? undefined : shifts[String.fromCharCode(c | 0x20)];
  // `c | 0x20` maps only G/g, M/m, K/k onto these keys (no other byte does).
  if (shift === undefined) return [n, end];
  return [(n << shift) % MOD, end + 1];
}

/**
 * Parse a write to `memory.shrink_in_bytes` / `memory.limit_in_bytes` the way
 * the kernel does (see the file header): cgroup write-path checks and
 * whitespace stripping, `memparse` (auto-base u64, wrapping; optional K/M/G
 * suffix), -EINVAL on leftovers, then round up to a PAGE_SIZE multiple.
 *
 * @example memparse('400M\n') // { ok: true, bytes: 419430400n }
 * @example memparse('')       // { ok: true, bytes: 0n }
 * @example memparse(' 1')     // { ok: false, errno: 'EINVAL' } (v2.6.27)
 */
export function memparse(input: string, opts: ParseOptions = {}): ParseResult {
  const kernel = opts.kernel ?? '2.6.27';
  const roundingWrap = opts.roundingWrap ?? true;

  // cgroup_write_string: length check on the whole write.
  const raw = encoder.encode(input);
  if (raw.length >= MAX_WRITE_BYTES) return { ok: false, errno: 'E2BIG' };

  // buffer[nbytes] = 0; the C string ends at the first NUL.
  const nul = raw.indexOf(NUL);
  let buf = nul < 0 ? raw : raw.subarray(0, nul);

  // strstrip: trailing whitespace always; leading only where its result is used.
  let end = buf.length;
  while (end > 0 && isSpace(buf[end - 1] ?? NUL)) end--;
  let start = 0;
  if (kernel === '2.6.33') while (start < end && isSpace(buf[start] ?? NUL)) start++;
  buf = buf.subarray(start, end);

  // res_counter_memparse_write_strategy, v2.6.31+: "-1" means unlimited.
  if (kernel === '2.6.33' && buf[0] === ch('-')) {
    const [v, e] = simpleStrtoull(buf, 1, 10);
    return v === 1n && e === buf.length ? { ok: true, bytes: LLONG_MAX } : { ok: false, errno: 'EINVAL' };
  }

  const [value, e] = kernelMemparse(buf, 0);
  if (e !== buf.length) return { ok: false, errno: 'EINVAL' };

  // PAGE_ALIGN(x) = (x + PAGE_SIZE - 1) & PAGE_MASK, in u64.
  const aligned = ((value + PAGE - 1n) % MOD) & ~(PAGE - 1n);
  if (!roundingWrap && aligned < value) return { ok: true, bytes: LLONG_MAX };
  return { ok: true, bytes: aligned };
}
