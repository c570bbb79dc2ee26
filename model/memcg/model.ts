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
 *   configurations without a charger; with one, L1+ is the property.
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
 */
import type { Draft } from 'immer';
import { produce } from '../kernel/immer.js';
import { match, P } from 'ts-pattern';
import type { Machine, ModelDef, Property, StepInfo } from '../contract.js';
import { erase } from '../contract.js';
import { kernelState } from '../kernel/state.js';
import { LLONG_MAX, memparse, PAGE_SIZE } from './memparse.js';
import type { Charger, MemcgAction, MemcgConfig, MemcgState, PageKind, Writer, WriterId } from './state.js';
import { memcgProperties, roundWithoutProgress } from './properties.js';
import { memcgFamily } from './family.js';
import { memcgRandomConfig, memcgV3RandomConfig, memcgW1RandomConfig, parseMemcgConfig } from './config.js';

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

const FLAGS: Record<string, MemcgFlags> = {
  reference: { v27Progress: false, shrinkCallback: false, roundingWrap: false },
  V2: { v27Progress: false, shrinkCallback: true, roundingWrap: false },
  V3: { v27Progress: true, shrinkCallback: false, roundingWrap: false },
  W1: { v27Progress: false, shrinkCallback: false, roundingWrap: true },
  W3: { v27Progress: false, shrinkCallback: false, roundingWrap: false },
};

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

function actions(s: MemcgState, c: MemcgConfig, f: MemcgFlags): MemcgAction[] {
  const out: MemcgAction[] = [];
  // environment events
  if (!s.writers.S) for (const input of c.shrinkInputs) out.push({ type: 'P0', w: 'S', input });
  const limitIds: WriterId[] = c.limitWriters >= 2 ? ['L', 'L2'] : ['L'];
  for (const w of limitIds) if (!s.writers[w]) for (const input of c.limitInputs) out.push({ type: 'P0', w, input });
  if ((s.charger === null || s.charger.pc === 'done') && (s.chargesLeft === null || s.chargesLeft > 0)) out.push({ type: 'charge' });
  if (s.unchargesLeft > 0) for (const kind of KINDS) if (s[kind] > 0) out.push({ type: 'uncharge', kind });
  if (s.togglesLeft > 0) {
    if (s.reclaimable > 0) out.push({ type: 'pin' });
    if (s.pinned > 0) out.push({ type: 'unpin' });
  }
  if (c.signals) for (const w of WRITERS) if (writerActive(s.writers[w]) && !s.writers[w]?.signal) out.push({ type: 'signal', w });
  if (s.oomPending) {
    // the victim's pages may have been uncharged meanwhile; it exits all the same
    const kinds = KINDS.filter((k) => s[k] > 0);
    for (const kind of kinds.length ? kinds : [null]) out.push({ type: 'oom_victim_exits', kind });
  }
  // writers
  for (const w of WRITERS) {
    const wr = s.writers[w];
    if (!writerActive(wr)) continue;
    if (wr.pc === 'P5' || wr.pc === 'CB2') for (const r of reclaimChoices(s, c)) out.push({ type: wr.pc, w, r });
    else if (wr.pc !== 'done') out.push({ type: wr.pc, w });
  }
  // charger
  const ch = s.charger;
  if (ch && ch.pc !== 'done') {
    if (ch.pc === 'C1') {
      if (s.usage + PAGE > s.limit) out.push({ type: 'C1', kind: null });
      else for (const kind of KINDS) out.push({ type: 'C1', kind });
    } else if (ch.pc === 'C3') for (const r of reclaimChoices(s, c)) out.push({ type: 'C3', r });
    else out.push({ type: ch.pc });
  }
  void f;
  return out;
}

/** reclaim(): frees r reclaimable pages; returns r if r ≥ SWAP_CLUSTER_MAX, else 0 (spec 03 §2). */
function reclaim(d: { usage: number; reclaimable: number }, r: number, c: MemcgConfig): number {
  d.reclaimable -= r;
  d.usage -= r * PAGE;
  return r >= c.swapClusterMax ? r : 0;
}

