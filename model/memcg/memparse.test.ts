import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { LLONG_MAX, PAGE_SIZE, U64_MAX, memparse, type ParseOptions, type ParseResult } from './memparse.js';
import { memparseOracle as oracle, ORACLE_CONFIGS as CONFIGS, type OracleConfig as Config } from './memparse-oracle.js';

const ok = (bytes: bigint): ParseResult => ({ ok: true, bytes });
const EINVAL: ParseResult = { ok: false, errno: 'EINVAL' };
const E2BIG: ParseResult = { ok: false, errno: 'E2BIG' };

const K27: ParseOptions = { kernel: '2.6.27' };
const K33: ParseOptions = { kernel: '2.6.33' };
const FIX: ParseOptions = { roundingWrap: false };

/** [input, options, expected]: every expected value below was worked out by hand. */
const table: ReadonlyArray<readonly [string, ParseOptions, ParseResult]> = [
  // spec §2 examples
  ['400M', {}, ok(419430400n)],
  ['', {}, ok(0n)],
  ['010K', {}, ok(8192n)],
  ['1', {}, ok(4096n)],
  // decimal and rounding
  ['0', {}, ok(0n)],
  ['4095', {}, ok(4096n)],
  ['4096', {}, ok(4096n)],
  ['4097', {}, ok(8192n)],
  // suffixes, both cases, cumulative
  ['1k', {}, ok(4096n)],
  ['1K', {}, ok(4096n)],
  ['5k', {}, ok(8192n)],
  ['1m', {}, ok(1048576n)],
  ['1M', {}, ok(1048576n)],
  ['1g', {}, ok(1073741824n)],
  ['1G', {}, ok(1073741824n)],
  ['3G', {}, ok(3221225472n)],
  // no digits at all: the number is 0 (W2)
  ['K', {}, ok(0n)],
  ['m', {}, ok(0n)],
  // hex
  ['0x1000', {}, ok(4096n)],
  ['0X1F', {}, ok(4096n)],
  ['0xfffff', {}, ok(1048576n)],
  ['0x10k', {}, ok(16384n)],
  ['0x1E', {}, ok(4096n)],
  ['0xAbCdEf', {}, ok(11259904n)],
  // `0x` not followed by a hex digit: base 8, "0" parsed, "x..." left
  ['0x', {}, EINVAL],
  ['0X', {}, EINVAL],
  ['0xg', {}, EINVAL],
  ['0xK', {}, EINVAL],
  ['00x1', {}, EINVAL],
  // octal (W2: leading zero)
  ['010', {}, ok(4096n)],
  ['0777', {}, ok(4096n)],
  ['017777', {}, ok(8192n)],
  ['020000', {}, ok(8192n)],
  ['0K', {}, ok(0n)],
  ['08', {}, EINVAL],
  ['09K', {}, EINVAL],
  ['0012', {}, ok(4096n)],
  // whitespace: trailing always stripped (echo's newline)
  ['400M\n', {}, ok(419430400n)],
  ['1 \t\r\n', {}, ok(4096n)],
  ['1K \n', {}, ok(4096n)],
  ['\n', {}, ok(0n)],
  // leading blank: -EINVAL in v2.6.27, stripped in v2.6.33
  [' 1', K27, EINVAL],
  [' 1', K33, ok(4096n)],
  ['\t400M\n', K27, EINVAL],
  ['\t400M\n', K33, ok(419430400n)],
  ['1 K', K33, EINVAL],
  // 63-byte writes (UTF-8 bytes) -> E2BIG, in both kernels; 62 bytes pass
  ['0'.repeat(62) + '1', K27, E2BIG],
  ['0'.repeat(62) + '1', K33, E2BIG],
  ['0'.repeat(61) + '1', K27, ok(4096n)],
  ['0'.repeat(60) + '1\n', K27, ok(4096n)],
  ['0'.repeat(61) + '1\n', K27, E2BIG],
  ['é'.repeat(32), K27, E2BIG], // 32 characters, 64 bytes
  ['1' + '\0'.repeat(62), K27, E2BIG],
  // the C string ends at the first NUL
  ['1\0garbage', {}, ok(4096n)],
  ['\0', {}, ok(0n)],
  ['1K\0\0', {}, ok(4096n)],
  // non-ASCII: never a digit, a suffix or (as a whole character) whitespace
  ['1\u00a0', {}, EINVAL],
  ['\u00a01', K33, EINVAL],
  ['１', {}, EINVAL],
  // W2: digits past 2^64 wrap
  ['18446744073709551616', {}, ok(0n)],
  ['18446744073709551617', {}, ok(4096n)],
  ['36893488147419103233', {}, ok(4096n)], // 2^65 + 1
  ['0x10000000000000001', {}, ok(4096n)],
  ['02000000000000000000000', {}, ok(0n)], // 2^64 in octal
  // suffix shifts wrap too
  ['17179869184G', {}, ok(0n)], // 2^34 * 2^30
  ['17179869185G', {}, ok(1073741824n)],
  ['0x40000000000000k', {}, ok(0n)], // 2^54 * 2^10
  ['16383G', {}, ok(17591112302592n)],
  // W1: rounding wraps to 0 unless fixed (then LLONG_MAX)
  ['18446744073709551615', {}, ok(0n)],
  ['18446744073709551615', FIX, ok(LLONG_MAX)],
  ['18446744073709547521', {}, ok(0n)], // 2^64 - 4095
  ['18446744073709547521', FIX, ok(LLONG_MAX)],
  ['18446744073709547520', {}, ok(18446744073709547520n)], // 2^64 - 4096: no wrap
  ['18446744073709547520', FIX, ok(18446744073709547520n)],
  ['0xffffffffffffffff', { kernel: '2.6.33', roundingWrap: false }, ok(LLONG_MAX)],
  ['9223372036854775807', {}, ok(9223372036854775808n)], // LLONG_MAX rounds up to 2^63
  // garbage
  ['12X', {}, EINVAL],
  ['1KB', {}, EINVAL],
  ['1kk', {}, EINVAL],
  ['1T', {}, EINVAL],
  ['1P', {}, EINVAL],
  ['1E', {}, EINVAL],
  ['1.5G', {}, EINVAL],
  ['+1', {}, EINVAL],
  ['-1', K27, EINVAL],
  ['-0', K27, EINVAL],
  ['1 2', K33, EINVAL],
  // v2.6.33: "-1" is unlimited (rest read in base 10, must be exactly 1)
  ['-1', K33, ok(LLONG_MAX)],
  ['-1\n', K33, ok(LLONG_MAX)],
  ['-01', K33, ok(LLONG_MAX)],
  ['-18446744073709551617', K33, ok(LLONG_MAX)], // wraps to 1
  ['-2', K33, EINVAL],
  ['-', K33, EINVAL],
  ['-1K', K33, EINVAL],
  ['- 1', K33, EINVAL],
  ['-0x1', K33, EINVAL],
];

