/**
 * What `bin/mmcheck.js` runs: the command on a worker thread (`thread.ts`)
 * while this thread waits for signals. The first SIGINT or SIGTERM sets the
 * shared {@link StopRequest}: the engines stop at their next step and the
 * command still writes every report, marked interrupted, then exits 130
 * (SIGINT) or 143 (SIGTERM). A second signal exits at once with that code.
 */
import { getHeapStatistics } from 'node:v8';
import { Worker } from 'node:worker_threads';
import { STOP_SIGNALS, StopRequest, type StopSignal } from './stop.js';
import { EXIT } from './exit.js';
import { defaultMaxMemory } from '../properties/memory-bound.js';

/** Seconds the models may take to load (`MMCHECK_LOAD_TIMEOUT`, default 60). */
function loadTimeoutS(): number {
  const v = Number(process.env.MMCHECK_LOAD_TIMEOUT);
  return Number.isFinite(v) && v > 0 ? v : 60;
}

/**
 * The command thread's V8 heap limit, in MiB: the searches' default memory
 * bound ({@link defaultMaxMemory}), never below V8's own default. With V8's
 * default (4 GiB here, on 24 GiB) a long search stopped at the heap limit
 * with most of the machine unused, before `--max-memory` could apply.
 */
export function threadHeapMb(): number {
  const mib = 2 ** 20;
  return Math.max(Math.floor(getHeapStatistics().heap_size_limit / mib), Math.floor(defaultMaxMemory() / mib));
}

/** What the command thread receives. */
export interface ThreadData {
  readonly argv: string[];
  readonly stop: SharedArrayBuffer;
  /** Whether stderr is a terminal (a worker's own stderr never is). */
  readonly tty: boolean;
}

/**
 * Runs `mmcheck argv` with signal handling; resolves to the exit code.
 * `pending` is a signal that arrived while the CLI was loading: it is
 * handled as soon as the handlers are installed.
 */
export function runCli(argv: string[], pending?: StopSignal): Promise<number> {
  const stop = new StopRequest();
  const data: ThreadData = { argv, stop: stop.buffer, tty: process.stderr.isTTY === true };
  const here = import.meta.url;
  const options = { workerData: data, resourceLimits: { maxOldGenerationSizeMb: threadHeapMb() } };
  const worker = here.endsWith('.ts')
    ? new Worker(`import('tsx/esm/api').then((t) => t.tsImport(${JSON.stringify(new URL('./thread.ts', here).href)}, { parentURL: ${JSON.stringify(here)} }))`, { ...options, eval: true })
    : new Worker(new URL('./thread.js', here), options);
  const onSignal = (signal: StopSignal): void => {
    if (stop.requested()) process.exit(STOP_SIGNALS[signal]);
    stop.request(signal);
    process.stderr.write(`\nmmcheck: ${signal}: stopping at the next step and writing the reports (again to quit at once)\n`);
  };
  const handlers = (Object.keys(STOP_SIGNALS) as StopSignal[]).map((s) => [s, () => onSignal(s)] as const);
  for (const [s, h] of handlers) process.on(s, h);
  if (pending !== undefined && pending in STOP_SIGNALS) onSignal(pending);
  return new Promise<number>((resolve) => {
    let code: number | undefined;
    let said = false;
    // a --model module that loops at import blocks its thread for good: after LOAD_TIMEOUT_S
    // without 'loaded', the thread is stopped with one line (a signal still works meanwhile)
    const loading = setTimeout(() => {
      process.stderr.write(`mmcheck: the models did not finish loading in ${loadTimeoutS()} s (a --model module that loops at import?); stopped\n`);
      said = true;
      code = EXIT.usage;
      void worker.terminate();
    }, loadTimeoutS() * 1000);
    // only the command's exit code is a number; a --model module's own messages are not
    worker.on('message', (c: unknown) => {
      if (c === 'loaded') clearTimeout(loading);
      if (typeof c === 'number') code = c;
    });
    worker.on('error', (e) => {
      process.stderr.write(`mmcheck: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}\n`);
      said = true;
      code = EXIT.usage;
    });
    worker.on('exit', () => {
      clearTimeout(loading);
      for (const [s, h] of handlers) process.off(s, h);
      // the thread ended with nothing left to do and no code: a promise that never settles (a --model
      // module's import that waits forever) — one line, not a silent exit
      if (code === undefined && !said && stop.exitCode === undefined) process.stderr.write('mmcheck: the command ended without finishing: something it waited for never settled (a --model module whose import never completes?)\n');
      resolve(stop.exitCode ?? code ?? EXIT.usage);
    });
  });
}
