/**
 * memcg `memory.shrink_in_bytes` (spec 03, seed 002): a write of a size makes
 * the kernel reclaim the group's pages until usage is at most that size, or
 * return -EBUSY. Modelled with the limit writer that shares its loop
 * (`mem_cgroup_resize_limit`, v2.6.27), a charger, an uncharger and signals.
 *
 * Decisions where the spec leaves room:
 * - `reference` is the v2.6.27 loop of §3 (fit test before the signal test)
 *   with the v2.6.33 progress rule (`retry` drops unless usage fell below the
 *   smallest usage seen in this write), which is what makes L1+ hold; and the
 *   2013 fix of W1 (a size whose round-up would wrap is clamped to LLONG_MAX,
 *   the model's "unlimited"). V3 is the §3 rule as written, W1 the wrapping parse.
 * - The v2.6.33 rule reads usage right after reclaim; the read is folded into
 *   the reclaim step S5. A charge between the two would only postpone one
 *   decrement; the bound of L1+ is unchanged.
 * - M3 reads "-EBUSY only after exactly `retries` rounds that made no progress
 *   by the rule in force" (reclaim returned 0 for V3; usage did not drop below
 *   its minimum for the reference); literally "returned 0" would flag the
 *   v2.6.33 rule, which counts a round that reclaimed but was refilled.
 * - L1/L1+ bound for a write: its own steps ≤ 2 + 4·(retries + usage pages at
 *   S1) + 3 — S0, S1, then at most `retries` rounds without progress and one
 *   round per page of drop below the minimum, 4 steps a round, plus the last
 *   S3/S2/S4. L1 ("no charger running concurrently") is checked in
 *   configurations without a charger; with one, L1+ is the property. L1 is
 *   still among the property names: `defineModel` collects them over the
 *   family's and the variants' configurations too.
 * - The write(2) system call and its parse S0 are one step (S0 touches no
 *   shared state, so merging it with the start of the write loses no
 *   interleaving); its lane is the writer's.
 * - Every res_counter critical section lies inside one atomic step, so the
 *   counter's spinlock is never observed held and is not a lock of the model.
 * - The exhaustive configuration is §7 with one charge: with two, the
 *   interleavings of S, L, C and U exceed 2.4 million states, beyond what a
 *   test should explore with this engine. Random runs use up to 4 charges
 *   and unbounded chargers.
 * - Liveness (L1, L1+ as eventually-properties, properties.ts): §4's events
 *   are the environment, which eventually stops; writer and charger steps
 *   are fair. A charger without a budget (V3) is a thread that charges again
 *   and again, so its `charge` is C's fair step. The liveness key drops the
 *   ghosts only safety properties read (`steps`, `bound`, `noProgress`, `seenMin`).
 * - V1 (a typo that does not compile) and V4 (a design choice) have no
 *   behaviour and are not variants; W2's parse corner cases are in memparse.
 *
 * What each property reads: properties.ts's header (the state before and
 * after a step, the step's label, ghosts recorded at the step, and M5's
 * parse oracle; never the loop's own retry bookkeeping).
 *
 * Declared with `defineModel` (variants once) and one rule per step of §3–§4
 * (`machineFromRules` makes `actions`, `next` and `describe`); the one thing
 * rules do not say is kept in {@link specMachine}: writers' steps offered
 * writer by writer and named by their writer (S3 for S, L3 for L).
 * - Data races (spec 06 §5, `mmcheck races memcg`, issue 19): res_counter's
 *   spinlock and the LRU lock are taken and dropped inside the steps that
 *   touch the counter (C1, C4, S3, U1, the uncharge of reclaim) and the page
 *   counts (C1, U1, pin/unpin, reclaim): each rule names them in `locks`, so
 *   the check counts them held though the kernel slice never shows them.
 *   Exempt, with reasons in MEMCG_RACE_EXEMPT: S1's, L1's and V2's callback's
 *   lockless reads of usage (res_counter_read_u64 in 2.6.27), the charger's
 *   frame, C5's look at the victim's pages and the OOM handshake. No race is
 *   left on any variant.
 */
