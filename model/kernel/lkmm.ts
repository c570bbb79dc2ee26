/**
 * Weak memory for the marked (lockless) locations of a model: an operational
 * approximation of the Linux-kernel memory model (LKMM), spec 06 §2 — the
 * promise-free fragment of the Promising semantics (Kang et al., POPL 2017)
 * with per-location message histories and per-context views.
 *
 * A {@link WeakMemory} is plain JSON data that a model keeps as one slice of
 * its state. Every operation takes a memory and returns a new one (the
 * argument is never changed), so a reducer may call them on `current(draft)`
 * and assign the result back. Where LKMM lets a step behave in several ways
 * the API returns the choices instead of picking one — {@link readable} the
 * messages a read may return, {@link placements} where a write may go in its
 * location's coherence order — so a model makes one action per choice and
 * every engine (BFS, random search, replay) sees and names it.
 *
 * Mode `sc` keeps one message per location and every read sees the latest
 * write: the sequentially consistent memory every model had before.
 *
 * One rule differs from spec 06 §2's text: there an RMW "reads the last
 * message of x". Compared with the axiomatic oracle (model/litmus/
 * axiomatic.ts) on random tests, that rule missed outcomes LKMM allows (an
 * `xchg_relaxed` whose write goes coherence-before a store that ran
 * earlier), so an RMW here may read any message it could read and write
 * after, and is then pinned right after it (see {@link rmwChoices}).
 *
 * References (Linux tree): tools/memory-model/Documentation/explanation.txt
 * ("explanation.txt" below) and tools/memory-model/linux-kernel.cat, lock.cat.
 *
 * Timestamps are kept dense (0, 1, 2, … per location): a write placed in the
 * middle of a history shifts the later messages and every view entry that
 * points at them. Messages no context can read any more are dropped after
 * each operation and the rest renumbered from 0, so two memories that allow
 * the same futures are equal data (see {@link canonicalMemory}).
 */

/** A location's value: a number, or a pointer (the name of the location it points to). */
export type Value = number | string;

/** A view: for each location, a timestamp; an absent location means 0. Zero entries are never stored. */
export type View = { readonly [loc: string]: number };

/** One write in a location's history (coherence order). */
export interface Message {
  readonly v: Value;
  /** Position in the location's coherence order (dense from 0). */
  readonly t: number;
  /** What a context that acquires this message learns (release cumulativity). */
  readonly view: View;
  /** The context that wrote it, or `init`; for traces only (not part of {@link canonicalMemory}). */
  readonly by: string;
  /** Written by an RMW right after the message it read: no write may ever go between the two (atomicity). */
  readonly rmw?: true;
}

/** One context's views (spec 06 §2). */
export interface ContextViews {
  /** For each location, the oldest message it may still read. */
  readonly cur: View;
  /** Views of messages read but not yet acquired (an `smp_rmb`/`smp_mb` acquires them). */
  readonly acq: View;
  /** The view its next relaxed writes carry (raised by `smp_wmb`, `smp_mb`, lock). */
  readonly rel: View;
  /** Its own latest write per location (what `smp_wmb` orders). */
  readonly own: View;
  /** Its view at its latest unlock of any lock (po-unlock-lock-po). */
  readonly ulv: View;
  /** Join of the registers tested by the `if`s it has executed (control dependencies). */
  readonly ctrl: View;
  /** Per register (local): the views of the reads its value came from (address/data dependencies). */
  readonly regs: { readonly [reg: string]: View };
}

/** The weak-memory slice of a model's state. */
export interface WeakMemory {
  readonly mode: 'sc' | 'lkmm';
  /** Per marked location, its history in coherence order (timestamps 0, 1, …). */
  readonly locs: { readonly [loc: string]: readonly Message[] };
  /** Per context still running. */
  readonly ctxs: { readonly [ctx: string]: ContextViews };
  /** The view of the strong fences (`smp_mb`), shared by all contexts. */
  readonly sc: View;
  /** Per lock, the view of its last unlock. */
  readonly locks: { readonly [lock: string]: View };
}

