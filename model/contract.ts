/**
 * The model contract: every mechanism is data plus pure functions, so the
 * exhaustive engine, the random engine and any later scheduler can drive it
 * unchanged.
 *
 * A {@link ModelDef} names a mechanism, its configurations and its variants;
 * `machine(variant, config)` returns a {@link Machine}: `init`, `actions`
 * (every enabled step, in an order that depends only on the state), `next`
 * (an immer reducer) and the properties to check. State is plain JSON data.
 */
import type fc from 'fast-check';
import type { Footprint } from './kernel/footprint.js';
import type { KernelState } from './kernel/state.js';

/** Every action is a plain object tagged by `type`; all other fields are its arguments. */
export interface ActionBase {
  readonly type: string;
}

/** Plain JSON value: what states, actions and configurations are made of. */
export type Json = null | boolean | number | string | readonly Json[] | { readonly [k: string]: Json };

/** What a trace shows for one action. */
export interface StepInfo {
  /** The context taking the step (a lane in the trace), e.g. `S`, `C`, `env`. */
  readonly ctx: string;
  /** The spec's step name, e.g. `S3`, or the event name for the environment. */
  readonly step: string;
  /** The kernel function the step models, e.g. `res_counter_set_limit`. */
  readonly fn: string;
  /** Short description of what the step does with its arguments. */
  readonly text?: string;
}

/** One checked transition; `prev` and `action` are absent for the initial state. */
export interface Transition<S, A> {
  readonly prev?: S;
  readonly action?: A;
  readonly next: S;
}

/**
 * A named property. `always` is checked on every state and every transition
 * (so it may also speak about the step just taken); `quiescent` only on states
 * where `Machine.quiescent` holds; `sometimes` must be witnessed, or the run
 * that never reached it is vacuous.
 *
 * `check` of a safety property returns a message when violated, `undefined` when it holds.
 */
export type Property<S, A> =
  | {
      readonly kind: 'always' | 'quiescent';
      readonly name: string;
      readonly doc: string;
      /**
       * `liveness` for a progress property checked as a bound or at
       * quiescence (a stuck waiter, a loop that never returns); it selects
       * the exit code. Default `safety`.
       */
      readonly category?: 'safety' | 'liveness';
      check(t: Transition<S, A>): string | undefined;
    }
  | {
      readonly kind: 'sometimes';
      readonly name: string;
      readonly doc: string;
      check(t: Transition<S, A>): boolean;
    }
  | EventuallyProperty<S>;

/**
 * A leads-to obligation checked by the liveness engine
 * (`properties/liveness.ts`) on lasso-shaped runs, under weak fairness of
 * the contexts and with the environment eventually stopping (spec 00 §6):
 * whenever an obligation is pending it must eventually stop being pending.
 * A violation is a run that keeps one obligation pending forever: it ends
 * in a state where no fair context can move, or it cycles through pending
 * states with every context that stays enabled taking steps.
 *
 * The engines that check single runs (explore, random, PCT) skip this
 * kind. A model may keep, under the same name, a safety approximation of
 * the same spec property (a step bound, a check at quiescence) for them.
 */
export interface EventuallyProperty<S> {
  readonly kind: 'eventually';
  readonly name: string;
  readonly doc: string;
  /** Always a progress property: a violation is a liveness finding. */
  readonly category?: 'liveness';
  /**
   * The obligations outstanding in `s`, each named (e.g. by the context
   * that waits, so two waiters taking turns do not hide each other); empty
   * when nothing is pending. Must not read what `Machine.livenessView` drops.
   */
  pending(s: S): readonly string[];
}