import type { Draft } from 'immer';
import type { Machine, StepInfo } from '../contract.js';
import { erase } from '../contract.js';
import { defineModel } from '../define.js';
import type { Rule, RuleAction } from '../rules.js';
import { machineFromRules, rulesFor, when } from '../rules.js';
import { kernelState } from '../kernel/state.js';
import { LLONG_MAX, memparse, PAGE_SIZE } from './memparse.js';
import type { Charger, MemcgAction, MemcgConfig, MemcgState, PageKind, Writer, WriterId } from './state.js';
import { memcgProperties, roundWithoutProgress } from './properties.js';
import { memcgFamily } from './family.js';
import { memcgConfigSchema, memcgRandomConfig, memcgV3RandomConfig, memcgW1RandomConfig } from './config.js';

const PAGE = PAGE_SIZE;
/** The initial limit, LLONG_MAX, as the model's number. */
export const UNLIMITED = Number(LLONG_MAX);
const WRITERS: readonly WriterId[] = ['S', 'L', 'L2'];
const KINDS: readonly PageKind[] = ['reclaimable', 'pinned'];

/** Behaviour switches of one variant. */
export interface MemcgFlags {
  /** V3: retry drops only when reclaim reports no progress (v2.6.27 rule). */
  readonly v27Progress: boolean;
  /** V2: the June 2008 shrink_usage callback in the limit path. */
  readonly shrinkCallback: boolean;
  /** W1: the page round-up of the parse wraps past 2^64. */
  readonly roundingWrap: boolean;
}

/** The §7 small configuration as written (two charges): above 2.4 million states with this engine. */
export const SECTION7: MemcgConfig = {
  limitPages: 4,
  reclaimable: 2,
  pinned: 1,
  swapClusterMax: 1,
  retries: 2,
  reclaimMax: 2,
  charges: 2,
  chargerWait: true,
  uncharges: 1,
  toggles: 0,
  shrinkInputs: ['0', '4K', '8K'],
  limitInputs: ['8K', '20K'],
  limitWriters: 1,
  signals: false,
};

/** The exhaustive configuration: §7 with one charge instead of two (see the header). */
export const SMALL: MemcgConfig = { ...SECTION7, charges: 1 };

function initState(c: MemcgConfig): MemcgState {
  const pages = c.reclaimable + c.pinned;
  return {
    k: kernelState({}),
    usage: pages * PAGE,
    max_usage: pages * PAGE,
    failcnt: 0,
    limit: c.limitPages === null ? UNLIMITED : c.limitPages * PAGE,
    reclaimable: c.reclaimable,
    pinned: c.pinned,
    writers: {},
    charger: null,
    chargesLeft: c.charges,
    unchargesLeft: c.uncharges,
    togglesLeft: c.toggles,
    oomPending: false,
  };
}

function writerActive(w: Writer | undefined): w is Writer {
  return w !== undefined && w.pc !== 'done';
}

/** Reclaim choices r ∈ {0 … min(reclaimable, reclaimMax)}. */
function reclaimChoices(s: MemcgState, c: MemcgConfig): number[] {
  const top = Math.min(s.reclaimable, c.reclaimMax);
  return Array.from({ length: top + 1 }, (_, i) => i);
}

/** reclaim(): frees r reclaimable pages; returns r if r ≥ SWAP_CLUSTER_MAX, else 0 (spec 03 §2). */
function reclaim(d: { usage: number; reclaimable: number }, r: number, c: MemcgConfig): number {
  d.reclaimable -= r;
  d.usage -= r * PAGE;
  return r >= c.swapClusterMax ? r : 0;
}

/** The writer taking a step: one more of its own steps (L1's ghost). */
function writer(d: Draft<MemcgState>, w: WriterId): Draft<Writer> {
  const wr = d.writers[w];
  if (!wr) throw new Error(`writer ${w} is not running`);
  wr.steps += 1;
  return wr;
}

