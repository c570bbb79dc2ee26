/**
 * CMM balloon made memory-hotplug aware (spec 02, seed 001;
 * arch/powerpc/platforms/pseries/cmm.c, v2.6.33): the cmm thread T loans
 * pages (ALLOC) and returns them (FREE), the OOM notifier O and the disable
 * writer D return pages, and the hotplug task H runs offline/online through
 * the kernel sequences of kernel/hotplug.ts, calling CMM's isolation callback
 * I and memory-chain callback M.
 *
 * Decisions where the spec leaves room:
 * - `reference` is the merged code with the §6b fixes: W1 frees outside
 *   cmm_lock (F2 and G4 collect, F4 and G6 free; A4's unneeded list page is
 *   freed after A6's unlock), W2 allocates G5's replacement without
 *   `__GFP_WAIT`, W3 unlocks in U1 only if G1 took the mutex, W4 returns
 *   -ENOMEM, W5 restarts G4's scan at the new head.
 * - Steps. Each action is one numbered step, or several where the ones in
 *   between cannot be observed or commute with every other context's step
 *   (partial-order reduction, documented with each rule in steps/): T1–T4
 *   (T1 only reads `stop`; T holds the mutex only from T2 to T3, where G1
 *   just waits; T3's unlock commutes with every step that writes T4's
 *   inputs — an idle round is then T1, T5: two steps a trace minimizer can
 *   drop together); A1 with A2 (A1 only touches the
 *   mutex and `occurred`, which no allocation reads); every critical section
 *   of cmm_lock that cannot block is taken whole in its lock step (A3 with
 *   A4's test and A5/A6; A4's relock with A5/A6; the reference F1–F3; G3
 *   with G4; I1) — unlocked readers of `loaned` see the values before or
 *   after it, as each section writes it once; G2 is folded into G1; the end
 *   of ALLOC (`if r: target := loaned`) is folded into the step that ends
 *   the loop; the undo of consecutive pageblocks is one step. W1 keeps F1,
 *   each F2 iteration, each free under the lock and F3 apart.
 * - V1 (issue 19) keeps these merges only where its atomics allow them:
 *   `hotplug_active` and `hotplug_occurred` are read by T with no lock, so
 *   A1 (its `atomic_read`) and A2, T2 and T3, T3 and T4 (which reads
 *   `loaned` and `totalram` with no lock), and G4's list scan and its final
 *   `atomic_set(&hotplug_occurred, 1)` are separate steps: under SC an
 *   offline may start, or G4 may run, between each pair. The merged steps
 *   hid interleavings of the 2009 code (found by the LKMM comparison below:
 *   its stale reads reached states the merged SC model could not); V1's §7
 *   counterexample grew from 21 to 26 steps, its verdict (B5) unchanged.
 * - Memory model (spec 06 §4, `memory: 'lkmm'` in the configuration, or
 *   `--memory lkmm`): V1's two atomics become marked locations of a weak
 *   memory in the kernel slice (steps/marked.ts): `atomic_read` relaxed,
 *   `atomic_set` relaxed, `atomic_dec_if_positive` fully ordered when it
 *   decrements; every lock of the model orders (kernel/locks.ts). Each
 *   message a read may return is its own action (`rd`, `rmw`). The list
 *   stays SC (it is only touched under cmm_lock: DRF-SC); `loaned` and
 *   `totalram`, which T reads with no lock (T4, T5), stay SC too — a
 *   data race the kernel tolerates; here such a read sees the latest value
 *   (the race check lists `loaned` as exempt, and reports `totalram`: below). The other
 *   variants mark nothing: the merged code's `hotplug_occurred` is touched
 *   only under `hotplug_mutex`, so by DRF-SC their runs are the SC runs.
 *   B5's ghost: an A1 that reads a message of `active` older than G1's
 *   while the pause is held is coherence-before G1's write, so its
 *   iteration counts as begun before G1 (the one G1 tolerates).
 *   Verdict on §7 (`explore balloon --variant V1 --keep-going`, complete,
 *   issue 19): 144,902 states under LKMM against 61,436 under SC, and the
 *   same one property violated (B5 after a successful offline, 26 steps; no
 *   built-in check fails); LKMM adds executions SC cannot reach — message
 *   passing from G1's `atomic_set(&hotplug_active, 1)` and G4's update of
 *   `loaned` to T's read of `loaned` in T5 and of `active` in A1, with no
 *   barrier on either side: T acts on the offline's unloaning and still
 *   reads the flag clear — but none breaks a safety property SC V1 keeps
 *   (B7 holds too: 195,796 states under LKMM, 59,426 under SC, once the
 *   liveness engine keeps reads of an old message out of its cycles;
 *   before that it returned a lasso re-reading `hotplug_active` forever,
 *   which no LKMM machine runs): each
 *   such read is coherence-before G1, so its loan is the in-flight one G1
 *   already tolerates. Ben Herrenschmidt's barrier worry is right about the
 *   reorderings and, on this model, not about their harm: V1's bug is the
 *   missing `occurred` test (SC already).
 * - Data races (spec 06 §5, `mmcheck races balloon`, issue 19): every
 *   step's reads and writes are checked by locksets; what is left out, and
 *   why, is races.ts (the allocator's page states, the contexts' frames,
 *   ghosts, the hypervisor's `loan_request`, T5's lockless read of
 *   `loaned`). **Finding:** one race stays, on every variant —
 *   `totalram_pages`, decremented by cmm_alloc_pages under `cmm_lock` (A6, in A4's step,
 *   and incremented by FREE) and lowered by offline_pages under the hotplug
 *   locks (offline.4), with no common lock. In the merged code G1 only
 *   stops *new* loans: the iteration in flight (spec 02's B5 allowance)
 *   still reaches A6 while the offline runs, so two plain read-modify-writes
 *   of one `unsigned long` can interleave and lose an update (the SC model's
 *   steps are atomic, so B1 cannot see it). Nobody raised it in the review;
 *   the kernel later serialised its runtime writers (v3.11's
 *   managed_page_count_lock, which names the balloon drivers) and made it
 *   an atomic_long_t (v5.0).
 * - Hotplug steps nobody else can observe (state_mutex, pm mutex — there is
 *   one hotplug task —, a walk's enter/exit, callbacks that cannot veto, a
 *   scan that finds no LRU page, the drain) are taken in the action of the
 *   preceding visible step of H; an offline request also takes its first
 *   pageblock's zone_lock, and an online request is one action (onlining
 *   the pages is its only visible step). A non-MOVABLE pageblock's
 *   isolation is three actions: take zone_lock (enter the chain), I1, the
 *   count check (exit the chain, release zone_lock).
 * - Page frees (§7): a free by T, O or D offers the per-CPU-list bit `pcp`:
 *   `pcp=false` takes zone_lock (queueing if it is held), `pcp=true` does not;
 *   a page of an isolated pageblock always takes it; with zone_lock free and
 *   no waiter both give the same state, so only `pcp=false` is offered. H's
 *   own frees (G4/G5/G6, migration) are in isolated pageblocks; H's step is
 *   enabled once zone_lock is free with no waiter: every waiter ahead of H
 *   holds no lock H holds, so H spinning there is not observable.
 * - Placement: an allocation chooses a pageblock (any non-isolated pageblock
 *   of an online block: unmovable allocations may fall back to MOVABLE
 *   pageblocks) and takes its lowest free page, or fails when `allocFail`.
 *   Pages of a pageblock, and pages of blocks never offlined, are
 *   interchangeable: see symmetry.ts. Migration targets are the lowest free
 *   pages outside the block; none → a failed pass.
 * - The memory chain's rwsem is not modelled (nobody registers during a
 *   walk); the isolation chain is atomic with CMM's block at priority 15.
 *   The other memory callbacks: priority 5 (`vetoCallback`, may veto
 *   GOING_OFFLINE) and priority 0 (may veto only with `veto0`). Sleeps end
 *   with `tick`s (T1, T3's hotplug_delay). No timeout or signal ends an
 *   offline. `hv` moves `loan_request` to the next configured value.
 *   Random configurations may start with a balloon already holding pages
 *   (`preload`); §7's starts empty.
 * - B4 is the built-in `deadlock` and `sleep-in-atomic` checks; B3's lock
 *   rules are also the built-in `lock-discipline`. B6's premise is made
 *   precise in properties.ts.
 * - Speed: `next` uses immer for the model state but hands the lock helpers
 *   a plain copy of the kernel slice (they walk every lock; through immer's
 *   proxies that was a quarter of a hotplug step; steps/kit.ts).
 * - Declared with `defineModel` (its variants once, below) and one rule per
 *   spec step, split by context: steps/env.ts (§4's events), thread.ts (T),
 *   alloc.ts (ALLOC), free.ts (FREE in T, O, D; O2, O3, D's FREE),
 *   hotplug.ts (H's sequence steps, I and M); `actions`, `next` and
 *   `describe` come from the rules. Actions are offered rule by rule, but
 *   FREE's context by context (T, O, D; `freeByContext`), as before the
 *   rules: random schedules and replay paths index that order.
 * - Liveness (B7 as an eventually-property; its precise form is in
 *   properties.ts): §4's events are the environment, which eventually
 *   stops; ticks are T's own steps (a sleep ends); an allocation failing
 *   while a page is free is the environment's choice ("enough free
 *   memory"), one failing with no page to take is the context's. The
 *   liveness key is the state without `b10` and the offline's ghost, with
 *   no symmetry reduction (a lasso is replayed by action names).
 * - A set-loaned error (A5, `hvErrors`) leaves an empty array at the head,
 *   where F2 stops (`head non-empty`): FREE then returns nothing until the
 *   next A6. This is the kernel's behaviour and breaks B7; random
 *   configurations leave `hvErrors` off.
 * - Fidelity (issue 15 review of flattening). Changed: nothing in the
 *   steps; the family (config.ts) now leaves §7's single values: min_mem at
 *   6–9 pages (the cap at 2, 1, 0 pages and total below min_mem, which §7's
 *   5 never reaches), CMM_NR_PAGES 1 and 3 besides 2 (with 2, "head full"
 *   and "one more entry" coincide every other loan), a negative and an
 *   over-cap loan_request, OOM with and without an offline, a retry, the
 *   offline of block 1 (only MOVABLE pageblocks: isolation never calls I),
 *   pages held by other users, a balloon that starts full. Kept, with why:
 *   one hotplug task (state_mutex and the pm mutex serialize hotplug in the
 *   kernel); one cmm thread and one OOM notifier (the kernel has one of
 *   each); oom_kb of 1 page (2 only frees more of the same list in the same
 *   F2 loop); `hvErrors` stays out of the family, since the reference breaks
 *   B7 there by the kernel's own behaviour (see below).
 *
 * What each property reads (issue 15: no property calls the function it
 * judges or trusts a flag the mechanism keeps for itself):
 * - B1: `loaned` (CMM's counter) against the entries of the list (CMM's
 *   list) and `totalram + loaned` against the present blocks' pages (the
 *   configuration's geometry): two records of the mechanism held to each
 *   other and to the memory that exists.
 * - B2: the list against the per-page states (which the allocator and the
 *   hotplug steps also write: a page freed or migrated stops being
 *   `loaned`/`meta` whatever CMM's list says) and the blocks' presence; `oops`
 *   records a NULL array link followed (W5), written where it happens.
 * - B3: the kernel slice's mutex (owner, count, corrupt) and the ghost
 *   `H.ghost.betweenG1U1`, written at G1 (mutex taken) and U1 only for B3.
 *   Until issue 15 it read `H.cmm.holds`, the W3 fix's own flag: a U1 that
 *   kept both the mutex and the flag agreed with itself (see
 *   balloon-oracle.test.ts).
 * - B5: the ghost `pause` (phase, allowance, resumable), written at G1, U1,
 *   A1/A6, T3 and its sleep only for B5; A6 is seen as `loaned` rising.
 * - B6: the per-page states of the range, which context holds an in-flight
 *   page, the operation's `pagesFound` and isolation flags, and the ghosts
 *   `lateA6` and `cbFailed`.
 * - B7 (safety form): the mutex and the FREE call's progress; (eventually
 *   form) the target of spec 02 §2 from model/balloon/mpp-oracle.ts, written
 *   apart from mpp.ts's `cmm_get_mpp` that T4 calls, and the free pages.
 * - B8: I1's `pagesFound` against the per-page states of the pageblock.
 * - B9: the ghost `cbFailed` and the operation's phase.
 * - Q-inflight: the per-page states.
 */
