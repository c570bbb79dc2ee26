/**
 * balloon's mutation check, part b3 (issue 15): ALLOC and FREE (steps/alloc.ts,
 * steps/free.ts and the helpers of steps/kit.ts) judged step by step.
 *
 * An oracle written from spec 02 §3 (and the model's documented step grouping:
 * A1 with A2, a cmm_lock section that cannot block taken whole in its lock
 * step, W1 keeping F1, each F2 iteration, each free and F3 apart) says, for a
 * state and an ALLOC or FREE step, the whole successor state; and, for a
 * state, which ALLOC and FREE steps are offered. It uses none of the model's
 * functions: its own spinlock (spec 00: one owner, waiters in arrival order),
 * its own page arithmetic, its own isolation test. The walks below are
 * bounded breadth-first explorations without symmetry (every allocation
 * choice offered), on configurations that reach each path: a list page left
 * spare because FREE made room meanwhile, one-entry arrays, a set-loaned
 * error leaving an empty head, contention on cmm_lock (W1) and zone_lock
 * (isolation), A1 stopping on a held or corrupt mutex (W3), on `occurred`
 * and on V1's `active`.
 */
import { expect, test } from 'vitest';
import type { LockState } from '../kernel/state.js';
import { SMALL } from './config.js';
import { balloonMachine } from './model.js';
import type { BalloonAction, BalloonConfig, BalloonState, FreeCtx } from './state.js';
import { eachStep } from '../../test/steps.js';
import { actionLabel } from '../contract.js';

/** A deep mutable copy's type: the oracle builds the expected successor by writing one. */
type Mut<T> = T extends readonly (infer U)[] ? Mut<U>[] : T extends object ? { -readonly [K in keyof T]: Mut<T[K]> } : T;
type E = Mut<BalloonState>;
type Spin = { owner: string | null; waiters: string[] };

const CMM = 'cmm_lock';
const ZONE = 'zone_lock';
const MUTEX = 'hotplug_mutex';
const ALLOC_STEPS = ['A1', 'A2', 'A3', 'A4', 'A4_lock', 'A5', 'A6', 'A_free'];
const FREE_STEPS = ['F1', 'F2', 'F2_free', 'F3', 'F4'];
const CTXS: readonly FreeCtx[] = ['T', 'O', 'D'];

/** The variant's switches the oracle needs, read from the variant's name (spec 02 §6, §6b). */
interface Judge {
  readonly c: BalloonConfig;
  /** V1: A1 stops on `active`, not on the mutex and `occurred`. */
  readonly v1: boolean;
  /** W1: frees under cmm_lock (F2 apart, A4's spare list page freed before A5). */
  readonly w1: boolean;
}

function spin(s: E | BalloonState, name: string): Spin {
  const l = s.k.locks[name] as Mut<LockState> | undefined;
  if (!l || l.kind !== 'spin') throw new Error(`oracle: ${name} is no spinlock`);
  return l;
}

/** spin_lock as spec 00 says: a free lock goes to the first in line; otherwise `ctx` queues (once). */
function take(l: Spin, ctx: string): boolean {
  if (l.owner === null && (l.waiters.length === 0 || l.waiters[0] === ctx)) {
    if (l.waiters[0] === ctx) l.waiters.shift();
    l.owner = ctx;
    return true;
  }
  if (!l.waiters.includes(ctx)) l.waiters.push(ctx);
  return false;
}

/** `ctx` may take a step: it waits on no lock, or it is first in line for a lock now free. */
function mayRun(s: BalloonState, ctx: string): boolean {
  for (const l of Object.values(s.k.locks)) {
    if (l.kind === 'rwsem' || !l.waiters.includes(ctx)) continue;
    return l.waiters[0] === ctx && (l.kind === 'spin' ? l.owner === null : l.count >= 1);
  }
  return true;
}

const pbOfPage = (j: Judge, p: number): number => Math.floor(p / j.c.pagesPerPageblock);