function charger(d: Draft<MemcgState>): Draft<Charger> {
  const ch = d.charger;
  if (!ch) throw new Error('charger is not running');
  return ch;
}

/** The writers at `pc`, each once: a writer's step has the writer as its only argument. */
function writersAt(s: MemcgState, pc: Writer['pc']): { w: WriterId }[] {
  return WRITERS.filter((w) => s.writers[w]?.pc === pc).map((w) => ({ w }));
}

/** A reclaiming writer at `pc`, once per reclaim choice. */
function reclaimsAt(s: MemcgState, c: MemcgConfig, pc: Writer['pc']): { w: WriterId; r: number }[] {
  return writersAt(s, pc).flatMap(({ w }) => reclaimChoices(s, c).map((r) => ({ w, r })));
}

const rule = rulesFor<MemcgState>();

/**
 * §4's environment events (and U's one step), in the order they are
 * offered: write(2) by S then the limit writers, charge, uncharge, pin,
 * unpin, signal, the OOM victim's exit. A budgeted charge request is the
 * environment's (`env` lane); an unbudgeted charger (V3's, `charges: null`)
 * is a thread charging again and again, so its `charge` is drawn in C's
 * lane, as the liveness engine counts it ({@link fairnessOf}).
 */
function events(c: MemcgConfig, f: MemcgFlags): Rule<MemcgState>[] {
  const writerIds: readonly WriterId[] = c.limitWriters >= 2 ? WRITERS : ['S', 'L'];
  return [
    rule({
      name: 'P0',
      step: 'S0',
      fn: 'res_counter_memparse_write_strategy',
      // S's inputs, then each limit writer's: a writer writes once
      enabled: (s) => writerIds.flatMap((w) => (s.writers[w] ? [] : (w === 'S' ? c.shrinkInputs : c.limitInputs).map((input) => ({ w, input })))),
      ctx: (a) => a.w,
      apply: (d, { w, input }) => {
        const p = memparse(input, { kernel: '2.6.27', roundingWrap: f.roundingWrap });
        d.writers[w] = {
          pc: p.ok ? 'P1' : 'done', input, val: p.ok ? Number(p.bytes) : 0, retry: 0, minUsage: 0, signal: false,
          result: p.ok ? null : p.errno, noProgress: 0, seenMin: 0, steps: 1, bound: 0,
        };
      },
      // Stryker disable next-line all: trace text only
      text: (_, { w, input }, n) => `write(2) of ${JSON.stringify(input)}: ${n.writers[w]?.result ? `-${n.writers[w]?.result ?? ''}` : `val ${n.writers[w]?.val ?? '?'}`}`,
    }),
    rule({
      step: 'charge',
      fn: 'mem_cgroup_charge',
      enabled: (s) => when((s.charger === null || s.charger.pc === 'done') && (s.chargesLeft === null || s.chargesLeft > 0)),
      ctx: c.charges === null ? 'C' : 'env',
      apply: (d) => {
        d.charger = { pc: 'C1', retries: c.retries, result: null };
        if (d.chargesLeft !== null) d.chargesLeft -= 1;
      },
      // Stryker disable next-line all: trace text only
      text: () => 'start a one-page charge (C)',
    }),
    rule({
      name: 'uncharge',
      step: 'U1',
      locks: ['res_counter.lock', 'lru_lock'],
      fn: 'res_counter_uncharge',
      enabled: (s) => (s.unchargesLeft > 0 ? KINDS.filter((kind) => s[kind] > 0).map((kind) => ({ kind })) : []),
      ctx: 'U',
      apply: (d, { kind }) => {
        // res_counter_uncharge clamps at 0 with a warning
        d[kind] -= 1;
        d.usage = Math.max(0, d.usage - PAGE);
        d.unchargesLeft -= 1;
      },
      // Stryker disable next-line all: trace text only
      text: (_, { kind }) => `uncharge a ${kind} page`,
    }),
    rule({
      step: 'pin',
      locks: ['lru_lock'],
      fn: 'isolate_lru_page',
      enabled: (s) => when(s.togglesLeft > 0 && s.reclaimable > 0),
      ctx: 'env',
      apply: (d) => {
        d.reclaimable -= 1;
        d.pinned += 1;
        d.togglesLeft -= 1;
      },
      // Stryker disable next-line all: trace text only
      text: () => 'a reclaimable page becomes pinned',
    }),
    rule({
      step: 'unpin',
      locks: ['lru_lock'],
      fn: 'putback_lru_page',
      enabled: (s) => when(s.togglesLeft > 0 && s.pinned > 0),
      ctx: 'env',
      apply: (d) => {
        d.pinned -= 1;
        d.reclaimable += 1;
        d.togglesLeft -= 1;
      },
      // Stryker disable next-line all: trace text only
      text: () => 'a pinned page becomes reclaimable',
    }),
    rule({
      step: 'signal',
      fn: 'send_signal',
      enabled: (s) => (c.signals ? WRITERS.filter((w) => writerActive(s.writers[w]) && !s.writers[w]?.signal).map((w) => ({ w })) : []),
      ctx: 'env',
      apply: (d, { w }) => {
        const wr = d.writers[w];
        if (wr) wr.signal = true;
      },
      // Stryker disable next-line all: trace text only
      text: (_, { w }) => `signal writer ${w}`,
    }),
    rule({
      step: 'oom_victim_exits',
      locks: ['res_counter.lock', 'lru_lock'],
      fn: 'res_counter_uncharge',
      enabled: (s) => {
        if (!s.oomPending) return [];
        // the victim's pages may have been uncharged meanwhile; it exits all the same
        const kinds = KINDS.filter((k) => s[k] > 0);
        return kinds.length ? kinds.map((kind): { kind: PageKind | null } => ({ kind })) : [{ kind: null }];
      },
      ctx: 'env',
      apply: (d, { kind }) => {
        if (kind !== null) {
          d[kind] -= 1;
          d.usage = Math.max(0, d.usage - PAGE);
        }
        d.oomPending = false;
      },
      // Stryker disable next-line all: trace text only
      text: (_, { kind }) => (kind === null ? 'OOM victim exits (nothing left to uncharge)' : `OOM victim exits, uncharging a ${kind} page`),
    }),
  ];
}