function next(s: MemcgState, a: MemcgAction, c: MemcgConfig, f: MemcgFlags): MemcgState {
  return produce(s, (d) => {
    const writer = (w: WriterId): Draft<Writer> => {
      const wr = d.writers[w];
      if (!wr) throw new Error(`writer ${w} is not running`);
      wr.steps += 1;
      return wr;
    };
    const charger = (): Draft<Charger> => {
      const ch = d.charger;
      if (!ch) throw new Error('charger is not running');
      return ch;
    };
    match(a)
      .with({ type: 'charge' }, () => {
        d.charger = { pc: 'C1', retries: c.retries, result: null };
        if (d.chargesLeft !== null) d.chargesLeft -= 1;
      })
      .with({ type: 'uncharge' }, ({ kind }) => {
        // U1: res_counter_uncharge clamps at 0 with a warning
        d[kind] -= 1;
        d.usage = Math.max(0, d.usage - PAGE);
        d.unchargesLeft -= 1;
      })
      .with({ type: 'pin' }, () => {
        d.reclaimable -= 1;
        d.pinned += 1;
        d.togglesLeft -= 1;
      })
      .with({ type: 'unpin' }, () => {
        d.pinned -= 1;
        d.reclaimable += 1;
        d.togglesLeft -= 1;
      })
      .with({ type: 'signal' }, ({ w }) => {
        const wr = d.writers[w];
        if (wr) wr.signal = true;
      })
      .with({ type: 'oom_victim_exits' }, ({ kind }) => {
        if (kind !== null) {
          d[kind] -= 1;
          d.usage = Math.max(0, d.usage - PAGE);
        }
        d.oomPending = false;
      })
      .with({ type: 'P0' }, ({ w, input }) => {
        const p = memparse(input, { kernel: '2.6.27', roundingWrap: f.roundingWrap });
        d.writers[w] = {
          pc: p.ok ? 'P1' : 'done', input, val: p.ok ? Number(p.bytes) : 0, retry: 0, minUsage: 0, signal: false,
          result: p.ok ? null : p.errno, noProgress: 0, seenMin: 0, steps: 1, bound: 0,
        };
      })
      .with({ type: 'P1' }, ({ w }) => {
        const wr = writer(w);
        wr.retry = c.retries;
        wr.minUsage = d.usage;
        wr.seenMin = d.usage; // ghost
        wr.bound = 2 + 4 * (c.retries + d.usage / PAGE) + 3;
        wr.pc = 'P3';
      })
      .with({ type: 'P3' }, ({ w }) => {
        const wr = writer(w);
        if (d.usage <= wr.val) {
          if (w !== 'S') d.limit = wr.val; // res_counter_set_limit
          wr.pc = 'done';
          wr.result = 'ok';
        } else wr.pc = w !== 'S' && f.shrinkCallback ? 'CB1' : 'P2';
      })
      .with({ type: 'P2' }, ({ w }) => {
        const wr = writer(w);
        if (wr.signal) {
          wr.pc = 'done';
          wr.result = 'EINTR';
        } else wr.pc = 'P4';
      })
      .with({ type: 'P4' }, ({ w }) => {
        const wr = writer(w);
        if (wr.retry === 0) {
          wr.pc = 'done';
          wr.result = 'EBUSY';
        } else wr.pc = 'P5';
      })
      .with({ type: 'P5' }, ({ w, r }) => {
        const wr = writer(w);
        const p = reclaim(d, r, c);
        const noProgress = f.v27Progress ? p === 0 : d.usage >= wr.minUsage;
        if (!f.v27Progress && d.usage < wr.minUsage) wr.minUsage = d.usage;
        if (noProgress) wr.retry -= 1;
        // ghosts for M3: the round judged by the property side's rule from what it observed
        if (roundWithoutProgress(f.v27Progress, { reclaimed: r, swapClusterMax: c.swapClusterMax, usage: d.usage, seenMin: wr.seenMin })) wr.noProgress += 1;
        wr.seenMin = Math.min(wr.seenMin, d.usage);
        wr.pc = 'P3';
      })
      .with({ type: 'CB1' }, ({ w }) => {
        // V2: shrink_usage callback; a 0 return makes the caller stop without setting the limit
        const wr = writer(w);
        if (d.usage <= wr.val) {
          wr.pc = 'done';
          wr.result = 'ok';
        } else wr.pc = 'CB2';
      })
      .with({ type: 'CB2' }, ({ w, r }) => {
        const wr = writer(w);
        if (reclaim(d, r, c) === 0) {
          wr.pc = 'done';
          wr.result = 'ok';
        } else wr.pc = 'CB1';
      })
      .with({ type: 'C1' }, ({ kind }) => {
        const ch = charger();
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
      })
      .with({ type: 'C2' }, () => {
        const ch = charger();
        ch.pc = 'done';
        ch.result = 'ENOMEM';
      })
      .with({ type: 'C3' }, ({ r }) => {
        const ch = charger();
        ch.pc = reclaim(d, r, c) > 0 ? 'C1' : 'C4';
      })
      .with({ type: 'C4' }, () => {
        const ch = charger();
        ch.pc = d.usage < d.limit ? 'C1' : 'C5';
      })
      .with({ type: 'C5' }, () => {
        const ch = charger();
        if (ch.retries === 0) {
          ch.pc = 'done';
          ch.result = 'ENOMEM';
          if (d.reclaimable + d.pinned > 0) d.oomPending = true;
        } else {
          ch.retries -= 1;
          ch.pc = 'C1';
        }
      })
      .exhaustive();
  });
}