/** The pageblock is isolated by the offline in flight (it takes zone_lock on a free, and serves no allocation). */
function isolated(j: Judge, s: E | BalloonState, pb: number): boolean {
  const op = s.H.op;
  const b = Math.floor(pb / j.c.pageblocksPerBlock);
  return op !== null && op.op === 'offline' && op.block === b && op.isolated[pb - b * j.c.pageblocksPerBlock] === true;
}

/** Pageblocks an allocation may take a page from: of a present block, not isolated, with a free page. */
function allocatable(j: Judge, s: BalloonState): number[] {
  const out: number[] = [];
  for (let pb = 0; pb < j.c.blocks * j.c.pageblocksPerBlock; pb++) {
    const free = Array.from({ length: j.c.pagesPerPageblock }, (_, i) => pb * j.c.pagesPerPageblock + i).some((p) => s.pages[p] === 'free');
    if (s.blocks[Math.floor(pb / j.c.pageblocksPerBlock)]?.present === true && !isolated(j, s, pb) && free) out.push(pb);
  }
  return out;
}

/** A2/A4's page: the lowest free page of the chosen pageblock, now in flight. */
function allocPage(j: Judge, e: E, pb: number): number {
  for (let p = pb * j.c.pagesPerPageblock; p < (pb + 1) * j.c.pagesPerPageblock; p++)
    if (e.pages[p] === 'free') {
      e.pages[p] = 'inflight';
      return p;
    }
  throw new Error(`oracle: no free page in pageblock ${pb}`);
}

/** A1 stops the loop: trylock fails (the counter is not 1: held, or corrupt after W3) or `occurred`; V1: `active`. */
function a1Stops(j: Judge, s: BalloonState): boolean {
  if (j.v1) return s.active !== 0;
  const l = s.k.locks[MUTEX];
  return l?.kind !== 'mutex' || l.count !== 1 || s.occurred !== 0;
}

const headFull = (j: Judge, s: E | BalloonState): boolean => s.list.length === 0 || (s.list[0]?.entries.length ?? 0) >= j.c.cmmNrPages;

/** The `pcp` choices of a page free by `ctx` (model header, §7's per-CPU bit): one when both ways give one state. */
function pcpChoices(j: Judge, s: BalloonState, ctx: string, page: number): boolean[] {
  if (!mayRun(s, ctx)) return [];
  const z = spin(s, ZONE);
  if (z.waiters.includes(ctx) || (z.owner === null && z.waiters.length === 0) || isolated(j, s, pbOfPage(j, page))) return [false];
  return [false, true];
}

/** free_page of `frees[0]` by `ctx`: under zone_lock unless `pcp` and not isolated; false while queued on it. */
function freeFirst(j: Judge, e: E, ctx: string, frees: number[], pcp: boolean): boolean {
  const p = frees[0] as number;
  if (!pcp || isolated(j, e, pbOfPage(j, p))) {
    const z = spin(e, ZONE);
    if (!take(z, ctx)) return false;
    z.owner = null;
  }
  e.pages[p] = 'free';
  frees.shift();
  return true;
}

function alloc(e: E): NonNullable<E['T']['alloc']> {
  if (!e.T.alloc) throw new Error('oracle: T is in no ALLOC');
  return e.T.alloc;
}

/** The end of ALLOC: `if r: target := loaned`, back to T1. */
function exitAlloc(e: E): void {
  if (alloc(e).nr !== 0) e.target = e.loaned;
  e.pause.allowance = false;
  e.T = { pc: 'sleep', alloc: null, free: null };
}

/** The loop's test: another iteration while `nr > 0`. The iteration in flight has ended either way. */
function loop(e: E): void {
  e.pause.allowance = false;
  if (alloc(e).nr > 0) alloc(e).pc = 'A1';
  else exitAlloc(e);
}

/** A6: append `p` to the head, loaned++, totalram--, unlock, nr--; then free a spare list page (W1 fix) or loop. */
function a6(e: E): void {
  const a = alloc(e);
  const p = a.p as number;
  e.list[0]?.entries.push(p);
  e.pages[p] = 'loaned';
  e.loaned += 1;
  e.totalram -= 1;
  spin(e, CMM).owner = null;
  a.nr -= 1;
  a.p = null;
  e.pause.allowance = false;
  e.pause.resumable = false;
  if (a.m !== null) {
    a.frees = [a.m];
    a.m = null;
    a.then = 'loop';
    a.pc = 'A_free';
  } else loop(e);
}

