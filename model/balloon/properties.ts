/**
 * Properties of spec 02 §5 (B1–B3, B5–B9; B4 is the built-in `deadlock` and
 * `sleep-in-atomic`), a quiescent check, and the *sometimes* witnesses.
 *
 * B6 is judged at the two steps where an offline fails on the balloon's
 * account: the isolation check refusing a non-MOVABLE pageblock, and step 4
 * finding busy pages (vetoes, failed callbacks and failed migrations fail
 * for reasons B6's premise excludes). Such a failure must be explained by a
 * premise that does not hold at that step: a pinned (or unmigrated) page in
 * the range, an in-flight page held by a FREE, a counted page freed since
 * I1 (a FREE ran), a pageblock with no CMM page, a callback that failed
 * GOING_OFFLINE — or Robert's clause: ALLOC holding a page of the range
 * between A2 and A6, or an A6 that listed a page of the block during the
 * offline (ghost `lateA6`). The `robert` variant drops that last clause.
 *
 * B7 ("eventually loaned = target") is checked as its two ways to fail on a
 * finite trace: a `mutex_trylock` of T2/A1 that fails on a free mutex (the
 * corrupted count of W3 stops loaning for good), and a FREE that gives up
 * with pages still loaned (an empty head array, left by a set-loaned error).
 *
 * B7 is also an eventually-property for the liveness engine, in this form:
 * the target is what T4 would compute now (`cmm_get_mpp` from
 * loan_request, loaned, totalram, oom_freed), not the variable `target`,
 * which an allocation failure resets to `loaned` (so "loaned = target"
 * would hold by fiat). The obligation is pending while the thread runs
 * (not stopped or exited), loaned differs from that target, and — "enough
 * free memory" — a shrink is wanted, or the present blocks hold free pages
 * for the pages still to loan plus one list page per array the target
 * needs plus one. "Quiescent periods" is the liveness engine's own
 * assumption: §4's events (hv, oom, offline/online, other allocations,
 * disable) eventually stop; ticks are the thread's steps and an
 * allocation failing while pages are free is the environment (model.ts).
 */
import type { Property, Transition } from '../contract.js';
import type { BalloonFlags } from './flags.js';
import type { Geometry } from './geometry.js';
import { specTarget } from './mpp-oracle.js';
import type { BalloonAction, BalloonConfig, BalloonState, FreeCall, PageState } from './state.js';

type T = Transition<BalloonState, BalloonAction>;
type Prop = Property<BalloonState, BalloonAction>;

const STEP_3_4 = ['repeat', 'drain', 'scan', 'check', 'offline-pages'];

/** The offline that ended at this transition, with the state it was in just before. */
function offlineEnded(t: T): { b: number; ok: boolean } | undefined {
  const op = t.prev?.H.op;
  if (!op || op.op !== 'offline' || !op.accepted || t.next.H.op !== null) return undefined;
  return { b: op.block, ok: t.next.blocks[op.block]?.state === 'offline' };
}

function mutexOf(s: BalloonState): { owner: string | null; count: number; corrupt: boolean } {
  const l = s.k.locks.hotplug_mutex;
  if (!l || l.kind !== 'mutex') throw new Error('no hotplug_mutex');
  return l;
}

/** A failed offline step: isolation of pageblock `pb` refused, or busy pages at step 4. */
interface B6Failure {
  readonly what: string;
  /** The pages whose state made the step fail. */
  readonly pages: readonly number[];
  readonly isolation: boolean;
}

/** The offline step at this transition that failed, if any (B6 judges only these two: the others are vetoes and failed allocations). */
function b6Failure(t: T, c: BalloonConfig, g: Geometry): B6Failure | undefined {
  const op = t.prev?.H.op;
  if (!op || op.op !== 'offline') return undefined;
  const after = t.next.H.op;
  if (t.action?.type === 'isolate_check' && op.phase === 'isolate-check') {
    const refused = after === null || after.ret !== 0;
    const pb = op.block * c.pageblocksPerBlock + op.pageblock;
    return refused ? { what: `isolation of pageblock ${pb} (block ${op.block}) was refused`, pages: g.pagesOfPb(pb), isolation: true } : undefined;
  }
  if (t.action?.type === 'check' && op.phase === 'check' && after?.phase !== 'offline-pages')
    return { what: `offline of block ${op.block} found busy pages at step 4`, pages: g.pagesOfBlock(op.block), isolation: false };
  return undefined;
}