// Stryker disable all: trace text only (lanes, step and function names); the trace tests judge it, no property reads it (fairness is fairnessOf)
const WRITER_FN: Record<string, [string, string]> = {
  P0: ['res_counter_memparse_write_strategy', 'write(2) of the size; parse it'],
  P1: ['', 'retry := retries, read usage'],
  P2: ['signal_pending', 'pending signal → -EINTR'],
  P3: ['', ''],
  P4: ['', 'retry = 0 → -EBUSY'],
  P5: ['try_to_free_mem_cgroup_pages', 'reclaim'],
  CB1: ['mem_cgroup_shrink_usage', 'callback: usage ≤ val → return 0'],
  CB2: ['mem_cgroup_shrink_usage', 'callback: reclaim, none → return 0'],
};

/**
 * What a trace shows for a step. A budgeted charge request is an event of
 * §4 (the `env` lane); an unbudgeted charger (V3's, `charges: null`) is a
 * thread charging again and again, so its `charge` is drawn in C's lane,
 * as the liveness engine counts it ({@link fairnessOf}).
 */
function describe(a: MemcgAction, c: MemcgConfig): StepInfo {
  return match(a)
    .with({ type: 'charge' }, () => ({ ctx: c.charges === null ? 'C' : 'env', step: 'charge', fn: 'mem_cgroup_charge', text: 'start a one-page charge (C)' }))
    .with({ type: 'uncharge' }, ({ kind }) => ({ ctx: 'U', step: 'U1', fn: 'res_counter_uncharge', text: `uncharge a ${kind} page` }))
    .with({ type: 'pin' }, () => ({ ctx: 'env', step: 'pin', fn: 'isolate_lru_page', text: 'a reclaimable page becomes pinned' }))
    .with({ type: 'unpin' }, () => ({ ctx: 'env', step: 'unpin', fn: 'putback_lru_page', text: 'a pinned page becomes reclaimable' }))
    .with({ type: 'signal' }, ({ w }) => ({ ctx: 'env', step: 'signal', fn: 'send_signal', text: `signal writer ${w}` }))
    .with({ type: 'oom_victim_exits' }, ({ kind }) => ({ ctx: 'env', step: 'oom_victim_exits', fn: 'res_counter_uncharge', text: kind === null ? 'OOM victim exits (nothing left to uncharge)' : `OOM victim exits, uncharging a ${kind} page` }))
    .with({ type: P.union('P0', 'P1', 'P2', 'P3', 'P4', 'P5', 'CB1', 'CB2') }, (x) => {
      const letter = x.w === 'S' ? 'S' : 'L';
      const step = x.type.startsWith('P') ? `${letter}${x.type.slice(1)}` : x.type;
      const [fn0, text0] = WRITER_FN[x.type] ?? ['', ''];
      const fn =
        x.type === 'P3'
          ? x.w === 'S' ? 'res_counter_read_u64' : 'res_counter_set_limit'
          : fn0 || (x.w === 'S' ? 'mem_cgroup_shrink_usage_to' : 'mem_cgroup_resize_limit');
      const text = x.type === 'P3' ? (x.w === 'S' ? 'usage ≤ val → success' : 'usage ≤ val → limit := val, success') : text0;
      const r = 'r' in x ? ` r=${x.r}` : 'input' in x ? ` ${JSON.stringify(x.input)}` : '';
      return { ctx: x.w, step, fn, text: text + r };
    })
    .with({ type: 'C1' }, ({ kind }) => ({ ctx: 'C', step: 'C1', fn: 'res_counter_charge', text: kind === null ? 'over limit: failcnt++' : `usage += PAGE (${kind})` }))
    .with({ type: 'C2' }, () => ({ ctx: 'C', step: 'C2', fn: 'mem_cgroup_charge_common', text: 'no __GFP_WAIT → -ENOMEM' }))
    .with({ type: 'C3' }, ({ r }) => ({ ctx: 'C', step: 'C3', fn: 'try_to_free_mem_cgroup_pages', text: `reclaim r=${r}` }))
    .with({ type: 'C4' }, () => ({ ctx: 'C', step: 'C4', fn: 'res_counter_check_under_limit', text: 'usage < limit → retry' }))
    .with({ type: 'C5' }, () => ({ ctx: 'C', step: 'C5', fn: 'mem_cgroup_out_of_memory', text: 'retries = 0 → OOM kill, else retries--' }))
    .exhaustive();
}

