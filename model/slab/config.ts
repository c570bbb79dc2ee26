/**
 * Configurations of the slab-reserve model: the §7 small one, the schema a
 * configuration read from a replay file or `--config` is checked against,
 * and random generators.
 */
import fc from 'fast-check';
import { z } from 'zod';
import type { SlabConfig } from './state.js';

/**
 * Spec 05 §7: one cache, k = 2, 2 CPUs, a page allocator of 2 pages with a
 * pressure toggle, one entitled and one plain context per CPU with ≤ 3
 * allocations each, at most one node_mismatch and one shrink. Migration is
 * off here (see the model's header); the random configurations use it.
 */
export const SMALL: SlabConfig = {
  k: 2,
  cpus: 2,
  caches: 1,
  pages: 2,
  pressure: false,
  toggles: null,
  allocs: null,
  shrinks: 1,
  mismatches: 1,
  migrations: 0,
  batch: 2,
  limit: 4,
};

/**
 * W2: two caches on one CPU, three pages, memalloc sockets present; two
 * allocations per context (the scenario needs two each) and no shrink, so
 * that P4's other departures (arrays pinning more reserve slabs than S2
 * allows, the non-NUMA NULL of S4) are out of reach (see the header).
 */
export const W2_CONFIG: SlabConfig = { ...SMALL, cpus: 1, caches: 2, pages: 3, allocs: 2, shrinks: 0, mismatches: 0 };

/** A whole number in [lo, hi]. */
const int = (lo: number, hi: number) => z.number().int().min(lo).max(hi);

/**
 * The configuration's fields and ranges (replay files, `--config`): unknown
 * fields are refused, and an array batch larger than its limit too.
 */
export const slabConfigSchema: z.ZodType<SlabConfig> = z
  .strictObject({
    k: int(1, 8),
    cpus: int(1, 4),
    caches: int(1, 3),
    pages: int(0, 8),
    pressure: z.boolean(),
    toggles: int(0, 8).nullable(),
    allocs: int(0, 8).nullable(),
    shrinks: int(0, 4),
    mismatches: int(0, 4),
    migrations: int(0, 4),
    batch: int(1, 8),
    limit: int(1, 16),
  })
  .superRefine((c, ctx) => {
    // cache_alloc_refill moves at most `batch` objects into an array of at most `limit`
    if (c.batch > c.limit) ctx.addIssue({ code: 'custom', path: ['batch'], message: `${c.batch} exceeds limit ${c.limit}` });
  });

const base = {
  k: fc.constantFrom(2, 2, 3),
  cpus: fc.constantFrom(1, 2, 2),
  pages: fc.integer({ min: 1, max: 3 }),
  pressure: fc.boolean(),
  toggles: fc.integer({ min: 1, max: 3 }),
  allocs: fc.integer({ min: 1, max: 3 }),
  shrinks: fc.integer({ min: 0, max: 1 }),
  mismatches: fc.integer({ min: 0, max: 1 }),
  migrations: fc.integer({ min: 0, max: 1 }),
};

/** Default random configurations: one cache, 1–2 CPUs, 1–3 pages, k ∈ {2, 3}. */
export const slabRandomConfig: fc.Arbitrary<SlabConfig> = fc.record(base).map((r) => ({ ...r, caches: 1, batch: r.k, limit: 2 * r.k }));

/**
 * W2: {@link W2_CONFIG} starting under pressure with one toggle left (the
 * scenario lifts pressure once), so that runs are short and the random
 * schedules spend their steps on the two caches.
 */
export const slabW2RandomConfig: fc.Arbitrary<SlabConfig> = fc.constant({ ...W2_CONFIG, pressure: true, toggles: 1 });
