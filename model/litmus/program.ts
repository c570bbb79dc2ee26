/**
 * A parsed C litmus test (the kernel's `tools/memory-model/litmus-tests/`
 * format), compiled to one flat instruction list per process: every
 * statement that touches memory or orders it is one instruction, a memory
 * read nested in an expression is hoisted into its own read of a temporary
 * register, and `if`/`else` become a branch and a jump.
 */
import type { Fence, ReadOrder, RmwOrder, Value, WriteOrder } from '../kernel/lkmm.js';

/** The arithmetic of a read-modify-write; `decpos` is `atomic_dec_if_positive` (stores `v-1` only if it is ≥ 0, returns `v-1`). */
export type RmwOp = 'xchg' | 'cmpxchg' | 'add' | 'sub' | 'inc' | 'dec' | 'decpos';

/** An expression over registers and constants (memory reads are hoisted out before it). */
export type Expr =
  | { readonly k: 'num'; readonly v: number }
  | { readonly k: 'reg'; readonly r: string }
  /** A pointer parameter used as a value: the address of its location. */
  | { readonly k: 'ptr'; readonly loc: string }
  | { readonly k: 'un'; readonly op: '!' | '-' | '~'; readonly e: Expr }
  | { readonly k: 'bin'; readonly op: string; readonly a: Expr; readonly b: Expr };

/** The address of an access: a parameter's location, or the location a register points to (an address dependency). */
export type Addr = { readonly k: 'loc'; readonly loc: string } | { readonly k: 'reg'; readonly r: string };

interface Src {
  /** 1-based line in the file. */
  readonly line: number;
  /** The statement as written (without its `;`), for traces. */
  readonly text: string;
}

/** One step of a process. */
export type Instr =
  | (Src & { readonly k: 'read'; readonly into: string; readonly addr: Addr; readonly order: ReadOrder; readonly plain: boolean })
  | (Src & { readonly k: 'write'; readonly addr: Addr; readonly val: Expr; readonly order: WriteOrder; readonly plain: boolean })
  | (Src & { readonly k: 'fence'; readonly fence: Fence })
  /**
   * An atomic read-modify-write (`xchg`, `cmpxchg`, `atomic_*`): `op` on the
   * old value and `args`; `ret` says what lands in `into` — the old value,
   * the new one, or nothing (`atomic_inc`).
   */
  | (Src & { readonly k: 'rmw'; readonly into: string; readonly addr: Addr; readonly op: RmwOp; readonly args: readonly Expr[]; readonly ret: 'old' | 'new' | 'none'; readonly order: RmwOrder })
  | (Src & { readonly k: 'lock' | 'unlock'; readonly lock: string })
  /** `spin_is_locked(l)`: a relaxed read of the lock word. */
  | (Src & { readonly k: 'islocked'; readonly into: string; readonly lock: string })
  | (Src & { readonly k: 'assign'; readonly into: string; readonly val: Expr })
  /** `if (cond)`: falls through when true, goes to `target` when false; a control dependency on the registers of `cond`. */
  | (Src & { readonly k: 'branch'; readonly cond: Expr; readonly target: number })
  /** The end of a taken `if` branch that has an `else`; not a step of its own. */
  | (Src & { readonly k: 'jump'; readonly target: number })
  /** `rcu_read_lock()`/`rcu_read_unlock()`: no ordering here (no grace periods are modelled); not a step of its own. */
  | (Src & { readonly k: 'nop' });

/** One process `Pn(…) { … }`. */
export interface Process {
  /** `P0`, `P1`, … */
  readonly name: string;
  /** Its index n (the `n:` of `n:r=v` in the condition). */
  readonly index: number;
  /** Registers declared in the body, in order (temporaries start with `$` and are not listed). */
  readonly regs: readonly string[];
  /** Initial register values from the init block (`0:r1=1;`), others start at 0. */
  readonly regInit: { readonly [reg: string]: Value };
  readonly code: readonly Instr[];
}

/** A left-hand side of the final condition: a register of a process, or a location's final value. */
export type Place = { readonly k: 'reg'; readonly proc: number; readonly r: string } | { readonly k: 'loc'; readonly loc: string };

/** The final condition's proposition. */
export type Prop =
  | { readonly k: 'true' }
  | { readonly k: 'eq'; readonly place: Place; readonly val: Value }
  | { readonly k: 'not'; readonly p: Prop }
  | { readonly k: 'and' | 'or'; readonly a: Prop; readonly b: Prop };

/** The final clause: `exists P`, `~exists P` or `forall P`. */
export interface Condition {
  readonly quant: 'exists' | '~exists' | 'forall';
  readonly prop: Prop;
  /** As written, for output. */
  readonly text: string;
  readonly line: number;
}

/** A herd-style verdict on the condition's proposition over all final states. */
export type Verdict = 'Always' | 'Sometimes' | 'Never';

/** A whole litmus test. */
export interface Litmus {
  readonly file: string;
  readonly name: string;
  /** The `Result:` of the header comment, when it has one. */
  readonly result?: Verdict;
  /** Initial values of the memory locations (0 unless the init block says otherwise; a pointer is a location name). */
  readonly init: { readonly [loc: string]: Value };
  readonly locks: readonly string[];
  /** Locks whose lock word some process reads with `spin_is_locked` (only those are memory locations). */
  readonly lockWords: readonly string[];
  readonly procs: readonly Process[];
  readonly cond: Condition;
  /** Constructs used whose treatment the output must mention (plain accesses, RCU). */
  readonly notes: readonly string[];
}
