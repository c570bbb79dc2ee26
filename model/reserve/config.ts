/**
 * Configurations of the reserve model: the §7 small one, the schema a
 * configuration read from a replay file or `--config` must match, and random
 * generators.
 */
import fc from 'fast-check';
import { z } from 'zod';
import { configParser } from '../config-schema.js';
import { GFP_ATOMIC, GFP_NOIO } from '../kernel/allocator.js';
import type { AllocatorSpec, ReserveConfig, SetKind } from './state.js';

/** PAGE in the spec's §7 units. */
export const PAGE = 4;
/** KMALLOC_MIN in the spec's §7 units. */
export const KMALLOC_MIN = 2;
/** kB per page in var_free_kbytes (a 4 KiB page). */
export const PAGE_KB = 4;

/** E1: entitled (PF_MEMALLOC) and may wait (GFP_NOIO has `__GFP_WAIT`). */
export const E1: AllocatorSpec = { id: 'E1', gfp: GFP_NOIO, entitled: true, allocs: 2 };
/** E2: entitled, GFP_ATOMIC (no `__GFP_WAIT`). */
export const E2: AllocatorSpec = { id: 'E2', gfp: GFP_ATOMIC, entitled: true, allocs: 2 };
/** P: a plain GFP_ATOMIC allocator (ALLOC_HIGH | ALLOC_HARDER), not entitled. */
export const P: AllocatorSpec = { id: 'P', gfp: GFP_ATOMIC, entitled: false, allocs: 1 };

/**
 * Spec 04 §7: zone free 6, min 1, emerg 2; r with limit 8 units (2 pages)
 * under root; sizes {1, 3, 4}; E1, E2, P; one set event; one pressure(2),
 * one reclaim(2). The set event grows r to 3 pages (a shrink exposes
 * finding F1, see the F1 variant); E1 and E2 make at most two requests each,
 * P one (the reduction that keeps the exhaustive search small).
 */
export const SMALL: ReserveConfig = {
  free: 6,
  min: 1,
  pages: 2,
  connected: true,
  sizes: [1, 3, 4],
  allocators: [E1, E2, P],
  setKind: 'pages',
  setValues: [3],
  sets: 1,
  pressures: [2],
  reclaims: [2],
  swapons: 0,
  swapoffs: 0,
  swaponPages: 2,
};

/** A count or size field: a whole number from 0 to `max`. */
const nat = (max = 64) => z.number().int().min(0).max(max);

/**
 * The fields of a reserve configuration, their types and ranges; unknown
 * fields are refused, here and in each allocator. What one field cannot say
 * alone is checked after: sizes are at most a page in the configuration's
 * units, allocator ids are distinct and leave S1, S2 and W to the tree
 * operations, and set events need values.
 */
export const reserveConfigSchema: z.ZodType<ReserveConfig> = z
  .strictObject({
    free: nat(),
    min: nat(),
    pages: nat(),
    connected: z.boolean(),
    // at most a page: 4096 in bytes, PAGE in §7's units (checked below)
    sizes: z.array(z.number().int().min(1).max(4096)).min(1),
    allocators: z.array(z.strictObject({ id: z.string(), gfp: nat(0xfffff), entitled: z.boolean(), allocs: nat().nullable() })),
    setKind: z.enum(['pages', 'kmalloc']),
    setValues: z.array(nat()),
    sets: nat(2),
    pressures: z.array(nat()),
    reclaims: z.array(nat()),
    swapons: nat(),
    swapoffs: nat(),
    swaponPages: nat(),
    units: z.enum(['scaled', 'bytes']).optional(),
  })
  .superRefine((c, ctx) => {
    if (c.units !== 'bytes' && c.sizes.some((x) => x > PAGE)) ctx.addIssue({ code: 'custom', path: ['sizes'], message: `a request is at most a page (${PAGE} units)` });
    const ids = c.allocators.map((a) => a.id);
    if (new Set(ids).size !== ids.length || ids.some((i) => /^(S\d|W)$/.test(i))) ctx.addIssue({ code: 'custom', path: ['allocators'], message: 'allocator ids must be distinct and not S1, S2 or W' });
    if (c.sets > 0 && c.setValues.length === 0) ctx.addIssue({ code: 'custom', path: ['setValues'], message: 'set events need at least one value' });
  });

/** A reserve configuration read from a replay file or `--config`; throws one line naming the first bad field. */
export const parseReserveConfig: (raw: unknown) => ReserveConfig = configParser('reserve', reserveConfigSchema);

