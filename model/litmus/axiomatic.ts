/**
 * An independent oracle for the operational model: LKMM's axioms
 * (tools/memory-model/linux-kernel.cat) checked on candidate executions,
 * herd7-style, for litmus tests without locks and RCU grace periods.
 * Written apart from `model/kernel/lkmm.ts` — it shares only the parser and
 * the expression evaluator — so the two can be compared outcome by outcome
 * (spec 06 §2: "an independent checker of LKMM's axioms … is the strongest
 * oracle for differential random tests").
 *
 * A candidate execution: each process run with a guessed value for each of
 * its reads (which fixes its path and its events), a reads-from edge for
 * each read to a write of that value, and a coherence order per location
 * (the initial write first). It is allowed when
 *   coherence:        acyclic (po-loc | rf | co | fr)
 *   happens-before:   acyclic hb,  hb = ppo | rfe | ((prop \ id) & int)
 *   propagation:      acyclic pb,  pb = prop ; strong-fence ; hb*
 * with, from linux-kernel.cat (lock, RCU and plain-access clauses
 * left out because such tests are refused here):
 *   to-r  = (addr ; [R]) | (dep ; rfi)          dep = addr | data
 *   to-w  = ((dep | ctrl) ; [W]) | (overwrite & int)      overwrite = co | fr
 *   ppo   = to-r | to-w | (fence & int)
 *   fence = strong-fence | po-rel | acq-po | wmb | rmb    strong-fence = mb
 *   cumul-fence = (((rfe)? ; (strong-fence | po-rel)) | wmb) ; rmw-sequence
 *   rmw-sequence = (rf ; rmw)*
 *   prop  = (overwrite & ext)? ; cumul-fence* ; rfe?
 *   atomicity:        empty rmw & (fre ; coe)
 * A fully ordered RMW (`xchg`, `atomic_inc_return`, …) has both events
 * tagged Mb, so `fencerel(Mb)` orders everything before it against
 * everything after it; `smp_mb__before_atomic`/`__after_atomic` are full
 * fences only towards an RMW (linux-kernel.cat's `mb`); the read of a
 * non-value-returning RMW (`atomic_inc`) is Noreturn, which `smp_rmb`
 * ignores.
 * `rcu_dereference` is an ordinary marked read here (LKMM), not an acquire,
 * and `ctrl` reaches only the events inside the `if`'s branches (as
 * explanation.txt defines it), not the events after it.
 */
import type { Value } from '../kernel/lkmm.js';
import { evalExpr, regsOf, showValue, truthy } from './machine.js';
import type { Instr, Litmus, Prop, Verdict } from './program.js';

type Order = 'once' | 'acquire' | 'release';

interface Ev {
  readonly kind: 'R' | 'W';
  readonly proc: number;
  /** Position among the process's memory events and fences. */
  readonly po: number;
  readonly loc: string;
  readonly val: Value;
  readonly order: Order;
  /** Reads (their index within the process) this event depends on. */
  readonly addr: readonly number[];
  readonly data: readonly number[];
  readonly ctrl: readonly number[];
  /** Part of a fully ordered RMW (tagged Mb). */
  readonly mb?: boolean;
  /** For the read of an RMW that wrote: `rmw` links it to the next event (its write). */
  readonly rmw?: boolean;
  /** Part of an RMW (for `smp_mb__before_atomic`/`__after_atomic`). */
  readonly atomic?: boolean;
  /** The read of a non-value-returning RMW. */
  readonly noreturn?: boolean;
}

interface Fence {
  readonly proc: number;
  readonly po: number;
  readonly kind: 'mb' | 'rmb' | 'wmb' | 'mb__before_atomic' | 'mb__after_atomic';
}

/** One path of one process: its events and fences, and its final registers. */
interface Run {
  readonly evs: readonly Ev[];
  readonly fences: readonly Fence[];
  readonly regs: { readonly [r: string]: Value };
}

