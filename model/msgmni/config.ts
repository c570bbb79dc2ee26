/**
 * Configurations of the msgmni model: spec 01 §7's small one, the schema a
 * configuration read from a replay file or `--config` is checked by, and
 * random generators.
 */
import fc from 'fast-check';
import { z } from 'zod';
import { configParser } from '../config-schema.js';
import type { FamilyMember } from '../contract.js';
import type { MsgmniConfig } from './state.js';

/**
 * Spec 01 §7 as written: scaled formula, L ∈ {4, 8} (a block of 4 that
 * starts online), at most 2 memory events, init + at most 2 created
 * namespaces with one destroy, one manual writer (one negative and one
 * positive value, neither a value f can produce) and one auto_msgmni writer,
 * each writing once. Its reference BFS is past 1,000,000 states and still
 * incomplete (stopped there, no violation met), so the exhaustive engine uses
 * {@link SMALL}.
 */
export const SPEC_SMALL: MsgmniConfig = {
  formula: 'scaled',
  base: 4,
  block: 4,
  blockOnline: true,
  memEvents: 2,
  creates: 2,
  destroys: 1,
  manualValues: [-1, 3],
  manualWrites: 1,
  autoValues: [0, 1],
  autoWrites: 1,
  autoWriters: 1,
};

/**
 * The smallest reduction of §7 that keeps every context: one created
 * namespace instead of two (23,831 reference states). Two concurrent
 * creators are explored in {@link TWO_CREATORS}, with no sysctl writer.
 */
export const SMALL: MsgmniConfig = { ...SPEC_SMALL, creates: 1 };

/** W2: two concurrent creators (and the destroy and a memory event), no sysctl writer. */
export const TWO_CREATORS: MsgmniConfig = { ...SPEC_SMALL, memEvents: 1, manualWrites: 0, autoWrites: 0 };

/**
 * W4's v2.6.27 form: a second auto_msgmni writer on init, no msgmni writer
 * (with one, the unserialized handlers already race on §7: see W4-27).
 */
export const TWO_WRITERS: MsgmniConfig = { ...SMALL, memEvents: 1, manualWrites: 0, autoWriters: 2 };

/**
 * W4-27's zeroing run: a manual write first clears auto_msgmni, then both
 * auto writers re-enable; the second memset hits the linked block.
 */
export const TWO_WRITERS_ZEROING: MsgmniConfig = { ...SMALL, destroys: 0, memEvents: 0, manualValues: [3], autoValues: [1], autoWriters: 2 };

/** A count or size: a natural number, small enough for exact arithmetic. */
const nat = z.number().int().min(0).max(2 ** 40);
/** A value a sysctl writer writes: any int of the kernel's range. */
const int = z.number().int().min(-(2 ** 31)).max(2 ** 31);

/**
 * A msgmni configuration: the fields and their ranges (unknown fields
 * refused), then the checks between fields, each naming its field.
 */
export const msgmniConfigSchema = z
  .strictObject({
    formula: z.enum(['kernel', 'scaled']),
    base: nat,
    block: nat.min(1, 'must be positive'),
    blockOnline: z.boolean(),
    memEvents: nat,
    // the namespace table has two created ids
    creates: nat.max(2, 'must be at most 2'),
    destroys: nat,
    manualValues: z.array(int),
    manualWrites: nat,
    autoValues: z.array(int),
    autoWrites: nat,
    autoWriters: z.literal([1, 2], 'must be 1 or 2'),
    writerNs: z.enum(['init', 'ns1']).optional(),
  })
  .superRefine((c, ctx) => {
    if (c.destroys > c.creates) ctx.addIssue({ code: 'custom', path: ['destroys'], message: 'destroys more namespaces than it creates' });
    if (c.writerNs === 'ns1' && c.creates < 1) ctx.addIssue({ code: 'custom', path: ['writerNs'], message: "'ns1' needs a create" });
  });

