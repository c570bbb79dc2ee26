/**
 * A request to stop, made by a signal (Ctrl-C is SIGINT, `kill` and CI
 * runners send SIGTERM) and polled by the engines through `stop` in their
 * options. The engines run synchronously, so a signal handler on the same
 * thread would only run after they finish: the command runs on a worker
 * thread (`entry.ts`), the main thread keeps its event loop free for the
 * signal, and the request lives in shared memory both threads read.
 *
 * One object per invocation, handed down; no module state.
 */

import { EXIT } from './exit.js';

/** The signals that stop a command, with the exit code a shell gives them (128 + signal number). */
export const STOP_SIGNALS = { SIGINT: EXIT.sigint, SIGTERM: EXIT.sigterm } as const;

/** A signal that stops a command. */
export type StopSignal = keyof typeof STOP_SIGNALS;

const NUMBER: Record<StopSignal, number> = { SIGINT: 2, SIGTERM: 15 };

/** A stop request shared between the thread that catches signals and the thread that runs the command. */
export class StopRequest {
  private readonly cell: Int32Array;

  /** A fresh request, or the view of one made on another thread (its `buffer`). */
  constructor(readonly buffer: SharedArrayBuffer = new SharedArrayBuffer(4)) {
    this.cell = new Int32Array(buffer);
  }

  /** Records the signal; the first one wins. */
  request(signal: StopSignal): void {
    Atomics.compareExchange(this.cell, 0, 0, NUMBER[signal]);
  }

  /** The signal that asked to stop, once one did. */
  get signal(): StopSignal | undefined {
    const n = Atomics.load(this.cell, 0);
    return n === 0 ? undefined : n === NUMBER.SIGINT ? 'SIGINT' : 'SIGTERM';
  }

  /** True once a stop was asked for (the engines' `stop` poll). */
  readonly requested = (): boolean => Atomics.load(this.cell, 0) !== 0;

  /** The exit code of a command stopped by the request (130 or 143), or undefined when none was made. */
  get exitCode(): number | undefined {
    const s = this.signal;
    return s === undefined ? undefined : STOP_SIGNALS[s];
  }
}
