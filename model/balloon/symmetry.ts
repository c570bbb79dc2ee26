/**
 * Symmetry reduction of the balloon state for the exhaustive engine.
 *
 * Nothing in the model tells two pages of one pageblock apart except their
 * identity, and nothing tells apart the pages of blocks that are never
 * offlined (those blocks stay online and present, and no isolation reads
 * their pageblocks' migratetype). Permuting pages inside such a class maps
 * every run to a run, and every property's verdict to the same verdict. So
 * the view relabels the pages of each class in a canonical order: first as
 * they are met in the list (meta, entries), then in the contexts' hands,
 * then the unreferenced ones by state. Two states equal up to such a
 * permutation get the same key. The machine declares this as its `symmetry`
 * (which `--no-symmetry` turns off); its `view` is the same key without the
 * relabelling. The model's actions also offer one allocation choice per
 * class ({@link oneChoicePerClass}), unless the machine is built with
 * `symmetry: false` (`--no-symmetry`), which enumerates every pageblock.
 *
 * The key also drops what never changes (the memory chain, the op's lock
 * and chain names) and the statistics (B10 and its per-offline count), and
 * is one JSON string, cheap to hash.
 */
import { canonicalMemory } from '../kernel/lkmm.js';
import type { Geometry } from './geometry.js';
import type { BalloonConfig, BalloonState, PageState } from './state.js';


/** Symmetry classes of pages: one per pageblock of an offlinable block, one for all pages of the other blocks. */
export interface PageClasses {
  /** Class index of each page. */
  readonly classOf: readonly number[];
  /** Pages of each class, ascending. */
  readonly members: readonly (readonly number[])[];
  /** Class of each pageblock (all its pages share it). */
  readonly pbClass: readonly number[];
}

/** The page classes of a configuration. */
export function pageClasses(c: BalloonConfig, g: Geometry): PageClasses {
  const classOf: number[] = [];
  const pbClass: number[] = [];
  const members: number[][] = [];
  let stable = -1;
  for (let pb = 0; pb < g.pageblocks; pb++) {
    let k: number;
    if (c.offlineBlocks.includes(g.blockOfPb(pb))) {
      k = members.length;
      members.push([]);
    } else {
      if (stable < 0) {
        stable = members.length;
        members.push([]);
      }
      k = stable;
    }
    pbClass.push(k);
    for (const p of g.pagesOfPb(pb)) {
      classOf[p] = k;
      members[k]?.push(p);
    }
  }
  return { classOf, members, pbClass };
}

/** Keeps the first pageblock of each class: allocating from another of the same class leads to a symmetric state. */
export function oneChoicePerClass(pbs: readonly number[], cls: PageClasses): number[] {
  const seen = new Set<number>();
  const out: number[] = [];
  for (const pb of pbs) {
    const k = cls.pbClass[pb] ?? -1;
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(pb);
  }
  return out;
}

/** The canonical relabelling of pages in `s`: `map[p]` is p's new number. */
export function relabel(s: BalloonState, cls: PageClasses): number[] {
  const n = s.pages.length;
  const map: number[] = new Array<number>(n).fill(-1);
  // next free canonical slot of each class
  const next: number[] = new Array<number>(cls.members.length).fill(0);
  const visit = (p: number | null | undefined): void => {
    if (p === null || p === undefined || map[p] !== -1) return;
    const k = cls.classOf[p] as number;
    const j = next[k] as number;
    next[k] = j + 1;
    map[p] = (cls.members[k] as readonly number[])[j] as number;
  };
  for (const a of s.list) {
    visit(a.meta);
    for (const p of a.entries) visit(p);
  }
  const al = s.T.alloc;
  if (al) {
    visit(al.p);
    visit(al.m);
    for (const p of al.frees) visit(p);
  }
  for (const fc of [s.T.free, s.O.free, s.D.free]) if (fc) for (const p of fc.frees) visit(p);
  for (const p of s.H.cmm.frees) visit(p);
  // the unreferenced pages of each class, by state
  for (let r = 0; r < RANKED.length; r++) for (let p = 0; p < n; p++) if (map[p] === -1 && s.pages[p] === RANKED[r]) visit(p);
  return map;
}

