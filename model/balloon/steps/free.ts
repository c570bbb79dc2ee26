/**
 * Spec 02 §3, FREE (`cmm_free_pages`), run by T (T5), the OOM notifier O
 * (O1) and the disable writer D; then O's O2, O3 and D's FREE(loaned).
 * Reference (W1's fix): F1 takes cmm_lock, F2's whole loop collects and F3
 * unlocks in the same step (the section cannot block), F4 frees each
 * collected page. W1 keeps F1, each F2 iteration, each free under the lock
 * and F3 apart.
 */
import type { Draft } from 'immer';
import { castDraft } from 'immer';
import { canProceed, spinLock, spinUnlock } from '../../kernel/locks.js';
import { type Rule, rulesFor, when } from '../../rules.js';
import { freeCall, type BalloonState, type FreeCall, type FreeCtx } from '../state.js';
import { CMM_LOCK, type DS, type Kit, type S, freeCallOf, freeChoices, freeFirst, freeOf, pcpText, toSleep } from './kit.js';

const rule = rulesFor<BalloonState>();
/** The contexts that run FREE, in the order their steps are offered. */
const FREE_CTXS: readonly FreeCtx[] = ['T', 'O', 'D'];

/** F2, one iteration: pop the head's last entry; an emptied head is unlinked and its page freed too. */
function popOne(d: DS, fc: Draft<FreeCall>): boolean {
  const head = d.list[0];
  if (fc.nr <= 0 || !head || head.entries.length === 0) return false;
  const p = head.entries.pop() as number;
  if (head.entries.length === 0) {
    d.list.shift();
    fc.frees.push(head.meta);
    d.pages[head.meta] = 'inflight';
  }
  fc.frees.push(p);
  d.pages[p] = 'inflight';
  d.loaned -= 1;
  d.totalram += 1;
  fc.nr -= 1;
  return true;
}

/** FREE's action types: the rules below offer them step by step. */
const FREE_STEPS: ReadonlySet<string> = new Set(['F1', 'F2', 'F2_free', 'F3', 'F4']);

/**
 * The actions with FREE's put context by context (T, O, D), each context's
 * in the rules' order: the order the hand-written list offered them in
 * before the rules, which random schedules and replay paths index. A stable
 * sort of their places only; every other action keeps its place.
 */
export function freeByContext<A extends { readonly type: string; readonly ctx?: unknown }>(acts: readonly A[]): readonly A[] {
  const at = acts.flatMap((a, i) => (FREE_STEPS.has(a.type) ? [i] : []));
  if (at.length < 2) return acts;
  const rank = (a: A): number => FREE_CTXS.indexOf(a.ctx as FreeCtx);
  const sorted = at.map((i) => acts[i] as A).sort((a, b) => rank(a) - rank(b));
  const out = [...acts];
  at.forEach((i, j) => (out[i] = sorted[j] as A));
  return out;
}

/** The contexts whose FREE is at `pc`. */
const at = (s: S, pc: FreeCall['pc']): FreeCtx[] => FREE_CTXS.filter((ctx) => freeCallOf(s, ctx)?.pc === pc);