/** Validates a msgmni configuration; throws a one-line error naming the first bad field. */
export const parseMsgmniConfig: (raw: unknown) => MsgmniConfig = configParser('msgmni', msgmniConfigSchema);

/**
 * The fewest events that exhibit a variant, for its random checks: fewer
 * enabled actions let the schedule shrinker reach short counterexamples.
 * V2: a creator's C3 walk holds the read lock while a manual write waits to
 * unregister, and a memory event's H queues behind it. W1: a manual write,
 * then an auto re-enable whose split recompute straddles a memory event's
 * walk. W4-27: the two auto writers alone.
 */
export const FOCUS = {
  V2: { ...SMALL, memEvents: 1, creates: 1, destroys: 0, manualWrites: 1, autoWrites: 0 },
  W1: { ...SMALL, memEvents: 1, creates: 0, destroys: 0, manualValues: [3], autoValues: [1] },
  'W4-27': { ...TWO_WRITERS, memEvents: 0, creates: 0, destroys: 0 },
} as const satisfies Record<string, MsgmniConfig>;

/** Lowmem figures for the kernel form, in 4 KiB pages: 1, 3 and 4 GiB and a 1 GiB or 256 MiB block. */
const KERNEL_BASES = [262144, 786432, 1048576];
const KERNEL_BLOCKS = [65536, 262144];

const base = {
  kernel: fc.boolean(),
  scaledBase: fc.constantFrom(2, 4, 6),
  scaledBlock: fc.constantFrom(2, 4),
  kernelBase: fc.constantFrom(...KERNEL_BASES),
  kernelBlock: fc.constantFrom(...KERNEL_BLOCKS),
  blockOnline: fc.boolean(),
  memEvents: fc.integer({ min: 0, max: 3 }),
  creates: fc.integer({ min: 0, max: 2 }),
  destroys: fc.integer({ min: 0, max: 2 }),
  manualValues: fc.subarray([-1, 3, 100, 0], { minLength: 1, maxLength: 3 }),
  manualWrites: fc.integer({ min: 0, max: 2 }),
  autoValues: fc.subarray([0, 1, 2], { minLength: 1, maxLength: 3 }),
  autoWrites: fc.integer({ min: 0, max: 2 }),
};

type Raw = { [K in keyof typeof base]: (typeof base)[K] extends fc.Arbitrary<infer U> ? U : never };

function build(r: Raw, autoWriters: number): MsgmniConfig {
  return {
    formula: r.kernel ? 'kernel' : 'scaled',
    base: r.kernel ? r.kernelBase : r.scaledBase,
    block: r.kernel ? r.kernelBlock : r.scaledBlock,
    blockOnline: r.blockOnline,
    memEvents: r.memEvents,
    creates: r.creates,
    destroys: Math.min(r.destroys, r.creates),
    manualValues: r.manualValues,
    manualWrites: r.manualWrites,
    autoValues: r.autoValues,
    autoWrites: r.autoWrites,
    autoWriters,
  };
}

/** Default random configurations: both formula forms, every event kind, one auto writer. */
export const msgmniRandomConfig: fc.Arbitrary<MsgmniConfig> = fc.record(base).map((r) => build(r, 1));

/**
 * Small configurations around `c` (the variant's exhaustive one): each event
 * budget ranges from 0 to c's, so the shrinker can drop whole event kinds. Fewer enabled actions let
 * the schedule shrinker reach short counterexamples.
 */
export function around(c: MsgmniConfig): fc.Arbitrary<MsgmniConfig> {
  return fc
    .record({
      memEvents: fc.integer({ min: 0, max: c.memEvents }),
      creates: fc.integer({ min: 0, max: c.creates }),
      destroys: fc.integer({ min: 0, max: c.destroys }),
      manualWrites: fc.integer({ min: 0, max: c.manualWrites }),
      autoWrites: fc.integer({ min: 0, max: c.autoWrites }),
    })
    .map((r) => ({ ...c, ...r, destroys: Math.min(r.destroys, r.creates) }));
}