/**
 * The loop of S and L (§3; L's S3 sets the limit) and V2's callback (§6).
 * Each step's `step` and `fn` are S's; {@link specMachine} names L's.
 */
function loop(c: MemcgConfig, f: MemcgFlags): Rule<MemcgState>[] {
  return [
    rule({
      name: 'P1',
      step: 'S1',
      fn: 'mem_cgroup_shrink_usage_to',
      enabled: (s) => writersAt(s, 'P1'),
      ctx: (a) => a.w,
      apply: (d, { w }) => {
        const wr = writer(d, w);
        wr.retry = c.retries;
        wr.minUsage = d.usage;
        wr.seenMin = d.usage; // ghost
        wr.bound = 2 + 4 * (c.retries + d.usage / PAGE) + 3;
        wr.pc = 'P3';
      },
      // Stryker disable next-line all: trace text only
      text: (s) => `retry := ${c.retries}, usage ${s.usage}`,
    }),
    rule({
      name: 'P3',
      step: 'S3',
      locks: ['res_counter.lock'],
      fn: 'res_counter_read_u64',
      enabled: (s) => writersAt(s, 'P3'),
      ctx: (a) => a.w,
      apply: (d, { w }) => {
        const wr = writer(d, w);
        if (d.usage <= wr.val) {
          if (w !== 'S') d.limit = wr.val; // res_counter_set_limit
          wr.pc = 'done';
          wr.result = 'ok';
        } else wr.pc = w !== 'S' && f.shrinkCallback ? 'CB1' : 'P2';
      },
      // Stryker disable next-line all: trace text only
      text: (s, { w }, n) => (n.writers[w]?.result === 'ok' ? (w === 'S' ? 'usage ≤ val → success' : 'usage ≤ val → limit := val, success') : `usage ${s.usage} > val ${s.writers[w]?.val ?? '?'}`),
    }),
    rule({
      name: 'P2',
      step: 'S2',
      fn: 'signal_pending',
      enabled: (s) => writersAt(s, 'P2'),
      ctx: (a) => a.w,
      apply: (d, { w }) => {
        const wr = writer(d, w);
        if (wr.signal) {
          wr.pc = 'done';
          wr.result = 'EINTR';
        } else wr.pc = 'P4';
      },
      // Stryker disable next-line all: trace text only
      text: (_, { w }, n) => (n.writers[w]?.result === 'EINTR' ? 'pending signal → -EINTR' : 'no signal pending'),
    }),
    rule({
      name: 'P4',
      step: 'S4',
      fn: 'mem_cgroup_shrink_usage_to',
      enabled: (s) => writersAt(s, 'P4'),
      ctx: (a) => a.w,
      apply: (d, { w }) => {
        const wr = writer(d, w);
        if (wr.retry === 0) {
          wr.pc = 'done';
          wr.result = 'EBUSY';
        } else wr.pc = 'P5';
      },
      // Stryker disable next-line all: trace text only
      text: (s, { w }) => (s.writers[w]?.retry === 0 ? 'retry = 0 → -EBUSY' : `retry ${s.writers[w]?.retry ?? '?'} left`),
    }),
    rule({
      name: 'P5',
      step: 'S5',
      locks: ['lru_lock', 'res_counter.lock'],
      fn: 'try_to_free_mem_cgroup_pages',
      enabled: (s) => reclaimsAt(s, c, 'P5'),
      ctx: (a) => a.w,
      apply: (d, { w, r }) => {
        const wr = writer(d, w);
        const p = reclaim(d, r, c);
        const noProgress = f.v27Progress ? p === 0 : d.usage >= wr.minUsage;
        if (!f.v27Progress && d.usage < wr.minUsage) wr.minUsage = d.usage;
        if (noProgress) wr.retry -= 1;
        // ghosts for M3: the round judged by the property side's rule from what it observed
        if (roundWithoutProgress(f.v27Progress, { reclaimed: r, swapClusterMax: c.swapClusterMax, usage: d.usage, seenMin: wr.seenMin })) wr.noProgress += 1;
        wr.seenMin = Math.min(wr.seenMin, d.usage);
        wr.pc = 'P3';
      },
      // Stryker disable next-line all: trace text only
      text: (s, { w, r }, n) => `reclaim r=${r}${n.writers[w]?.retry !== s.writers[w]?.retry ? ': no progress, retry--' : ''}`,
    }),
    rule({
      step: 'CB1',
      fn: 'mem_cgroup_shrink_usage',
      enabled: (s) => writersAt(s, 'CB1'),
      ctx: (a) => a.w,
      apply: (d, { w }) => {
        // V2: shrink_usage callback; a 0 return makes the caller stop without setting the limit
        const wr = writer(d, w);
        if (d.usage <= wr.val) {
          wr.pc = 'done';
          wr.result = 'ok';
        } else wr.pc = 'CB2';
      },
      // Stryker disable next-line all: trace text only
      text: (_, { w }, n) => (n.writers[w]?.pc === 'done' ? 'callback: usage ≤ val → return 0' : 'callback: usage > val'),
    }),
    rule({
      step: 'CB2',
      locks: ['lru_lock', 'res_counter.lock'],
      fn: 'mem_cgroup_shrink_usage',
      enabled: (s) => reclaimsAt(s, c, 'CB2'),
      ctx: (a) => a.w,
      apply: (d, { w, r }) => {
        const wr = writer(d, w);
        if (reclaim(d, r, c) === 0) {
          wr.pc = 'done';
          wr.result = 'ok';
        } else wr.pc = 'CB1';
      },
      // Stryker disable next-line all: trace text only
      text: (_, { w, r }, n) => `callback: reclaim r=${r}${n.writers[w]?.pc === 'done' ? ', none → return 0' : ''}`,
    }),
  ];
}