/** Why a test is outside this checker, or undefined when it is checked. */
export function axiomaticUnsupported(l: Litmus): string | undefined {
  for (const p of l.procs)
    for (const i of p.code) {
      if (i.k === 'lock' || i.k === 'unlock' || i.k === 'islocked') return 'locks';
      if (i.k === 'fence' && i.fence === 'mb__after_spinlock') return `smp_${i.fence}`;
    }
  return undefined;
}

/** The values a read may guess: every constant and pointer of the test, and 0. */
function domain(l: Litmus): Value[] {
  const out = new Set<Value>([0]);
  for (const v of Object.values(l.init)) out.add(v);
  const walk = (e: unknown): void => {
    if (typeof e !== 'object' || e === null) return;
    const o = e as Record<string, unknown>;
    if (o.k === 'num' && typeof o.v === 'number') out.add(o.v);
    if (o.k === 'ptr' && typeof o.loc === 'string') out.add(o.loc);
    for (const v of Object.values(o)) walk(v);
  };
  for (const p of l.procs) walk(p.code);
  // increments and decrements reach values no constant names
  const rmws = l.procs.reduce((n, p) => n + p.code.filter((i) => i.k === 'rmw' && i.op !== 'xchg' && i.op !== 'cmpxchg').length, 0);
  if (rmws > 0) {
    const nums = [...out].filter((v): v is number => typeof v === 'number');
    const hi = Math.max(...nums) + rmws;
    const lo = Math.min(...nums) - (l.procs.some((p) => p.code.some((i) => i.k === 'rmw' && (i.op === 'dec' || i.op === 'sub' || i.op === 'decpos'))) ? rmws + 1 : 0);
    for (let v = lo; v <= hi; v++) out.add(v);
  }
  return [...out];
}

/** What an RMW stores over `old`, or undefined when it stores nothing (its own arithmetic, written apart from machine.ts's). */
function rmwStore(ins: Extract<Instr, { k: 'rmw' }>, regs: { readonly [r: string]: Value }, old: Value): Value | undefined {
  const a = ins.args.map((e) => evalExpr(e, regs));
  if (ins.op === 'xchg') return a[0];
  if (ins.op === 'cmpxchg') return old === a[0] ? a[1] : undefined;
  if (typeof old !== 'number') return undefined;
  const d = { add: a[0] as number, sub: -(a[0] as number), inc: 1, dec: -1, decpos: -1 }[ins.op];
  return ins.op === 'decpos' && old - 1 < 0 ? undefined : old + d;
}

