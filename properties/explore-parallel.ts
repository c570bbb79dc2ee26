/**
 * The exhaustive engine on several worker threads: level-synchronous
 * breadth-first search. Each worker expands its slice of the current level
 * and reports every successor as a fingerprint with its parent's number and
 * action index; the main thread owns the seen-set and the trace links, takes
 * the reports in worker order — which is the order of the sequential engine,
 * because each worker's slice is a contiguous run of state numbers — and
 * tells each worker which successors are new. The new states then move
 * between workers (directly, over message ports) so that every worker holds
 * an equal contiguous slice of the next level. State numbers, state counts
 * and shortest counterexamples are those of {@link explore}.
 *
 * Workers build the machine themselves from a module URL, the model's name,
 * variant and configuration, since a machine's functions cannot be sent to
 * another thread. Lock-order edges (`lockGraph`) are gathered by the workers
 * and sent with each level; the main thread adds their paths.
 */
import { MessageChannel, Worker } from 'node:worker_threads';
import type { MessagePort, WorkerOptions } from 'node:worker_threads';
import type { AnyMachine } from '../model/contract.js';
import { Judge, memoryOver, modelThrew } from './core.js';
import type { ExploreBound, ExploreOptions, ExploreResult } from './explore.js';
import { found, keyFunction, keySet, keyText, labelsOf, SearchLog, SKIP, STOP } from './explore.js';
import type { KeepOrder, LevelReport, WorkerSetup } from './explore-worker.js';
import { KNOWN_HERE, THREW, THREW_AT_PARENT } from './explore-worker.js';
import { fingerprint, FingerprintSet, fpHi } from './fingerprint.js';

/**
 * Which model the workers build: the URL of a module, the export that holds
 * the model (a model, or an array of models; default: any export), the
 * model's name, its variant and configuration. `modelSource` in
 * model/registry.ts gives the first three for a built-in model.
 */
export interface WorkerModel {
  readonly module: string;
  readonly exportName?: string;
  readonly model: string;
  readonly variant: string;
  readonly config: unknown;
}

type FromWorker = LevelReport | { type: 'ready'; size: number } | { type: 'error'; message: string };

/**
 * The worker script: the compiled one next to this module or, when this
 * module runs from its TypeScript source (the test suite), a one-line
 * bootstrap that loads the source through tsx.
 */
function startWorker(options: WorkerOptions): Worker {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return new Worker(new URL('./explore-worker.js', here), options);
  const src = JSON.stringify(new URL('./explore-worker.ts', here).href);
  return new Worker(`import('tsx/esm/api').then((t) => t.tsImport(${src}, { parentURL: ${src} }))`, { ...options, eval: true });
}

/** A worker with a queue of its messages, read one at a time. */
class Channel {
  private readonly queue: FromWorker[] = [];
  private waiter: ((m: FromWorker) => void) | undefined;
  private failure: Error | undefined;

  constructor(readonly worker: Worker) {
    worker.on('message', (m: FromWorker) => this.push(m));
    worker.on('error', (e: Error) => this.fail(e));
    worker.on('exit', (code) => {
      if (code !== 0) this.fail(new Error(`explore worker exited with code ${code}`));
    });
  }

  private push(m: FromWorker): void {
    if (m.type === 'error') return this.fail(new Error(m.message));
    const w = this.waiter;
    if (w) {
      this.waiter = undefined;
      w(m);
    } else this.queue.push(m);
  }

  private fail(e: Error): void {
    this.failure ??= e;
    const w = this.waiter;
    this.waiter = undefined;
    // wake the reader; it sees the failure
    w?.({ type: 'error', message: e.message });
  }

  async next<T extends FromWorker['type']>(type: T): Promise<Extract<FromWorker, { type: T }>> {
    const m = this.queue.shift() ?? (this.failure ? undefined : await new Promise<FromWorker>((r) => (this.waiter = r)));
    if (this.failure) throw this.failure;
    if (!m || m.type !== type) throw new Error(`explore worker: expected '${type}', got '${m?.type ?? 'nothing'}'`);
    return m as Extract<FromWorker, { type: T }>;
  }
}

/**
 * Breadth-first search of `m` on `workers` threads; `spec` tells the workers
 * how to build the same machine. Same options and result as {@link explore}
 * (`lockGraph` included).
 */
