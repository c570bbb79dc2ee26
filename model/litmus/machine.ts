/**
 * A litmus test as a {@link Machine}: one lane per process, one step per
 * statement, and one action per choice the memory model leaves open — which
 * message a read returns, where in the coherence order a write goes — so
 * the exhaustive engine visits every execution and a witness trace names
 * the write each read saw.
 */
import type { ActionBase, Machine, StepInfo } from '../contract.js';
import type { WeakMemory, Value, Deps } from '../kernel/lkmm.js';
import { assign, canonicalMemory, control, fence, latest, lock, placements, read, readable, retire, rmw, rmwChoices, unlock, weakMemory, write } from '../kernel/lkmm.js';
import type { KernelState } from '../kernel/state.js';
import type { Addr, Expr, Instr, Litmus, Place, Prop } from './program.js';

/** One process's registers and program counter. */
export interface ProcState {
  readonly pc: number;
  readonly regs: { readonly [reg: string]: Value };
}

/** A litmus machine's state: the processes, the memory and who holds each spinlock. */
export interface LitmusState {
  readonly procs: readonly ProcState[];
  readonly mem: WeakMemory;
  readonly held: { readonly [lock: string]: string | null };
}

/**
 * An action: `type` is the whole description of the step (unique among the
 * enabled actions of a state, so replay by label works); `ctx` is the lane.
 * The choice it stands for is kept aside, not in the action, so traces print
 * the description alone.
 */
export interface LitmusAction extends ActionBase {
  readonly ctx: string;
}

interface Choice {
  readonly proc: number;
  /** For a read: the message's timestamp; for a write: the timestamp it goes after. */
  readonly t: number;
  readonly info: StepInfo;
}

const NO_KERNEL: KernelState = { locks: {}, faults: [] };

/** The value of an expression over registers (a pointer is the name of its location). */
export function evalExpr(e: Expr, regs: { readonly [r: string]: Value }): Value {
  switch (e.k) {
    case 'num':
      return e.v;
    case 'reg':
      return regs[e.r] ?? 0;
    case 'ptr':
      return e.loc;
    case 'un': {
      const v = evalExpr(e.e, regs);
      if (e.op === '!') return truthy(v) ? 0 : 1;
      return e.op === '-' ? -num(v) : ~num(v);
    }
    case 'bin': {
      const a = evalExpr(e.a, regs);
      const b = evalExpr(e.b, regs);
      switch (e.op) {
        case '==':
          return a === b ? 1 : 0;
        case '!=':
          return a !== b ? 1 : 0;
        case '&&':
          return truthy(a) && truthy(b) ? 1 : 0;
        case '||':
          return truthy(a) || truthy(b) ? 1 : 0;
        case '+':
          return num(a) + num(b);
        case '-':
          return num(a) - num(b);
        case '*':
          return num(a) * num(b);
        case '/':
          return num(b) === 0 ? 0 : Math.trunc(num(a) / num(b));
        case '%':
          return num(b) === 0 ? 0 : num(a) % num(b);
        case '&':
          return num(a) & num(b);
        case '|':
          return num(a) | num(b);
        case '^':
          return num(a) ^ num(b);
        case '<<':
          return num(a) << num(b);
        case '>>':
          return num(a) >> num(b);
        case '<':
          return num(a) < num(b) ? 1 : 0;
        case '<=':
          return num(a) <= num(b) ? 1 : 0;
        case '>':
          return num(a) > num(b) ? 1 : 0;
        case '>=':
          return num(a) >= num(b) ? 1 : 0;
        default:
          throw new Error(`operator ${e.op}`);
      }
    }
  }
}

/** C truth: nonzero, or any pointer. */
export function truthy(v: Value): boolean {
  return typeof v === 'string' || v !== 0;
}

function num(v: Value): number {
  if (typeof v === 'string') throw new Error(`arithmetic on the pointer &${v}`);
  return v;
}