/** Under cmm_lock with the head ready: A5 apart when it may fail, else A6 at once. */
const toA5 = (j: Judge, e: E): void => (j.c.hvErrors ? void (alloc(e).pc = 'A5') : a6(e));

function freeCallOf(e: E, ctx: FreeCtx): NonNullable<E['T']['free']> {
  const fc = e[ctx].free;
  if (!fc) throw new Error(`oracle: ${ctx} is in no FREE`);
  return fc;
}

/**
 * Spec 02 §3's F2 once, transcribed from the spec's sentence (the step is simple enough that the
 * transcription reads like the model's `popOne`; it is kept apart so a change there shows here): while
 * nr > 0 and the head has entries, take its last entry p; an emptied head is unlinked and its meta page
 * freed; free p, loaned−1, totalram+1, nr−1.
 */
function pop(e: E, fc: NonNullable<E['T']['free']>): boolean {
  const head = e.list[0];
  if (fc.nr <= 0 || !head || head.entries.length === 0) return false;
  const p = head.entries.pop() as number;
  if (head.entries.length === 0) {
    e.list.shift();
    fc.frees.push(head.meta);
    e.pages[head.meta] = 'inflight';
  }
  fc.frees.push(p);
  e.pages[p] = 'inflight';
  e.loaned -= 1;
  e.totalram += 1;
  fc.nr -= 1;
  return true;
}

/** FREE returns: T back to T1, O on to O2 with `f` = pages asked − pages left, D done. */
function finish(j: Judge, e: E, ctx: FreeCtx): void {
  if (ctx === 'T') e.T = { pc: 'sleep', alloc: null, free: null };
  else if (ctx === 'O') e.O = { pc: 'O2', free: null, f: j.c.oomPages - freeCallOf(e, 'O').nr };
  else e.D = { pc: 'done', free: null };
}

