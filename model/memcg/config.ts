/**
 * Configurations of the memcg model: validation of a configuration read from
 * a replay file, and the generators of random configurations.
 */
import fc from 'fast-check';
import type { MemcgConfig } from './state.js';

const KEYS: Record<keyof MemcgConfig, 'nat' | 'natOrNull' | 'bool' | 'strings'> = {
  limitPages: 'natOrNull',
  reclaimable: 'nat',
  pinned: 'nat',
  swapClusterMax: 'nat',
  retries: 'nat',
  reclaimMax: 'nat',
  charges: 'natOrNull',
  chargerWait: 'bool',
  uncharges: 'nat',
  toggles: 'nat',
  shrinkInputs: 'strings',
  limitInputs: 'strings',
  limitWriters: 'nat',
  signals: 'bool',
};

const isNat = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 1_000_000;

/** Validates a memcg configuration; throws a one-line error naming the first bad field. */
export function parseMemcgConfig(raw: unknown): MemcgConfig {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error('memcg config must be an object');
  const o = raw as Record<string, unknown>;
  for (const [k, kind] of Object.entries(KEYS)) {
    const v = o[k];
    const ok =
      kind === 'nat' ? isNat(v)
      : kind === 'natOrNull' ? v === null || isNat(v)
      : kind === 'bool' ? typeof v === 'boolean'
      : Array.isArray(v) && v.every((x) => typeof x === 'string');
    if (!ok) throw new Error(`memcg config field '${k}' is missing or not a ${kind}`);
  }
  const extra = Object.keys(o).filter((k) => !(k in KEYS));
  if (extra.length) throw new Error(`memcg config has unknown field '${extra[0]}'`);
  const c = o as unknown as MemcgConfig;
  if (c.limitPages !== null && c.limitPages < c.reclaimable + c.pinned) throw new Error('memcg config starts above its limit');
  if (c.limitWriters < 1 || c.limitWriters > 2) throw new Error('memcg config limitWriters must be 1 or 2');
  return c;
}

/** Sizes a shrink or limit writer may write: page multiples, odd values, bases, suffixes, malformed input. */
const INPUTS = ['0', '4K', '8K', '12k', '16K', '4097', '0x2000', '010K', '', '1', '400M', '1G', '12X', ' 8K', '8K\n', '-1'];
/** Inputs within PAGE_SIZE−1 of 2^64, whose round-up wraps (W1). */
const NEAR_WRAP = ['18446744073709551615', '18446744073709551000', '0xfffffffffffffc01', '0XFFFFFFFFFFFFFFFF'];

const base = {
  extra: fc.integer({ min: 0, max: 4 }),
  unlimited: fc.boolean(),
  reclaimable: fc.integer({ min: 0, max: 4 }),
  pinned: fc.integer({ min: 0, max: 2 }),
  swapClusterMax: fc.constantFrom(1, 2),
  retries: fc.integer({ min: 1, max: 3 }),
  reclaimMax: fc.integer({ min: 1, max: 3 }),
  charges: fc.option(fc.integer({ min: 0, max: 4 }), { nil: null, freq: 4 }),
  chargerWait: fc.boolean(),
  uncharges: fc.integer({ min: 0, max: 2 }),
  toggles: fc.integer({ min: 0, max: 2 }),
  shrinkInputs: fc.subarray(INPUTS, { minLength: 0, maxLength: 3 }),
  limitInputs: fc.subarray(INPUTS, { minLength: 0, maxLength: 3 }),
  limitWriters: fc.constantFrom(1, 2),
  signals: fc.boolean(),
};

function build(r: { [K in keyof typeof base]: (typeof base)[K] extends fc.Arbitrary<infer U> ? U : never }): MemcgConfig {
  const { extra, unlimited, ...rest } = r;
  return { ...rest, limitPages: unlimited ? null : r.reclaimable + r.pinned + extra };
}

/** Default random configurations: small groups, every event kind, inputs from a pool. */
export const memcgRandomConfig: fc.Arbitrary<MemcgConfig> = fc.record(base).map(build);

/** W1: a pool that always offers a size whose round-up wraps past 2^64. */
export const memcgW1RandomConfig: fc.Arbitrary<MemcgConfig> = fc
  .record({ ...base, wrap: fc.constantFrom(...NEAR_WRAP), toLimit: fc.boolean() })
  .map(({ wrap, toLimit, ...r }) => {
    const c = build(r);
    return toLimit ? { ...c, limitInputs: [...c.limitInputs, wrap] } : { ...c, shrinkInputs: [...c.shrinkInputs, wrap] };
  });

/** V3: a charger without budget and SWAP_CLUSTER_MAX scaled to 1, as spec 03 §6 says V3 needs. */
export const memcgV3RandomConfig: fc.Arbitrary<MemcgConfig> = fc
  .record({ ...base, target: fc.constantFrom('0', '4K') })
  .map(({ target, ...r }) => ({
    ...build(r),
    charges: null,
    swapClusterMax: 1,
    chargerWait: true,
    shrinkInputs: [target],
    limitInputs: [],
    signals: false,
  }));
