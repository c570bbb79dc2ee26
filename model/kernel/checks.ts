/**
 * Built-in checks run on every step of every model (spec 00 §2, §6): lock
 * discipline (unlock by a non-owner, unlock of a free lock), sleep in atomic,
 * and deadlock. They read only the kernel slice of the state, plus whether
 * any action is enabled and whether the state is quiescent.
 */
import type { KernelState } from './state.js';
import { holdersOf } from './state.js';

/** Names of the built-in properties, in the order they are checked. */
export const BUILTIN = ['deadlock', 'lock-discipline', 'sleep-in-atomic'] as const;
/** One built-in property name. */
export type Builtin = (typeof BUILTIN)[number];

/** A built-in violation. */
export interface BuiltinViolation {
  readonly property: Builtin;
  readonly message: string;
}

/** Contexts each context waits for: waiter → holders of the lock it is queued on. */
function waitEdges(k: KernelState): Map<string, { lock: string; holders: string[] }> {
  const edges = new Map<string, { lock: string; holders: string[] }>();
  for (const [name, l] of Object.entries(k.locks)) {
    const holders = holdersOf(l);
    const waiters = l.kind === 'rwsem' ? l.waiters.map((w) => w.ctx) : l.waiters;
    for (const w of waiters) edges.set(w, { lock: name, holders });
  }
  return edges;
}

/**
 * A cycle in the "holds A while waiting for B" graph, described lock by lock,
 * e.g. `O holds cmm_lock and waits for zone_lock, held by H; H holds zone_lock and waits for cmm_lock, held by O`.
 */
export function lockCycle(k: KernelState): string | undefined {
  const edges = waitEdges(k);
  const heldLocks = (ctx: string): string[] =>
    Object.entries(k.locks)
      .filter(([, l]) => holdersOf(l).includes(ctx))
      .map(([n]) => n);
  for (const start of [...edges.keys()].sort()) {
    const path: string[] = [];
    const seen = new Set<string>();
    let cur: string | undefined = start;
    while (cur !== undefined && !seen.has(cur)) {
      seen.add(cur);
      path.push(cur);
      const e = edges.get(cur);
      // follow the first holder that is itself waiting; a holder that can run breaks the chain
      cur = e?.holders.find((h) => edges.has(h));
    }
    if (cur === undefined) continue;
    const cycle = path.slice(path.indexOf(cur));
    return cycle
      .map((c) => {
        const e = edges.get(c);
        const held = heldLocks(c);
        return `${c} holds ${held.length ? held.join('+') : 'nothing'} and waits for ${e?.lock ?? '?'}, held by ${e?.holders.join('+') ?? '?'}`;
      })
      .join('; ');
  }
  return undefined;
}

/**
 * The built-in violations of a state, in {@link BUILTIN} order.
 * `enabled` is the number of enabled actions; with none and a non-quiescent
 * state, no context can ever move again.
 */
export function builtinViolations(k: KernelState, enabled: number, quiescent: boolean): BuiltinViolation[] {
  const out: BuiltinViolation[] = [];
  const cycle = lockCycle(k);
  if (cycle) out.push({ property: 'deadlock', message: `lock cycle: ${cycle}` });
  else if (enabled === 0 && !quiescent) {
    const waits = [...waitEdges(k).entries()].map(([w, e]) => `${w} waits for ${e.lock} (held by ${e.holders.join('+') || 'nobody'})`);
    out.push({ property: 'deadlock', message: `no context can move${waits.length ? ': ' + waits.join('; ') : ' and the state is not quiescent'}` });
  }
  const discipline = k.faults.filter((f) => f.kind !== 'sleep-in-atomic');
  if (discipline.length) out.push({ property: 'lock-discipline', message: discipline.map((f) => f.detail).join('; ') });
  const sleeps = k.faults.filter((f) => f.kind === 'sleep-in-atomic');
  if (sleeps.length) out.push({ property: 'sleep-in-atomic', message: sleeps.map((f) => f.detail).join('; ') });
  return out;
}
