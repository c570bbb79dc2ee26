/**
 * Configurations of the balloon model: the §7 small configuration, the
 * schema a configuration read from a replay file or `--config` must meet,
 * random configurations and the family.
 */
import fc from 'fast-check';
import { z } from 'zod';
import type { FamilyMember } from '../contract.js';
import type { BalloonConfig, PageState } from './state.js';

/**
 * Spec 02 §7: 2 blocks × 2 pageblocks × 2 pages, pageblock 0 non-MOVABLE,
 * CMM_NR_PAGES = 2, loan_request ∈ {0, 3}, oom_kb 1 page, the priority-5
 * callback that may veto, allocations that may fail, offline of block 0.
 *
 * Reduction (§7 as written is over 2,000,000 states, far above what the
 * exhaustive engine takes here; see balloon.test.ts): min_mem is
 * 5 pages instead of 2, which caps the balloon at 3 entries (8 − 5; W5's
 * scenario needs exactly 3); one offline attempt (no retry: no variant
 * needs it) and one online (after a successful offline of block 0 only 4
 * pages are online, below min_mem, so loaning resumes only once the block
 * is back); no OOM event: W1, whose scenario is the OOM notifier's FREE,
 * explores {@link W1_CONFIG}. The random generators draw min_mem, OOM
 * events and (the default one) offline retries.
 */
export const SMALL: BalloonConfig = {
  blocks: 2,
  pageblocksPerBlock: 2,
  pagesPerPageblock: 2,
  movable: [false, true, true, true],
  initial: ['free', 'free', 'free', 'free', 'free', 'free', 'free', 'free'],
  preload: [],
  cmmNrPages: 2,
  loanRequests: [0, 3],
  minMem: 5,
  oomPages: 1,
  oomEvents: 0,
  offlineBlocks: [0],
  offlineEvents: 1,
  onlineEvents: 1,
  vetoCallback: true,
  veto0: false,
  allocFail: true,
  hvErrors: false,
  otherEvents: 0,
  disable: false,
};

/** W1's exhaustive configuration: §7 with its one OOM event (and no online). */
export const W1_CONFIG: BalloonConfig = { ...SMALL, oomEvents: 1, onlineEvents: 0 };

/** A count or size of the configuration: a small natural number. */
const nat = z.int().min(0).max(64);
/** A size: at least one. */
const size = z.int().min(1).max(64);

/**
 * The configuration's fields, types and ranges (a replay file's `config`,
 * `--config`): unknown fields refused, each error naming its field. The
 * checks between fields (array lengths against the geometry, the preloaded
 * list against the free pages) follow in {@link balloonConfigSchema}.
 */
const fields = z.strictObject({
  blocks: size,
  pageblocksPerBlock: size,
  pagesPerPageblock: size,
  movable: z.array(z.boolean()),
  initial: z.array(z.enum(['free', 'other_movable', 'other_pinned'])),
  preload: z.array(z.array(z.int().min(0)).min(2, 'each array is [meta, entry, ...]')),
  cmmNrPages: size,
  loanRequests: z.array(z.int().min(-64).max(64)).min(1),
  minMem: nat,
  oomPages: nat,
  oomEvents: nat,
  offlineBlocks: z.array(z.int().min(0)),
  offlineEvents: nat,
  onlineEvents: nat,
  vetoCallback: z.boolean(),
  veto0: z.boolean(),
  allocFail: z.boolean(),
  hvErrors: z.boolean(),
  otherEvents: nat,
  disable: z.boolean(),
  memory: z.enum(['sc', 'lkmm']).optional(),
});