/** The charger C of §3, one page per charge (C1–C5). */
function chargerSteps(c: MemcgConfig): Rule<MemcgState>[] {
  const at = (s: MemcgState, pc: Charger['pc']): boolean => s.charger?.pc === pc;
  return [
    rule({
      step: 'C1',
      locks: ['res_counter.lock', 'lru_lock'],
      fn: 'res_counter_charge',
      enabled: (s) => (!at(s, 'C1') ? [] : s.usage + PAGE > s.limit ? [{ kind: null }] : KINDS.map((kind): { kind: PageKind | null } => ({ kind }))),
      ctx: 'C',
      apply: (d, { kind }) => {
        const ch = charger(d);
        if (kind === null) {
          d.failcnt += 1;
          ch.pc = c.chargerWait ? 'C3' : 'C2';
          return;
        }
        d.usage += PAGE;
        d.max_usage = Math.max(d.max_usage, d.usage);
        d[kind] += 1;
        ch.pc = 'done';
        ch.result = 'ok';
      },
      // Stryker disable next-line all: trace text only
      text: (_, { kind }) => (kind === null ? 'over limit: failcnt++' : `usage += PAGE (${kind})`),
    }),
    rule({
      step: 'C2',
      fn: 'mem_cgroup_charge_common',
      enabled: (s) => when(at(s, 'C2')),
      ctx: 'C',
      apply: (d) => {
        const ch = charger(d);
        ch.pc = 'done';
        ch.result = 'ENOMEM';
      },
      // Stryker disable next-line all: trace text only
      text: () => 'no __GFP_WAIT → -ENOMEM',
    }),
    rule({
      step: 'C3',
      locks: ['lru_lock', 'res_counter.lock'],
      fn: 'try_to_free_mem_cgroup_pages',
      enabled: (s) => (at(s, 'C3') ? reclaimChoices(s, c).map((r) => ({ r })) : []),
      ctx: 'C',
      apply: (d, { r }) => {
        const ch = charger(d);
        ch.pc = reclaim(d, r, c) > 0 ? 'C1' : 'C4';
      },
      // Stryker disable next-line all: trace text only
      text: (_, { r }, n) => `reclaim r=${r} → ${n.charger?.pc ?? '?'}`,
    }),
    rule({
      step: 'C4',
      locks: ['res_counter.lock'],
      fn: 'res_counter_check_under_limit',
      enabled: (s) => when(at(s, 'C4')),
      ctx: 'C',
      apply: (d) => {
        const ch = charger(d);
        ch.pc = d.usage < d.limit ? 'C1' : 'C5';
      },
      // Stryker disable next-line all: trace text only
      text: (_, __, n) => (n.charger?.pc === 'C1' ? 'usage < limit → retry' : 'usage = limit → C5'),
    }),
    rule({
      step: 'C5',
      fn: 'mem_cgroup_out_of_memory',
      enabled: (s) => when(at(s, 'C5')),
      ctx: 'C',
      apply: (d) => {
        const ch = charger(d);
        if (ch.retries === 0) {
          ch.pc = 'done';
          ch.result = 'ENOMEM';
          if (d.reclaimable + d.pinned > 0) d.oomPending = true;
        } else {
          ch.retries -= 1;
          ch.pc = 'C1';
        }
      },
      // Stryker disable next-line all: trace text only
      text: (s) => (s.charger?.retries === 0 ? 'retries = 0 → OOM kill, -ENOMEM' : 'retries--, → C1'),
    }),
  ];
}