export async function exploreParallel(m: AnyMachine, spec: WorkerModel, workers: number, opts: ExploreOptions = {}): Promise<ExploreResult> {
  const t0 = performance.now();
  const maxStates = opts.maxStates ?? 5_000_000;
  const maxDepth = opts.maxDepth ?? Number.POSITIVE_INFINITY;
  const deadline = opts.timeLimitMs !== undefined ? Date.now() + opts.timeLimitMs : undefined;
  const progressMs = opts.progressMs ?? 10_000;
  let nextProgress = t0 + progressMs;
  const exact = opts.exact === true;
  const symmetry = opts.symmetry !== false;
  // a stop request reaches the workers mid-level through shared memory, polled here while this thread waits for them
  const stopFlag = opts.stop ? new SharedArrayBuffer(4) : undefined;
  const stopCell = stopFlag ? new Int32Array(stopFlag) : undefined;
  const stopRequested = (): boolean => {
    if (stopCell && Atomics.load(stopCell, 0) === 0 && opts.stop?.()) Atomics.store(stopCell, 0, 1);
    return stopCell !== undefined && Atomics.load(stopCell, 0) !== 0;
  };
  const stopPoll = stopFlag ? setInterval(stopRequested, 50) : undefined;

  // one port per pair of workers: new states move between them without the main thread
  const ports: (MessagePort | undefined)[][] = Array.from({ length: workers }, () => new Array<MessagePort | undefined>(workers).fill(undefined));
  for (let i = 0; i < workers; i++)
    for (let j = i + 1; j < workers; j++) {
      const ch = new MessageChannel();
      (ports[i] as (MessagePort | undefined)[])[j] = ch.port1;
      (ports[j] as (MessagePort | undefined)[])[i] = ch.port2;
    }
  const chans = ports.map((own, index) => {
    const setup: WorkerSetup = {
      index, source: { module: spec.module, model: spec.model, ...(spec.exportName !== undefined ? { exportName: spec.exportName } : {}) },
      variant: spec.variant, config: spec.config, exact, symmetry, fastPath: opts.fastPath !== false, lockOrder: opts.lockGraph !== undefined, ports: own,
      ...(deadline !== undefined ? { deadline } : {}),
      ...(opts.maxMemoryBytes !== undefined ? { maxMemoryBytes: opts.maxMemoryBytes } : {}),
      ...(stopFlag !== undefined ? { stopFlag } : {}),
    };
    const transfer = own.filter((p): p is MessagePort => p !== undefined);
    return new Channel(startWorker({ workerData: setup, transferList: transfer }));
  });

  // fingerprint mode: the workers' fingerprints; exact mode: the key texts they send
  const fps = new FingerprintSet();
  const texts = keySet((k) => k, true);
  const size = (): number => (exact ? texts.size : fps.size);
  const log = new SearchLog(opts.target, opts.keepGoing === true);
  // judges the initial state here; the workers judge every other, on the same path
  const judge = new Judge(m, { fastPath: opts.fastPath !== false });
  const witnesses = judge.witnesses;
  let transitions = 0;
  let depth = 0;
  let stopped: ExploreBound | undefined;
  let peakFrontier = 1;
  try {
    const first = judge.initial();
    const init = first.state;
    const initBad = first.violations;
    if (first.threw && initBad[0]) log.threw(initBad[0], 0, -1);
    else log.record(initBad, 0);
    for (const c of chans) c.worker.postMessage({ type: 'init' });
    for (const c of chans) await c.next('ready');
    // the same key function as worker 0's, which holds the initial state
    const k0 = keyFunction(m, symmetry)(init);
    if (exact) texts.add(keyText(k0));
    else fps.add(fingerprint(k0), fpHi());
    let level = initBad.length ? 0 : 1;
    let d = 0;
    while (level > 0) {
      if (d >= maxDepth) {
        stopped = 'depth';
        break;
      }
      for (const c of chans) c.worker.postMessage({ type: 'expand', depth: d });
      const reports: LevelReport[] = [];
      for (const c of chans) reports.push(await c.next('level'));
      const keep: number[][] = reports.map(() => []);
      const ids: number[][] = reports.map(() => []);
      let done = false;
      for (let w = 0; w < reports.length && !done; w++) {
        const r = reports[w] as LevelReport;
        transitions += r.transitions;
        // in worker order, as the sequential engine meets them; the path comes from the trace links held here
        for (const e of r.edges) opts.lockGraph?.add({ ...e, labels: labelsOf(m, [...log.pathTo(Number(e.labels[0])), Number(e.labels[1])]) });
        for (const name of r.witnessed) witnesses.set(name, true);
        if (r.cut !== undefined) stopped = stopRequested() ? 'stop' : r.cut;
        let k = 0;
        for (let i = 0; i < r.cand.length / 5; i++) {
          const from = r.cand[5 * i] as number;
          const ai = r.cand[5 * i + 1] as number;
          const flags = r.cand[5 * i + 4] as number;
          const vs = r.violations.get(i) ?? [];
          if (flags & (THREW | THREW_AT_PARENT)) {
            // the model's exception ends the search whatever the target
            log.threw(vs[0] ?? modelThrew('the worker gave no message'), from, flags & THREW_AT_PARENT ? -1 : ai);
            done = true;
            break;
          }
          let fresh = false;
          if (!(flags & KNOWN_HERE)) fresh = exact ? texts.add(r.keys[k++] as string) : fps.add(r.cand[5 * i + 2] as number, r.cand[5 * i + 3] as number);
          if (fresh) depth = d + 1;
          const nid = log.arrive(from, ai, fresh, vs);
          if (nid === STOP) {
            done = true;
            break;
          }
          if (nid === SKIP) continue;
          if (size() >= maxStates) {
            stopped = 'states';
            done = true;
            break;
          }
          (keep[w] as number[]).push(i);
          (ids[w] as number[]).push(nid);
        }
      }
      if (done || stopped !== undefined) break;
      // rebalance: worker j gets the j-th of equal contiguous runs of the next level
      const counts = keep.map((x) => x.length);
      const total = counts.reduce((a, b) => a + b, 0);
      const bounds = chans.map((_, j) => Math.floor((total * j) / chans.length)).concat(total);
      let offset = 0;
      const incoming = chans.map(() => new Array<number>(chans.length).fill(0));
      const orders = counts.map((c, w) => {
        const ranges = chans.map((_, j): [number, number] => {
          const lo = Math.max(offset, bounds[j] as number);
          const hi = Math.min(offset + c, bounds[j + 1] as number);
          if (hi > lo) (incoming[j] as number[])[w] = hi - lo;
          return hi > lo ? [lo - offset, hi - offset] : [0, 0];
        });
        offset += c;
        return ranges;
      });
      chans.forEach((c, w) => {
        const order: KeepOrder = { type: 'keep', keep: Uint32Array.from(keep[w] as number[]), ids: Uint32Array.from(ids[w] as number[]), ranges: orders[w] as [number, number][], incoming: incoming[w] as number[] };
        c.worker.postMessage(order);
      });
      for (const c of chans) await c.next('ready');
      peakFrontier = Math.max(peakFrontier, level + total);
      level = total;
      d++;
      const now = performance.now();
      if (opts.onProgress && now >= nextProgress) {
        nextProgress = now + progressMs;
        opts.onProgress({ states: size(), transitions, depth: d, queue: level, ms: now - t0 });
      }
      if (deadline !== undefined && Date.now() >= deadline && level > 0) {
        stopped = 'time';
        break;
      }
      if (stopRequested() && level > 0) {
        stopped = 'stop';
        break;
      }
      // the visited set lives here, on the main thread: its growth is checked between levels
      if (level > 0 && memoryOver(opts.maxMemoryBytes)) {
        stopped = 'memory';
        break;
      }
    }
  } finally {
    clearInterval(stopPoll);
    await Promise.all(chans.map((c) => c.worker.terminate()));
  }

  const complete = stopped === undefined && log.hit === undefined;
  return {
    ...found(m, log, opts),
    violated: log.violated,
    states: size(),
    transitions,
    depth,
    complete,
    witnesses,
    ms: performance.now() - t0,
    ...(stopped !== undefined && log.hit === undefined ? { stopped } : {}),
    mode: exact ? 'exact' : 'fingerprint',
    symmetry: symmetry && m.symmetry !== undefined,
    bytesPerState: ((exact ? texts.bytes : fps.bytes) + log.bytes) / Math.max(size(), 1),
    peakFrontier,
    workers,
    fastPath: judge.fast,
  };
}