describe('memparse: hand-checked table', () => {
  it.each(table.map(([s, o, r]) => [JSON.stringify(s), o, r, s] as const))('%s %o', (_name, opts, expected, input) => {
    expect(memparse(input, opts)).toEqual(expected);
  });

  it('defaults to v2.6.27 with the wrapping round-up', () => {
    expect(memparse(' 1')).toEqual(EINVAL);
    expect(memparse('-1')).toEqual(EINVAL);
    expect(memparse('18446744073709551615')).toEqual(ok(0n));
  });

  it('exports the constants of the model', () => {
    expect(PAGE_SIZE).toBe(4096);
    expect(U64_MAX).toBe(18446744073709551615n);
    expect(LLONG_MAX).toBe(9223372036854775807n);
  });
});

describe('oracle sanity (so that agreement means something)', () => {
  it('gives the spec examples and the wrap cases', () => {
    const c: Config = { kernel: '2.6.27', roundingWrap: true };
    expect(oracle('400M', c)).toEqual(ok(419430400n));
    expect(oracle('010K', c)).toEqual(ok(8192n));
    expect(oracle('0x', c)).toEqual(EINVAL);
    expect(oracle('18446744073709551617', c)).toEqual(ok(4096n));
    expect(oracle('18446744073709551615', { ...c, roundingWrap: false })).toEqual(ok(LLONG_MAX));
  });
});

// ---------------------------------------------------------------------------
// Generators

const chars = (alphabet: string, minLength: number, maxLength: number): fc.Arbitrary<string> =>
  fc.string({ unit: fc.constantFrom(...alphabet), minLength, maxLength });

const ws = fc.constantFrom('', '', '', ' ', '\t', '\n', ' \n', '\r\n', '\v', '\f', '\n\n');

/** Digits invalid for the base are included on purpose in some branches. */
const number = fc.oneof(
  fc.tuple(fc.constantFrom('0x', '0X'), chars('0123456789abcdefABCDEF', 0, 20)).map(([p, d]) => p + d),
  chars('01234567', 0, 24).map((d) => '0' + d),
  fc.tuple(chars('123456789', 1, 1), chars('0123456789', 0, 23)).map(([a, b]) => a + b),
  chars('0123456789', 0, 24), // may be octal with 8/9 in it
  fc.constant(''),
  fc.bigInt({ min: 0n, max: 2n ** 66n }).map((n) => n.toString()), // around 2^64: W1/W2
  fc.bigInt({ min: 0n, max: 4096n }).map((n) => (2n ** 64n - n).toString()),
  fc.bigInt({ min: 0n, max: 2n ** 66n }).map((n) => '0x' + n.toString(16)),
  // long zero-padded octal: near and past the 63-byte write limit
  fc.tuple(fc.integer({ min: 40, max: 62 }), chars('01234567', 0, 8)).map(([z, d]) => '0'.repeat(z) + d),
);