/** Ordering of a read. `acquire` also serves `rcu_dereference` (stronger than LKMM, which only orders its address dependencies). */
export type ReadOrder = 'once' | 'acquire';
/** Ordering of a write. `release` also serves `rcu_assign_pointer`. */
export type WriteOrder = 'once' | 'release';
/** Ordering of a read-modify-write: `mb` for value-returning atomics (fully ordered), else the `_relaxed`/`_acquire`/`_release` forms. */
export type RmwOrder = 'mb' | 'relaxed' | 'acquire' | 'release';
/** The fences of spec 06 §1. */
export type Fence = 'mb' | 'rmb' | 'wmb' | 'mb__before_atomic' | 'mb__after_atomic' | 'mb__after_spinlock';

/** Dependencies of an access: registers whose views order it (spec 06 §2). */
export interface Deps {
  /** Registers the address came from (address dependency: orders the access after their reads). */
  readonly addr?: readonly string[];
  /** Registers the stored value came from (data dependency; writes only). */
  readonly data?: readonly string[];
}

// ---------------------------------------------------------------- views

type MView = Record<string, number>;

function at(v: View, x: string): number {
  return v[x] ?? 0;
}

/** The join (pointwise maximum) of views. */
export function join(...vs: readonly View[]): View {
  const out: MView = {};
  for (const v of vs) for (const k in v) if ((v[k] as number) > (out[k] ?? 0)) out[k] = v[k] as number;
  return out;
}

function single(x: string, t: number): View {
  return t > 0 ? { [x]: t } : {};
}

// A mutable working copy; operations copy once, edit, collect, and return it.
interface M {
  mode: 'sc' | 'lkmm';
  locs: Record<string, { v: Value; t: number; view: MView; by: string; rmw?: true }[]>;
  ctxs: Record<string, { cur: MView; acq: MView; rel: MView; own: MView; ulv: MView; ctrl: MView; regs: Record<string, MView> }>;
  sc: MView;
  locks: Record<string, MView>;
}

function copy(m: WeakMemory): M {
  return JSON.parse(JSON.stringify(m)) as M;
}

function ctxOf(m: M, ctx: string): M['ctxs'][string] {
  const c = m.ctxs[ctx];
  if (!c) throw new Error(`weak memory: no context '${ctx}' (unknown or retired)`);
  return c;
}

function histOf(m: { locs: WeakMemory['locs'] }, x: string): readonly Message[] {
  const h = m.locs[x];
  if (!h) throw new Error(`weak memory: '${x}' is not a marked location`);
  return h;
}

/** Every view of the memory, for renumbering. */
function* allViews(m: M): Generator<MView> {
  for (const x in m.locs) for (const msg of m.locs[x] ?? []) yield msg.view;
  for (const c of Object.values(m.ctxs)) {
    yield c.cur;
    yield c.acq;
    yield c.rel;
    yield c.own;
    yield c.ulv;
    yield c.ctrl;
    for (const r of Object.values(c.regs)) yield r;
  }
  yield m.sc;
  for (const l of Object.values(m.locks)) yield l;
}

/**
 * Drops the messages of each location older than every running context's
 * `cur` (none can read them, and every write goes after `cur`), and
 * renumbers from 0. Every view is only ever joined into some `cur` — never
 * compared below it — so entries under the minimum can be clamped to it.
 */
function collect(m: M): M {
  if (m.mode === 'sc') return m;
  const ctxs = Object.values(m.ctxs);
  for (const x in m.locs) {
    const hist = m.locs[x] ?? [];
    const last = hist.length - 1;
    // with no context left, only the final value matters
    const low = ctxs.length ? Math.min(...ctxs.map((c) => at(c.cur, x))) : last;
    if (low <= 0) continue;
    m.locs[x] = hist.slice(low);
    for (const v of allViews(m)) {
      const t = v[x];
      if (t === undefined) continue;
      if (t <= low) delete v[x];
      else v[x] = t - low;
    }
    for (const msg of m.locs[x] ?? []) msg.t -= low;
  }
  return m;
}

function done(m: M): WeakMemory {
  return collect(m);
}

// ---------------------------------------------------------------- construction

/**
 * A memory with one initial message per location (value from `init`, view ⊥),
 * the contexts `ctxs` with empty views, and `locks` never unlocked.
 * A lock that should also be a readable lock word (for `spin_is_locked`) is
 * listed in `init` too, with value 0.
 */