/** Who holds an in-flight page: ALLOC (p, m or a page it frees) or a FREE / the callback (collected, not yet freed). */
function holder(s: BalloonState, p: number): 'alloc' | 'free' {
  const a = s.T.alloc;
  if (a && (a.p === p || a.m === p || a.frees.includes(p))) return 'alloc';
  return 'free';
}

/**
 * The B6 premises that do not hold for a failed step: `excused` (a pinned or
 * unmigrated page, a page a FREE holds or freed since I1 counted it, no CMM
 * page in the pageblock, a callback that failed GOING_OFFLINE), `alloc` (an
 * ALLOC iteration between A2 and A6: its page is in flight, or an A6 put a
 * page of the block on the list during the offline).
 */
function b6Causes(t: T, why: B6Failure, g: Geometry): Set<'excused' | 'alloc'> {
  const s = t.prev as BalloonState;
  const out = new Set<'excused' | 'alloc'>();
  const states = why.pages.map((p) => s.pages[p]);
  if (states.includes('other_pinned')) out.add('excused');
  // a movable page never makes isolation refuse; at step 4 it is one migration did not move
  if (!why.isolation && states.includes('other_movable')) out.add('excused');
  for (const p of why.pages) if (s.pages[p] === 'inflight') out.add(holder(s, p) === 'alloc' ? 'alloc' : 'excused');
  if (s.H.ghost.lateA6) out.add('alloc');
  if (s.H.ghost.cbFailed !== 'none') out.add('excused');
  if (why.isolation) {
    const immobile = states.filter((x) => x === 'other_pinned' || x === 'inflight' || x === 'loaned' || x === 'meta').length;
    if ((s.H.op?.pagesFound ?? 0) > immobile) out.add('excused'); // a counted page was freed since I1
    if (!states.some((x) => x === 'loaned' || x === 'meta')) out.add('excused'); // no CMM page: the kernel refuses
  }
  void g;
  return out;
}

/** Whether this transition took A6 (folded into A3 or A4's relock unless A5 may fail): only A6 raises `loaned`. */
export function isA6(t: { prev?: BalloonState; next: BalloonState }): boolean {
  return t.prev !== undefined && t.next.loaned > t.prev.loaned;
}

/** B1: accounting. */
export function checkB1(s: BalloonState, g: Geometry): string | undefined {
  const entries = s.list.reduce((n, a) => n + a.entries.length, 0);
  if (entries !== s.loaned) return `loaned = ${s.loaned} but the list holds ${entries} entries`;
  const online = s.blocks.filter((b) => b.present).length * g.pagesPerBlock;
  if (s.totalram + s.loaned !== online) return `totalram ${s.totalram} + loaned ${s.loaned} ≠ ${online} online pages`;
  return undefined;
}

/** B2: ownership of list pages. */
export function checkB2(s: BalloonState, g: Geometry, cmmNrPages: number): string | undefined {
  if (s.oops !== null) return s.oops;
  const seen = new Set<number>();
  const state = (p: number): PageState | undefined => s.pages[p];
  for (const [i, a] of s.list.entries()) {
    for (const p of [a.meta, ...a.entries]) {
      if (seen.has(p)) return `page ${p} appears twice in the list`;
      seen.add(p);
      if (!s.blocks[g.blockOf(p)]?.present) return `list page ${p} lies in offline block ${g.blockOf(p)}`;
    }
    if (state(a.meta) !== 'meta') return `list page ${a.meta} is ${state(a.meta)}, not meta`;
    for (const p of a.entries) if (state(p) !== 'loaned') return `entry ${p} is ${state(p)}, not loaned`;
    if (i > 0 && a.entries.length !== cmmNrPages) return `array ${i} (page ${a.meta}) is not the head but holds ${a.entries.length} of ${cmmNrPages} entries`;
  }
  for (let p = 0; p < s.pages.length; p++) {
    if ((state(p) === 'meta' || state(p) === 'loaned') && !seen.has(p)) return `page ${p} is ${state(p)} but not in the list`;
  }
  return undefined;
}

