/**
 * An oracle for the size parser, written apart from `memparse.ts` so that a
 * property comparing the two can see a bug in either (issue 15): regular
 * expressions on the JS string, BigInt literals, a multiplier table and a
 * division-based round-up; no byte scanning and no constant shared with the
 * parser. Read by M5 (properties.ts) and by the parser's unit tests
 * (memparse.test.ts), which check the two against each other on thousands
 * of strings. Never mutated by `npm run mutation` (it is a judge).
 */
import type { ParseResult } from './memparse.js';

const TWO64 = 2n ** 64n;
/** 2^63 − 1: "unlimited" (the W1 fix's clamp and v2.6.33's "-1"). */
const UNLIMITED = 2n ** 63n - 1n;
const MULT: Readonly<Record<string, bigint>> = { '': 1n, k: 1024n, m: 1048576n, g: 1073741824n };
const NUMBER_RE = /^(?:0[xX]([0-9a-fA-F]+)|(0[0-7]*)|([1-9][0-9]*)|)([gGmMkK]?)$/;
const EINVAL: ParseResult = { ok: false, errno: 'EINVAL' };
const E2BIG: ParseResult = { ok: false, errno: 'E2BIG' };
const ok = (bytes: bigint): ParseResult => ({ ok: true, bytes });

/** Which write path the oracle follows (both fields required: no defaults to agree on by accident). */
export interface OracleConfig {
  readonly kernel: '2.6.27' | '2.6.33';
  /** W1: true, the round-up wraps mod 2^64; false, a wrapping round-up gives 2^63 − 1. */
  readonly roundingWrap: boolean;
}

/** Every write path, for tests that range over all of them. */
export const ORACLE_CONFIGS: readonly OracleConfig[] = [
  { kernel: '2.6.27', roundingWrap: true },
  { kernel: '2.6.27', roundingWrap: false },
  { kernel: '2.6.33', roundingWrap: true },
  { kernel: '2.6.33', roundingWrap: false },
];

/** What a write of `input` returns by spec 03 §2 (see the file header for how it is computed). */
export function memparseOracle(input: string, cfg: OracleConfig): ParseResult {
  if (Buffer.byteLength(input, 'utf8') >= 63) return E2BIG;
  let s = input.split('\0')[0] ?? '';
  // Any non-ASCII character leaves a byte >= 0x80 that no stripping removes.
  if (/[^\x00-\x7f]/.test(s)) return EINVAL;
  s = s.replace(/[ \t\n\v\f\r]+$/, '');
  if (cfg.kernel === '2.6.33') {
    s = s.replace(/^[ \t\n\v\f\r]+/, '');
    if (s.startsWith('-')) {
      const m = /^-([0-9]*)$/.exec(s);
      return m !== null && BigInt(m[1] === '' ? '0' : (m[1] ?? '0')) % TWO64 === 1n ? ok(UNLIMITED) : EINVAL;
    }
  }
  const m = NUMBER_RE.exec(s);
  if (m === null) return EINVAL;
  const [, hex, oct, dec, suffix] = m;
  let n: bigint;
  if (hex !== undefined) n = BigInt(`0x${hex}`);
  else if (oct !== undefined) n = BigInt(`0o${oct}`);
  else if (dec !== undefined) n = BigInt(dec);
  else n = 0n;
  const x = ((n % TWO64) * (MULT[(suffix ?? '').toLowerCase()] ?? 0n)) % TWO64;
  if (!cfg.roundingWrap && x + 4095n >= TWO64) return ok(UNLIMITED);
  return ok((((x + 4095n) / 4096n) * 4096n) % TWO64);
}