export function weakMemory(mode: 'sc' | 'lkmm', init: { readonly [loc: string]: Value }, ctxs: readonly string[], locks: readonly string[] = []): WeakMemory {
  const locs: Record<string, Message[]> = {};
  for (const x of Object.keys(init).sort()) locs[x] = [{ v: init[x] as Value, t: 0, view: {}, by: 'init' }];
  const cs: Record<string, ContextViews> = {};
  if (mode === 'lkmm') for (const c of ctxs) cs[c] = { cur: {}, acq: {}, rel: {}, own: {}, ulv: {}, ctrl: {}, regs: {} };
  const ls: Record<string, View> = {};
  for (const l of locks) ls[l] = {};
  return { mode, locs, ctxs: cs, sc: {}, locks: ls };
}

/** The coherence-last message of `x`: its value in a final state, and what an RMW reads. */
export function latest(m: WeakMemory, x: string): Message {
  const h = histOf(m, x);
  return h[h.length - 1] as Message;
}

/** A context is finished: its views stop holding old messages alive. */
export function retire(m: WeakMemory, ctx: string): WeakMemory {
  if (m.mode === 'sc' || !(ctx in m.ctxs)) return m;
  const w = copy(m);
  delete w.ctxs[ctx];
  return done(w);
}

/**
 * The state key of a memory: messages without their writer's name (which
 * only traces read). Histories are already pruned and renumbered by every
 * operation, so equal futures give equal keys.
 */
export function canonicalMemory(m: WeakMemory): unknown {
  const locs: Record<string, { v: Value; view: View; rmw?: true }[]> = {};
  for (const x in m.locs) locs[x] = (m.locs[x] ?? []).map((msg) => (msg.rmw ? { v: msg.v, view: msg.view, rmw: true } : { v: msg.v, view: msg.view }));
  return { mode: m.mode, locs, ctxs: m.ctxs, sc: m.sc, locks: m.locks };
}

// ---------------------------------------------------------------- registers and dependencies

function regsView(c: M['ctxs'][string], regs: readonly string[] | undefined): View {
  return regs && regs.length ? join(...regs.map((r) => c.regs[r] ?? {})) : {};
}

/** `r = expr` over registers only: `r` now depends on the reads behind `from` (data flow through locals). */
export function assign(m: WeakMemory, ctx: string, r: string, from: readonly string[]): WeakMemory {
  if (m.mode === 'sc') return m;
  const w = copy(m);
  const c = ctxOf(w, ctx);
  c.regs[r] = regsView(c, from) as MView;
  return done(w);
}

/**
 * An `if` on registers `regs`: every later write of the context is placed
 * after the reads behind them (control dependency, "ctrl" in
 * linux-kernel.cat). LKMM orders only the writes inside the branch; keeping
 * the dependency for the rest of the body is stronger (fewer behaviours, so
 * a bug that needs a write after the `if` to pass the read can be missed —
 * spec 06 §2 lists it as a gap).
 * A control dependency gives no read→read ordering, as in LKMM.
 */
export function control(m: WeakMemory, ctx: string, regs: readonly string[]): WeakMemory {
  if (m.mode === 'sc' || regs.length === 0) return m;
  const w = copy(m);
  const c = ctxOf(w, ctx);
  c.ctrl = join(c.ctrl, regsView(c, regs)) as MView;
  return done(w);
}

// ---------------------------------------------------------------- reads

/**
 * The messages a read of `x` by `ctx` may return, oldest first: those at or
 * after `cur[x]` (coherence: explanation.txt "THE COHERENCE ORDER"), after
 * joining the views of the registers the address came from (LKMM preserves
 * address dependencies, "addr" in linux-kernel.cat). In `sc` mode: the latest.
 */
export function readable(m: WeakMemory, ctx: string, x: string, deps: Deps = {}): readonly Message[] {
  const h = histOf(m, x);
  if (m.mode === 'sc') return [h[h.length - 1] as Message];
  const c = m.ctxs[ctx];
  if (!c) throw new Error(`weak memory: no context '${ctx}' (unknown or retired)`);
  const low = Math.max(at(c.cur, x), at(regsView(c as M['ctxs'][string], deps.addr), x));
  return h.slice(low);
}

/**
 * Reads so far (in this thread) that returned a message older than the
 * coherence-latest one of their location. LKMM's hardware lets a context
 * do that only finitely often: every write becomes visible to every
 * context eventually. The liveness engine samples this count around each
 * step and keeps such reads out of the cycles it calls fair.
 */
let staleReads = 0;

/** The count of stale reads so far; see above. Only its changes mean anything. */
export function staleReadCount(): number {
  return staleReads;
}