/** All properties of the balloon model for one configuration and variant. */
export function balloonProperties(c: BalloonConfig, f: BalloonFlags, g: Geometry): Prop[] {
  const props: Prop[] = [
    {
      kind: 'always',
      name: 'B1',
      doc: 'loaned = Σ|entries|; totalram + loaned = online pages',
      check: ({ next }) => checkB1(next, g),
    },
    {
      kind: 'always',
      name: 'B2',
      doc: 'entries distinct, loaned; list pages are meta of one array; non-head arrays full; nothing in an offline block; no NULL array link followed',
      check: ({ next }) => checkB2(next, g, c.cmmNrPages),
    },
    {
      kind: 'always',
      name: 'B3',
      doc: 'hotplug_mutex never corrupt; the hotplug task holds it exactly from G1 to U1',
      check: ({ next }) => {
        if (f.handLock) return undefined;
        const m = mutexOf(next);
        if (m.corrupt) return `hotplug_mutex is corrupt (count ${m.count})`;
        // the ghost written at G1 and U1, not the W3 fix's own `holds` flag
        const window = next.H.ghost.betweenG1U1;
        if ((m.owner === 'H') !== window) return window ? 'CMM callback between G1 and U1 without owning hotplug_mutex' : 'the hotplug task owns hotplug_mutex outside G1…U1';
        return undefined;
      },
    },
    {
      kind: 'always',
      name: 'B5',
      doc: 'during G1…U1 at most one A6, of an iteration begun before G1; after a successful offline none until T3 and its hotplug_delay sleep',
      check: ({ prev, next }) => {
        if (!prev || !isA6({ prev, next }) || prev.pause.phase === 'none' || prev.pause.allowance) return undefined;
        const when =
          prev.pause.phase === 'held' ? 'while the hotplug task owns the pause (G1…U1)' : prev.pause.phase === 'after' ? 'after a successful offline, before T3 saw occurred' : 'during T’s hotplug_delay sleep';
        return `A6 loans a page ${when}, from an iteration that began after G1`;
      },
    },
    {
      kind: 'always',
      name: 'B6',
      doc: 'an offline fails (isolation refused, or pages busy at step 4) only for a reason B6 allows: a pinned page, a page a FREE holds or freed, an empty non-MOVABLE pageblock, a failed allocation, a veto, or an ALLOC iteration between A2 and A6',
      check: (t) => {
        const why = b6Failure(t, c, g);
        if (!why) return undefined;
        const causes = b6Causes(t, why, g);
        if (causes.has('excused')) return undefined;
        if (causes.has('alloc') && !f.robertB6) return undefined;
        return `${why.what} although every B6 premise held${causes.has('alloc') ? ' except the ALLOC clause Robert drops (an ALLOC iteration between A2 and A6)' : ''}`;
      },
    },
    {
      kind: 'always',
      name: 'B7',
      category: 'liveness',
      doc: 'loaning can keep up with the target: mutex_trylock fails only while the mutex is held; FREE stops early only when nothing is loaned',
      check: ({ prev, action, next }) => {
        if (!prev || !action) return undefined;
        if (!f.handLock && ((action.type === 'T1' && !prev.stop) || action.type === 'A1')) {
          const m = mutexOf(prev);
          if (m.owner === null && m.count !== 1) return `${action.type === 'T1' ? 'T2' : 'A1'}'s mutex_trylock fails on a free hotplug_mutex (count ${m.count}): loaning stops for good`;
        }
        // F2's loop ends (under cmm_lock) with pages still to free while some are loaned
        if ((action.type === 'F1' || action.type === 'F2') && prev[action.ctx].free) {
          const before = prev[action.ctx].free as FreeCall;
          const after = next[action.ctx].free;
          const ended = after === null || after.pc === 'F3' || after.pc === 'F4';
          const left = after ? after.nr : before.nr;
          if (ended && left > 0 && next.loaned > 0)
            return `${action.ctx}'s cmm_free_pages stops with ${left} pages to free while ${next.loaned} are loaned (the head array is empty): loaned cannot reach the target`;
        }
        return undefined;
      },
    },
    {
      kind: 'eventually',
      name: 'B7',
      doc: 'while the thread runs and memory suffices, loaned eventually equals the target cmm_get_mpp computes (lasso check under weak fairness)',
      pending: (s) => {
        if (s.stop || s.T.pc === 'exited') return [];
        const want = specTarget(s, c.minMem);
        if (want === s.loaned) return [];
        if (want < s.loaned) return ['loaned'];
        let free = 0;
        s.pages.forEach((p, i) => {
          if (p === 'free' && s.blocks[g.blockOf(i)]?.present) free++;
        });
        return free >= want - s.loaned + Math.ceil(want / c.cmmNrPages) + 1 ? ['loaned'] : [];
      },
    },
    {
      kind: 'always',
      name: 'B8',
      doc: 'I counts only entries and list pages lying in the pageblock at that instant',
      check: ({ prev, action, next }) => {
        if (action?.type !== 'I1' || !prev?.H.op) return undefined;
        const op = next.H.op;
        if (!op || (op.phase === 'isolate-chain' && op.call?.stage === 'callback')) return undefined; // still waiting for cmm_lock
        const pb = prev.H.op.block * c.pageblocksPerBlock + prev.H.op.pageblock;
        const owned = g.pagesOfPb(pb).filter((p) => next.pages[p] === 'loaned' || next.pages[p] === 'meta').length;
        return op.pagesFound <= owned ? undefined : `I counted ${op.pagesFound} pages in pageblock ${pb}, which holds ${owned} CMM pages`;
      },
    },
    {
      kind: 'always',
      name: 'B9',
      doc: 'after a memory callback fails GOING_OFFLINE the offline takes no step of 3–4',
      check: ({ next }) => {
        const op = next.H.op;
        if (!op || next.H.ghost.cbFailed === 'none' || !STEP_3_4.includes(op.phase)) return undefined;
        return `a memory callback failed MEM_GOING_OFFLINE but offline_pages went on to ${op.phase}`;
      },
    },
    {
      kind: 'quiescent',
      name: 'Q-inflight',
      doc: 'no page is in flight when every context is idle',
      check: ({ next }) => {
        const p = next.pages.indexOf('inflight');
        return p < 0 ? undefined : `page ${p} is in flight with every context idle`;
      },
    },
  ];
  // witnesses
  props.push({
    kind: 'sometimes',
    name: 'offline-with-balloon',
    doc: 'an offline succeeds while the balloon holds pages',
    check: (t) => {
      const end = offlineEnded(t);
      return end !== undefined && end.ok && t.next.loaned > 0;
    },
  });
  if (c.vetoCallback || c.veto0)
    props.push({
      kind: 'sometimes',
      name: 'offline-vetoed',
      doc: 'an offline is cancelled by another callback’s veto',
      check: (t) => {
        const end = offlineEnded(t);
        return end !== undefined && !end.ok && t.prev?.H.ghost.cbFailed === 'veto';
      },
    });
  props.push({
    kind: 'sometimes',
    name: 'loan-resumed',
    doc: 'T loans again after its hotplug_delay sleep that followed a successful offline',
    check: (t) => isA6(t) && t.prev?.pause.resumable === true,
  });
  props.push({
    kind: 'sometimes',
    name: 'isolated-by-count',
    doc: 'a non-MOVABLE pageblock is isolated because I counted its pages',
    check: ({ prev, action, next }) => {
      const op = prev?.H.op;
      return action?.type === 'isolate_check' && op !== null && op !== undefined && next.H.op?.isolated[op.pageblock] === true;
    },
  });
  props.push({
    kind: 'sometimes',
    name: 'alloc-paused',
    doc: 'ALLOC stops early at A1 because of a hotplug',
    check: ({ prev, action, next }) => action?.type === 'A1' && next.T.pc === 'sleep' && (prev?.T.alloc?.nr ?? 0) > 0,
  });
  if (c.oomEvents > 0)
    props.push({ kind: 'sometimes', name: 'oom-freed', doc: 'the OOM notifier returned pages', check: ({ prev, action }) => action?.type === 'O3' && (prev?.O.f ?? 0) > 0 });
  return props;
}

/** Metrics a report can read from a state: B10, pages unloaned by offlines that ended cancelled. */
export function balloonMetrics(s: BalloonState): { readonly B10: number } {
  return { B10: s.b10 };
}