/** The value a read-modify-write stores over `old`, or `undefined` when it stores nothing (a failed cmpxchg, `atomic_dec_if_positive` at 0). */
function rmwValue(ins: Extract<Instr, { k: 'rmw' }>, regs: { readonly [r: string]: Value }, old: Value): Value | undefined {
  const a = ins.args.map((e) => evalExpr(e, regs));
  switch (ins.op) {
    case 'xchg':
      return a[0] ?? 0;
    case 'cmpxchg':
      return old === a[0] ? (a[1] ?? 0) : undefined;
    case 'add':
      return num(old) + num(a[0] ?? 0);
    case 'sub':
      return num(old) - num(a[0] ?? 0);
    case 'inc':
      return num(old) + 1;
    case 'dec':
      return num(old) - 1;
    case 'decpos':
      return num(old) - 1 >= 0 ? num(old) - 1 : undefined;
  }
}

/** Dependencies of an RMW: its address register and the registers of its operands. */
function rmwDeps(ins: Extract<Instr, { k: 'rmw' }>): Deps {
  return { ...depsOf(ins.addr), data: ins.args.flatMap((e) => regsOf(e)) };
}

/** Registers an expression reads (its data dependencies). */
export function regsOf(e: Expr, out: string[] = []): string[] {
  if (e.k === 'reg') out.push(e.r);
  else if (e.k === 'un') regsOf(e.e, out);
  else if (e.k === 'bin') {
    regsOf(e.a, out);
    regsOf(e.b, out);
  }
  return out;
}

function locOf(a: Addr, regs: { readonly [r: string]: Value }, l: Litmus, line: number): string {
  if (a.k === 'loc') return a.loc;
  const v = regs[a.r] ?? 0;
  if (typeof v !== 'string' || !(v in l.init)) throw new Error(`${l.file}:${line}: dereference of ${a.r}=${String(v)}, not a pointer to a location`);
  return v;
}

function depsOf(a: Addr, val?: Expr): Deps {
  return { ...(a.k === 'reg' ? { addr: [a.r] } : {}), ...(val ? { data: regsOf(val) } : {}) };
}

/** `&x` for a pointer, the number otherwise: how values print in traces and outcomes. */
export function showValue(v: Value): string {
  return typeof v === 'string' ? v : String(v);
}

/** Whether a state is final: every process ran to its end. */
export function isFinal(l: Litmus, s: LitmusState): boolean {
  return s.procs.every((p, i) => p.pc >= (l.procs[i]?.code.length ?? 0));
}

function placeValue(l: Litmus, s: LitmusState, p: Place): Value {
  if (p.k === 'loc') return latest(s.mem, p.loc).v;
  return s.procs[p.proc]?.regs[p.r] ?? 0;
}

/** The proposition of the final condition at a (final) state. */
export function holds(l: Litmus, s: LitmusState, p: Prop = l.cond.prop): boolean {
  switch (p.k) {
    case 'true':
      return true;
    case 'eq':
      return placeValue(l, s, p.place) === p.val;
    case 'not':
      return !holds(l, s, p.p);
    case 'and':
      return holds(l, s, p.a) && holds(l, s, p.b);
    case 'or':
      return holds(l, s, p.a) || holds(l, s, p.b);
  }
}

/**
 * The outcome of a final state as one line: every declared register of
 * every process and the final value of every location (lock words aside),
 * e.g. `0:r0=1; 1:r0=0; x=1; y=1`.
 */
export function outcome(l: Litmus, s: LitmusState): string {
  const parts: string[] = [];
  l.procs.forEach((p, i) => {
    for (const r of p.regs) parts.push(`${i}:${r}=${showValue(s.procs[i]?.regs[r] ?? 0)}`);
  });
  for (const x of Object.keys(l.init).sort()) if (!l.lockWords.includes(x)) parts.push(`${x}=${showValue(latest(s.mem, x).v)}`);
  return parts.join('; ');
}

/** Who wrote a message, for traces. */
function origin(by: string): string {
  return by === 'init' ? 'initial value' : `from ${by}'s write`;
}

/**
 * The machine of a litmus test under `mode` (`lkmm`, or `sc` to compare).
 * Local steps that order nothing (`rcu_read_lock`, the jump at the end of a
 * taken `if`) are folded into the step before them.
 */
