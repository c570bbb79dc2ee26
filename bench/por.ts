/**
 * What partial-order reduction could save on each model, before anyone
 * builds it (`npm run bench -- por [MODEL]`; issue 18). SPIN's reduction
 * explores, in a state where some context's enabled steps all touch only
 * that context's own data, those steps alone (an ample set). This measures,
 * per model, in how many states such a context exists — an upper bound of
 * the states that reduction could prune — first from the steps' footprints
 * alone, then with the visibility condition the properties impose.
 *
 * Deliberately generous, so that a zero is a zero:
 * - a field is a context's own when no other context's step read or wrote
 *   it anywhere in the explored graph (guards are not recorded, so enabling
 *   and disabling are not counted as dependence);
 * - a step qualifies when every field its effect read or wrote is its
 *   context's own, it took no lock (`taken`), and the kernel slice is the
 *   same object after it (no lock, no wait queue, no fault changed);
 * - visibility: the step writes no field any property read, by path shape
 *   (`tasks[2].pc` and `tasks[0].pc` are one field), on a sample of
 *   transitions.
 *
 * The graph is the exhaustive engine's own on the reference variant's §7
 * configuration (its state key and symmetry), on the immer path, read
 * through the sink the race check uses.
 */
import type { ActionBase, AnyMachine } from '../model/contract.js';
import { type Footprint, recordFootprint } from '../model/kernel/footprint.js';
import { related } from '../properties/races.js';
import { walkGraph } from './graph.js';

/** One machine's figures. */
export interface PorPotential {
  /** States explored, and whether that was the whole graph. */
  readonly states: number;
  readonly complete: boolean;
  /** States with two or more contexts enabled (where an ample set could prune anything). */
  readonly interleaved: number;
  /** Of those, states where one context's enabled steps all touch only its own fields. */
  readonly local: number;
  /** Of those, states where such a context's steps also write no field a property reads. */
  readonly invisible: number;
  /**
   * Of the states with two or more contexts enabled, those with at least one
   * enabled step of any context that writes no field a property reads and
   * leaves the kernel slice alone. A reduced set that is not every enabled
   * step must hold invisible steps only (the visibility condition of ample
   * and stubborn sets alike), so a state outside this count cannot be
   * reduced by either, whatever the dependence relation.
   */
  readonly someInvisible: number;
  /** The steps found invisible there most often (step type and context), with their counts. */
  readonly invisibleSteps: readonly (readonly [string, number])[];
  /** The fields that made such steps visible most often, with the step that wrote them. */
  readonly visibleBy: readonly (readonly [string, number])[];
}

/** Counts one more `k`. */
const bump = (counts: Map<string, number>, k: string): void => void counts.set(k, (counts.get(k) ?? 0) + 1);

/** The three most counted, most first. */
const top3 = (counts: Map<string, number>): [string, number][] => [...counts].sort((a, b) => b[1] - a[1]).slice(0, 3);

/** `tasks[2].pc` → `tasks[].pc`: one field of every element. */
const shapeOf = (f: string): string => f.replace(/\[\d+\]/g, '[]');

/** Every step taken from one state: its context, footprint and whether the kernel slice changed. */
interface Step {
  readonly type: string;
  readonly ctx: string;
  readonly fp: Footprint;
  readonly kernelChanged: boolean;
}

/** The fields the properties read when judging `s --a--> n` (without the `prev.`/`next.` prefix). */
function propertyReads(m: AnyMachine, s: unknown, a: ActionBase, n: unknown, into: Set<string>): void {
  // a thawed copy: a recording proxy cannot stand for a frozen object (msgmni freezes its kernel slice)
  const root = structuredClone({ prev: s, next: n });
  const fp = recordFootprint(root, '\u0000', (w) => {
    for (const p of m.properties) if (p.kind !== 'eventually') p.check({ prev: w.prev, action: a, next: w.next });
  });
  for (const f of fp.reads) into.add(shapeOf(f.replace(/^(prev|next)\.?/, '')));
}

/** Explores `m` (at most `maxStates`) and measures the ample sets' room. */
export function porPotential(m: AnyMachine, maxStates: number, sampleEvery = 5): PorPotential {
  const footprint = m.footprint;
  if (footprint === undefined) throw new Error('the machine records no footprints: not built from rules');
  const toucher = new Map<string, Set<string>>();
  const read = new Set<string>();
  // the steps of each expanded state: the engine hands every transition to the race check's sink, a state's in a row
  const graph: Step[][] = [];
  let transitions = 0;
  const r = walkGraph(m, { maxStates, fastPath: false }, (s, a, n, first) => {
    if (first) graph.push([]);
    const ctx = m.describe(a).ctx;
    const fp = footprint(s, a);
    for (const f of [...fp.reads, ...fp.writes]) {
      let who = toucher.get(f);
      if (who === undefined) toucher.set(f, (who = new Set()));
      who.add(ctx);
    }
    // the immer path: an untouched kernel slice is the same object after the step
    (graph.at(-1) as Step[]).push({ type: a.type, ctx, fp, kernelChanged: m.kernel(s) !== m.kernel(n) });
    if (transitions++ % sampleEvery === 0) propertyReads(m, s, a, n, read);
  });

  const fields = [...toucher.keys()];
  const ownerOf = new Map<string, string | undefined>();
  const owner = (f: string): string | undefined => {
    if (ownerOf.has(f)) return ownerOf.get(f);
    const who = new Set<string>();
    for (const g of fields) if (related(f, g)) for (const c of toucher.get(g) ?? []) who.add(c);
    const o = who.size === 1 ? [...who][0] : undefined;
    ownerOf.set(f, o);
    return o;
  };
  const readShapes = [...read];
  const visible = (f: string): boolean => readShapes.some((r) => related(shapeOf(f), r));
  let interleaved = 0;
  let local = 0;
  let invisible = 0;
  let someInvisible = 0;
  const invisibleSteps = new Map<string, number>();
  const visibleBy = new Map<string, number>();
  for (const steps of graph) {
    const byCtx = new Map<string, Step[]>();
    for (const x of steps) {
      const xs = byCtx.get(x.ctx);
      if (xs === undefined) byCtx.set(x.ctx, [x]);
      else xs.push(x);
    }
    if (byCtx.size < 2) continue;
    interleaved++;
    const quiet = steps.filter((x) => !x.kernelChanged && !x.fp.writes.some(visible));
    if (quiet.length > 0) someInvisible++;
    // counted once per state, however many arguments the step takes there
    for (const step of new Set(quiet.map((x) => `${x.type} (${x.ctx})`))) bump(invisibleSteps, step);
    let anyLocal = false;
    let anyInvisible = false;
    for (const [ctx, xs] of byCtx) {
      const own = xs.every((x) => !x.kernelChanged && x.fp.taken === undefined && [...x.fp.reads, ...x.fp.writes].every((f) => owner(f) === ctx));
      if (!own) continue;
      anyLocal = true;
      const shown = xs.flatMap((x) => x.fp.writes.filter(visible).map((f) => `${shapeOf(f)} (${x.type})`));
      for (const f of shown) bump(visibleBy, f);
      if (shown.length === 0) anyInvisible = true;
    }
    if (anyLocal) local++;
    if (anyInvisible) invisible++;
  }
  return {
    states: r.states,
    complete: r.complete,
    interleaved,
    local,
    invisible,
    someInvisible,
    invisibleSteps: top3(invisibleSteps),
    visibleBy: top3(visibleBy),
  };
}