/** The successor spec 02 §3 gives for an ALLOC or FREE step (or O2, O3). */
function expectedNext(j: Judge, s: BalloonState, a: BalloonAction): E {
  const e = structuredClone(s) as E;
  const cmm = spin(e, CMM);
  switch (a.type) {
    case 'A1': {
      // V1: A1 only reads hotplug_active; A2 allocates in a step of its own
      if (j.v1) {
        if (a1Stops(j, s)) exitAlloc(e);
        else alloc(e).pc = 'A2';
      } else if (a1Stops(j, s) || a.pb === null || a.pb === undefined) exitAlloc(e);
      else {
        alloc(e).p = allocPage(j, e, a.pb);
        alloc(e).pc = 'A3';
      }
      break;
    }
    case 'A2': {
      if (a.pb === null) exitAlloc(e);
      else {
        alloc(e).p = allocPage(j, e, a.pb);
        alloc(e).pc = 'A3';
      }
      break;
    }
    case 'A3':
      if (take(cmm, 'T')) toA5(j, e);
      break;
    case 'A4': {
      if (!take(cmm, 'T')) throw new Error('oracle: A4 with cmm_lock taken');
      cmm.owner = null;
      const al = alloc(e);
      if (a.pb === null) {
        al.frees = [al.p as number];
        al.p = null;
        al.then = 'exit';
        al.pc = 'A_free';
      } else {
        al.m = allocPage(j, e, a.pb);
        al.pc = 'A4_lock';
      }
      break;
    }
    case 'A4_lock': {
      if (!take(cmm, 'T')) break;
      const al = alloc(e);
      if (headFull(j, e)) {
        e.list.unshift({ meta: al.m as number, entries: [] });
        e.pages[al.m as number] = 'meta';
        al.m = null;
      } else if (j.w1) {
        al.frees = [al.m as number];
        al.m = null;
        al.then = 'A5';
        al.pc = 'A_free';
        break;
      }
      toA5(j, e);
      break;
    }
    case 'A5': {
      cmm.owner = null;
      const al = alloc(e);
      al.frees = [al.p, al.m].filter((p): p is number => p !== null);
      al.p = null;
      al.m = null;
      al.then = 'exit';
      al.pc = 'A_free';
      break;
    }
    case 'A6':
      a6(e);
      break;
    case 'A_free': {
      const al = alloc(e);
      if (!freeFirst(j, e, 'T', al.frees, a.pcp) || al.frees.length > 0) break;
      if (al.then === 'A5') al.pc = 'A5';
      else if (al.then === 'loop') loop(e);
      else exitAlloc(e);
      break;
    }
    case 'F1': {
      const fc = freeCallOf(e, a.ctx);
      if (!take(cmm, a.ctx)) break;
      if (j.w1) {
        fc.pc = 'F2';
        break;
      }
      while (pop(e, fc)) {
        /* reference: F2's whole loop, then F3 */
      }
      cmm.owner = null;
      if (fc.frees.length > 0) fc.pc = 'F4';
      else finish(j, e, a.ctx);
      break;
    }
    case 'F2': {
      const fc = freeCallOf(e, a.ctx);
      fc.pc = pop(e, fc) ? 'F2_free' : 'F3';
      break;
    }
    case 'F2_free': {
      const fc = freeCallOf(e, a.ctx);
      if (freeFirst(j, e, a.ctx, fc.frees, a.pcp) && fc.frees.length === 0) fc.pc = 'F2';
      break;
    }
    case 'F3':
      cmm.owner = null;
      finish(j, e, a.ctx);
      break;
    case 'F4': {
      const fc = freeCallOf(e, a.ctx);
      if (freeFirst(j, e, a.ctx, fc.frees, a.pcp) && fc.frees.length === 0) finish(j, e, a.ctx);
      break;
    }
    case 'O2':
      e.target = e.loaned;
      e.O.pc = 'O3';
      break;
    case 'O3':
      e.oomFreed += e.O.f;
      e.O = { pc: 'idle', free: null, f: 0 };
      break;
    default:
      throw new Error(`oracle: ${a.type} is not an ALLOC or FREE step`);
  }
  return e;
}

/** The ALLOC and FREE steps offered in `s`, in the order the model offers them (ALLOC's rules, then FREE context by context). */
function expectedOffer(j: Judge, s: BalloonState): BalloonAction[] {
  const out: BalloonAction[] = [];
  const al = s.T.pc === 'alloc' ? s.T.alloc : null;
  const choices = (): (number | null)[] => {
    const pbs: (number | null)[] = allocatable(j, s);
    if (j.c.allocFail || pbs.length === 0) pbs.push(null);
    return pbs;
  };
  if (al?.pc === 'A1') out.push(...(j.v1 ? [{ type: 'A1' as const }] : (a1Stops(j, s) ? [null] : choices()).map((pb) => ({ type: 'A1' as const, pb }))));
  if (al?.pc === 'A2') out.push(...choices().map((pb) => ({ type: 'A2' as const, pb })));
  if (al?.pc === 'A3' && mayRun(s, 'T')) {
    const c = spin(s, CMM);
    const lockable = c.owner === null && (c.waiters.length === 0 || c.waiters[0] === 'T');
    if (lockable && headFull(j, s)) out.push(...choices().map((pb) => ({ type: 'A4' as const, pb })));
    else out.push({ type: 'A3' });
  }
  if (al?.pc === 'A4_lock' && mayRun(s, 'T')) out.push({ type: 'A4_lock' });
  if (al?.pc === 'A5' && j.c.hvErrors) out.push({ type: 'A5' });
  if (al?.pc === 'A5') out.push({ type: 'A6' });
  if (al?.pc === 'A_free') out.push(...pcpChoices(j, s, 'T', al.frees[0] as number).map((pcp) => ({ type: 'A_free' as const, pcp })));
  for (const ctx of CTXS) {
    const fc = s[ctx].pc === 'free' ? s[ctx].free : null;
    if (!fc) continue;
    if (fc.pc === 'F1' && mayRun(s, ctx)) out.push({ type: 'F1', ctx });
    if (fc.pc === 'F2' || fc.pc === 'F3') out.push({ type: fc.pc, ctx });
    if (fc.pc === 'F2_free' || fc.pc === 'F4') out.push(...pcpChoices(j, s, ctx, fc.frees[0] as number).map((pcp) => ({ type: fc.pc as 'F2_free' | 'F4', ctx, pcp })));
  }
  return out;
}

