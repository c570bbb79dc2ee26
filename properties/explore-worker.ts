/**
 * One worker thread of the parallel exhaustive engine (see
 * `explore-parallel.ts`). It holds a contiguous slice of the frontier, in
 * state-number order, expands it when asked, and reports each successor as
 * its fingerprint (or exact key), its parent's number, the index of its action
 * and its violations; the main thread, which owns the seen-set, answers which
 * successors are new and how to rebalance the next frontier among workers.
 */
import type { MessagePort } from 'node:worker_threads';
import { parentPort, workerData } from 'node:worker_threads';
import type { AnyMachine, AnyModel } from '../model/contract.js';
import type { Violation, Visitor } from './core.js';
import { Clock, Judge, successors } from './core.js';
import type { ClockOptions } from './core.js';
import { keyFunction, keySet, keyText } from './explore.js';
import type { EdgeOrigin } from './lockorder.js';
import { LockGraph } from './lockorder.js';
import { fingerprint, FingerprintSet, fpHi } from './fingerprint.js';

/** What the main thread hands a worker when it starts. */
export interface WorkerSetup {
  readonly index: number;
  /** Which model to build (see `WorkerModel` in explore-parallel.ts). */
  readonly source: { readonly module: string; readonly exportName?: string; readonly model: string };
  readonly variant: string;
  readonly config: unknown;
  readonly exact: boolean;
  readonly symmetry: boolean;
  /** Take steps on the fast path when the machine opted in ({@link ExploreOptions.fastPath}). */
  readonly fastPath: boolean;
  /** Gather lock-order edges and report the new ones with each level. */
  readonly lockOrder: boolean;
  /** Wall-clock deadline (Date.now() scale); a level is cut short after it. */
  readonly deadline?: number;
  /** The memory bound (bytes of the process's resident memory); the worker's clock checks it. */
  readonly maxMemoryBytes?: number;
  /** Set non-zero by the main thread when the search must stop (a stop request); polled with the deadline. */
  readonly stopFlag?: SharedArrayBuffer;
  /** Ports to every worker, by index (own index: undefined). */
  readonly ports: readonly (MessagePort | undefined)[];
}

/** Candidate flags. */
export const KNOWN_HERE = 1;
/** The model threw at this candidate's action. */
export const THREW = 2;
/** The model threw computing the actions of the candidate's parent (its action index means nothing). */
export const THREW_AT_PARENT = 4;

/** A worker's report of one expanded level. */
export interface LevelReport {
  readonly type: 'level';
  /** Per candidate: parent number, action index, fingerprint low, high (both 0 in exact mode), flags. */
  readonly cand: Uint32Array;
  /** Exact mode: the key of each candidate not known here (else empty). */
  readonly keys: readonly string[];
  /** Violations by candidate index (only candidates that have some). */
  readonly violations: ReadonlyMap<number, readonly Violation[]>;
  readonly witnessed: readonly string[];
  readonly transitions: number;
  /** The deadline passed before the slice was fully expanded. */
  /** Why the level was cut short, when it was. */
  readonly cut: 'time' | 'stop' | 'memory' | undefined;
  /**
   * Lock-order edges first met in this level; their `labels` are
   * `[parent node, action index]` (the main thread, which holds the trace
   * links, turns them into the path's labels).
   */
  readonly edges: readonly EdgeOrigin[];
}

/** The main thread's answer to a level: which candidates are new, and where the new states go. */
export interface KeepOrder {
  readonly type: 'keep';
  /** Candidate indices that are new states to expand, in order. */
  readonly keep: Uint32Array;
  /** Their state numbers. */
  readonly ids: Uint32Array;
  /** For every worker, the range of this worker's kept list it receives. */
  readonly ranges: readonly (readonly [number, number])[];
  /** How many kept states each worker sends here (by worker index). */
  readonly incoming: readonly number[];
}

interface Slice {
  states: unknown[];
  ids: number[];
}