/** A model instantiated for one variant and one configuration. */
export interface Machine<S, A extends ActionBase> {
  init(): S;
  /** Every enabled action, in an order that depends only on `s`. */
  actions(s: S): readonly A[];
  next(s: S, a: A): S;
  /**
   * The lane, spec step and kernel function of `a`, from the action alone
   * (the engines group steps by context with it). A trace passes the states
   * before and after the step too, so its `text` may say what the step did.
   */
  describe(a: A, prev?: S, next?: S): StepInfo;
  /** No context mid-flight and no event pending: where `quiescent` properties are checked. */
  quiescent(s: S): boolean;
  /**
   * Optional projection used as the exhaustive engine's state key (TLC's
   * VIEW): drop fields that no step and no property ever reads, such as
   * statistics counters, so they do not multiply the state count.
   */
  view?(s: S): unknown;
  /**
   * Optional symmetry reduction for the exhaustive engine: the state key of a
   * canonical representative of `s` under the permutations of identities the
   * model declares interchangeable (pages of one class, CPUs, contexts of the
   * same kind), with the projection of `view` applied too. States that differ
   * only by such a permutation get the same key. Sound only when every step
   * and every property treats the permuted identities alike. The engine uses
   * it in place of `view` unless symmetry is turned off (`--no-symmetry`).
   * A model may also offer one of several interchangeable choices in
   * `actions`, but only when built with symmetry on (see {@link MachineOptions}).
   */
  symmetry?(s: S): unknown;
  /**
   * The context whose weak fairness step `a`, enabled in `s`, counts toward,
   * or `null` for an environment event, which the liveness engine assumes
   * eventually stops (spec 00 §6). Default: `describe(a).ctx`, with the
   * context `env` the environment. Lanes and fairness differ where an event
   * is drawn in a context's lane (a write(2) starting a writer is the
   * environment) or a nondeterministic failure is the environment's choice
   * (an allocation that fails although pages are free: eventually one does not).
   */
  fairness?(a: A, s: S): string | null;
  /**
   * Optional state key of the liveness engine. It must be a projection that
   * drops only fields no step, no `describe`, no `fairness` and no
   * eventually-property reads (it may drop ghosts that only safety
   * properties read, such as step counters); never a symmetry reduction,
   * since a lasso is replayed by action names. Default: the canonical JSON
   * of the whole state (not `view`, which may relabel).
   */
  livenessView?(s: S): unknown;
  /** The kernel-primitive slice of the state, read by the built-in checks. */
  kernel(s: S): KernelState;
  /**
   * The fields step `a` reads and writes from `s`, outside the kernel slice
   * (spec 06 §5's race check, `mmcheck races`). Machines built from rules
   * record it ({@link Footprint}); a machine without it cannot be checked
   * for races, and the check says so.
   */
  footprint?(s: S, a: A): Footprint;
  /**
   * Each rule's guard alone, by action type (machines built from rules):
   * together they offer the actions `actions` offers, in rule order (a
   * model may sort `actions` differently). For tools that study what one
   * guard reads (bench/memo.ts); no engine calls them. A wrapper that adds
   * or removes actions must drop it.
   */
  readonly guards?: readonly { readonly type: string; enabled(s: S): readonly unknown[] }[];
  /**
   * Fields the race check leaves out, by path pattern (`cmm.loaned`,
   * `tasks[*].pc`, a prefix such as `ghost` covers what is under it), or
   * only in one spec step (`S1: usage`), each with the reason: a marked
   * (lockless by design) access, a ghost, a field only the environment or
   * the initial state writes, a race the kernel tolerates. `mmcheck list`
   * and every race report print them.
   */
  readonly raceExempt?: Readonly<Record<string, string>>;
  /**
   * The machine may take its steps on the fast path (issue 18,
   * model/kernel/immer.ts): every state change goes through the models'
   * `produce`, and nothing relies on immer's structural sharing. The
   * exhaustive and random engines then run the same rules on plain copies;
   * replays and reports stay on immer. Checked by the differential
   * check (`properties/fastpath.ts`, `--check-fast-path`); set by
   * {@link ModelSpec.fastPath}. Default: the immer path only.
   */
  readonly fastPath?: boolean;
  readonly properties: readonly Property<S, A>[];
}

/** What a variant is expected to do under checking. */
export type Expectation =
  | { readonly kind: 'holds' }
  | { readonly kind: 'harmless'; readonly why: string }
  | { readonly kind: 'violates'; readonly property: string };

/** A named deviation from `reference`. */
export interface VariantDef<C> {
  readonly name: string;
  readonly summary: string;
  readonly expect: Expectation;
  /** Configuration for the exhaustive engine when the default small one does not exhibit the variant. */
  readonly exploreConfig?: C;
  /** Generator of random configurations when the model default does not exhibit the variant. */
  readonly randomConfig?: fc.Arbitrary<C>;
}