export function litmusMachine(l: Litmus, mode: 'lkmm' | 'sc' = 'lkmm'): Machine<LitmusState, LitmusAction> {
  const names = l.procs.map((p) => p.name);
  const choices = new WeakMap<LitmusAction, Choice>();

  /** Moves past instructions that are not steps; retires a process that has finished. */
  const settle = (mem: WeakMemory, i: number, pc: number): { mem: WeakMemory; pc: number } => {
    const code = l.procs[i]?.code ?? [];
    for (;;) {
      const ins = code[pc];
      if (ins?.k === 'jump') pc = ins.target;
      else if (ins?.k === 'nop') pc++;
      else break;
    }
    return { mem: pc >= code.length ? retire(mem, names[i] as string) : mem, pc };
  };

  const init = (): LitmusState => {
    let mem = weakMemory(mode, l.init, names, l.locks);
    const procs = l.procs.map((p, i) => {
      const regs: Record<string, Value> = {};
      for (const r of p.regs) regs[r] = p.regInit[r] ?? 0;
      const st = settle(mem, i, 0);
      mem = st.mem;
      return { pc: st.pc, regs };
    });
    const held: Record<string, string | null> = {};
    for (const k of l.locks) held[k] = null;
    return { procs, mem, held };
  };

  const actions = (s: LitmusState): LitmusAction[] => {
    const out: LitmusAction[] = [];
    s.procs.forEach((ps, i) => {
      const proc = l.procs[i];
      const ins = proc?.code[ps.pc];
      if (!proc || !ins) return;
      const ctx = proc.name;
      const mine: { step: string; fn: string; t: number }[] = [];
      switch (ins.k) {
        case 'read': {
          const x = locOf(ins.addr, ps.regs, l, ins.line);
          for (const m of readable(s.mem, ctx, x, depsOf(ins.addr))) mine.push({ step: ins.text, fn: `reads ${x}=${showValue(m.v)} (${origin(m.by)})`, t: m.t });
          break;
        }
        case 'islocked': {
          for (const m of readable(s.mem, ctx, ins.lock)) mine.push({ step: ins.text, fn: `sees ${ins.lock} ${m.v === 1 ? 'locked' : 'free'} (${m.by === 'init' ? 'initial' : `${m.by}'s ${m.v === 1 ? 'lock' : 'unlock'}`})`, t: m.t });
          break;
        }
        case 'write': {
          const x = locOf(ins.addr, ps.regs, l, ins.line);
          const v = showValue(evalExpr(ins.val, ps.regs));
          const hist = s.mem.locs[x] ?? [];
          const ps2 = placements(s.mem, ctx, x, ins.order, depsOf(ins.addr, ins.val));
          for (const p of ps2) {
            const nextMsg = hist[p + 1];
            const where = ps2.length === 1 ? '' : nextMsg ? `, before ${x}=${showValue(nextMsg.v)} (${nextMsg.by === 'init' ? 'initial' : nextMsg.by})` : `, last`;
            mine.push({ step: ins.text, fn: `writes ${x}=${v}${where}`, t: p });
          }
          break;
        }
        case 'rmw': {
          const x = locOf(ins.addr, ps.regs, l, ins.line);
          const f = (old: Value): Value | undefined => rmwValue(ins, ps.regs, old);
          rmwChoices(s.mem, ctx, x, f, ins.order, rmwDeps(ins)).forEach((c, k) => {
            const nv = f(c.v);
            mine.push({ step: ins.text, fn: `reads ${x}=${showValue(c.v)} (${origin(c.by)}), ${nv === undefined ? 'fails: writes nothing' : `writes ${x}=${showValue(nv)}`}`, t: k });
          });
          break;
        }
        case 'lock':
          if (s.held[ins.lock] === null) mine.push({ step: ins.text, fn: '', t: 0 });
          break;
        case 'branch':
          mine.push({ step: ins.text, fn: truthy(evalExpr(ins.cond, ps.regs)) ? 'taken' : 'not taken', t: 0 });
          break;
        case 'assign':
          mine.push({ step: ins.text, fn: `${ins.into}=${showValue(evalExpr(ins.val, ps.regs))}`, t: 0 });
          break;
        default:
          mine.push({ step: ins.text, fn: '', t: 0 });
      }
      const seen = new Map<string, number>();
      for (const c of mine) {
        let type = `${ctx}: ${c.step}${c.fn ? ` ${c.fn}` : ''}`;
        const n = (seen.get(type) ?? 0) + 1;
        seen.set(type, n);
        if (n > 1) type += ` #${n}`;
        const a: LitmusAction = { type, ctx };
        choices.set(a, { proc: i, t: c.t, info: { ctx, step: c.step, fn: c.fn, text: type } });
        out.push(a);
      }
    });
    return out;
  };

  const choiceOf = (s: LitmusState, a: LitmusAction): Choice => {
    const c = choices.get(a) ?? (() => {
      const same = actions(s).find((b) => b.type === a.type);
      return same ? choices.get(same) : undefined;
    })();
    if (!c) throw new Error(`not enabled here: ${a.type}`);
    return c;
  };

  const next = (s: LitmusState, a: LitmusAction): LitmusState => {
    const c = choiceOf(s, a);
    const i = c.proc;
    const ps = s.procs[i] as ProcState;
    const ins = l.procs[i]?.code[ps.pc] as Instr;
    const ctx = names[i] as string;
    let mem = s.mem;
    let regs = ps.regs;
    let held = s.held;
    let pc = ps.pc + 1;
    switch (ins.k) {
      case 'read': {
        const x = locOf(ins.addr, regs, l, ins.line);
        const r = read(mem, ctx, x, c.t, ins.order, { ...depsOf(ins.addr), into: ins.into });
        mem = r.mem;
        regs = { ...regs, [ins.into]: r.msg.v };
        break;
      }
      case 'islocked': {
        const r = read(mem, ctx, ins.lock, c.t, 'once', { into: ins.into });
        mem = r.mem;
        regs = { ...regs, [ins.into]: r.msg.v === 0 ? 0 : 1 };
        break;
      }
      case 'write': {
        const x = locOf(ins.addr, regs, l, ins.line);
        mem = write(mem, ctx, x, evalExpr(ins.val, regs), ins.order, c.t, depsOf(ins.addr, ins.val));
        break;
      }
      case 'fence':
        mem = fence(mem, ctx, ins.fence);
        break;
      case 'rmw': {
        const x = locOf(ins.addr, regs, l, ins.line);
        const f = (old: Value): Value | undefined => rmwValue(ins, regs, old);
        const choice = rmwChoices(mem, ctx, x, f, ins.order, rmwDeps(ins))[c.t];
        const r = rmw(mem, ctx, x, f, ins.order, { ...rmwDeps(ins), into: ins.into }, choice);
        mem = r.mem;
        const nv = rmwValue(ins, regs, r.old);
        const ret = ins.ret === 'old' ? r.old : ins.op === 'decpos' ? num(r.old) - 1 : (nv ?? r.old);
        regs = { ...regs, [ins.into]: ret };
        break;
      }
      case 'lock':
        mem = lock(mem, ctx, ins.lock);
        held = { ...held, [ins.lock]: ctx };
        break;
      case 'unlock':
        if (held[ins.lock] !== ctx) throw new Error(`${l.file}:${ins.line}: ${ctx} unlocks ${ins.lock}, which it does not hold`);
        mem = unlock(mem, ctx, ins.lock);
        held = { ...held, [ins.lock]: null };
        break;
      case 'assign':
        regs = { ...regs, [ins.into]: evalExpr(ins.val, regs) };
        mem = assign(mem, ctx, ins.into, regsOf(ins.val));
        break;
      case 'branch':
        mem = control(mem, ctx, regsOf(ins.cond));
        if (!truthy(evalExpr(ins.cond, regs))) pc = ins.target;
        break;
      case 'jump':
      case 'nop':
        break;
    }
    const st = settle(mem, i, pc);
    const procs = s.procs.slice();
    procs[i] = { pc: st.pc, regs };
    return { procs, mem: st.mem, held };
  };

  return {
    init,
    actions,
    next,
    describe: (a) => choices.get(a)?.info ?? { ctx: a.ctx, step: a.type.slice(a.ctx.length + 2), fn: '' },
    quiescent: (s) => isFinal(l, s),
    view: (s) => ({ procs: s.procs, mem: canonicalMemory(s.mem), held: s.held }),
    kernel: () => NO_KERNEL,
    properties: [],
  };
}
