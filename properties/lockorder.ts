/**
 * Predictive lock-order checking, as lockdep does it
 * (Documentation/locking/lockdep-design.rst): every time a context acquires
 * (or starts waiting for) lock class B while holding class A, the edge A → B
 * joins one graph shared by every trace of a run, whatever engine produced
 * it. A cycle in that graph is a possible deadlock even if no trace
 * deadlocked: the orders were seen in different traces.
 *
 * Edges are read off the kernel slice of consecutive states, so no model
 * code is involved. A lock's class is its name up to a `[` or `#` (so
 * `state_mutex[0]` and `state_mutex[1]` are one class); nesting two locks of
 * one class is not an edge — the equivalent of lockdep's nesting annotation.
 */
import type { AnyMachine } from '../model/contract.js';
import type { KernelState } from '../model/kernel/state.js';
import { heldBy, waitingOn } from '../model/kernel/state.js';
import type { Trace } from './core.js';

/** The class of a lock instance name. */
export function lockClass(name: string): string {
  const i = name.search(/[[#]/);
  return i < 0 ? name : name.slice(0, i);
}

/** Where an edge was first seen. */
export interface EdgeOrigin {
  readonly from: string;
  readonly to: string;
  readonly ctx: string;
  /** Index of the step in `labels` that took (or queued on) `to`. */
  readonly step: number;
  /** The actions of the trace up to that step, replayable by label. */
  readonly labels: readonly string[];
  /** Where the trace came from, e.g. `seed 3 run 12` or `explore`. */
  readonly source: string;
  /** The configuration the trace ran in, when known: with `labels`, enough to replay it. */
  readonly config?: unknown;
}

/** The class dependency graph of a run. */
export class LockGraph {
  private readonly edges = new Map<string, EdgeOrigin>();

  /** Number of distinct class edges seen. */
  get size(): number {
    return this.edges.size;
  }

  /** Adds the edges of one trace of machine `m`. */
  addTrace(m: AnyMachine, t: Trace, source: string, config?: unknown): void {
    let prev: KernelState = m.kernel(t.init);
    t.steps.forEach((step, i) => {
      const next = m.kernel(step.state);
      this.addStep(prev, next, step.info.ctx, i, () => t.steps.slice(0, i + 1).map((s) => s.label), source, config);
      prev = next;
    });
  }

  /**
   * Adds the edges of one step by `ctx` from kernel slice `prev` to `next`;
   * `labels` is called only when a new edge needs its trace.
   */
  addStep(prev: KernelState, next: KernelState, ctx: string, step: number, labels: () => readonly string[], source: string, config?: unknown): void {
    const before = heldBy(prev, ctx);
    if (before.length === 0) return;
    const after = heldBy(next, ctx);
    const wantNow = waitingOn(next, ctx);
    const taken = [...after.filter((l) => !before.includes(l)), ...(wantNow !== undefined && wantNow !== waitingOn(prev, ctx) ? [wantNow] : [])];
    for (const to of taken)
      for (const from of before) {
        const a = lockClass(from);
        const b = lockClass(to);
        if (a === b) continue;
        const key = `${a}\u0000${b}`;
        if (!this.edges.has(key)) this.edges.set(key, { from: a, to: b, ctx, step, labels: labels(), source, ...(config !== undefined ? { config } : {}) });
      }
  }

  /** Every edge, in the order first seen. */
  list(): EdgeOrigin[] {
    return [...this.edges.values()];
  }

  /** Adds an edge seen elsewhere (a worker thread's graph) unless its classes are already joined. */
  add(e: EdgeOrigin): void {
    const key = `${e.from}\u0000${e.to}`;
    if (!this.edges.has(key)) this.edges.set(key, e);
  }

  /** A cycle of class edges, as the edges in order, or undefined. */
  cycle(): EdgeOrigin[] | undefined {
    const out = new Map<string, EdgeOrigin[]>();
    for (const e of this.edges.values()) out.set(e.from, [...(out.get(e.from) ?? []), e]);
    const state = new Map<string, 'open' | 'done'>();
    const path: EdgeOrigin[] = [];
    const visit = (n: string): EdgeOrigin[] | undefined => {
      state.set(n, 'open');
      for (const e of [...(out.get(n) ?? [])].sort((x, y) => (x.to < y.to ? -1 : 1))) {
        path.push(e);
        if (state.get(e.to) === 'open') return path.slice(path.findIndex((p) => p.from === e.to));
        if (!state.has(e.to)) {
          const c = visit(e.to);
          if (c) return c;
        }
        path.pop();
      }
      state.set(n, 'done');
      return undefined;
    };
    for (const n of [...out.keys()].sort()) {
      if (state.has(n)) continue;
      const c = visit(n);
      if (c) return c;
    }
    return undefined;
  }
}

/** A lockdep-style report of a cycle: the lock being taken, the lock held, and the chain with where each edge came from. */
export function lockdepReport(cycle: readonly EdgeOrigin[]): string {
  const last = cycle[cycle.length - 1];
  const lines = [
    'possible circular locking dependency detected',
    last ? `${last.ctx} is trying to acquire ${last.to} while holding ${last.from}` : '',
    'the existing dependency chain (in reverse order):',
  ];
  [...cycle].reverse().forEach((e, i) => {
    lines.push(`  -> #${i} ${e.from} -> ${e.to}: ${e.ctx} took ${e.to} holding ${e.from} at step ${e.step + 1} of ${e.source}`);
    if (e.config !== undefined) lines.push(`     config: ${JSON.stringify(e.config)}`);
    lines.push(`     actions: ${e.labels.join(' ')}`);
  });
  return lines.filter((l) => l !== '').join('\n');
}