/** A mechanism: its spec, configurations and variants. */
export interface ModelDef<S, A extends ActionBase, C> {
  readonly name: string;
  readonly title: string;
  /** Spec file, e.g. `03-memcg-shrink.md`. */
  readonly spec: string;
  /** The spec's §7 small configuration for the exhaustive engine. */
  readonly smallConfig: C;
  /**
   * The family of configurations around the small one: every numeric field at
   * its boundary values (each side of every clamp and threshold, zero and one
   * where meaningful), every optional event present and absent, inputs of
   * every syntactic form the spec names. `explore --family` and the `ci`
   * gate explore each member (bounded by its `maxStates`); a variant that
   * must hold is reported as holding on the family, with how many members
   * completed. Members are sized so the whole family stays within the gate's
   * time budget.
   */
  readonly family?: readonly FamilyMember<C>[];
  /** Default generator of random configurations. */
  readonly randomConfig: fc.Arbitrary<C>;
  readonly variants: readonly VariantDef<C>[];
  /** Names of every property a machine of this model checks (for `mmcheck list`). */
  readonly propertyNames: readonly string[];
  /**
   * The locations the model marks under the kernel's memory model (spec 06
   * §1), in words, when its configuration accepts `memory: 'lkmm'`
   * (`--memory lkmm`); absent: every access is checked sequentially consistent.
   */
  readonly weakMemory?: string;
  /** Validates a configuration read from a file; throws an Error with a one-line message. */
  parseConfig(raw: unknown): C;
  machine(variant: string, config: C, options?: MachineOptions): Machine<S, A>;
}

/** One configuration of a model's family (see {@link ModelDef.family}). */
export interface FamilyMember<C> {
  /** Short stable name, e.g. `limit-at-usage` or `input-G-suffix`. */
  readonly name: string;
  /** Which boundary, event or input form this member covers, and why it matters. */
  readonly why: string;
  /** The whole configuration (usually the small one with a few fields changed). */
  readonly config: C;
  /** State budget of this member's exploration (default 200,000); a member cut short is reported as incomplete. */
  readonly maxStates?: number;
}

/** How an engine wants a machine built. */
export interface MachineOptions {
  /**
   * `false`: enumerate every choice in `actions`, including those a model
   * prunes because they lead to a state symmetric to another choice's (the
   * engine's `--no-symmetry`, which also stops using `Machine.symmetry`).
   * Default `true`.
   */
  readonly symmetry?: boolean;
}

/**
 * A model with its type parameters erased, as the registry, engines and CLI
 * hold it. The method-style signatures above keep concrete models assignable.
 */
export type AnyModel = ModelDef<unknown, ActionBase, unknown>;
/** A machine with its type parameters erased. */
export type AnyMachine = Machine<unknown, ActionBase>;

/** Erases a concrete model's type parameters for the registry. */
export function erase<S, A extends ActionBase, C>(m: ModelDef<S, A, C>): AnyModel {
  return m as unknown as AnyModel;
}

/** Looks up a variant, throwing a one-line error that lists the known ones. */
export function variantOf<C>(m: { name: string; variants: readonly VariantDef<C>[] }, name: string): VariantDef<C> {
  const v = m.variants.find((x) => x.name === name);
  if (!v) throw new Error(`unknown variant '${name}' of model '${m.name}' (known: ${m.variants.map((x) => x.name).join(', ')})`);
  return v;
}

/** The property a variant is expected to violate, or undefined for one that must hold (correct or harmless). */
export function expectedProperty(v: { readonly expect: Expectation }): string | undefined {
  return v.expect.kind === 'violates' ? v.expect.property : undefined;
}

/** A variant's expectation in one word, as tables print it: the property it violates, `holds` or `harmless`. */
export function expectationText(v: { readonly expect: Expectation }): string {
  return expectedProperty(v) ?? v.expect.kind;
}

/**
 * Canonical text of an action: its type followed by its arguments in key
 * order. Replay files store actions this way and replay matches on it.
 */
export function actionLabel(a: ActionBase): string {
  const args = Object.keys(a)
    .filter((k) => k !== 'type')
    .sort()
    .map((k) => `${k}=${JSON.stringify((a as unknown as Record<string, unknown>)[k])}`);
  return args.length ? `${a.type}(${args.join(',')})` : a.type;
}