/** A balloon configuration: {@link fields}, then what one field says about another. */
export const balloonConfigSchema: z.ZodType<BalloonConfig> = fields.superRefine((c, ctx) => {
  const bad = (field: keyof BalloonConfig, message: string): void => void ctx.addIssue({ code: 'custom', path: [field], message });
  const pbs = c.blocks * c.pageblocksPerBlock;
  const pages = pbs * c.pagesPerPageblock;
  // the symmetry key and the explorations are sized for small machines
  if (pages > 24) return bad('pagesPerPageblock', `${pages} pages, at most 24 allowed`);
  if (c.movable.length !== pbs) bad('movable', `must list ${pbs} booleans, one per pageblock`);
  if (c.initial.length !== pages) bad('initial', `must list ${pages} page states, one per page`);
  if (c.offlineBlocks.some((b) => b >= c.blocks)) bad('offlineBlocks', `must list block numbers below ${c.blocks}`);
  const pre = c.preload;
  const used = pre.flat();
  if (used.some((p) => p >= pages)) return bad('preload', `page numbers must be below ${pages}`);
  if (new Set(used).size !== used.length || used.some((p) => c.initial[p] !== 'free')) bad('preload', 'must use distinct free pages');
  if (pre.some((a, i) => a.length - 1 > c.cmmNrPages || (i > 0 && a.length - 1 !== c.cmmNrPages)))
    bad('preload', 'at most CMM_NR_PAGES entries per array, and every array but the head full');
});

/**
 * A page list of `n` entries over the pages of `order` (first the list pages,
 * then the entries), head first, every array but the head full.
 */
export function makePreload(order: readonly number[], n: number, nrPages: number): number[][] {
  const take = Math.min(n, Math.max(0, order.length - Math.ceil(n / nrPages)));
  if (take <= 0) return [];
  const arrays = Math.ceil(take / nrPages);
  const metas = order.slice(0, arrays);
  const entries = order.slice(arrays, arrays + take);
  const headCount = take - (arrays - 1) * nrPages;
  const out: number[][] = [];
  let at = 0;
  for (let i = 0; i < arrays; i++) {
    const count = i === 0 ? headCount : nrPages;
    out.push([metas[i] as number, ...entries.slice(at, at + count)]);
    at += count;
  }
  return out;
}

/** Parts of a random configuration before the page arrays are sized. */
const base = {
  blocks: fc.constantFrom(1, 2, 2, 3),
  pageblocksPerBlock: fc.constantFrom(1, 2, 2),
  pagesPerPageblock: fc.constantFrom(1, 2, 2, 3),
  cmmNrPages: fc.constantFrom(1, 2, 2, 3),
  loanRequests: fc.subarray([-2, 0, 1, 2, 3, 5], { minLength: 1, maxLength: 3 }),
  minMem: fc.integer({ min: 1, max: 3 }),
  oomPages: fc.integer({ min: 1, max: 2 }),
  oomEvents: fc.integer({ min: 0, max: 2 }),
  offlineEvents: fc.integer({ min: 1, max: 4 }),
  onlineEvents: fc.integer({ min: 0, max: 2 }),
  vetoCallback: fc.boolean(),
  veto0: fc.boolean(),
  allocFail: fc.boolean(),
  otherEvents: fc.integer({ min: 0, max: 3 }),
  disable: fc.boolean(),
  seedBits: fc.array(fc.nat({ max: 99 }), { minLength: 80, maxLength: 80 }),
};

type Base = { [K in keyof typeof base]: (typeof base)[K] extends fc.Arbitrary<infer U> ? U : never };