function isModel(x: unknown): x is AnyModel {
  return typeof x === 'object' && x !== null && typeof (x as { name?: unknown }).name === 'string' && typeof (x as { machine?: unknown }).machine === 'function';
}

/** Imports the model's module (TypeScript through tsx) and finds the model by name in the named export, or in any export. */
async function machineOf(setup: WorkerSetup): Promise<AnyMachine> {
  const { module, exportName, model } = setup.source;
  const mod = (module.endsWith('.ts') ? await (await import('tsx/esm/api')).tsImport(module, module) : await import(module)) as Record<string, unknown>;
  const inner = (mod.default as Record<string, unknown> | undefined)?.default;
  const exported = exportName !== undefined ? [mod[exportName]] : [mod.model, mod.default, inner, ...Object.values(mod)];
  const found = exported.flatMap((x) => (Array.isArray(x) ? (x as unknown[]) : [x])).find((x): x is AnyModel => isModel(x) && x.name === model);
  if (!found) throw new Error(`module ${module} exports no model '${model}'${exportName !== undefined ? ` in '${exportName}'` : ''}`);
  return found.machine(setup.variant, setup.config, { symmetry: setup.symmetry });
}

async function run(): Promise<void> {
  const port = parentPort;
  if (!port) return;
  const setup = workerData as WorkerSetup;
  const m = await machineOf(setup);
  const edges = new LockGraph();
  let edgesSent = 0;
  const judge = new Judge(m, { clock: new Clock(clockOf(setup)), fastPath: setup.fastPath, ...(setup.lockOrder ? { lock: { graph: edges, source: 'explore' } } : {}) });
  const keyOf = keyFunction(m, setup.symmetry);
  const sent = new Set<string>();
  // what this worker has met: fingerprints, or in exact mode key texts (a fingerprint collision must not drop a state there)
  const local = new FingerprintSet();
  const localTexts = keySet((k) => k, true);
  const reported = new Set<string>();
  let slice: Slice = { states: [], ids: [] };
  // successors not known here, held until the main thread says which are new
  let pending: unknown[] = [];
  let pendingAt: number[] = [];
  // segments of the next frontier arriving from other workers
  const inbox = new Map<number, Slice>();
  let waiting: { order: KeepOrder; own: Slice } | undefined;

  const assemble = (): void => {
    if (!waiting) return;
    const { order, own } = waiting;
    for (let w = 0; w < order.incoming.length; w++) if (w !== setup.index && (order.incoming[w] ?? 0) > 0 && !inbox.has(w)) return;
    const next: Slice = { states: [], ids: [] };
    for (let w = 0; w < order.incoming.length; w++) {
      const seg = w === setup.index ? own : inbox.get(w);
      if (!seg) continue;
      // a loop, not push(...seg): a spread of a large level overflows the argument stack
      for (let i = 0; i < seg.states.length; i++) {
        next.states.push(seg.states[i]);
        next.ids.push(seg.ids[i] as number);
      }
    }
    inbox.clear();
    waiting = undefined;
    slice = next;
    port.postMessage({ type: 'ready', size: slice.states.length });
  };

  setup.ports.forEach((p, w) => {
    p?.on('message', (seg: Slice) => {
      inbox.set(w, seg);
      assemble();
    });
  });

  port.on('message', (msg: { type: 'init' } | { type: 'expand'; depth: number } | KeepOrder | { type: 'stop' }) => {
    if (msg.type === 'init') {
      // the initial state lives in worker 0
      if (setup.index === 0) {
        const s0 = m.init();
        slice = { states: [s0], ids: [0] };
        const k0 = keyOf(s0);
        if (setup.exact) localTexts.add(keyText(k0));
        else local.add(fingerprint(k0), fpHi());
      }
      port.postMessage({ type: 'ready', size: slice.states.length });
    } else if (msg.type === 'expand') {
      port.postMessage(expand(msg.depth));
    } else if (msg.type === 'keep') {
      const own: Slice = { states: [], ids: [] };
      // both lists ascend: one pass pairs each kept candidate with its held state
      const kept: unknown[] = [];
      let j = 0;
      for (const i of msg.keep) {
        while ((pendingAt[j] as number) < i) j++;
        kept.push(pending[j]);
      }
      pending = [];
      pendingAt = [];
      msg.ranges.forEach(([lo, hi], w) => {
        if (hi <= lo) return;
        const seg: Slice = { states: kept.slice(lo, hi), ids: Array.from(msg.ids.subarray(lo, hi)) };
        if (w === setup.index) Object.assign(own, seg);
        else setup.ports[w]?.postMessage(seg);
      });
      waiting = { order: msg, own };
      assemble();
    } else {
      for (const p of setup.ports) p?.close();
      port.close();
    }
  });

  function expand(depth: number): LevelReport {
    const cand: number[] = [];
    const keys: string[] = [];
    const violations = new Map<number, readonly Violation[]>();
    const before = judge.transitions;
    let cut: LevelReport['cut'];
    const add = (parent: number, ai: number, lo: number, hi: number, flags: number, vs: readonly Violation[]): void => {
      const i = cand.length / 5;
      cand.push(parent, ai, lo, hi, flags);
      if (vs.length) violations.set(i, vs);
    };
    // the key of the successor being judged, set by isNew
    let id = 0;
    let text = '';
    let lo = 0;
    let hi = 0;
    const visitor: Visitor = {
      depth,
      isNew: (n) => {
        const key = keyOf(n);
        if (setup.exact) return localTexts.add((text = keyText(key)));
        lo = fingerprint(key);
        hi = fpHi();
        return local.add(lo, hi);
      },
      successor: (ai, _a, n, fresh, vs) => {
        if (!fresh) {
          // known here, hence known to the main thread: only new step violations matter
          if (vs.length === 0) return;
          const news = vs.filter((v) => !reported.has(v.property));
          for (const v of news) reported.add(v.property);
          if (news.length) add(id, ai, lo, hi, KNOWN_HERE, news);
          return;
        }
        add(id, ai, lo, hi, 0, vs);
        if (setup.exact) keys.push(text);
        pending.push(n);
        pendingAt.push(cand.length / 5 - 1);
      },
      threw: (ai, v) => add(id, Math.max(ai, 0), 0, 0, ai < 0 ? THREW_AT_PARENT : THREW, [v]),
      // the main thread turns [parent, action] into the path's labels
      pathLabels: (ai) => [String(id), String(ai)],
    };
    for (let qi = 0; qi < slice.states.length; qi++) {
      id = slice.ids[qi] as number;
      const how = successors(judge, slice.states[qi], visitor);
      if (how === 'clock') cut = judge.clock?.stoppedBy ?? 'time';
      if (how !== 'done') break;
    }
    slice = { states: [], ids: [] };
    const witnessed: string[] = [];
    for (const [w, seen] of judge.witnesses) if (seen && !sent.has(w)) witnessed.push(w);
    for (const w of witnessed) sent.add(w);
    const fresh = edges.list().slice(edgesSent);
    edgesSent += fresh.length;
    return { type: 'level', cand: Uint32Array.from(cand), keys, violations, witnessed, transitions: judge.transitions - before, cut, edges: fresh };
  }
}

run().catch((e: unknown) => {
  parentPort?.postMessage({ type: 'error', message: e instanceof Error ? e.message : String(e) });
});

/** The worker's clock: the shared deadline, the memory bound and the main thread's stop flag. */
function clockOf(setup: WorkerSetup): ClockOptions {
  const flag = setup.stopFlag !== undefined ? new Int32Array(setup.stopFlag) : undefined;
  return {
    ...(setup.deadline !== undefined ? { deadline: setup.deadline } : {}),
    ...(setup.maxMemoryBytes !== undefined ? { maxMemoryBytes: setup.maxMemoryBytes } : {}),
    ...(flag ? { stop: () => Atomics.load(flag, 0) !== 0 } : {}),
  };
}