/** FREE's steps, for each context that runs it. */
export function freeRules(x: Kit): Rule<BalloonState>[] {
  const { f, c } = x;

  const finishFree = (d: DS, ctx: FreeCtx): void => {
    const fc = freeOf(d, ctx);
    if (ctx === 'T') toSleep(d);
    else if (ctx === 'O') {
      d.O.f = c.oomPages - fc.nr;
      d.O.free = null;
      d.O.pc = 'O2';
    } else {
      d.D.free = null;
      d.D.pc = 'done';
    }
  };

  /** The free of a collected page, with its `pcp` choices. */
  const freeing = (s: S, pc: 'F2_free' | 'F4'): { ctx: FreeCtx; pcp: boolean }[] =>
    at(s, pc).flatMap((ctx) => freeChoices(s, x, ctx, freeCallOf(s, ctx)?.frees[0]).map((pcp) => ({ ctx, pcp })));

  return [
    rule({
      step: 'F1',
      fn: 'cmm_free_pages',
      enabled: (s) => at(s, 'F1').filter((ctx) => canProceed(s.k, ctx)).map((ctx) => ({ ctx })),
      ctx: (a) => a.ctx,
      apply: (d, { ctx }) => {
        if (spinLock(x.k(), CMM_LOCK, ctx) === 'waiting') return;
        const fc = freeOf(d, ctx);
        if (f.freeUnderLock) {
          fc.pc = 'F2';
          return;
        }
        // reference: F2's whole loop collects, F3 unlocks, F4 frees
        while (popOne(d, fc)) {
          /* pop */
        }
        spinUnlock(x.k(), CMM_LOCK, ctx);
        if (fc.frees.length > 0) fc.pc = 'F4';
        else finishFree(d, ctx);
      },
      // Stryker disable next-line all: trace text only
      text: () => 'spin_lock(cmm_lock) (reference: F2 collect every page, F3 unlock)',
    }),
    rule({
      step: 'F2',
      fn: 'cmm_free_pages',
      enabled: (s) => at(s, 'F2').map((ctx) => ({ ctx })),
      ctx: (a) => a.ctx,
      apply: (d, { ctx }) => {
        const fc = freeOf(d, ctx);
        fc.pc = popOne(d, fc) ? 'F2_free' : 'F3';
      },
      // Stryker disable next-line all: trace text only
      text: () => 'pop the head’s last entry, loaned--, totalram++',
    }),
    rule({
      name: 'F2_free',
      step: 'F2',
      fn: 'cmm_free_pages',
      enabled: (s) => freeing(s, 'F2_free'),
      ctx: (a) => a.ctx,
      apply: (d, { ctx, pcp }) => {
        const fc = freeOf(d, ctx);
        if (freeFirst(d, x, ctx, fc.frees, pcp) === 'done') fc.pc = 'F2';
      },
      // Stryker disable next-line all: trace text only
      text: (_, { pcp }) => `free_page under cmm_lock (${pcpText(pcp)})`,
    }),
    rule({
      step: 'F3',
      fn: 'cmm_free_pages',
      enabled: (s) => at(s, 'F3').map((ctx) => ({ ctx })),
      ctx: (a) => a.ctx,
      apply: (d, { ctx }) => {
        spinUnlock(x.k(), CMM_LOCK, ctx);
        finishFree(d, ctx);
      },
      // Stryker disable next-line all: trace text only
      text: () => 'spin_unlock(cmm_lock)',
    }),
    rule({
      step: 'F4',
      fn: 'cmm_free_pages',
      enabled: (s) => freeing(s, 'F4'),
      ctx: (a) => a.ctx,
      apply: (d, { ctx, pcp }) => {
        if (freeFirst(d, x, ctx, freeOf(d, ctx).frees, pcp) === 'done') finishFree(d, ctx);
      },
      // Stryker disable next-line all: trace text only
      text: (_, { pcp }) => `free a collected page (${pcpText(pcp)})`,
    }),
    // O — the OOM notifier after its FREE (O1 is the environment's `oom`)
    rule({
      step: 'O2',
      fn: 'cmm_oom_notify',
      enabled: (s) => when(s.O.pc === 'O2'),
      ctx: 'O',
      apply: (d) => {
        d.target = d.loaned;
        d.O.pc = 'O3';
      },
      // Stryker disable next-line all: trace text only
      text: () => 'loaned_pages_target := loaned_pages',
    }),
    rule({
      step: 'O3',
      fn: 'cmm_oom_notify',
      enabled: (s) => when(s.O.pc === 'O3'),
      ctx: 'O',
      apply: (d) => {
        d.oomFreed += d.O.f;
        d.O = { pc: 'idle', free: null, f: 0 };
      },
      // Stryker disable next-line all: trace text only
      text: () => 'oom_freed_pages += f',
    }),
    // D — the disable writer, once the thread has exited
    rule({
      name: 'D2',
      step: 'disable',
      fn: 'cmm_set_disable',
      enabled: (s) => when(s.D.pc === 'D2' && s.T.pc === 'exited'),
      ctx: 'D',
      apply: (d) => {
        d.D.free = castDraft(freeCall(d.loaned));
        d.D.pc = 'free';
      },
      // Stryker disable next-line all: trace text only
      text: () => 'cmm thread exited: FREE(loaned_pages)',
    }),
  ];
}
