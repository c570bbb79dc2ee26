/**
 * Steps as rules: the guard, the effect and the trace text of one spec step
 * in one place, as a TLA+ or Quint action is written. A machine built from
 * rules ({@link machineFromRules}) generates `actions`, `next` and `describe`, so a
 * model cannot offer a step its reducer does not know, or describe a step
 * under another context than the one that took it.
 *
 * An action of a rule is `{ type, ...args }`: `type` is the rule's name (by
 * default its spec step) and `args` the plain JSON record `enabled` returned
 * for it, so replay files, ITF traces and lanes carry the arguments as
 * written. Actions are offered in the order of the rules, then in the order
 * `enabled` lists their arguments: an order that depends on the state alone.
 */
import type { Draft } from 'immer';
import type { ActionBase, Json, Machine, StepInfo } from './contract.js';
import { type Footprint, recordFootprint } from './kernel/footprint.js';
import { produce } from './kernel/immer.js';

/** The arguments of one enabled instance of a rule: a flat record of JSON values. */
export type RuleArgs = { readonly [k: string]: Json };

/** An action of a rule-built machine: the rule's name and its arguments. */
export type RuleAction = ActionBase & { readonly [k: string]: Json };

/** A context read from a step's arguments; method-typed so that narrower arguments stay assignable. */
type CtxOf<Args> = { ctxOf(args: Args): string }['ctxOf'];

/** One spec step. Method-style members keep rules with narrower arguments assignable to `Rule<S>`. */
export interface Rule<S, Args extends RuleArgs = RuleArgs> {
  /** The action's `type`, unique among the machine's rules; default: {@link Rule.step}. */
  readonly name?: string;
  /** The lane (context) that takes the step: fixed, or read from the arguments (a CPU, a task). */
  readonly ctx: string | CtxOf<Args>;
  /** The spec's name of the step (S1, A4, G5…). */
  readonly step: string;
  /** The kernel function the step models (its trace names it). */
  readonly fn: string;
  /** The arguments of every enabled instance of the step in `s`, in a fixed order; none: disabled. */
  enabled(s: S): readonly Args[];
  /**
   * Locks the kernel function takes and drops within this one step
   * (res_counter's spinlock around each res_counter_* call, the LRU lock
   * around reclaim): never seen held between steps, so not in the kernel
   * slice, but the race check counts them as held by the step's context.
   */
  readonly locks?: readonly string[];
  /** The step's effect, on an immer draft of the state. */
  apply(d: Draft<S>, args: Args): void;
  /**
   * What the step did, for the trace: it may look at the states before and
   * after ("wake_up_process found the task RUNNING: no-op"). Default: the
   * function with its arguments, `fn(arg=…)`.
   */
  text?(s: S, args: Args, next: S): string;
}

/**
 * The rule constructor of a state type: `const rule = rulesFor<MyState>()`,
 * then `rule({ step, fn, enabled, ctx, apply })`, each rule's arguments
 * inferred from what its `enabled` returns. Write `enabled` before `ctx`,
 * `apply` and `text` when they read the arguments: TypeScript infers from
 * an object's functions in the order they are written.
 */
export function rulesFor<S>(): <Args extends RuleArgs>(r: Rule<S, Args>) => Rule<S, NoInfer<Args>> {
  return (r) => r;
}

/** The arguments of a step with none, when `cond` holds: `enabled: (s) => when(s.pc === 0)`. */
export function when(cond: boolean): readonly Record<string, never>[] {
  return cond ? NO_ARGS : NONE;
}
const NO_ARGS: readonly Record<string, never>[] = [{}];
const NONE: readonly Record<string, never>[] = [];

/** `fn(a=1, b="x")`: a step's function with its arguments, each printed once. */
export function callText(fn: string, args: RuleArgs): string {
  const parts = Object.entries(args).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  return parts.length === 0 ? fn : `${fn}(${parts.join(', ')})`;
}

/** A machine's parts other than the three the rules generate. */
export type RulesMachineDef<S> = Omit<Machine<S, RuleAction>, 'actions' | 'next' | 'describe' | 'footprint' | 'guards'> & {
  /** The steps, in the order their actions are offered. */
  readonly rules: readonly Rule<S>[];
};

/** Splits an action into its rule's name and its arguments. */
function argsOf(a: RuleAction): RuleArgs {
  const { type: _type, ...args } = a;
  return args;
}

/**
 * A machine whose `actions`, `next` and `describe` come from `def.rules`.
 * Throws at once when two rules share a name, and when asked to take or
 * describe an action no rule has (a replay of another model's trace).
 */
export function machineFromRules<S>(def: RulesMachineDef<S>): Machine<S, RuleAction> {
  const byName = new Map<string, Rule<S>>();
  for (const r of def.rules) {
    const name = r.name ?? r.step;
    if (byName.has(name)) throw new Error(`two rules are named ${name}: give one a distinct \`name\``);
    byName.set(name, r);
  }
  const ruleOf = (a: ActionBase): Rule<S> => {
    const r = byName.get(a.type);
    if (!r) throw new Error(`no rule takes an action of type ${a.type}`);
    return r;
  };
  const { rules, ...rest } = def;
  // where the kernel slice sits in the state, found once (a top-level field in every model)
  let kernelPath: string | undefined;
  const skipOf = (s: S): string => {
    if (kernelPath !== undefined) return kernelPath;
    const k = def.kernel(s);
    const hit = Object.entries(s as object).find(([, v]) => v === k);
    kernelPath = hit !== undefined ? hit[0] : '\u0000';
    return kernelPath;
  };
  return {
    ...rest,
    guards: rules.map((r) => ({ type: r.name ?? r.step, enabled: (s: S) => r.enabled(s) })),
    // the effect once more, seen through a recording proxy; the guard's reads are not recorded
    footprint: (s, a): Footprint => {
      const r = ruleOf(a);
      const args = argsOf(a);
      const skip = skipOf(s);
      let fp: Footprint = { reads: [], writes: [] };
      produce(s, (d) => {
        fp = recordFootprint(d as object, skip, (w) => r.apply(w as Draft<S>, args));
      });
      if (r.locks === undefined || r.locks.length === 0) return fp;
      const ctx = typeof r.ctx === 'string' ? r.ctx : r.ctx(args);
      return { ...fp, taken: [...(fp.taken ?? []), ...r.locks.map((lock) => ({ lock, ctx, shared: false }))] };
    },
    actions: (s) => {
      const out: RuleAction[] = [];
      for (const r of rules) {
        const type = r.name ?? r.step;
        for (const args of r.enabled(s)) out.push({ ...args, type });
      }
      return out;
    },
    next: (s, a) => {
      const r = ruleOf(a);
      const args = argsOf(a);
      return produce(s, (d) => r.apply(d, args));
    },
    describe: (a, prev?: S, next?: S): StepInfo => {
      const r = ruleOf(a);
      const args = argsOf(a);
      const ctx = typeof r.ctx === 'string' ? r.ctx : r.ctx(args);
      const text = r.text && prev !== undefined && next !== undefined ? r.text(prev, args, next) : callText(r.fn, args);
      return { ctx, step: r.step, fn: r.fn, text };
    },
  };
}