/** JSON with sorted keys: the oracle's objects need not list fields in the model's order. */
function canon(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    x !== null && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1))) : x,
  );
}

/** §7's shape with one page per pageblock and min_mem 3 (as mutation.check.ts's CHECK): offline, veto, online. */
const CHECK: BalloonConfig = { ...SMALL, pagesPerPageblock: 1, initial: ['free', 'free', 'free', 'free'], minMem: 3 };
const QUIET = { offlineEvents: 0, onlineEvents: 0, vetoCallback: false } as const;

/**
 * Where each path is met: [variant, configuration, states walked]. SPARE starts
 * with a full head and asks 2 more pages: while T is between A4's unlock and
 * its relock, the OOM notifier's FREE makes room in the head, so A4's list
 * page is left spare (freed after A6, or under the lock in W1) and the loop
 * goes on with a page still to loan. EMPTY_HEAD: one-entry arrays, a
 * set-loaned error after A4 pushed a new array, then a request below the
 * balloon: FREE meets an empty head. OFFLINE_1: the offline of block 1 (only
 * MOVABLE pageblocks, so G1 comes soon) while T is at A1: A1 stops on
 * `occurred` (with the mutex held, and free after U1: AFTER_OFFLINE), on
 * V1's `active`, and (W3, after a veto) on a corrupt mutex.
 * SPARE with a request below the balloon in W1: T's FREE holds cmm_lock
 * across F2 while O's F1 waits. W1_ROOM (with an offline of block 1): G1
 * meets T freeing the spare list page under the lock on its way to A5, an
 * iteration begun before G1 whose A6 B5 allows (the ghost is judged at every
 * G1 of the walks). G1_AT_FREE: G1 meets T freeing A2's page after A4
 * failed, an iteration that will not reach A6. ZONE_HANDOVER: zone_lock free
 * with a waiter first in line, while another context frees a page (both
 * `pcp` choices are offered: the free need not queue).
 */
const SPARE: BalloonConfig = { ...SMALL, ...QUIET, preload: [[4, 0, 1]], loanRequests: [2], minMem: 4, oomEvents: 1, allocFail: false };
const EMPTY_HEAD: BalloonConfig = { ...CHECK, ...QUIET, minMem: 2, preload: [[0, 1]], loanRequests: [1, -2], cmmNrPages: 1, hvErrors: true, allocFail: false };
const OFFLINE_1: BalloonConfig = { ...CHECK, offlineBlocks: [1], onlineEvents: 0, allocFail: false, loanRequests: [3] };
/** W1 on SPARE: T between A4's unlock and relock, O's FREE has popped one entry and holds cmm_lock. */
const W1_ROOM = ['hv', 'T1', 'T5', 'A1(pb=1)', 'A4(pb=1)', 'oom', 'F1(ctx="O")', 'F2(ctx="O")'];
/** OFFLINE_1: T at A1 when an offline of block 1 begins, which completes (U1 releases the mutex, `occurred` stays set). */
const AFTER_OFFLINE = ['hv', 'offline(b=1)', 'T1', 'T5', 'isolate', 'cb(id="other5",veto=false)', 'G1', 'G3', 'G6', 'check', 'offline_pages', 'undo', 'U1'];
/** OFFLINE_1 with failing allocations: T frees A2's page after A4 failed (on its way to exit) when G1 runs. */
const G1_AT_FREE = ['hv', 'offline(b=1)', 'T1', 'T5', 'A1(pb=0)', 'A4(pb=null)', 'isolate', 'cb(id="other5",veto=false)'];
/** With an OOM: H's isolation has just released zone_lock with a context first in line, and O has a page to free. */
const ZONE_HANDOVER = ['hv', 'oom', 'offline(b=0)', 'T1', 'T5', 'A1(pb=1)', 'A4(pb=0)', 'A4_lock', 'I1', 'F1(ctx="O")', 'F4(ctx="O",pcp=false)', 'isolate_check', 'isolate', 'F4(ctx="O",pcp=false)'];
const WALKS: readonly (readonly [string, BalloonConfig, number, (readonly string[])?])[] = [
  ['reference', CHECK, 300],
  ['reference', OFFLINE_1, 300],
  ['reference', OFFLINE_1, 30, AFTER_OFFLINE],
  ['reference', { ...OFFLINE_1, allocFail: true }, 20, G1_AT_FREE],
  ['reference', { ...CHECK, oomEvents: 1, onlineEvents: 0, loanRequests: [3], vetoCallback: false }, 20, ZONE_HANDOVER],
  ['V1', OFFLINE_1, 700],
  ['W3', OFFLINE_1, 300],
  ['reference', SPARE, 300],
  ['W1', SPARE, 300],
  ['W1', { ...SPARE, offlineEvents: 1, offlineBlocks: [1] }, 150, W1_ROOM],
  ['W1', { ...CHECK, oomEvents: 1, onlineEvents: 0 }, 400],
  ['reference', EMPTY_HEAD, 300],
  ['W1', { ...SPARE, loanRequests: [-1] }, 200],
];

