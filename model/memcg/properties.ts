/**
 * Properties of spec 03 §5 (M1–M6, L1, L1+, L2), the quiescent accounting
 * identity of §2, and the *sometimes* witnesses that make a passing run
 * meaningful.
 *
 * L1 and L1+ appear twice under their names: as a step bound on a ghost
 * counter (`steps` > `bound`, for the random and BFS engines, which see one
 * finite run at a time) and as eventually-properties for the liveness
 * engine ("the write returns" on every weakly fair run once the environment
 * stops), which needs no counter: its key drops the ghosts (model.ts).
 *
 * Three properties judge what §5 takes for granted, each from the state
 * before and after a step and the step's own label, never from the model's
 * code: E-steps (the books — usage, limit, page counts, event budgets —
 * change only as §2–§4 say for that step, and the initial state is §2's),
 * S-flow (each S/L step goes where §3 says, V2's callback where §6 says;
 * S4 gives -EBUSY exactly when M3's ghost count reached `retries`) and
 * C-flow (C1–C5 of §3). Without them an environment event could be
 * miscounted, a reclaim could free pages that are not there, and C4's
 * retry test or a signal's -EINTR could change, with M1–M6 still holding.
 */
import type { Property, Transition } from '../contract.js';
import { PAGE_SIZE } from './memparse.js';
import { memparseOracle } from './memparse-oracle.js';
import type { MemcgAction, MemcgConfig, MemcgState, Writer, WriterId } from './state.js';

type T = Transition<MemcgState, MemcgAction>;
const WRITERS: readonly WriterId[] = ['S', 'L', 'L2'];

/** The writer whose write ended at this transition, if any. */
function finished(t: T): { w: WriterId; before: Writer; after: Writer } | undefined {
  for (const w of WRITERS) {
    const before = t.prev?.writers[w];
    const after = t.next.writers[w];
    if (before && after && before.pc !== 'done' && after.pc === 'done') return { w, before, after };
  }
  return undefined;
}

const writerActive = (w: Writer | undefined): boolean => w !== undefined && w.pc !== 'done';

const writerStep = (a: MemcgAction | undefined): a is Extract<MemcgAction, { w: WriterId }> & { type: `P${string}` | `CB${string}` } =>
  a !== undefined && 'w' in a && (a.type.startsWith('P') || a.type.startsWith('CB'));

/** What one reclaim round of a write observed (M3's ghost input, recorded at S5/L5). */
export interface RoundObservation {
  /** Pages the reclaim call freed. */
  readonly reclaimed: number;
  readonly swapClusterMax: number;
  /** Usage right after the reclaim. */
  readonly usage: number;
  /** The smallest usage the write had observed before this round. */
  readonly seenMin: number;
}

/**
 * M3's own reading of "a round without progress" (spec 03 §3, §5): for the
 * v2.6.27 rule (V3) reclaim reported nothing (fewer than SWAP_CLUSTER_MAX
 * pages freed); for the v2.6.33 rule usage did not drop below the smallest
 * seen in this write. The model calls it only to keep M3's ghost count;
 * its loop decides on retries with its own code, which M3 judges.
 */
export function roundWithoutProgress(v27: boolean, o: RoundObservation): boolean {
  return v27 ? o.reclaimed < o.swapClusterMax : o.usage >= o.seenMin;
}

/** 2^63 − 1, the initial limit (§2), written here apart from the parser's constant. */
const UNLIMITED = Number(2n ** 63n - 1n);

/** The fields E-steps follows from one state to the next. */
interface Books {
  reclaimable: number;
  pinned: number;
  usage: number;
  limit: number;
  chargesLeft: number | null;
  unchargesLeft: number;
  togglesLeft: number;
  oomPending: boolean;
}

const books = (s: MemcgState): Books => ({
  reclaimable: s.reclaimable, pinned: s.pinned, usage: s.usage, limit: s.limit,
  chargesLeft: s.chargesLeft, unchargesLeft: s.unchargesLeft, togglesLeft: s.togglesLeft, oomPending: s.oomPending,
});

/**
 * E-steps: what each step may do to the group's books, from §2–§4 alone.
 * Events fire only within their budgets and only on pages that exist;
 * reclaim frees r ≤ min(reclaimable, reclaimMax) reclaimable pages, each
 * uncharged; C1's success adds one page; an L3 that observed usage ≤ val
 * sets the limit; every other step leaves the books as they were.
 */