/** Every path of process `i`, one per vector of read values. */
function runs(l: Litmus, i: number, dom: readonly Value[]): Run[] {
  const proc = l.procs[i];
  if (!proc) return [];
  const out: Run[] = [];
  const code = proc.code;
  const regs0: Record<string, Value> = {};
  for (const r of proc.regs) regs0[r] = proc.regInit[r] ?? 0;
  interface Ctx {
    pc: number;
    regs: Record<string, Value>;
    taint: Record<string, number[]>;
    /** The `if`s entered: the reads their conditions depend on, and where their bodies end. */
    ifs: { readonly end: number; readonly taint: readonly number[] }[];
    evs: Ev[];
    fences: Fence[];
    reads: number;
  }
  const go = (c: Ctx): void => {
    for (;;) {
      const ins: Instr | undefined = code[c.pc];
      if (!ins) {
        out.push({ evs: c.evs, fences: c.fences, regs: c.regs });
        return;
      }
      const po = c.evs.length + c.fences.length;
      // LKMM's ctrl reaches only the events inside the if's branches, not those after it
      const pcNow = c.pc;
      const ctrlNow = [...new Set(c.ifs.filter((f) => pcNow < f.end).flatMap((f) => f.taint))];
      const taintOf = (rs: readonly string[]): number[] => [...new Set(rs.flatMap((r) => c.taint[r] ?? []))];
      switch (ins.k) {
        case 'read': {
          const addrRegs = ins.addr.k === 'reg' ? [ins.addr.r] : [];
          const loc = ins.addr.k === 'loc' ? ins.addr.loc : c.regs[ins.addr.r];
          if (typeof loc !== 'string' || !(loc in l.init)) return; // a guessed non-pointer: no such execution
          const order: Order = ins.order === 'acquire' && !ins.text.includes('rcu_dereference') ? 'acquire' : 'once';
          const me = c.reads;
          for (const v of dom) {
            go({
              pc: c.pc + 1,
              regs: { ...c.regs, [ins.into]: v },
              taint: { ...c.taint, [ins.into]: [me] },
              ifs: c.ifs,
              evs: [...c.evs, { kind: 'R', proc: i, po, loc, val: v, order, addr: taintOf(addrRegs), data: [], ctrl: ctrlNow }],
              fences: c.fences,
              reads: me + 1,
            });
          }
          return;
        }
        case 'write': {
          const loc = ins.addr.k === 'loc' ? ins.addr.loc : c.regs[ins.addr.r];
          if (typeof loc !== 'string' || !(loc in l.init)) return;
          const val = evalExpr(ins.val, c.regs);
          c = { ...c, evs: [...c.evs, { kind: 'W', proc: i, po, loc, val, order: ins.order, addr: taintOf(ins.addr.k === 'reg' ? [ins.addr.r] : []), data: taintOf(regsOf(ins.val)), ctrl: ctrlNow }], pc: c.pc + 1 };
          break;
        }
        case 'fence':
          c = { ...c, fences: [...c.fences, { proc: i, po, kind: ins.fence as Fence['kind'] }], pc: c.pc + 1 };
          break;
        case 'rmw': {
          const loc = ins.addr.k === 'loc' ? ins.addr.loc : c.regs[ins.addr.r];
          if (typeof loc !== 'string' || !(loc in l.init)) return;
          const me = c.reads;
          const addrT = taintOf(ins.addr.k === 'reg' ? [ins.addr.r] : []);
          const dataT = taintOf(ins.args.flatMap((e) => regsOf(e)));
          for (const old of dom) {
            const nv = rmwStore(ins, c.regs, old);
            const ok = nv !== undefined;
            const mb = ok && ins.order === 'mb';
            const rd: Ev = { kind: 'R', proc: i, po, loc, val: old, order: ok && (ins.order === 'acquire' || ins.order === 'mb') ? 'acquire' : 'once', addr: addrT, data: [], ctrl: ctrlNow, mb, rmw: ok, atomic: true, noreturn: ins.ret === 'none' };
            const evs = [...c.evs, rd];
            if (ok) evs.push({ kind: 'W', proc: i, po: po + 1, loc, val: nv, order: ins.order === 'release' || ins.order === 'mb' ? 'release' : 'once', addr: addrT, data: dataT, ctrl: ctrlNow, mb, atomic: true });
            const ret = ins.ret === 'old' ? old : ins.op === 'decpos' ? (old as number) - 1 : (nv ?? old);
            go({ ...c, pc: c.pc + 1, regs: { ...c.regs, [ins.into]: ret }, taint: { ...c.taint, [ins.into]: [me] }, evs, reads: me + 1 });
          }
          return;
        }
        case 'assign':
          c = { ...c, regs: { ...c.regs, [ins.into]: evalExpr(ins.val, c.regs) }, taint: { ...c.taint, [ins.into]: taintOf(regsOf(ins.val)) }, pc: c.pc + 1 };
          break;
        case 'branch': {
          // the body ends at the branch's target, or past the else when the then-part ends with its jump
          const j = code[ins.target - 1];
          const end = j?.k === 'jump' && ins.target - 1 > c.pc ? Math.max(j.target, ins.target) : ins.target;
          const ifs = [...c.ifs, { end, taint: taintOf(regsOf(ins.cond)) }];
          c = { ...c, ifs, pc: truthy(evalExpr(ins.cond, c.regs)) ? c.pc + 1 : ins.target };
          break;
        }
        case 'jump':
          c = { ...c, pc: ins.target };
          break;
        case 'nop':
          c = { ...c, pc: c.pc + 1 };
          break;
        default:
          throw new Error(`axiomatic checker: unsupported ${ins.k}`);
      }
    }
  };
  go({ pc: 0, regs: regs0, taint: {}, ifs: [], evs: [], fences: [], reads: 0 });
  return out;
}