/** The steps of S's and L's loop (P0, a write(2), and signals are events). */
const LOOP_STEPS: ReadonlySet<string> = new Set(['P1', 'P2', 'P3', 'P4', 'P5', 'CB1', 'CB2']);
/** L's functions where they differ from S's (`res_counter_set_limit` is L's S3). */
const LIMIT_FN: Readonly<Record<string, string>> = { P1: 'mem_cgroup_resize_limit', P3: 'res_counter_set_limit', P4: 'mem_cgroup_resize_limit' };

/**
 * What rules cannot state yet (reported on issue 17), kept here: the loop's
 * steps are offered writer by writer (S, L, L2, each at its one pc), as
 * before the rules, since random schedules and fast-check replay paths index
 * this list; and the spec names a step by its writer (S3 for S, L3 for L,
 * with L's own functions), where a rule's `step` and `fn` are fixed.
 */
/**
 * What the race check (spec 06 §5) leaves out of memcg, and why. The
 * counter's fields are written only under res_counter's spinlock (the
 * `locks` of each res_counter_* step) and the page counts under the LRU
 * lock; these are the accesses that are not.
 */
const MEMCG_RACE_EXEMPT: Readonly<Record<string, string>> = {
  'S1: usage': "S1 reads usage for its progress baseline as res_counter_read_u64 does in 2.6.27: without the counter's lock (a word read on 64-bit)",
  'L1: usage': "L1 (the limit writer's S1) reads usage as res_counter_read_u64 does in 2.6.27: without the counter's lock",
  'CB1: usage': "V2's callback tests usage ≤ val between reclaims, which its res_counter caller cannot do under the counter's spinlock: a lockless word read, as res_counter_read_u64",
  charger: "the charging task's call frame: the environment's charge event creates it before the task runs (fork orders the two)",
  'C5: reclaimable': 'C5 asks whether the OOM victim has charged pages to give back: bookkeeping of the victim, which the kernel reads from its mm, not from the LRU counts',
  'C5: pinned': 'as C5: reclaimable',
  oomPending: "the OOM handshake: C5's kill sets it and the victim's exit (the environment) clears it; the kill signal orders the two, a happens-before locksets do not see",
};