function stepAccounting(c: MemcgConfig, t: T): string | undefined {
  const s = t.next;
  if (s.reclaimable < 0 || s.pinned < 0 || s.usage < 0) return `negative books: ${s.reclaimable} reclaimable, ${s.pinned} pinned, usage ${s.usage}`;
  const a = t.action;
  const p = t.prev;
  if (!p || !a) {
    const want: Books = {
      reclaimable: c.reclaimable, pinned: c.pinned, usage: PAGE_SIZE * (c.reclaimable + c.pinned),
      limit: c.limitPages === null ? UNLIMITED : c.limitPages * PAGE_SIZE,
      chargesLeft: c.charges, unchargesLeft: c.uncharges, togglesLeft: c.toggles, oomPending: false,
    };
    const busy = WRITERS.some((w) => s.writers[w] !== undefined) || s.charger !== null;
    return busy ? 'the initial state has a write or a charge in flight' : differ('initial state', want, books(s));
  }
  const want = books(p);
  const drop = (kind: 'reclaimable' | 'pinned', what: string): string | undefined => {
    if (p[kind] === 0) return `${what} of a ${kind} page with none charged`;
    want[kind] -= 1;
    want.usage = Math.max(0, p.usage - PAGE_SIZE);
    return undefined;
  };
  let bad: string | undefined;
  switch (a.type) {
    case 'uncharge':
      if (p.unchargesLeft <= 0) return 'uncharge beyond the configured uncharges';
      want.unchargesLeft -= 1;
      bad = drop(a.kind, 'uncharge');
      break;
    case 'pin':
    case 'unpin': {
      if (p.togglesLeft <= 0) return `${a.type} beyond the configured toggles`;
      const [from, to] = a.type === 'pin' ? (['reclaimable', 'pinned'] as const) : (['pinned', 'reclaimable'] as const);
      if (p[from] === 0) return `${a.type} with no ${from} page`;
      want[from] -= 1;
      want[to] += 1;
      want.togglesLeft -= 1;
      break;
    }
    case 'signal': {
      const before = p.writers[a.w];
      if (!c.signals) return 'a signal in a configuration without signals';
      if (!writerActive(before) || before?.signal) return `signal to ${a.w}, which is not writing or already has one pending`;
      if (t.next.writers[a.w]?.signal !== true) return `signal to ${a.w} left no pending signal`;
      break;
    }
    case 'oom_victim_exits':
      if (!p.oomPending) return 'an OOM victim exits without an OOM kill';
      want.oomPending = false;
      if (a.kind === null) {
        if (p.reclaimable + p.pinned > 0) return 'an OOM victim exits uncharging nothing while pages are charged';
      } else bad = drop(a.kind, 'OOM victim exit');
      break;
    case 'P5':
    case 'CB2':
    case 'C3':
      if (a.r < 0 || a.r > Math.min(p.reclaimable, c.reclaimMax)) return `reclaim of ${a.r} pages with ${p.reclaimable} reclaimable, at most ${c.reclaimMax} a call`;
      want.reclaimable -= a.r;
      want.usage -= a.r * PAGE_SIZE;
      break;
    case 'C1':
      if (a.kind !== null) {
        want[a.kind] += 1;
        want.usage += PAGE_SIZE;
      }
      break;
    case 'charge':
      if (p.charger !== null && p.charger.pc !== 'done') return 'a charge started while one is in flight';
      if (p.chargesLeft !== null) {
        if (p.chargesLeft <= 0) return 'a charge beyond the configured charges';
        want.chargesLeft = p.chargesLeft - 1;
      }
      break;
    case 'C5':
      // the OOM kill of §3 C5: its victim holds pages of the group, if any are charged
      if (p.charger?.retries === 0 && p.reclaimable + p.pinned > 0) want.oomPending = true;
      break;
    case 'P3': {
      const w = p.writers[a.w];
      if (a.w !== 'S' && w !== undefined && p.usage <= w.val) want.limit = w.val;
      break;
    }
    default:
      break;
  }
  return bad ?? differ(`step ${a.type}`, want, books(s));
}

function differ(where: string, want: Books, got: Books): string | undefined {
  for (const k of Object.keys(want) as (keyof Books)[]) if (want[k] !== got[k]) return `${where}: ${k} is ${String(got[k])}, §2–§4 give ${String(want[k])}`;
  return undefined;
}