type Rel = boolean[][];

function rel(n: number): Rel {
  return Array.from({ length: n }, () => new Array<boolean>(n).fill(false));
}

function union(...rs: Rel[]): Rel {
  const n = rs[0]?.length ?? 0;
  const out = rel(n);
  for (const r of rs) for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (r[i]?.[j]) (out[i] as boolean[])[j] = true;
  return out;
}

function seq(a: Rel, b: Rel): Rel {
  const n = a.length;
  const out = rel(n);
  for (let i = 0; i < n; i++)
    for (let k = 0; k < n; k++)
      if (a[i]?.[k]) for (let j = 0; j < n; j++) if (b[k]?.[j]) (out[i] as boolean[])[j] = true;
  return out;
}

function filter(a: Rel, keep: (i: number, j: number) => boolean): Rel {
  return a.map((row, i) => row.map((x, j) => x && keep(i, j)));
}

function id(n: number): Rel {
  const out = rel(n);
  for (let i = 0; i < n; i++) (out[i] as boolean[])[i] = true;
  return out;
}

/** Reflexive-transitive closure. */
function star(a: Rel): Rel {
  const n = a.length;
  const out = union(a, id(n));
  for (let k = 0; k < n; k++) for (let i = 0; i < n; i++) if (out[i]?.[k]) for (let j = 0; j < n; j++) if (out[k]?.[j]) (out[i] as boolean[])[j] = true;
  return out;
}

function acyclic(a: Rel): boolean {
  const t = seq(a, star(a));
  return t.every((row, i) => !row[i]);
}

/** Every permutation of `xs`. */
function perms<T>(xs: readonly T[]): T[][] {
  if (xs.length <= 1) return [xs.slice()];
  return xs.flatMap((x, i) => perms([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]));
}

/** The cartesian product of lists. */
function product<T>(lists: readonly (readonly T[])[]): T[][] {
  return lists.reduce<T[][]>((acc, l) => acc.flatMap((a) => l.map((x) => [...a, x])), [[]]);
}

/** The condition's proposition over one final state, given as a lookup of `n:r` and location names. */
function propHolds(p: Prop, get: (key: string) => Value): boolean {
  switch (p.k) {
    case 'true':
      return true;
    case 'eq':
      return get(p.place.k === 'reg' ? `${p.place.proc}:${p.place.r}` : p.place.loc) === p.val;
    case 'not':
      return !propHolds(p.p, get);
    case 'and':
      return propHolds(p.a, get) && propHolds(p.b, get);
    case 'or':
      return propHolds(p.a, get) || propHolds(p.b, get);
  }
}

/** What the axioms allow for a test: its final outcomes and the verdict on its condition. */
export interface AxiomaticResult {
  /** In the format of `machine.ts`'s `outcome`, sorted. */
  readonly outcomes: readonly string[];
  readonly verdict: Verdict;
}

/**
 * The final outcomes LKMM allows for `l` and its verdict, or undefined when
 * the test is outside this checker (see {@link axiomaticUnsupported}).
 */