/** Sizes the per-pageblock and per-page arrays from random bits; pageblock 0 is never MOVABLE. */
function build(r: Base): BalloonConfig {
  const { seedBits, ...rest } = r;
  const pbs = r.blocks * r.pageblocksPerBlock;
  const pages = Math.min(24, pbs * r.pagesPerPageblock);
  const bit = (i: number): number => seedBits[i % seedBits.length] ?? 0;
  const pagesPerPageblock = Math.max(1, Math.floor(pages / pbs));
  const n = pbs * pagesPerPageblock;
  const movable = Array.from({ length: pbs }, (_, i) => i > 0 && bit(i) < 60);
  const initial = Array.from({ length: n }, (_, i): PageState => {
    const x = bit(40 + i);
    return x < 80 ? 'free' : x < 92 ? 'other_movable' : 'other_pinned';
  });
  const offlineBlocks = Array.from({ length: r.blocks }, (_, b) => b).filter((b) => b === 0 || bit(20 + b) < 50);
  const order = initial
    .map((st, p) => ({ p, key: bit(64 + p) }))
    .filter((x) => initial[x.p] === 'free')
    .sort((a, b) => a.key - b.key || a.p - b.p)
    .map((x) => x.p);
  const preload = makePreload(order, bit(79) % 5, r.cmmNrPages);
  return { ...rest, pagesPerPageblock, movable, initial, preload, offlineBlocks, hvErrors: false };
}

/** Default random configurations: 1–3 blocks, mixed pageblocks, other pages, every event kind. */
export const balloonRandomConfig: fc.Arbitrary<BalloonConfig> = fc.record(base).map(build);

/**
 * Random configurations of §7's shape (2 blocks × 2 pageblocks × 2 pages,
 * pageblock 0 non-MOVABLE) with the other parameters drawn, and a balloon
 * that may already hold up to 3 pages (`preload`): every variant's scenario
 * needs CMM pages in the block being offlined, which a random schedule
 * otherwise rarely loans before the offline request fires.
 */
export const balloonFocusedRandomConfig: fc.Arbitrary<BalloonConfig> = focused(fc.constantFrom(1, 2, 2, 3));

/** W5's random configurations: longer arrays make the one-array case (G4's NULL dereference) the usual one. */
export const balloonW5RandomConfig: fc.Arbitrary<BalloonConfig> = focused(fc.constant(3));

function focused(cmmNrPages: fc.Arbitrary<number>): fc.Arbitrary<BalloonConfig> {
  return fc
    .record({
      movable: fc.tuple(fc.boolean(), fc.boolean(), fc.boolean()),
      cmmNrPages,
      // mostly one value: toggling loan_request between two leaves hv events a trace minimizer cannot drop one by one
      loanRequests: fc.constantFrom([3], [2], [1], [0, 3]),
      minMem: fc.integer({ min: 2, max: 5 }),
      oomEvents: fc.integer({ min: 0, max: 1 }),
      offlineBlocks: fc.constantFrom([0], [0], [0, 1]),
      onlineEvents: fc.integer({ min: 0, max: 1 }),
      vetoCallback: fc.boolean(),
      veto0: fc.boolean(),
      allocFail: fc.boolean(),
      otherEvents: fc.integer({ min: 0, max: 1 }),
      order: fc.shuffledSubarray([0, 1, 2, 3, 4, 5, 6, 7], { minLength: 8, maxLength: 8 }),
      loans: fc.integer({ min: 0, max: 3 }),
    })
    .map(({ order, loans, ...r }): BalloonConfig => ({
      ...SMALL,
      ...r,
      preload: makePreload(order, loans, r.cmmNrPages),
      // one offline attempt: a failed earlier one would stay in shrunk traces (its steps are not contiguous)
      offlineEvents: 1,
      movable: [false, ...r.movable],
    }));
}

/** The members' usual reduction: min_mem 7 pages caps the balloon at 1 entry (8 − 7), and no online. */
const ONE_PAGE = { minMem: 7, onlineEvents: 0 } as const;

/**
 * The family around {@link SMALL} (issue 15): each side of every clamp of
 * `cmm_get_mpp` (a negative request, a request over the min_mem cap, the cap
 * at 1 and 0 pages, total memory below min_mem), array sizes 1 and 3, every
 * optional event present (OOM, offline retry, other allocations, disable,
 * the priority-0 veto) and absent (no veto, allocations that never fail),
 * pages other users hold, a balloon that starts full, and the offline of
 * the block with only MOVABLE pageblocks. Members keep most of §7 but cap the
 * balloon low ({@link ONE_PAGE}) so the family explores in seconds; `small`
 * is §7's reduction itself, explored by plain `explore` and pinned in the
 * suite (about 15 s alone, so it is not repeated here).
 */
