/**
 * Configurations of the memcg model: the schema a configuration read from a
 * replay file or `--config` is checked against, and the generators of random
 * configurations.
 */
import fc from 'fast-check';
import { z } from 'zod';
import type { MemcgConfig } from './state.js';

/** A count or a size in pages: a whole number, bounded so that no exploration is asked for the absurd. */
const nat = z.number().int().min(0).max(1_000_000);

/**
 * The configuration's fields and ranges (replay files, `--config`): unknown
 * fields are refused, and a group that starts above its limit too.
 */
export const memcgConfigSchema: z.ZodType<MemcgConfig> = z
  .strictObject({
    limitPages: nat.nullable(),
    reclaimable: nat,
    pinned: nat,
    swapClusterMax: nat,
    retries: nat,
    reclaimMax: nat,
    charges: nat.nullable(),
    chargerWait: z.boolean(),
    uncharges: nat,
    toggles: nat,
    shrinkInputs: z.array(z.string()),
    limitInputs: z.array(z.string()),
    // one limit writer, or W3's two
    limitWriters: z.literal([1, 2]),
    signals: z.boolean(),
  })
  .superRefine((c, ctx) => {
    // §2's usage starts at the charged pages, which must fit under the initial limit (M1 in the initial state)
    if (c.limitPages !== null && c.limitPages < c.reclaimable + c.pinned)
      ctx.addIssue({ code: 'custom', path: ['limitPages'], message: `${c.limitPages} pages is below the ${c.reclaimable + c.pinned} charged at the start` });
  });

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
