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
 */
import type { Property, Transition } from '../contract.js';
import { PAGE_SIZE } from './memparse.js';
import { memparseOracle } from './memparse-oracle.js';
import type { MemcgFlags } from './model.js';
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

/** All properties of the memcg model for one configuration and variant. */
export function memcgProperties(c: MemcgConfig, f: MemcgFlags): Property<MemcgState, MemcgAction>[] {
  void f;
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