// Stryker restore all

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

/** Builds the machine of one variant. */
export function memcgMachine(variant: string, c: MemcgConfig): Machine<MemcgState, MemcgAction> {
  const f = FLAGS[variant];
  if (!f) throw new Error(`unknown variant '${variant}' of model 'memcg'`);
  const properties: Property<MemcgState, MemcgAction>[] = memcgProperties(c, f);
  return {
    init: () => initState(c),
    actions: (s) => actions(s, c, f),
    next: (s, a) => next(s, a, c, f),
    describe: (a) => describe(a, c),
    quiescent,
    // failcnt and max_usage are statistics: no step or property reads them
    view: ({ failcnt, max_usage, ...rest }) => (void failcnt, void max_usage, rest),
    livenessView,
    fairness: fairnessOf(c),
    kernel: (s) => s.k,
    properties,
  };
}

/** The memcg model (spec 03). */
export const memcg: ModelDef<MemcgState, MemcgAction, MemcgConfig> = {
  name: 'memcg',
  title: 'memcg memory.shrink_in_bytes (seed 002)',
  spec: '03-memcg-shrink.md',
  smallConfig: SMALL,
  family: memcgFamily(SMALL),
  randomConfig: memcgRandomConfig,
  propertyNames: ['M1', 'M2', 'M3', 'M4', 'M5', 'M6', 'L1', 'L1+', 'L2', 'Q-usage', 'E-steps', 'S-flow', 'C-flow'],
  variants: [
    { name: 'reference', summary: 'v2.6.27 loop with the v2.6.33 progress rule and the W1 rounding fix', expect: { kind: 'holds' } },
    {
      name: 'V2',
      summary: 'June 2008 shrink_usage callback: a no-progress return ends the limit write with success, limit unchanged',
      expect: { kind: 'violates', property: 'M2' },
    },
    {
      name: 'V3',
      summary: 'v2.6.27 progress rule: retry drops only when reclaim returns 0, so a re-charging charger keeps the writer looping',
      expect: { kind: 'violates', property: 'L1+' },
      exploreConfig: { ...SMALL, charges: null, reclaimable: 1, pinned: 0, uncharges: 0, shrinkInputs: ['0'], limitInputs: [], reclaimMax: 1 },
      randomConfig: memcgV3RandomConfig,
    },
    {
      name: 'W1',
      summary: 'page round-up wraps: a size within PAGE_SIZE-1 of 2^64 becomes 0',
      expect: { kind: 'violates', property: 'M5' },
      exploreConfig: { ...SMALL, shrinkInputs: ['0', '8K', '18446744073709551615'] },
      randomConfig: memcgW1RandomConfig,
    },
    {
      name: 'W3',
      summary: 'two limit writers without set_limit_mutex: the last successful S3 wins',
      expect: { kind: 'harmless', why: 'each S3 is atomic; no §5 property depends on the order of two limit writes' },
      exploreConfig: { ...SMALL, limitWriters: 2, shrinkInputs: [], charges: 0 },
    },
  ],
  parseConfig: parseMemcgConfig,
  machine: memcgMachine,
};

/** The memcg model with its types erased, for the registry. */
export const memcgModel = erase(memcg);