export const BALLOON_FAMILY: readonly FamilyMember<BalloonConfig>[] = [
  { name: 'cap-one-page', why: 'min_mem 7 of 8 pages: total − t < min_mem caps the target at 1', config: { ...SMALL, minMem: 7 } },
  { name: 'cap-zero-pages', why: 'min_mem = total: the cap is 0, nothing is ever loaned', config: { ...SMALL, minMem: 8, loanRequests: [3] } },
  { name: 'total-below-min-mem', why: 'total < min_mem: cmm_get_mpp\'s first test forces t = 0', config: { ...SMALL, minMem: 9, loanRequests: [3] } },
  { name: 'negative-request', why: 'loan_request −1: t < 0 forces 0, then 3 loans again', config: { ...SMALL, ...ONE_PAGE, loanRequests: [-1, 3] } },
  { name: 'request-over-cap', why: 'loan_request 5 over a cap of 1: the cap decides', config: { ...SMALL, ...ONE_PAGE, loanRequests: [5] } },
  { name: 'one-entry-arrays', why: 'CMM_NR_PAGES 1: every A6 fills the head, every loan needs a list page', config: { ...SMALL, ...ONE_PAGE, cmmNrPages: 1 } },
  { name: 'three-entry-arrays', why: 'CMM_NR_PAGES 3 with 3 loans: one array that is full only at the end', config: { ...SMALL, onlineEvents: 0, vetoCallback: false, allocFail: false, cmmNrPages: 3 } },
  { name: 'oom', why: 'the OOM notifier\'s FREE and O2/O3 (oom_freed lowers the target), no hotplug', config: { ...SMALL, oomEvents: 1, offlineEvents: 0, onlineEvents: 0, minMem: 6 } },
  { name: 'oom-during-offline', why: 'the OOM notifier\'s FREE against an offline\'s isolation (W1\'s shape)', config: { ...SMALL, ...ONE_PAGE, oomEvents: 1, vetoCallback: false, allocFail: false, loanRequests: [3] } },
  { name: 'offline-retry', why: 'a second offline attempt after the first one fails or is vetoed', config: { ...SMALL, ...ONE_PAGE, offlineEvents: 2 } },
  { name: 'veto-at-priority-0', why: 'the priority-0 callback (ehca/ehea) vetoes after CMM ran, no priority-5 veto', config: { ...SMALL, ...ONE_PAGE, vetoCallback: false, veto0: true } },
  { name: 'no-veto-no-alloc-failure', why: 'every optional failure absent: no vetoing callback, allocations always succeed', config: { ...SMALL, ...ONE_PAGE, vetoCallback: false, allocFail: false } },
  { name: 'other-allocations', why: 'another user allocates and frees pages (movable or pinned) meanwhile', config: { ...SMALL, ...ONE_PAGE, otherEvents: 1 } },
  { name: 'disable', why: 'the disable write: kthread_stop, then FREE(loaned)', config: { ...SMALL, ...ONE_PAGE, disable: true } },
  { name: 'pinned-and-movable-pages', why: 'pages other users hold at boot: a pinned one in the offline block, a movable one to migrate', config: { ...SMALL, minMem: 6, onlineEvents: 0, initial: ['free', 'other_pinned', 'free', 'other_movable', 'free', 'free', 'free', 'free'] } },
  { name: 'preloaded-balloon', why: 'the balloon starts with two full arrays in block 0 and a request of 0: FREE against an offline', config: { ...SMALL, minMem: 4, onlineEvents: 0, loanRequests: [0], preload: [[4, 0, 1], [5, 2, 3]] } },
  { name: 'offline-movable-block', why: 'offline of block 1, whose pageblocks are all MOVABLE: isolation skips CMM\'s count', config: { ...SMALL, ...ONE_PAGE, offlineBlocks: [1] } },
];
