/**
 * Data races on unmarked fields (spec 06 §5), by locksets as Eraser finds
 * them: every step's footprint (`Machine.footprint`, the fields its effect
 * read and wrote) is recorded with the context that took it and the locks
 * that context held. Two accesses of one field by different contexts, at
 * least one a write, are a race unless some lock was held by both and by at
 * least one of them exclusively (a spinlock, a mutex, an rwsem for write:
 * two readers of an rwsem exclude nobody). A write of an object-valued
 * field covers every field under it.
 *
 * A step holds a lock when its context holds it before or after the step:
 * a step is atomic, and one that takes a lock and then touches a field (or
 * touches it and then unlocks) does so under the lock. Only locks order
 * here, not happens-before through marked accesses, wake-ups or work
 * items: a field handed over that way is a race to this check, and a model
 * that relies on such a hand-over lists the field in `raceExempt` with the
 * reason, where `mmcheck list` and every report show it. Like lock-order
 * edges, the accesses of every transition of a search meet in one log, so
 * a race is found even when no single trace has both accesses.
 */
import type { AnyMachine } from '../model/contract.js';
import type { ActionBase } from '../model/contract.js';
import type { KernelState } from '../model/kernel/state.js';

/** One access of a field as the race log first met it. */
export interface AccessOrigin {
  readonly field: string;
  readonly ctx: string;
  readonly kind: 'read' | 'write';
  /** Locks held exclusively (spinlock, mutex, rwsem for write). */
  readonly exclusive: readonly string[];
  /** Rwsems held for read. */
  readonly shared: readonly string[];
  /** The spec step and kernel function, e.g. `T3 cmm_thread`. */
  readonly step: string;
  /** Index of the step in `labels`. */
  readonly at: number;
  /** The actions from the initial state through this step, replayable by label. */
  readonly labels: readonly string[];
  /** Where the trace came from, e.g. `explore`. */
  readonly source: string;
}

/** Two accesses that race, the second met after the first. */
export interface Race {
  readonly first: AccessOrigin;
  readonly second: AccessOrigin;
}

/** Where the accesses of every transition go (a {@link RaceLog}). */
export interface RaceSteps {
  addStep(m: AnyMachine, s: unknown, a: ActionBase, n: unknown, step: number, labels: () => readonly string[], source: string): void;
}

/**
 * Exemption patterns as a test of a field path: `tasks[*].pc` (the field
 * or anything under it), `S1: usage` (that field in spec step S1 only), or
 * `C:ns1 RC: ns.ns1` (in step RC taken by context `C:ns1` only). Returns
 * the pattern that matched.
 */