import type { Draft } from 'immer';
import type { Machine } from '../contract.js';
import { erase } from '../contract.js';
import { defineModel } from '../define.js';
import { type ChainFlavour, type NotifierChain, register } from '../kernel/notifier.js';
import { weakMemory } from '../kernel/lkmm.js';
import { type KernelState, kernelState } from '../kernel/state.js';
import { machineFromRules } from '../rules.js';
import type { Footprint } from '../kernel/footprint.js';
import { balloonRaceExempt } from './races.js';
import { BALLOON_FAMILY, balloonConfigSchema, balloonFocusedRandomConfig, balloonRandomConfig, balloonW5RandomConfig, SMALL, W1_CONFIG } from './config.js';
import { type BalloonFlags, CMM_MEM_HOTPLUG_PRI, CMM_MEM_ISOLATE_PRI, V3_PRI } from './flags.js';
import { allocatablePbs, geometry } from './geometry.js';
import { balloonProperties } from './properties.js';
import type { BalloonAction, BalloonConfig, BalloonState, PageArray, PageState } from './state.js';
import { a1Stops, allocRules } from './steps/alloc.js';
import { envRules } from './steps/env.js';
import { freeByContext, freeRules } from './steps/free.js';
import { hotplugRules } from './steps/hotplug.js';
import { CMM_LOCK, HOTPLUG_MUTEX, makeKit, PM_MUTEX, stateMutex, ZONE_LOCK } from './steps/kit.js';
import { freshGhost, hotplugSequence } from './steps/sequence.js';
import { threadRules } from './steps/thread.js';
import { balloonView, pageClasses } from './symmetry.js';