const RANKED: readonly PageState[] = ['free', 'other_movable', 'other_pinned', 'inflight', 'loaned', 'meta'];

const PAGE_CHAR: Record<PageState, string> = { free: 'f', other_movable: 'v', other_pinned: 'p', inflight: 'i', loaned: 'l', meta: 'm' };

const b = (x: boolean): string => (x ? '1' : '0');


/** Compact text of the kernel slice: each lock's holder, waiters, count, corruption; the faults. */
function kernelKey(k: BalloonState['k']): string {
  let out = '';
  for (const name in k.locks) {
    const l = k.locks[name];
    if (!l) continue;
    if (l.kind === 'spin') out += `${l.owner ?? '-'}${l.waiters.join('')};`;
    else if (l.kind === 'mutex') out += `${l.count}${l.owner ?? '-'}${l.waiters.join('')}${l.corrupt ? '!' : ''};`;
    else out += `${JSON.stringify(l)};`;
  }
  // under lkmm, the weak memory (already pruned and renumbered) is part of the state
  if (k.mem) out += JSON.stringify(canonicalMemory(k.mem));
  return k.faults.length ? out + JSON.stringify(k.faults) : out;
}

/** Every page keeps its own number (the key without symmetry reduction). */
function identity(s: BalloonState): number[] {
  return s.pages.map((_, p) => p);
}

/**
 * The exhaustive engine's key for `s`, without static fields and
 * statistics: relabelled by {@link relabel} when `symmetric` (the machine's
 * `symmetry`), pages as they are otherwise (its `view`).
 */
export function balloonView(s: BalloonState, cls: PageClasses, symmetric = true): string {
  const map = symmetric ? relabel(s, cls) : identity(s);
  const m = (p: number | null): string => (p === null ? '_' : String(map[p] ?? p));
  const ms = (ps: readonly number[]): string => ps.map((p) => map[p] ?? p).join('.');
  const pages: string[] = new Array<string>(s.pages.length);
  s.pages.forEach((st, p) => {
    pages[map[p] ?? p] = PAGE_CHAR[st];
  });
  const freeV = (fc: BalloonState['T']['free']): string => (fc ? `${fc.pc},${fc.nr},${ms(fc.frees)}` : '_');
  const al = s.T.alloc;
  const op = s.H.op;
  const call = op?.call;
  const gh = s.H.ghost;
  return [
    kernelKey(s.k),
    pages.join(''),
    s.list.map((a) => `${m(a.meta)}:${ms(a.entries)}`).join('|'),
    s.blocks.map((x) => `${x.state[0] ?? ''}${b(x.present)}`).join(''),
    [s.loaned, s.target, s.oomFreed, s.totalram, s.loanRequest, s.occurred, s.active, b(s.stop)].join(','),
    s.isolate.walkers.length ? JSON.stringify(s.isolate.walkers) : '',
    `${s.T.pc},${al ? `${al.pc},${al.nr},${m(al.p)},${m(al.m)},${ms(al.frees)},${al.then}` : '_'},${freeV(s.T.free)}`,
    `${s.O.pc},${s.O.f},${freeV(s.O.free)}`,
    `${s.D.pc},${freeV(s.D.free)}`,
    op
      ? [
          op.op,
          op.block,
          op.phase,
          op.pageblock,
          op.isolated.map(b).join(''),
          op.pagesFound,
          b(op.drain),
          op.afterDrain,
          op.retries,
          op.onlined,
          b(op.accepted),
          op.ret,
          call ? [call.chain, call.val, call.stage, call.cur ?? '_', call.calling ?? '_', call.ret, call.freed ?? '_'].join('/') : '_',
        ].join(',')
      : '_',
    `${s.H.cmm.pc ?? '_'},${b(s.H.cmm.holds)},${ms(s.H.cmm.frees)}`,
    `${b(gh.lateA6)}${gh.cbFailed}${b(gh.betweenG1U1)}`,
    [s.oomLeft, s.offlineLeft, s.onlineLeft, s.otherLeft, s.disableLeft].join(','),
    `${s.pause.phase},${b(s.pause.allowance)},${b(s.pause.resumable)}`,
    s.oops ?? '',
  ].join(' ');
}