export function axiomatic(l: Litmus): AxiomaticResult | undefined {
  if (axiomaticUnsupported(l) !== undefined) return undefined;
  const dom = domain(l);
  const locs = Object.keys(l.init).sort();
  const outcomes = new Set<string>();
  let yes = 0;
  let no = 0;
  for (const combo of product(l.procs.map((_, i) => runs(l, i, dom)))) {
    // events: the initial writes first, then each process's
    const inits: Ev[] = locs.map((x) => ({ kind: 'W', proc: -1, po: 0, loc: x, val: l.init[x] as Value, order: 'once', addr: [], data: [], ctrl: [] }));
    const evs: Ev[] = [...inits, ...combo.flatMap((r) => r.evs)];
    const n = evs.length;
    // a read's index within its process → global event number
    const readIx = new Map<string, number>();
    const count = new Map<number, number>();
    evs.forEach((e, k) => {
      if (e.kind !== 'R') return;
      const c = count.get(e.proc) ?? 0;
      readIx.set(`${e.proc}:${c}`, k);
      count.set(e.proc, c + 1);
    });
    const fences = combo.flatMap((r) => r.fences);
    const rfChoices = evs.map((e, k) => (e.kind === 'R' ? evs.flatMap((w, j) => (w.kind === 'W' && w.loc === e.loc && w.val === e.val ? [j] : [])) : [k]));
    if (rfChoices.some((c) => c.length === 0)) continue;
    const coChoices = locs.map((x) => perms(evs.flatMap((w, j) => (w.kind === 'W' && w.proc >= 0 && w.loc === x ? [j] : []))));

    // relations that do not depend on rf and co
    const po = rel(n);
    const fenceBetween = (a: Ev, b: Ev, kind: Fence['kind']): boolean => fences.some((f) => f.kind === kind && f.proc === a.proc && a.po < f.po && f.po < b.po);
    // fencerel(Mb) also passes through the events of a fully ordered RMW
    const mbEventBetween = (a: Ev, b: Ev): boolean => evs.some((e) => e.mb === true && e.proc === a.proc && a.po < e.po && e.po < b.po);
    // [M] ; fencerel(Before-atomic) ; [RMW] ; po? ; [M]   and   [M] ; po? ; [RMW] ; fencerel(After-atomic) ; [M]
    const atomicFence = (a: Ev, b: Ev): boolean =>
      fences.some(
        (f) =>
          f.proc === a.proc &&
          a.po < f.po &&
          f.po < b.po &&
          ((f.kind === 'mb__before_atomic' && evs.some((e) => e.atomic === true && e.proc === a.proc && f.po < e.po && e.po <= b.po)) ||
            (f.kind === 'mb__after_atomic' && evs.some((e) => e.atomic === true && e.proc === a.proc && a.po <= e.po && e.po < f.po))),
      );
    const rmwRel = rel(n);
    evs.forEach((e, k) => {
      if (e.rmw === true) (rmwRel[k] as boolean[])[k + 1] = true;
    });
    const mb = rel(n);
    const wmb = rel(n);
    const rmb = rel(n);
    const poRel = rel(n);
    const acqPo = rel(n);
    const addr = rel(n);
    const data = rel(n);
    const ctrl = rel(n);
    for (let a = 0; a < n; a++)
      for (let b = 0; b < n; b++) {
        const ea = evs[a] as Ev;
        const eb = evs[b] as Ev;
        if (ea.proc < 0 || ea.proc !== eb.proc || ea.po >= eb.po) continue;
        (po[a] as boolean[])[b] = true;
        if (fenceBetween(ea, eb, 'mb') || mbEventBetween(ea, eb) || atomicFence(ea, eb)) (mb[a] as boolean[])[b] = true;
        if (ea.kind === 'W' && eb.kind === 'W' && fenceBetween(ea, eb, 'wmb')) (wmb[a] as boolean[])[b] = true;
        if (ea.kind === 'R' && eb.kind === 'R' && !ea.noreturn && !eb.noreturn && fenceBetween(ea, eb, 'rmb')) (rmb[a] as boolean[])[b] = true;
        if (eb.order === 'release') (poRel[a] as boolean[])[b] = true;
        if (ea.order === 'acquire') (acqPo[a] as boolean[])[b] = true;
      }
    evs.forEach((e, b) => {
      const mark = (r: Rel, reads: readonly number[]): void => {
        for (const ri of reads) {
          const a = readIx.get(`${e.proc}:${ri}`);
          if (a !== undefined) (r[a] as boolean[])[b] = true;
        }
      };
      mark(addr, e.addr);
      mark(data, e.data);
      mark(ctrl, e.ctrl);
    });
    const sameProc = (i: number, j: number): boolean => (evs[i] as Ev).proc >= 0 && (evs[i] as Ev).proc === (evs[j] as Ev).proc;
    const poLoc = filter(po, (i, j) => (evs[i] as Ev).loc === (evs[j] as Ev).loc);
    const strong = mb;
    const fence = union(strong, poRel, acqPo, wmb, rmb);
    const dep = union(addr, data);
    const isW = (j: number): boolean => (evs[j] as Ev).kind === 'W';
    const isR = (j: number): boolean => (evs[j] as Ev).kind === 'R';

    for (const rfPick of product(rfChoices)) {
      const rf = rel(n);
      evs.forEach((e, k) => {
        if (e.kind === 'R') (rf[rfPick[k] as number] as boolean[])[k] = true;
      });
      const rfe = filter(rf, (i, j) => !sameProc(i, j));
      const rfi = filter(rf, (i, j) => sameProc(i, j));
      const toR = union(filter(addr, (_, j) => isR(j)), seq(dep, rfi));
      const rwdepW = filter(union(dep, ctrl), (_, j) => isW(j));
      for (const coPick of product(coChoices)) {
        const co = rel(n);
        locs.forEach((x, li) => {
          const order = [locs.indexOf(x), ...(coPick[li] as number[])];
          for (let a = 0; a < order.length; a++) for (let b = a + 1; b < order.length; b++) (co[order[a] as number] as boolean[])[order[b] as number] = true;
        });
        // fr: a read before every write coherence-after the one it read
        const fr = rel(n);
        for (let r = 0; r < n; r++) if (isR(r)) for (let w = 0; w < n; w++) if (co[rfPick[r] as number]?.[w]) (fr[r] as boolean[])[w] = true;
        if (!acyclic(union(poLoc, rf, co, fr))) continue;
        // atomicity: nothing from another process comes between an RMW's read and its write
        let broken = false;
        for (let r = 0; r < n && !broken; r++) {
          if (!rmwRel[r]?.[r + 1]) continue;
          for (let w = 0; w < n; w++) if (fr[r]?.[w] && !sameProc(r, w) && co[w]?.[r + 1] && !sameProc(w, r + 1)) broken = true;
        }
        if (broken) continue;
        const overwrite = union(co, fr);
        const ppo = union(toR, rwdepW, filter(overwrite, sameProc), filter(fence, sameProc));
        const cumul = seq(union(seq(union(id(n), rfe), union(strong, poRel)), wmb), star(seq(rf, rmwRel)));
        const prop = seq(seq(union(id(n), filter(overwrite, (i, j) => !sameProc(i, j))), star(cumul)), union(id(n), rfe));
        const hb = union(ppo, rfe, filter(prop, (i, j) => i !== j && sameProc(i, j)));
        if (!acyclic(hb)) continue;
        const pb = seq(seq(prop, strong), star(hb));
        if (!acyclic(pb)) continue;
        // allowed: record its outcome and judge the condition there
        const final = new Map<string, Value>();
        l.procs.forEach((p, i) => {
          for (const r of p.regs) final.set(`${i}:${r}`, combo[i]?.regs[r] ?? 0);
        });
        for (const x of locs) {
          const ws = evs.flatMap((w, j) => (w.kind === 'W' && w.loc === x ? [j] : []));
          const last = ws.find((w) => ws.every((v) => v === w || co[v]?.[w]));
          final.set(x, (evs[last as number] as Ev).val);
        }
        if (propHolds(l.cond.prop, (k) => final.get(k) ?? 0)) yes++;
        else no++;
        outcomes.add([...final].filter(([k]) => !l.lockWords.includes(k)).map(([k, v]) => `${k}=${showValue(v)}`).join('; '));
      }
    }
  }
  return { outcomes: [...outcomes].sort(), verdict: yes === 0 ? 'Never' : no === 0 ? 'Always' : 'Sometimes' };
}