export type { BalloonFlags } from './flags.js';
export { geometry, type Geometry } from './geometry.js';

/** A chain with `blocks` registered in order at boot: notifier.ts's `register` on a plain chain (no immer). */
function bootChain(name: string, flavour: ChainFlavour, blocks: readonly { id: string; priority: number }[]): NotifierChain {
  const ch: NotifierChain = { name, flavour, lock: null, head: null, blocks: [], walkers: [], corrupt: false };
  for (const b of blocks) register(ch as Draft<NotifierChain>, b);
  return ch;
}

/**
 * The kernel slice under the configuration's memory model (spec 06 §4):
 * under `lkmm`, V1's two atomics become marked locations of a weak memory
 * shared by T, H, O and D, whose every lock operation then orders. The other
 * variants mark nothing: the merged code's `hotplug_occurred` is read and
 * written only under `hotplug_mutex`, so by DRF-SC it behaves as under SC.
 */
function withMemory(k: KernelState, c: BalloonConfig, f: BalloonFlags): KernelState {
  if (c.memory !== 'lkmm' || !f.handLock) return k;
  return { ...k, mem: weakMemory('lkmm', { active: 0, occurred: 0 }, ['T', 'H', 'O', 'D'], Object.keys(k.locks)) };
}

function initState(c: BalloonConfig, f: BalloonFlags): BalloonState {
  const g = geometry(c);
  const locks: Record<string, 'spin' | 'mutex'> = { [CMM_LOCK]: 'spin', [ZONE_LOCK]: 'spin', [HOTPLUG_MUTEX]: 'mutex', [PM_MUTEX]: 'mutex' };
  for (let b = 0; b < c.blocks; b++) locks[stateMutex(b)] = 'mutex';
  const memBlocks: { id: string; priority: number }[] = [];
  if (c.vetoCallback) memBlocks.push({ id: 'other5', priority: 5 });
  memBlocks.push({ id: 'cmm', priority: f.cmmPriority });
  memBlocks.push({ id: 'other0', priority: 0 });
  const pages: PageState[] = c.initial.slice(0, g.pages);
  const list: PageArray[] = c.preload.map(([meta, ...entries]) => ({ meta: meta as number, entries }));
  for (const a of list) {
    pages[a.meta] = 'meta';
    for (const p of a.entries) pages[p] = 'loaned';
  }
  const loaned = list.reduce((n, a) => n + a.entries.length, 0);
  return {
    memory: bootChain('memory', 'blocking', memBlocks),
    isolate: bootChain('isolate', 'atomic', [{ id: 'cmm', priority: CMM_MEM_ISOLATE_PRI }]),
    k: withMemory(kernelState(locks), c, f),
    pages,
    blocks: Array.from({ length: c.blocks }, () => ({ state: 'online' as const, present: true })),
    list,
    loaned,
    target: loaned,
    oomFreed: 0,
    totalram: g.pages - loaned,
    loanRequest: 0,
    occurred: 0,
    active: 0,
    stop: false,
    T: { pc: 'sleep', alloc: null, free: null },
    O: { pc: 'idle', free: null, f: 0 },
    D: { pc: 'idle', free: null },
    H: { op: null, cmm: { pc: null, holds: false, frees: [] }, ghost: freshGhost() },
    oomLeft: c.oomEvents,
    offlineLeft: c.offlineEvents,
    onlineLeft: c.onlineEvents,
    otherLeft: c.otherEvents,
    disableLeft: c.disable ? 1 : 0,
    pause: { phase: 'none', allowance: false, resumable: false },
    oops: null,
    b10: 0,
  };
}