function specMachine(m: Machine<MemcgState, RuleAction>): Machine<MemcgState, RuleAction> {
  // rules give events, then the loop step by step, then C; a stable sort puts the loop writer by writer
  const rank = (a: RuleAction): number => (LOOP_STEPS.has(a.type) ? 1 + WRITERS.indexOf(a.w as WriterId) : /^C\d$/.test(a.type) ? 4 : 0);
  return {
    ...m,
    actions: (s) => [...m.actions(s)].sort((a, b) => rank(a) - rank(b)),
    // L's names: the mutation check's table of lanes judges them
    describe: (a, prev, next): StepInfo => {
      const info = m.describe(a, prev, next);
      return a.w === undefined || a.w === 'S' || !/^P\d$/.test(a.type) ? info : { ...info, step: `L${info.step.slice(1)}`, fn: LIMIT_FN[a.type] ?? info.fn };
    },
  };
}

function quiescent(s: MemcgState): boolean {
  return !WRITERS.some((w) => writerActive(s.writers[w])) && (s.charger === null || s.charger.pc === 'done') && !s.oomPending;
}

/**
 * The liveness engine's key: also drops the ghosts only safety properties
 * read (`steps`, `bound` for the L1/L1+ step bound, `noProgress` and `seenMin` for M3). A
 * looping writer's step counter would otherwise make V3's graph infinite.
 */
function livenessView(s: MemcgState): unknown {
  const { failcnt, max_usage, writers, ...rest } = s;
  void failcnt;
  void max_usage;
  const ws: Record<string, unknown> = {};
  for (const w of WRITERS) {
    const x = writers[w];
    if (x) {
      const { steps, bound, noProgress, seenMin, ...kept } = x;
      void steps;
      void bound;
      void noProgress;
      void seenMin;
      ws[w] = kept;
    }
  }
  return { ...rest, writers: ws };
}