/** No sysctl writer: the members about the formula's clamps keep every other event of {@link SMALL}. */
const NO_MANUAL = { manualWrites: 0 } as const;

/**
 * The family around {@link SMALL} (issue 15): each side of both clamps of
 * the formula in both forms, every optional event absent and more of it,
 * the sysctl values at their boundaries, and the writers in a created
 * namespace (spec 01 §3 "caller's ns"). {@link SMALL} itself sits on the
 * upper clamp's threshold (L = 8, n = 1: L / n = 8 / n).
 */
export const MSGMNI_FAMILY: readonly FamilyMember<MsgmniConfig>[] = [
  { name: 'small', why: 'the §7 reduction itself: L ∈ {4, 8}, at the upper clamp for n = 1', config: SMALL },
  { name: 'scaled-below-lower-clamp', why: 'L ∈ {1, 5}: L / n < lo = 1 for n = 2, so the lower clamp decides', config: { ...SMALL, ...NO_MANUAL, base: 1, block: 4, blockOnline: false } },
  { name: 'no-lowmem-at-boot', why: 'L = 0 until the block comes online: zero lowmem, the lower clamp for every n', config: { ...SMALL, ...NO_MANUAL, base: 0, block: 4, blockOnline: false } },
  { name: 'scaled-above-upper-clamp', why: 'L ∈ {8, 12}: L / n > hi / n for n = 1 and 2, so the upper clamp decides', config: { ...SMALL, ...NO_MANUAL, base: 8, block: 4 } },
  { name: 'kernel-below-lower-clamp', why: 'kernel constants, L ∈ {1024, 3072} pages: a = 8 and 24 for n = 1, 4 and 12 for n = 2, against MSGMNI = 16', config: { ...SMALL, ...NO_MANUAL, formula: 'kernel', base: 1024, block: 2048 } },
  { name: 'kernel-above-upper-clamp', why: 'kernel constants, 16 GiB + 1 GiB of lowmem: a > IPCMNI / n = 32768 / n for n = 1 and 2', config: { ...SMALL, ...NO_MANUAL, formula: 'kernel', base: 4194304, block: 262144 } },
  { name: 'block-offline-at-boot', why: 'the memory block starts offline: the first event is an online', config: { ...SMALL, blockOnline: false, autoWrites: 0 } },
  { name: 'three-memory-events', why: 'online, offline, online: more walks than §7 and a work item coalesced while pending', config: { ...SMALL, memEvents: 3, creates: 0, destroys: 0, autoWrites: 0 } },
  { name: 'no-events', why: 'every optional event absent: the boot state alone is quiescent', config: { ...SMALL, memEvents: 0, creates: 0, destroys: 0, manualWrites: 0, autoWrites: 0 } },
  { name: 'two-creators', why: 'two concurrent creates (W2\'s shape) with a destroy and a memory event', config: TWO_CREATORS },
  { name: 'auto-out-of-range', why: 'auto_msgmni writes of 2 and -1: proc_dointvec_minmax refuses them (-EINVAL), nothing changes', config: { ...SMALL, autoValues: [2, -1], memEvents: 1, destroys: 0, manualWrites: 0 } },
  { name: 'manual-zero', why: 'a msgmni write of 0: the boundary of "negative" in v2.6.26\'s re-enable test', config: { ...SMALL, manualValues: [0], memEvents: 1, autoWrites: 0 } },
  { name: 'two-manual-writes', why: 'a second msgmni write after the first: P3 allows only that to change a hand value', config: { ...SMALL, manualWrites: 2, autoWrites: 0 } },
  { name: 'two-auto-writes', why: 'the auto writer writes twice: disable then re-enable in one run', config: { ...SMALL, manualWrites: 0, autoWrites: 2, memEvents: 1 } },
  { name: 'writers-in-created-ns', why: 'both sysctl writers live in ns1: they write its files once it is set up, and hold off its destroy', config: { ...SMALL, writerNs: 'ns1' } },
];