/**
 * A read of `x` by `ctx` returning the message with timestamp `t` (one of
 * {@link readable}); `into` names the register that receives the value, so
 * later accesses can depend on it. A relaxed read remembers the message's
 * view in `acq` for a later `smp_rmb`/`smp_mb`; an acquire read joins it into
 * `cur` at once (explanation.txt "ACQUIRE AND RELEASE").
 */
export function read(m: WeakMemory, ctx: string, x: string, t: number, order: ReadOrder, opts: Deps & { readonly into?: string } = {}): { mem: WeakMemory; msg: Message } {
  const h = histOf(m, x);
  if (m.mode === 'sc') {
    const msg = h[h.length - 1] as Message;
    if (t !== msg.t) throw new Error(`sc read of '${x}' must read the latest message`);
    return { mem: m, msg };
  }
  const w = copy(m);
  const c = ctxOf(w, ctx);
  const addr = regsView(c, opts.addr);
  c.cur = join(c.cur, addr) as MView;
  const msg = (w.locs[x] ?? [])[t];
  if (!msg || t < at(c.cur, x)) throw new Error(`weak memory: ${ctx} cannot read '${x}'@${t}`);
  const seen = join(msg.view, single(x, t));
  c.cur = join(c.cur, single(x, t)) as MView;
  c.acq = join(c.acq, seen) as MView;
  if (order === 'acquire') c.cur = join(c.cur, seen) as MView;
  if (opts.into !== undefined) c.regs[opts.into] = join(seen, addr) as MView;
  if (t < h.length - 1) staleReads++;
  const out = { ...msg, view: { ...msg.view } };
  return { mem: done(w), msg: out };
}

// ---------------------------------------------------------------- writes

function lowerBound(m: WeakMemory, ctx: string, x: string, order: WriteOrder, deps: Deps): number {
  const c = m.ctxs[ctx];
  if (!c) throw new Error(`weak memory: no context '${ctx}' (unknown or retired)`);
  const cc = c as M['ctxs'][string];
  const dep = join(cc.ctrl, regsView(cc, deps.addr), regsView(cc, deps.data), order === 'release' ? cc.acq : {});
  return Math.max(at(cc.cur, x), at(dep, x));
}

/**
 * Where a write of `x` by `ctx` may go: the timestamps of the messages it
 * may be placed right after, oldest first. Anywhere after
 * `max(cur[x], dep[x])`, not only at the end — that is what lets
 * `S+poonceonces` happen (the other context's write goes coherence-later
 * although it ran earlier). `dep` joins the control dependencies, the
 * registers of the address and the value, and for a release what the
 * context has observed (`acq`). In `sc` mode: after the latest only.
 */
export function placements(m: WeakMemory, ctx: string, x: string, order: WriteOrder, deps: Deps = {}): readonly number[] {
  const last = histOf(m, x).length - 1;
  if (m.mode === 'sc') return [last];
  const h = histOf(m, x);
  const out: number[] = [];
  // never between an RMW's write and the message it read
  for (let p = lowerBound(m, ctx, x, order, deps); p <= last; p++) if (!h[p + 1]?.rmw) out.push(p);
  return out;
}

/** Inserts a message at `t`, shifting every later message and view entry of `x` by one. */
function insert(w: M, x: string, t: number, v: Value, view: MView, by: string, rmw: boolean): void {
  const h = w.locs[x] ?? [];
  if (t < h.length) {
    for (const vw of allViews(w)) {
      const u = vw[x];
      if (u !== undefined && u >= t) vw[x] = u + 1;
    }
    for (const msg of h) if (msg.t >= t) msg.t += 1;
  }
  h.splice(t, 0, rmw ? { v, t, view, by, rmw: true } : { v, t, view, by });
  w.locs[x] = h;
}

/**
 * A write `x := v` by `ctx` placed right after the message with timestamp
 * `after` (one of {@link placements}). A relaxed write carries `rel`, the
 * view of the context's last release fence. A release write orders every
 * earlier access before it and is A-cumulative (explanation.txt "ACQUIRE AND
 * RELEASE", "CUMULATIVITY"): it carries `cur ⊔ acq`.
 */
export function write(m: WeakMemory, ctx: string, x: string, v: Value, order: WriteOrder, after: number, deps: Deps = {}): WeakMemory {
  return place(m, ctx, x, v, order, after, deps, false);
}