/**
 * S-flow: the writer's control flow of §3 (S0–S5; L3 sets the limit), plus
 * V2's callback as §6 describes it (CB1 usage ≤ val → return; CB2 reclaim
 * returned 0 → return, else CB1). S4 returns -EBUSY exactly when the ghost
 * count of rounds without progress (M3's) has reached `retries`. Only P0
 * may change what was written; each write(2) offers an input the
 * configuration gives to that writer, once.
 */
function writerFlow(c: MemcgConfig, t: T): string | undefined {
  const a = t.action;
  const p = t.prev;
  if (!p || !writerStep(a)) return undefined;
  const before = p.writers[a.w];
  const after = t.next.writers[a.w];
  if (!after) return `${a.w} stepped without a write`;
  if (a.type === 'P0') {
    const offered = a.w === 'S' ? c.shrinkInputs : a.w === 'L' || c.limitWriters >= 2 ? c.limitInputs : [];
    if (before !== undefined) return `${a.w} wrote a second time`;
    if (!offered.includes(a.input) || after.input !== a.input) return `${a.w} wrote ${JSON.stringify(after.input)}, not an input the configuration offers it`;
    if (after.noProgress !== 0 || after.steps !== 1 || after.signal) return `${a.w}0 started with ghosts ${after.noProgress}/${after.steps} or a pending signal`;
    return (after.pc === 'P1') === (after.result === null) ? undefined : `${a.w}0 went to ${after.pc} with result ${after.result ?? 'none'}`;
  }
  if (!before || before.pc !== a.type) return `${a.w} took ${a.type} at ${before?.pc ?? 'no write'}`;
  if (after.val !== before.val || after.input !== before.input) return `${a.w}${a.type} changed the written size`;
  if (after.steps !== before.steps + 1) return `${a.w}${a.type} counted ${after.steps - before.steps} own steps`;
  if (after.signal !== before.signal) return `${a.w}${a.type} changed the pending signal`;
  const done = (result: string): string | undefined => (after.pc === 'done' && after.result === result ? undefined : `${a.w}${a.type} should return ${result}, went to ${after.pc} (${after.result ?? 'no result'})`);
  const to = (...pcs: string[]): string | undefined => (pcs.includes(after.pc) && after.result === null ? undefined : `${a.w}${a.type} should go to ${pcs.join(' or ')}, went to ${after.pc}`);
  const fits = p.usage <= before.val;
  switch (a.type) {
    case 'P1':
      return after.seenMin === p.usage && after.bound === 2 + 4 * (c.retries + p.usage / PAGE_SIZE) + 3 ? to('P3') : `${a.w}1 recorded seenMin ${after.seenMin}, bound ${after.bound}`;
    case 'P3':
      return fits ? done('ok') : a.w === 'S' ? to('P2') : to('P2', 'CB1');
    case 'P2':
      return before.signal ? done('EINTR') : to('P4');
    case 'P4':
      return before.noProgress >= c.retries ? done('EBUSY') : to('P5');
    case 'P5':
      return to('P3');
    case 'CB1':
      return fits ? done('ok') : to('CB2');
    case 'CB2':
      return a.r === 0 || a.r < c.swapClusterMax ? done('ok') : to('CB1');
    default:
      return undefined;
  }
}

/** C-flow: the charger's control flow of §3 C1–C5, from the step and the state before it. */
function chargerFlow(c: MemcgConfig, t: T): string | undefined {
  const a = t.action;
  const p = t.prev;
  if (!p || !a) return undefined;
  const after = t.next.charger;
  if (a.type === 'charge') return after?.pc === 'C1' && after.retries === c.retries && after.result === null ? undefined : 'a charge did not start at C1 with `retries` retries';
  if (!/^C[1-5]$/.test(a.type)) return undefined;
  const before = p.charger;
  if (!before || !after || before.pc !== a.type) return `C took ${a.type} at ${before?.pc ?? 'no charge'}`;
  const go = (pc: string, retries = before.retries): string | undefined =>
    after.pc === pc && after.retries === retries && after.result === null ? undefined : `C${a.type.slice(1)} should go to ${pc} with ${retries} retries, went to ${after.pc} with ${after.retries}`;
  const end = (result: string): string | undefined => (after.pc === 'done' && after.result === result && after.retries === before.retries ? undefined : `${a.type} should return ${result}, went to ${after.pc}`);
  switch (a.type) {
    case 'C1':
      return a.kind === null ? go(c.chargerWait ? 'C3' : 'C2') : end('ok');
    case 'C2':
      return end('ENOMEM');
    case 'C3':
      // reclaim() > 0: at least SWAP_CLUSTER_MAX pages, and some page, were freed (§2)
      return go(a.r > 0 && a.r >= c.swapClusterMax ? 'C1' : 'C4');
    case 'C4':
      return go(p.usage < p.limit ? 'C1' : 'C5');
    case 'C5':
      return before.retries === 0 ? end('ENOMEM') : go('C1', before.retries - 1);
    default:
      return undefined;
  }
}