/**
 * Fairness of a step (liveness): the events of §4 (a write(2), a charge
 * request, uncharge, pin/unpin, signal, an OOM victim's exit) are the
 * environment, which eventually stops; writer and charger steps are their
 * contexts'. A charger without a charge budget (V3's) is a thread that
 * charges again and again: its `charge` is a step of C, so it need not stop.
 */
function fairnessOf(c: MemcgConfig): (a: MemcgAction) => string | null {
  return (a) => {
    if ('w' in a && a.type !== 'signal' && a.type !== 'P0') return a.w;
    if (a.type === 'charge') return c.charges === null ? 'C' : null;
    if (a.type.startsWith('C')) return 'C';
    return null;
  };
}

/** The memcg model (spec 03). */
export const memcg = defineModel({
  // the exhaustive engines take its steps on plain copies (issue 18); properties/fastpath.test.ts checks them against immer
  fastPath: true,
  name: 'memcg',
  title: 'memcg memory.shrink_in_bytes (seed 002)',
  spec: '03-memcg-shrink.md',
  smallConfig: SMALL,
  family: memcgFamily(SMALL),
  randomConfig: memcgRandomConfig,
  configSchema: memcgConfigSchema,
  variants: {
    reference: {
      flags: { v27Progress: false, shrinkCallback: false, roundingWrap: false },
      summary: 'v2.6.27 loop with the v2.6.33 progress rule and the W1 rounding fix',
      expect: { kind: 'holds' },
    },
    V2: {
      flags: { v27Progress: false, shrinkCallback: true, roundingWrap: false },
      summary: 'June 2008 shrink_usage callback: a no-progress return ends the limit write with success, limit unchanged',
      expect: { kind: 'violates', property: 'M2' },
    },
    V3: {
      flags: { v27Progress: true, shrinkCallback: false, roundingWrap: false },
      summary: 'v2.6.27 progress rule: retry drops only when reclaim returns 0, so a re-charging charger keeps the writer looping',
      expect: { kind: 'violates', property: 'L1+' },
      exploreConfig: { ...SMALL, charges: null, reclaimable: 1, pinned: 0, uncharges: 0, shrinkInputs: ['0'], limitInputs: [], reclaimMax: 1 },
      randomConfig: memcgV3RandomConfig,
    },
    W1: {
      flags: { v27Progress: false, shrinkCallback: false, roundingWrap: true },
      summary: 'page round-up wraps: a size within PAGE_SIZE-1 of 2^64 becomes 0',
      expect: { kind: 'violates', property: 'M5' },
      exploreConfig: { ...SMALL, shrinkInputs: ['0', '8K', '18446744073709551615'] },
      randomConfig: memcgW1RandomConfig,
    },
    W3: {
      // the reference's code: W3 is a configuration (two limit writers), not a change
      flags: { v27Progress: false, shrinkCallback: false, roundingWrap: false },
      summary: 'two limit writers without set_limit_mutex: the last successful S3 wins',
      expect: { kind: 'harmless', why: 'each S3 is atomic; no §5 property depends on the order of two limit writes' },
      exploreConfig: { ...SMALL, limitWriters: 2, shrinkInputs: [], charges: 0 },
    },
  },
  machine: (f: MemcgFlags, c: MemcgConfig) =>
    specMachine(
      machineFromRules<MemcgState>({
        init: () => initState(c),
        rules: [...events(c, f), ...loop(c, f), ...chargerSteps(c)],
        quiescent,
        // failcnt and max_usage are statistics: no step or property reads them
        view: ({ failcnt, max_usage, ...rest }) => (void failcnt, void max_usage, rest),
        livenessView,
        fairness: fairnessOf(c),
        kernel: (s) => s.k,
        properties: memcgProperties(c),
        raceExempt: MEMCG_RACE_EXEMPT,
      }),
    ),
});

/** The memcg model with its types erased, for the registry. */
export const memcgModel = erase(memcg);