function place(m: WeakMemory, ctx: string, x: string, v: Value, order: WriteOrder, after: number, deps: Deps, rmw: boolean): WeakMemory {
  const h = histOf(m, x);
  if (m.mode === 'sc') return { ...m, locs: { ...m.locs, [x]: [{ v, t: 0, view: {}, by: ctx }] } };
  if (after < lowerBound(m, ctx, x, order, deps) || after >= h.length || h[after + 1]?.rmw) throw new Error(`weak memory: ${ctx} cannot place a write of '${x}' after @${after}`);
  const w = copy(m);
  const t = after + 1;
  const c0 = ctxOf(w, ctx);
  const carried = order === 'release' ? join(c0.cur, c0.acq) : c0.rel;
  insert(w, x, t, v, join(carried, single(x, t)) as MView, ctx, rmw);
  const c = ctxOf(w, ctx);
  c.cur = join(c.cur, single(x, t)) as MView;
  c.own = { ...c.own, [x]: t };
  return done(w);
}

// ---------------------------------------------------------------- read-modify-write

/**
 * One way an RMW may go: the message it reads (`t`, `v`, `by`), and whether
 * `f` fails on that value (then it only reads, unordered). A succeeding
 * choice's `t` is numbered as in the memory after the RMW's leading
 * `smp_mb` (for `mb`), a failing one's as in the memory given.
 */
export interface RmwChoice {
  readonly t: number;
  readonly v: Value;
  readonly by: string;
  readonly fails: boolean;
}

function rmwWriteOrder(order: RmwOrder): WriteOrder {
  return order === 'mb' || order === 'release' ? 'release' : 'once';
}

/**
 * The messages an RMW of `x` by `ctx` may read, oldest first. A succeeding
 * RMW writes immediately after the message it read, so it may read any
 * message its context may read and write after — not only the latest (an
 * RMW's place in coherence order is as free as a write's) — unless another
 * RMW already sits right after that message (atomicity, linux-kernel.cat's
 * `empty rmw & (fre ; coe)`). A failing one (a cmpxchg that does not
 * match, `dec_if_positive` at 0) is a plain relaxed read of any readable
 * message. In `sc` mode: the latest.
 */
export function rmwChoices(m: WeakMemory, ctx: string, x: string, f: (old: Value) => Value | undefined, order: RmwOrder, deps: Deps = {}): readonly RmwChoice[] {
  if (m.mode === 'sc') {
    const last = latest(m, x);
    return [{ t: last.t, v: last.v, by: last.by, fails: f(last.v) === undefined }];
  }
  const out: RmwChoice[] = [];
  for (const msg of readable(m, ctx, x, deps)) if (f(msg.v) === undefined) out.push({ t: msg.t, v: msg.v, by: msg.by, fails: true });
  const base = order === 'mb' ? fence(m, ctx, 'mb') : m;
  const h = histOf(base, x);
  const low = lowerBound(base, ctx, x, rmwWriteOrder(order), deps);
  for (const msg of readable(base, ctx, x, deps)) if (f(msg.v) !== undefined && msg.t >= low && !h[msg.t + 1]?.rmw) out.push({ t: msg.t, v: msg.v, by: msg.by, fails: false });
  return out.sort((a, b) => Number(a.fails) - Number(b.fails) || a.v.toString().localeCompare(b.v.toString()) || a.t - b.t);
}

/**
 * An atomic read-modify-write of `x` by `ctx` reading the message of
 * `choice` (one of {@link rmwChoices}; default: the coherence-latest) and,
 * when `f` gives a value, writing it immediately after, where no later
 * write may come between. `mb` is a value-returning atomic:
 * `smp_mb; acquire+release RMW; smp_mb` (explanation.txt "THE STRONG-FENCE
 * RELATION"). A failing RMW only reads, relaxed: it is not ordered.
 * Returns the old value.
 */