/** No context mid-flight and no hotplug request in flight. */
export function quiescent(s: BalloonState): boolean {
  return (s.T.pc === 'sleep' || s.T.pc === 'sleep_hp' || s.T.pc === 'exited') && s.O.pc === 'idle' && (s.D.pc === 'idle' || s.D.pc === 'done') && s.H.op === null;
}

/**
 * The liveness engine's key: the whole state but the statistics (`b10`) and
 * the offline's ghost (`H.ghost`), which only B6, B9 and B10 read. No
 * symmetry: a lasso is replayed by action names.
 */
function livenessView(s: BalloonState): unknown {
  const { b10, H, ...rest } = s;
  void b10;
  return { ...rest, H: { op: H.op, cmm: H.cmm } };
}

/** The machine of one variant's flags: the rules of every context, in the order their actions are offered. */
function machineOf(f: BalloonFlags, c: BalloonConfig, symmetry: boolean): Machine<BalloonState, BalloonAction> {
  const g = geometry(c);
  const cls = pageClasses(c, g);
  const x = makeKit(f, c, g, cls, symmetry);
  const seq = hotplugSequence(x);
  const s0 = initState(c, f);
  const env = envRules(x, seq);
  const events = new Set(env.map((r) => r.name ?? r.step));
  const m = machineFromRules<BalloonState>({
    init: () => s0,
    rules: [...env, ...threadRules(x), ...allocRules(x), ...freeRules(x), ...hotplugRules(x, seq)],
    quiescent,
    // b10 and the per-offline count feeding it are statistics no step or property reads
    view: (s) => balloonView(s, cls, false),
    // pages of one class relabelled in a canonical order (symmetry.ts)
    symmetry: (s) => balloonView(s, cls),
    livenessView,
    kernel: (s) => s.k,
    properties: balloonProperties(c, f, g),
  }) as Machine<BalloonState, BalloonAction>; // each rule's name and arguments are one member of BalloonAction
  return {
    ...m,
    actions: (s) => freeByContext(m.actions(s)),
    // the rules' `next`, with the step's plain kernel slice (steps/kit.ts)
    next: (s, a) => x.step(s, () => m.next(s, a)),
    raceExempt: balloonRaceExempt(f),
    // the same plain kernel slice while the step runs again to record its footprint
    footprint: (s, a) => {
      let fp: Footprint = { reads: [], writes: [] };
      x.step(s, () => {
        fp = (m.footprint as NonNullable<typeof m.footprint>)(s, a);
        return s;
      });
      return fp;
    },
    /**
     * Fairness (liveness, B7): §4's events are the environment, which
     * eventually stops; so is an allocation that fails although a page is
     * free (`allocFail`: "with enough free memory" — eventually one succeeds).
     * A failure with no page to take, or A1 stopping at a failed trylock or a
     * hotplug, is the context's own step. Ticks are T's steps: a sleep ends.
     */
    fairness: (a, s) => {
      if (events.has(a.type)) return null;
      const failed = (a.type === 'A1' && !a1Stops(s)) || a.type === 'A2' || a.type === 'A4' || a.type === 'G5';
      if (failed && a.pb === null && allocatablePbs(s, g, c).length > 0) return null;
      return m.describe(a).ctx;
    },
  };
}