const suffix = fc.constantFrom('', '', 'k', 'K', 'm', 'M', 'g', 'G', 't', 'T', 'B', 'e');
const junk = fc.constantFrom('', '', '', '', 'x', 'B', 'k', '-', '1', ' 1', '.5', '\0junk', 'é', '\u00a0');
const sign = fc.constantFrom('', '', '', '', '-', '+');

const structured = fc
  .tuple(ws, sign, number, suffix, junk, ws)
  .map(([lead, sg, n, suf, j, trail]) => lead + sg + n + suf + j + trail);

const nearMiss = chars('0123456789abcdefxXkKmMgG -+\n\t\0', 0, 14);

const anyString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.string({ minLength: 55, maxLength: 70 }),
);

const config = fc.constantFrom(...CONFIGS);
const RUNS = { numRuns: 2000, seed: 2026 } as const;

// ---------------------------------------------------------------------------
// Properties

describe('memparse agrees with the oracle', () => {
  it('on structured strings (prefix, digits, suffix, junk, whitespace), all configurations', () => {
    fc.assert(
      fc.property(structured, config, (s, cfg) => {
        expect(memparse(s, cfg)).toEqual(oracle(s, cfg));
      }),
      RUNS,
    );
  });

  it('on strings over the parser alphabet', () => {
    fc.assert(
      fc.property(nearMiss, config, (s, cfg) => {
        expect(memparse(s, cfg)).toEqual(oracle(s, cfg));
      }),
      RUNS,
    );
  });

  it('on arbitrary strings (ok exactly when the oracle is ok, same errno otherwise)', () => {
    fc.assert(
      fc.property(anyString, config, (s, cfg) => {
        expect(memparse(s, cfg)).toEqual(oracle(s, cfg));
      }),
      RUNS,
    );
  });

  it('the structured generator reaches every outcome (guards against a vacuous generator)', () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(structured, config, (s, cfg) => {
        const r = memparse(s, cfg);
        seen.add(r.ok ? (r.bytes === 0n ? 'zero' : r.bytes === LLONG_MAX ? 'llong' : 'value') : r.errno);
      }),
      RUNS,
    );
    expect([...seen].sort()).toEqual(['E2BIG', 'EINVAL', 'llong', 'value', 'zero']);
  });
});

describe('memparse invariants', () => {
  it('an ok result is < 2^64 and a multiple of PAGE_SIZE, or exactly LLONG_MAX (fix / "-1")', () => {
    fc.assert(
      fc.property(fc.oneof(structured, nearMiss, anyString), config, (s, cfg) => {
        const r = memparse(s, cfg);
        if (!r.ok) return;
        expect(r.bytes >= 0n && r.bytes <= U64_MAX).toBe(true);
        const aligned = r.bytes % BigInt(PAGE_SIZE) === 0n;
        if (cfg.kernel === '2.6.27' && cfg.roundingWrap) expect(aligned).toBe(true);
        else expect(aligned || r.bytes === LLONG_MAX).toBe(true);
      }),
      RUNS,
    );
  });

  it('a trailing newline never changes the result of a short write', () => {
    fc.assert(
      fc.property(fc.oneof(structured, nearMiss), config, (s, cfg) => {
        fc.pre(Buffer.byteLength(s, 'utf8') < 62);
        expect(memparse(s + '\n', cfg)).toEqual(memparse(s, cfg));
      }),
      RUNS,
    );
  });

  it('roundingWrap only matters within PAGE_SIZE-1 of 2^64', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: U64_MAX }), fc.constantFrom('2.6.27', '2.6.33' as const), (n, kernel) => {
        const s = n.toString();
        const wrap = memparse(s, { kernel, roundingWrap: true });
        const fixed = memparse(s, { kernel, roundingWrap: false });
        if (n > U64_MAX - BigInt(PAGE_SIZE - 1)) {
          expect(wrap).toEqual(ok(0n));
          expect(fixed).toEqual(ok(LLONG_MAX));
        } else {
          expect(fixed).toEqual(wrap);
          expect(wrap.ok && wrap.bytes >= n && wrap.bytes - n < BigInt(PAGE_SIZE)).toBe(true);
        }
      }),
      RUNS,
    );
  });
});