const base = {
  free: fc.integer({ min: 4, max: 8 }),
  min: fc.integer({ min: 1, max: 2 }),
  pages: fc.integer({ min: 1, max: 3 }),
  allocs: fc.oneof({ weight: 5, arbitrary: fc.integer({ min: 1, max: 3 }) }, { weight: 1, arbitrary: fc.constant(null) }),
  sizes: fc.subarray([1, 2, 3, 4], { minLength: 1 }),
  allocators: fc.constantFrom<readonly AllocatorSpec[]>([E1, E2, P], [E1, E2], [E1, P], [E1, E2, P, { ...E1, id: 'E3' }]),
  setKind: fc.constantFrom<SetKind>('pages', 'pages', 'kmalloc'),
  grow: fc.subarray([0, 1, 2], { minLength: 1, maxLength: 2 }),
  sets: fc.integer({ min: 0, max: 1 }),
  pressures: fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 }),
  reclaims: fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 }),
  swap: fc.boolean(),
};

function build(r: { [K in keyof typeof base]: (typeof base)[K] extends fc.Arbitrary<infer U> ? U : never }, shrink: boolean): ReserveConfig {
  const { swap, allocs, grow, ...rest } = r;
  // set values never below r's size unless asked to (a shrink exposes finding F1); kmalloc_set takes units
  const steps = shrink ? [-1, ...grow] : grow;
  const setValues = steps.map((g) => (rest.setKind === 'pages' ? Math.max(0, r.pages + g) : PAGE * Math.max(0, r.pages + g)));
  return {
    ...SMALL,
    ...rest,
    setValues,
    connected: true,
    allocators: rest.allocators.map((a) => ({ ...a, allocs })),
    swapons: swap ? 1 : 0,
    swapoffs: swap ? 1 : 0,
    swaponPages: r.pages,
  };
}

/** Random configurations around §7: zone size, sizes, contexts, budgets and events vary; sets grow r. */
export const reserveRandomConfig: fc.Arbitrary<ReserveConfig> = fc.record(base).map((r) => build(r, false));



/**
 * Small random configurations for the buggy variants: the suite explores the
 * configuration of every counterexample the random engine finds, so these
 * stay close to §7's size.
 */
const small = {
  ...base,
  free: fc.integer({ min: 3, max: 6 }),
  pages: fc.integer({ min: 1, max: 2 }),
  allocs: fc.integer({ min: 1, max: 2 }) as fc.Arbitrary<number | null>,
  allocators: fc.constantFrom<readonly AllocatorSpec[]>([E1, E2, P], [E1, E2], [E1, P], [E2, P]),
  setKind: fc.constant<SetKind>('pages'),
  grow: fc.subarray([0, 1], { minLength: 1 }),
  pressures: fc.array(fc.integer({ min: 1, max: 2 }), { maxLength: 1 }),
  reclaims: fc.array(fc.integer({ min: 1, max: 2 }), { maxLength: 1 }),
  swap: fc.constant<boolean>(false),
};

/** Small configurations (see {@link small}); sets grow r. */
export const reserveSmallRandomConfig: fc.Arbitrary<ReserveConfig> = fc.record(small).map((r) => build(r, false));

/** V5: two set events that may run concurrently and nothing else (its smallest configuration, §7). */
export const reserveTwoSetsRandomConfig: fc.Arbitrary<ReserveConfig> = reserveSmallRandomConfig.map((c) => ({ ...c, allocators: [], pressures: [], reclaims: [], sets: 2 }));

/** Finding F1: one set may shrink r, small otherwise. */
export const reserveShrinkRandomConfig: fc.Arbitrary<ReserveConfig> = fc.record(small).map((r) => ({ ...build(r, true), sets: 1 }));

/**
 * W2: r starts at one page and a set raises it to two; E1 may wait; pressure
 * makes K0 fail and reclaim gives the set's test allocation room.
 */
export const reserveRaiseRandomConfig: fc.Arbitrary<ReserveConfig> = fc
  .record({
    ...small,
    pages: fc.constant<number>(1),
    free: fc.integer({ min: 4, max: 5 }),
    min: fc.constant<number>(1),
    sizes: fc.constantFrom<number[]>([4], [3, 4], [1, 4]),
    allocators: fc.constant<readonly AllocatorSpec[]>([E1, E2]),
    grow: fc.constant<number[]>([1]),
    pressures: fc.array(fc.integer({ min: 2, max: 3 }), { minLength: 1, maxLength: 1 }),
    reclaims: fc.array(fc.integer({ min: 2, max: 3 }), { minLength: 1, maxLength: 1 }),
  })
  .map((r) => ({ ...build(r, false), sets: 1 }));

/** V6: swapoff and swapon, so that a setter runs on a detached node; small otherwise. */
export const reserveSwapRandomConfig: fc.Arbitrary<ReserveConfig> = reserveSmallRandomConfig.map((c) => ({ ...c, swapons: 1, swapoffs: 1 }));