const REF: BalloonFlags = {
  handLock: false,
  robertB6: false,
  movableMeta: false,
  cmmPriority: CMM_MEM_HOTPLUG_PRI,
  freeUnderLock: false,
  g5Sleeps: false,
  unbalancedUnlock: false,
  positiveErrno: false,
  compactionSkip: false,
};

/** The balloon model (spec 02). */
export const balloon = defineModel({
  // the exhaustive engines take its steps on plain copies (issue 18); properties/fastpath.test.ts checks them against immer
  fastPath: true,
  name: 'balloon',
  title: 'CMM balloon made memory-hotplug aware (seed 001)',
  spec: '02-balloon.md',
  smallConfig: SMALL,
  family: BALLOON_FAMILY,
  randomConfig: balloonRandomConfig,
  configSchema: balloonConfigSchema,
  weakMemory: "V1's atomics hotplug_active and hotplug_occurred; the other variants mark nothing (the merged code's hotplug_occurred is only touched under hotplug_mutex)",
  variants: {
    reference: { flags: REF, summary: 'merged v2.6.33 code with the §6b fixes of W1–W5', expect: { kind: 'holds' } },
    V1: {
      flags: { ...REF, handLock: true },
      summary: 'v2 "hand-made lock": atomics hotplug_active/occurred; ALLOC never tests occurred, so loaning resumes right after an offline (B5)',
      expect: { kind: 'violates', property: 'B5' },
      randomConfig: balloonFocusedRandomConfig,
    },
    robert: {
      flags: { ...REF, robertB6: true },
      summary: "Robert's claim that the in-flight page cannot be in the range: B6 without its ALLOC clause",
      expect: { kind: 'violates', property: 'B6' },
      randomConfig: balloonFocusedRandomConfig,
    },
    V2: {
      flags: { ...REF, movableMeta: true },
      summary: '1 Oct 2009 patch: list pages movable, not counted by I, not relocated (no G5): an offline fails while a list page is in the range (B6)',
      expect: { kind: 'violates', property: 'B6' },
      randomConfig: balloonFocusedRandomConfig,
    },
    V3: {
      flags: { ...REF, cmmPriority: V3_PRI },
      summary: 'CMM memory callback above the vetoing priority-5 callback: pages unloaned by offlines that are then cancelled (metric B10)',
      expect: { kind: 'harmless', why: 'a cancelled offline only returns pages to the allocator; T loans them again (B10 > 0, no safety property breaks)' },
    },
    W1: {
      flags: { ...REF, freeUnderLock: true },
      summary: 'pages freed under cmm_lock while I takes cmm_lock under zone_lock: ABBA deadlock zone_lock ↔ cmm_lock (B4)',
      expect: { kind: 'violates', property: 'deadlock' },
      exploreConfig: W1_CONFIG,
      randomConfig: balloonFocusedRandomConfig,
    },
    W2: {
      flags: { ...REF, g5Sleeps: true },
      summary: 'G5 allocates with GFP_NOIO while holding cmm_lock: sleep in atomic (B4)',
      expect: { kind: 'violates', property: 'sleep-in-atomic' },
      randomConfig: balloonFocusedRandomConfig,
    },
    W3: {
      flags: { ...REF, unbalancedUnlock: true },
      summary: 'U1 unlocks hotplug_mutex although G1 never ran (a higher-priority callback vetoed): unlock of a mutex not owned (B3)',
      expect: { kind: 'violates', property: 'lock-discipline' },
      randomConfig: balloonFocusedRandomConfig,
    },
    W4: {
      flags: { ...REF, positiveErrno: true },
      summary: 'G5 failure returns +ENOMEM: the chain stops but the offline goes on to steps 3–4 (B9)',
      expect: { kind: 'violates', property: 'B9' },
      randomConfig: balloonFocusedRandomConfig,
    },
    W5: {
      flags: { ...REF, compactionSkip: true },
      summary: 'G4 advances twice when the head array empties during its own scan: NULL dereference, or the next array skipped (B2, B6)',
      expect: { kind: 'violates', property: 'B2' },
      randomConfig: balloonW5RandomConfig,
    },
  },
  machine: (f: BalloonFlags, c: BalloonConfig, build) => machineOf(f, c, build.symmetry),
});

/** Builds the machine of one variant (with `symmetry: false`, every allocation choice, pruned ones included). */
export const balloonMachine = balloon.machine;

/** The balloon model with its types erased, for the registry. */
export const balloonModel = erase(balloon);