export function exemptTest(patterns: readonly string[]): (field: string, step: string, ctx?: string) => string | undefined {
  const compiled = patterns.map((p) => {
    // the field part follows the last ': ' (a context name may hold a colon)
    const colon = p.lastIndexOf(': ');
    const scope = colon < 0 ? [] : p.slice(0, colon).trim().split(/\s+/);
    const step = scope.length ? scope[scope.length - 1] : undefined;
    const ctx = scope.length > 1 ? scope[0] : undefined;
    const path = colon < 0 ? p : p.slice(colon + 2).trim();
    const body = path
      .split(/(\[\*\]|\*)/)
      .map((part) => (part === '[*]' ? '\\[\\d+\\]' : part === '*' ? '[^.[\\]]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('');
    return { p, step, ctx, re: new RegExp(`^${body}(?:[.[]|$)`) };
  });
  return (field, step, ctx) => compiled.find((c) => (c.step === undefined || c.step === step) && (c.ctx === undefined || c.ctx === ctx) && c.re.test(field))?.p;
}

/** Whether one path is the other or lies under it. */
export function related(a: string, b: string): boolean {
  if (a === b) return true;
  const [short, long] = a.length < b.length ? [a, b] : [b, a];
  if (!long.startsWith(short)) return false;
  const c = long[short.length];
  return c === '.' || c === '[';
}

/** The locks `ctx` holds in `k`: exclusively, and rwsems for read. */
function locksOf(k: KernelState, ctx: string, excl: Set<string>, shared: Set<string>): void {
  for (const [name, l] of Object.entries(k.locks)) {
    if (l.kind === 'rwsem') {
      if (l.writer === ctx) excl.add(name);
      else if (l.readers.includes(ctx)) shared.add(name);
    } else if (l.owner === ctx) excl.add(name);
  }
}

/** Whether a lock keeps the two accesses apart: held by both, by at least one exclusively. */
function ordered(x: AccessOrigin, y: AccessOrigin): boolean {
  return x.exclusive.some((l) => y.exclusive.includes(l) || y.shared.includes(l)) || y.exclusive.some((l) => x.shared.includes(l));
}

/** The accesses of a search and the races among them. */
export class RaceLog {
  private readonly seen = new Set<string>();
  private readonly byField = new Map<string, AccessOrigin[]>();
  private readonly races = new Map<string, Race>();
  /** How many accesses each exemption left out. */
  readonly exempted = new Map<string, number>();
  private readonly exempt: (field: string, step: string, ctx?: string) => string | undefined;

  constructor(exempt: Readonly<Record<string, string>> = {}) {
    this.exempt = exemptTest(Object.keys(exempt));
  }

  /** Fields accessed and checked (not exempt). */
  get fields(): number {
    return this.byField.size;
  }

  /** Fields accessed by more than one context. */
  get shared(): number {
    let n = 0;
    for (const xs of this.byField.values()) if (new Set(xs.map((x) => x.ctx)).size > 1) n++;
    return n;
  }

  /** Records the footprint of step `a` from `s` to `n`, the `step`-th of the trace `labels` gives. */
  addStep(m: AnyMachine, s: unknown, a: ActionBase, n: unknown, step: number, labels: () => readonly string[], source: string): void {
    if (m.footprint === undefined) throw new Error('the model records no footprints (build it from rules): the race check cannot run');
    const fp = m.footprint(s, a);
    if (fp.reads.length === 0 && fp.writes.length === 0) return;
    const info = m.describe(a);
    const excl = new Set<string>();
    const shared = new Set<string>();
    locksOf(m.kernel(s), info.ctx, excl, shared);
    locksOf(m.kernel(n), info.ctx, excl, shared);
    for (const t of fp.taken ?? []) if (t.ctx === info.ctx) (t.shared ? shared : excl).add(t.lock);
    for (const l of excl) shared.delete(l);
    const exclusive = [...excl].sort();
    const sharedList = [...shared].sort();
    const lockKey = `${exclusive.join(',')}|${sharedList.join(',')}`;
    let trace: readonly string[] | undefined;
    const add = (field: string, kind: 'read' | 'write'): void => {
      const hit = this.exempt(field, info.step, info.ctx);
      if (hit !== undefined) {
        this.exempted.set(hit, (this.exempted.get(hit) ?? 0) + 1);
        return;
      }
      const key = `${kind}\u0000${field}\u0000${info.ctx}\u0000${lockKey}`;
      if (this.seen.has(key)) return;
      this.seen.add(key);
      trace ??= labels();
      const x: AccessOrigin = { field, ctx: info.ctx, kind, exclusive, shared: sharedList, step: `${info.step} ${info.fn}`, at: step, labels: trace, source };
      for (const [f, ys] of this.byField) {
        if (!related(f, field)) continue;
        for (const y of ys) {
          if (y.ctx === x.ctx || (y.kind === 'read' && x.kind === 'read') || ordered(x, y)) continue;
          const pair = `${f < field ? f : field}\u0000${f < field ? field : f}\u0000${[x.ctx, y.ctx].sort().join('\u0000')}`;
          if (!this.races.has(pair)) this.races.set(pair, { first: y, second: x });
        }
      }
      const list = this.byField.get(field);
      if (list) list.push(x);
      else this.byField.set(field, [x]);
    };
    for (const f of fp.reads) if (!fp.writes.includes(f)) add(f, 'read');
    for (const f of fp.writes) add(f, 'write');
  }

  /** Every race, one per pair of fields and contexts, in the order found. */
  list(): Race[] {
    return [...this.races.values()];
  }
}

function lockText(x: AccessOrigin): string {
  const held = [...x.exclusive, ...x.shared.map((l) => `${l} (read)`)];
  return held.length ? `holding ${held.join(', ')}` : 'holding no lock';
}

/** A race reported as a lock-order cycle is: the field, both steps with their locks, and the traces that reached them. */
export function raceReport(r: Race, config?: unknown): string {
  const field = r.first.field === r.second.field ? r.first.field : `${r.first.field} / ${r.second.field}`;
  const lines = [`data race on ${field}: ${r.first.ctx} and ${r.second.ctx}, no common lock`];
  for (const x of [r.first, r.second]) {
    lines.push(`  ${x.ctx} ${x.kind === 'write' ? 'writes' : 'reads'} ${x.field} in ${x.step}, ${lockText(x)}, at step ${x.at + 1} of ${x.source}`);
    lines.push(`     actions: ${x.labels.join(' ')}`);
  }
  if (config !== undefined) lines.push(`  config: ${JSON.stringify(config)}`);
  return lines.join('\n');
}