/** All properties of the memcg model for one configuration (the same for every variant: none reads its flags). */
export function memcgProperties(c: MemcgConfig): Property<MemcgState, MemcgAction>[] {
  const props: Property<MemcgState, MemcgAction>[] = [
    {
      kind: 'always',
      name: 'M1',
      doc: 'usage ≤ limit in every state',
      check: ({ next: s }) => (s.usage <= s.limit ? undefined : `usage ${s.usage} > limit ${s.limit}`),
    },
    {
      kind: 'always',
      name: 'M2',
      doc: 'a shrink write succeeds exactly at an S3 that observed usage ≤ val; a successful limit write left limit = val',
      check: (t) => {
        const a = t.action;
        if (a?.type === 'P3' && t.prev) {
          const w = t.prev.writers[a.w];
          const observed = w !== undefined && t.prev.usage <= w.val;
          const ok = t.next.writers[a.w]?.result === 'ok';
          if (observed !== ok) return `${a.w}3 observed usage ${t.prev.usage} ${observed ? '≤' : '>'} val ${w?.val} but ${ok ? 'returned success' : 'did not return'}`;
        }
        const fin = finished(t);
        if (fin?.after.result === 'ok') {
          if (a?.type !== 'P3') return `write ${fin.w} returned success at ${a?.type}, not at an S3/L3 that observed usage ≤ val`;
          if (fin.w !== 'S' && t.next.limit !== fin.after.val) return `limit write ${fin.w} returned success but limit is ${t.next.limit}, not ${fin.after.val}`;
        }
        return undefined;
      },
    },
    {
      kind: 'always',
      name: 'M3',
      doc: '-EBUSY only after exactly `retries` rounds without progress (by the progress rule in force)',
      check: (t) => {
        const fin = finished(t);
        if (fin?.after.result !== 'EBUSY') return undefined;
        return fin.after.noProgress === c.retries ? undefined : `${fin.w} returned -EBUSY after ${fin.after.noProgress} rounds without progress, not ${c.retries}`;
      },
    },
    {
      kind: 'always',
      name: 'M4',
      doc: 'S never changes limit; neither S nor L charges',
      check: (t) => {
        const a = t.action;
        if (!t.prev || !writerStep(a)) return undefined;
        if (a.w === 'S' && t.next.limit !== t.prev.limit) return `S changed limit from ${t.prev.limit} to ${t.next.limit}`;
        if (t.next.usage > t.prev.usage) return `${a.w} raised usage from ${t.prev.usage} to ${t.next.usage}`;
        return undefined;
      },
    },
    {
      kind: 'always',
      name: 'M5',
      doc: 'the written size is parsed as spec 03 §2 says, with the rounding wrap clamped (W1 fix)',
      check: (t) => {
        const a = t.action;
        if (a?.type !== 'P0') return undefined;
        const w = t.next.writers[a.w];
        if (!w) return `${a.w}0 started no write`;
        // the oracle, not the model's own parser: a parser bug must not agree with itself
        const want = memparseOracle(w.input, { kernel: '2.6.27', roundingWrap: false });
        if (!want.ok) return w.result === want.errno ? undefined : `${JSON.stringify(w.input)} should give -${want.errno}, got ${w.result ?? 'a value'}`;
        return w.pc === 'P1' && w.val === Number(want.bytes) ? undefined : `${JSON.stringify(w.input)} parsed to ${w.val}, expected ${want.bytes}`;
      },
    },
    {
      kind: 'always',
      name: 'M6',
      doc: 'C1 succeeds iff usage + PAGE ≤ limit at that step',
      check: (t) => {
        if (t.action?.type !== 'C1' || !t.prev) return undefined;
        const fits = t.prev.usage + PAGE_SIZE <= t.prev.limit;
        const ok = t.next.charger?.result === 'ok';
        return fits === ok ? undefined : `C1 ${ok ? 'succeeded' : 'failed'} with usage ${t.prev.usage}, limit ${t.prev.limit}`;
      },
    },
    {
      kind: 'always',
      name: 'L1+',
      doc: 'the same bound holds with concurrent chargers',
      category: 'liveness',
      check: ({ next: s }) => {
        for (const w of WRITERS) {
          const wr = s.writers[w];
          if (wr && wr.bound > 0 && wr.steps > wr.bound) return `${w} took ${wr.steps} of its own steps without returning (bound ${wr.bound})`;
        }
        return undefined;
      },
    },
    {
      kind: 'always',
      name: 'L2',
      doc: 'C returns -ENOMEM only after C2 or C5',
      check: (t) => {
        const before = t.prev?.charger;
        const after = t.next.charger;
        if (!before || !after || before.pc === 'done' || after.result !== 'ENOMEM') return undefined;
        return t.action?.type === 'C2' || t.action?.type === 'C5' ? undefined : `C returned -ENOMEM at ${t.action?.type}`;
      },
    },
    {
      kind: 'always',
      name: 'E-steps',
      doc: 'each step (and the initial state) sets usage, limit, the page counts and the event budgets as §2–§4 say for it',
      check: (t) => stepAccounting(c, t),
    },
    {
      kind: 'always',
      name: 'S-flow',
      doc: 'each S/L step goes where §3 says (V2\'s callback: where §6 says); -EBUSY exactly when `retries` rounds made no progress',
      check: (t) => writerFlow(c, t),
    },
    {
      kind: 'always',
      name: 'C-flow',
      doc: 'each step of the charger goes where §3 C1–C5 says',
      check: (t) => chargerFlow(c, t),
    },
    {
      kind: 'quiescent',
      name: 'Q-usage',
      doc: 'usage = PAGE_SIZE × charged pages in quiescent states (§2)',
      check: ({ next: s }) => {
        const want = PAGE_SIZE * (s.reclaimable + s.pinned);
        return s.usage === want ? undefined : `usage ${s.usage} ≠ ${want} for ${s.reclaimable + s.pinned} charged pages`;
      },
    },
  ];
  if (c.charges === 0)
    props.push({
      kind: 'always',
      name: 'L1',
      doc: 'with no charger running concurrently, a write returns within its step bound',
      category: 'liveness',
      check: ({ next: s }) => {
        for (const w of WRITERS) {
          const wr = s.writers[w];
          if (wr && wr.bound > 0 && wr.steps > wr.bound) return `${w} took ${wr.steps} steps without returning (bound ${wr.bound}), no charger running`;
        }
        return undefined;
      },
    });
  // the lasso forms of L1 and L1+: the obligation of each writer is "my write has not returned"
  const writing = (s: MemcgState): string[] => WRITERS.filter((w) => writerActive(s.writers[w]));
  props.push({ kind: 'eventually', name: 'L1+', doc: 'every S/L write eventually returns, with concurrent chargers (lasso check under weak fairness)', pending: writing });
  if (c.charges === 0) props.push({ kind: 'eventually', name: 'L1', doc: 'with no charger, every S/L write eventually returns (lasso check under weak fairness)', pending: writing });
  const ended = (w: WriterId, result: string, minSteps = 0) => (t: T) => {
    const fin = finished(t);
    return fin !== undefined && fin.w === w && fin.after.result === result && fin.after.steps >= minSteps;
  };
  if (c.shrinkInputs.length) {
    props.push({ kind: 'sometimes', name: 'shrink-ok-after-reclaim', doc: 'a shrink write succeeded after reclaiming', check: ended('S', 'ok', 6) });
    props.push({ kind: 'sometimes', name: 'shrink-ebusy', doc: 'a shrink write returned -EBUSY', check: ended('S', 'EBUSY') });
  }
  if (c.limitInputs.length) props.push({ kind: 'sometimes', name: 'limit-ok', doc: 'a limit write returned success', check: ended('L', 'ok') });
  if (c.charges !== 0 && c.chargerWait)
    props.push({
      kind: 'sometimes',
      name: 'charge-reclaimed',
      doc: 'a charger over the limit reclaimed and retried',
      check: (t) => t.action?.type === 'C3' && t.next.charger?.pc === 'C1',
    });
  return props;
}
