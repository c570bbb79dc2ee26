/**
 * Spec 02 §4, the environment's events: the hypervisor's loan request, the
 * OOM notifier's call (O1), the disable write, offline and online requests
 * (H's first step), and other users' allocations and frees.
 */
import { castDraft } from 'immer';
import { startOffline, startOnline } from '../../kernel/hotplug.js';
import { type Rule, rulesFor, when } from '../../rules.js';
import { allocatablePbs, isolatedPb } from '../geometry.js';
import { freeCall, type BalloonState } from '../state.js';
import { type Kit, takePage, zoneFreeable } from './kit.js';
import { freshGhost, hotplugCfg, type Sequence } from './sequence.js';

const rule = rulesFor<BalloonState>();
const OTHER_KINDS = ['other_movable', 'other_pinned'] as const;

/** The environment's events, in the order they are offered. */
export function envRules(x: Kit, seq: Sequence): Rule<BalloonState>[] {
  const { c, g } = x;
  /** The value `hv` sets: the one after `cur` in the configured list (cyclically), or the first. */
  const nextRequest = (cur: number): number => {
    const i = c.loanRequests.indexOf(cur);
    return c.loanRequests[(i + 1) % c.loanRequests.length] ?? cur;
  };
  return [
    rule({
      step: 'hv',
      fn: 'h_get_mpp',
      // one event whatever the current value, so dropping any one hv from a trace leaves the others enabled
      enabled: (s) => when(nextRequest(s.loanRequest) !== s.loanRequest),
      ctx: 'env',
      apply: (d) => void (d.loanRequest = nextRequest(d.loanRequest)),
      // Stryker disable next-line all: trace text only
      text: () => 'loan_request := the next configured value',
    }),
    rule({
      name: 'oom',
      step: 'O1',
      fn: 'cmm_oom_notify',
      enabled: (s) => when(s.oomLeft > 0 && s.O.pc === 'idle'),
      ctx: 'O',
      apply: (d) => {
        d.oomLeft -= 1;
        d.O = castDraft({ pc: 'free' as const, free: freeCall(c.oomPages), f: 0 });
      },
      // Stryker disable next-line all: trace text only
      text: () => 'OOM: FREE(KB2PAGES(oom_kb))',
    }),
    rule({
      step: 'disable',
      fn: 'cmm_set_disable',
      enabled: (s) => when(s.disableLeft > 0 && s.D.pc === 'idle' && s.T.pc !== 'exited'),
      ctx: 'D',
      apply: (d) => {
        d.disableLeft -= 1;
        d.stop = true;
        d.D.pc = 'D2';
      },
      // Stryker disable next-line all: trace text only
      text: () => 'kthread_stop(cmm thread): stop, wait for it to exit',
    }),
    rule({
      step: 'offline',
      fn: 'offline_pages',
      enabled: (s) => (s.H.op === null && s.offlineLeft > 0 ? c.offlineBlocks.filter((b) => s.blocks[b]?.state === 'online').map((b) => ({ b })) : []),
      ctx: 'H',
      apply: (d, { b }) => {
        d.offlineLeft -= 1;
        d.H.op = castDraft(startOffline(b, g.pagesPerBlock, c.pageblocksPerBlock, hotplugCfg(b)));
        d.H.ghost = freshGhost();
        seq.advance(d);
        // nobody can observe the request before its first pageblock isolation, and zone_lock is free here
        seq.isolate(d);
      },
      // Stryker disable next-line all: trace text only
      text: (_, { b }) => `offline block ${b}: state_mutex, pm mutex; offline step 1 for the first pageblock`,
    }),
    rule({
      step: 'online',
      fn: 'online_pages',
      enabled: (s) => (s.H.op === null && s.onlineLeft > 0 ? s.blocks.flatMap((bl, b) => (bl.state === 'offline' ? [{ b }] : [])) : []),
      ctx: 'H',
      apply: (d, { b }) => {
        d.onlineLeft -= 1;
        d.H.op = castDraft(startOnline(b, g.pagesPerBlock, hotplugCfg(b)));
        d.H.ghost = freshGhost();
        seq.advance(d);
        // the online's only visible step is onlining the pages: the whole request is one action
        seq.onlineStep(d);
      },
      // Stryker disable next-line all: trace text only
      text: (_, { b }) => `online block ${b}: MEM_GOING_ONLINE, online the pages, totalram += n, MEM_ONLINE`,
    }),
    rule({
      step: 'other_alloc',
      fn: '__alloc_pages',
      enabled: (s) => (s.otherLeft > 0 ? x.choices(allocatablePbs(s, g, c)).flatMap((pb) => OTHER_KINDS.map((kind) => ({ pb, kind }))) : []),
      ctx: 'env',
      apply: (d, { pb, kind }) => {
        d.otherLeft -= 1;
        takePage(d, g, pb, kind);
      },
      // Stryker disable next-line all: trace text only
      text: (_, { pb, kind }) => `a page of pageblock ${pb} becomes ${kind}`,
    }),
    rule({
      step: 'other_free',
      fn: '__free_pages',
      enabled: (s) => {
        if (s.otherLeft <= 0) return [];
        return OTHER_KINDS.flatMap((kind) => {
          const pbs: number[] = [];
          for (let pb = 0; pb < g.pageblocks; pb++) {
            if (isolatedPb(s, g, pb, c) && !zoneFreeable(s.k)) continue;
            if (g.pagesOfPb(pb).some((p) => s.pages[p] === kind)) pbs.push(pb);
          }
          return x.choices(pbs).map((pb) => ({ pb, kind }));
        });
      },
      ctx: 'env',
      apply: (d, { pb, kind }) => {
        d.otherLeft -= 1;
        const p = g.pagesOfPb(pb).find((q) => d.pages[q] === kind);
        if (p !== undefined) d.pages[p] = 'free';
      },
      // Stryker disable next-line all: trace text only
      text: (_, { pb, kind }) => `an ${kind} page of pageblock ${pb} is freed`,
    }),
  ];
}