export function rmw(m: WeakMemory, ctx: string, x: string, f: (old: Value) => Value | undefined, order: RmwOrder, opts: Deps & { readonly into?: string } = {}, choice?: RmwChoice): { mem: WeakMemory; old: Value } {
  const pick = choice ?? (() => {
    const all = rmwChoices(m, ctx, x, f, order, opts);
    const last = latest(order === 'mb' ? fence(m, ctx, 'mb') : m, x);
    return all.find((c) => !c.fails && c.t === last.t) ?? all.find((c) => c.fails && c.t === latest(m, x).t);
  })();
  if (!pick) throw new Error(`weak memory: ${ctx} has no RMW of '${x}' on its latest message`);
  if (m.mode === 'sc') {
    const nv = f(pick.v);
    return { mem: nv === undefined ? m : write(m, ctx, x, nv, 'once', pick.t), old: pick.v };
  }
  if (pick.fails) return { mem: read(m, ctx, x, pick.t, 'once', opts).mem, old: pick.v };
  let w = m;
  if (order === 'mb') w = fence(w, ctx, 'mb');
  const nv = f(pick.v) as Value;
  w = read(w, ctx, x, pick.t, order === 'mb' || order === 'acquire' ? 'acquire' : 'once', opts).mem;
  // the read set cur[x] to the message it read (renumbered if older messages were dropped)
  const at = w.ctxs[ctx]?.cur[x] ?? 0;
  w = place(w, ctx, x, nv, rmwWriteOrder(order), at, opts, true);
  if (order === 'mb') w = fence(w, ctx, 'mb');
  return { mem: w, old: pick.v };
}

// ---------------------------------------------------------------- fences

/**
 * A fence by `ctx`. `smp_rmb`: acquire what relaxed reads saw (`cur ⊔= acq`).
 * `smp_wmb`: later writes carry the context's own earlier writes
 * (`rel ⊔= own`; not cumulative, as in LKMM). `smp_mb`: `cur ⊔= acq ⊔ sc`,
 * then `sc := cur` and `rel := cur` — strong fences are totally ordered
 * through `sc` (linux-kernel.cat's "pb" and "propagation" axioms).
 * `smp_mb__before_atomic`/`__after_atomic` are treated as `smp_mb` (LKMM
 * only gives that strength next to an RMW: stronger when misused), and
 * `smp_mb__after_spinlock` is `smp_mb` (linux-kernel.def).
 */
export function fence(m: WeakMemory, ctx: string, kind: Fence): WeakMemory {
  if (m.mode === 'sc') return m;
  const w = copy(m);
  const c = ctxOf(w, ctx);
  switch (kind) {
    case 'rmb':
      c.cur = join(c.cur, c.acq) as MView;
      break;
    case 'wmb':
      c.rel = join(c.rel, c.own) as MView;
      break;
    default:
      c.cur = join(c.cur, c.acq, w.sc) as MView;
      w.sc = { ...c.cur };
      c.rel = { ...c.cur };
  }
  return done(w);
}

// ---------------------------------------------------------------- locks

/**
 * The ordering side of acquiring lock `l` (mutual exclusion stays with the
 * caller: call it only when `l` was free). `cur ⊔= lockview[l] ⊔ ulv`, and
 * later relaxed writes carry the same view: LKMM's po-unlock-lock-po
 * (lock.cat; explanation.txt "LOCKING") orders everything before an unlock
 * before everything after a later lock of the same lock on any CPU, or of
 * any lock on the same CPU, and acts as a cumulative fence for third parties.
 * If `l` is also a location (a lock word), 1 is written right after its last
 * message with no ordering (view `rel ⊔ {l: t}`), so `spin_is_locked()` can
 * see the lock taken before it sees a store made inside the critical section.
 */
export function lock(m: WeakMemory, ctx: string, l: string): WeakMemory {
  if (m.mode === 'sc') return l in m.locs ? write(m, ctx, l, 1, 'once', 0) : m;
  let w0 = m;
  if (l in m.locs) w0 = write(m, ctx, l, 1, 'once', latest(m, l).t);
  const w = copy(w0);
  const c = ctxOf(w, ctx);
  const v = join(w.locks[l] ?? {}, c.ulv);
  c.cur = join(c.cur, v) as MView;
  c.rel = join(c.rel, v) as MView;
  return done(w);
}

/**
 * Releasing lock `l`: a release of everything before it. `lockview[l] := cur`,
 * `ulv := cur ⊔ acq` (spec 06 §2). A lock word gets 0 at the end of its
 * history, written as a release.
 */
export function unlock(m: WeakMemory, ctx: string, l: string): WeakMemory {
  if (m.mode === 'sc') return l in m.locs ? write(m, ctx, l, 0, 'once', 0) : m;
  let w0 = m;
  if (l in m.locs) w0 = write(m, ctx, l, 0, 'release', latest(m, l).t);
  const w = copy(w0);
  const c = ctxOf(w, ctx);
  w.locks[l] = { ...c.cur };
  c.ulv = join(c.cur, c.acq) as MView;
  return done(w);
}