test('ALLOC and FREE step by step: the steps offered and each successor, against spec 02 §3', () => {
  const wrong = new Set<string>();
  const met = new Set<string>();
  const note = (what: string): void => void met.add(what);
  for (const [variant, c, bound, path = []] of WALKS) {
    const j: Judge = { c, v1: variant === 'V1', w1: variant === 'W1' };
    const built = balloonMachine(variant, c, { symmetry: false });
    // the walk starts where the path (each step offered there, by its label) leads
    let s0 = built.init();
    for (const label of path) {
      const a = built.actions(s0).find((x) => actionLabel(x) === label);
      if (a === undefined) throw new Error(`${variant}: ${label} is not offered after ${path.join(', ')}`);
      s0 = built.next(s0, a);
    }
    const m = { ...built, init: () => s0 };
    const offered = new Set<string>();
    eachStep(m, bound, (a, _i, from) => {
      const key = JSON.stringify(from);
      if (!offered.has(key)) {
        offered.add(key);
        const got = m.actions(from).filter((x) => ALLOC_STEPS.includes(x.type) || FREE_STEPS.includes(x.type));
        const want = expectedOffer(j, from);
        if (canon(got) !== canon(want)) wrong.add(`${variant}: offered ${canon(got)}, not ${canon(want)} in ${key}`);
        const z = spin(from, ZONE);
        if (z.owner === null && z.waiters.length > 0 && want.some((x) => 'pcp' in x && x.pcp)) note('the per-CPU list offered while another is first in line for zone_lock');
      }
      // the fault log only grows (a kernel slice copied for a step keeps it)
      const t = m.next(from, a);
      if (canon(t.k.faults.slice(0, from.k.faults.length)) !== canon(from.k.faults)) wrong.add(`${variant}: ${a.type} dropped a fault`);
      if (a.type === 'G1') {
        // B5's allowance: G1 lets through the A6 of an iteration begun before it (past A1, not yet at A6; V1 has A2 apart)
        const open = from.T.alloc !== null && (['A2', 'A3', 'A4_lock', 'A5'].includes(from.T.alloc.pc) || (from.T.alloc.pc === 'A_free' && from.T.alloc.then === 'A5'));
        if (t.pause.allowance !== open) wrong.add(`${variant}: G1 allows ${String(t.pause.allowance)} with T at ${from.T.alloc?.pc ?? from.T.pc}`);
        if (from.T.alloc?.pc === 'A_free') note(`G1 meets A_free on the way to ${from.T.alloc.then}`);
      }
      if (!ALLOC_STEPS.includes(a.type) && !FREE_STEPS.includes(a.type) && a.type !== 'O2' && a.type !== 'O3') return;
      const e = expectedNext(j, from, a);
      // B6's ghost is written by A6/A4_lock for the offline; the oracle does not judge it
      e.H.ghost.lateA6 = t.H.ghost.lateA6;
      if (canon(t) !== canon(e)) wrong.add(`${variant}: ${canon(a)} from ${key}\n gives ${canon(t)}\n not  ${canon(e)}`);
      const al = from.T.alloc;
      if (a.type === 'A1' && a1Stops(j, from)) note(`A1 stops (${variant})`);
      if (a.type === 'A1' && !j.v1 && from.occurred !== 0 && from.k.locks[MUTEX]?.kind === 'mutex' && from.k.locks[MUTEX].count === 1) note('A1 stops on occurred, the mutex free');
      if (a.type === 'A4' && from.list.length > 0) note('A4 with a full head');
      if (a.type === 'A4_lock' && !headFull(j, from)) note(`A4_lock finds room (${variant})`);
      if (a.type === 'A_free' && al?.then === 'loop' && al.nr > 0) note('a spare list page freed with pages still to loan');
      if (a.type === 'A_free' && al?.then === 'exit' && al.nr > 0) note('ALLOC ends with pages owed');
      if (a.type === 'A_free' && al?.then === 'A5' && t.T.alloc?.pc === 'A5') note('W1 frees the spare list page, then A5');
      if (a.type === 'A5') note('a set-loaned error');
      if ((a.type === 'F1' || a.type === 'F2') && from.list[0]?.entries.length === 0) note('FREE meets an empty head');
      if ((a.type === 'A3' || a.type === 'A4_lock') && spin(t, CMM).waiters.includes('T')) note(`T waits for cmm_lock (${variant})`);
      if (a.type === 'F1' && spin(t, CMM).waiters.includes(a.ctx)) note(`F1 waits for cmm_lock (${variant})`);
      if ('pcp' in a && spin(t, ZONE).waiters.length > 0) note('a free waits for zone_lock');
      if ('pcp' in a && a.pcp) note('a free through the per-CPU list');
      if (a.type === 'O3' && from.O.f > 0) note('O3 counts a freed page');
      if (from.k.faults.length > 0 && t !== from) note('a step after a fault');
    });
  }
  expect([...wrong].slice(0, 3)).toEqual([]);
  // every path the walks are there for was met
  expect([...met].sort()).toEqual([
    'A1 stops (V1)', 'A1 stops (W1)', 'A1 stops (W3)', 'A1 stops (reference)', 'A1 stops on occurred, the mutex free', 'A4 with a full head', 'A4_lock finds room (W1)', 'A4_lock finds room (reference)',
    'ALLOC ends with pages owed', 'F1 waits for cmm_lock (W1)', 'FREE meets an empty head', 'G1 meets A_free on the way to A5', 'G1 meets A_free on the way to exit', 'O3 counts a freed page',
    'T waits for cmm_lock (V1)', 'T waits for cmm_lock (W1)', 'T waits for cmm_lock (W3)', 'T waits for cmm_lock (reference)', 'W1 frees the spare list page, then A5',
    'a free through the per-CPU list', 'a free waits for zone_lock', 'a set-loaned error', 'a spare list page freed with pages still to loan', 'a step after a fault',
    'the per-CPU list offered while another is first in line for zone_lock',
  ]);
});

/** spec 00 §4: each memory block's state changes are serialized by that block's own state_mutex. */
test('the kernel slice has cmm_lock, zone_lock, the hotplug and pm mutexes and one state_mutex per block', () => {
  const s = balloonMachine('reference', SMALL).init();
  expect(Object.keys(s.k.locks).sort()).toEqual(['cmm_lock', 'hotplug_mutex', 'pm_mutex', 'state_mutex0', 'state_mutex1', 'zone_lock']);
  expect(Object.values(s.k.locks).map((l: LockState) => l.kind).sort()).toEqual(['mutex', 'mutex', 'mutex', 'mutex', 'spin', 'spin']);
});

