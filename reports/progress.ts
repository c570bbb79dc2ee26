/**
 * Progress of a long run (and, at the end, the one line of a long
 * exploration): on a terminal, one bar redrawn in place (runs
 * done, elapsed time, counterexamples found, the variant being checked); in
 * a log (not a TTY), a plain line every `intervalMs`, so CI logs show the run
 * is alive without drowning in redraws. Short runs print nothing in a log.
 *
 * The bar counts work in runs asked for: a variant that stops at its first
 * counterexample completes its share. The text counts the model's runs
 * actually executed, shrinking runs included, so it only ever grows.
 */
import type { ExploreProgress } from '../properties/explore.js';
import type { LivenessProgress } from '../properties/liveness.js';
import { printable } from './text.js';

/** Where progress goes. */
export interface ProgressSink {
  /** A terminal: redraw one line in place. */
  readonly tty: boolean;
  write(s: string): void;
}

/** Options of a {@link Progress}. */
export interface ProgressOptions {
  /** Clock in milliseconds (tests pass a fake one). */
  readonly now?: () => number;
  /** Log mode: one line per this many milliseconds (default 10 s). */
  readonly intervalMs?: number;
  /** Terminal mode: at most one redraw per this many milliseconds (default 100). */
  readonly redrawMs?: number;
  /** Width of the bar in characters (default 24). */
  readonly width?: number;
}

/** Formats milliseconds as `m:ss` (or `h:mm:ss`). */
export function clock(ms: number): string {
  const s = Math.floor(ms / 1000);
  const h = Math.floor(s / 3600);
  const mm = String(Math.floor((s % 3600) / 60));
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${mm.padStart(2, '0')}:${ss}` : `${mm}:${ss}`;
}

/** A progress display over `total` runs. */
export class Progress {
  private readonly now: () => number;
  private readonly t0: number;
  private last: number;
  private doneWork = 0;
  private finishedRuns = 0;
  private current = 0;
  private currentBudget = 0;
  private found = 0;
  private label = '';
  private drawn = false;

  constructor(
    private readonly sink: ProgressSink,
    private readonly total: number,
    private readonly opts: ProgressOptions = {},
  ) {
    this.now = opts.now ?? (() => performance.now());
    this.t0 = this.now();
    this.last = this.t0;
  }

  /** A variant of `budget` runs starts. */
  begin(label: string, budget: number): void {
    this.label = label;
    this.current = 0;
    this.currentBudget = budget;
    this.maybeDraw();
  }

  /** One more run of the current variant (a shrinking run too). */
  tick(): void {
    this.current++;
    this.maybeDraw();
  }

  /** The current variant ended after `runs` runs (more if shrinking ran), with or without a counterexample. */
  end(runs: number, foundOne: boolean): void {
    this.doneWork += this.currentBudget;
    this.finishedRuns += Math.max(runs, this.current);
    this.current = 0;
    this.currentBudget = 0;
    if (foundOne) this.found++;
    this.maybeDraw();
  }

  /** Runs executed so far. */
  get runs(): number {
    return this.finishedRuns + this.current;
  }

  /** The progress line's text (without the bar). */
  text(): string {
    const ms = this.now() - this.t0;
    return `${this.runs} runs, ${clock(ms)} elapsed, ${this.found} counterexample${this.found === 1 ? '' : 's'}${this.label ? ` (${printable(this.label)})` : ''}`;
  }

  /** The bar, e.g. `[#########---------------]  37%`. */
  bar(): string {
    const w = this.opts.width ?? 24;
    const frac = this.total > 0 ? Math.min(1, (this.doneWork + Math.min(this.current, this.currentBudget)) / this.total) : 1;
    const n = Math.round(frac * w);
    return `[${'#'.repeat(n)}${'-'.repeat(w - n)}] ${String(Math.floor(frac * 100)).padStart(3)}%`;
  }

  private maybeDraw(): void {
    const t = this.now();
    if (this.sink.tty) {
      if (t - this.last < (this.opts.redrawMs ?? 100)) return;
      this.last = t;
      this.sink.write(`\r\x1b[2K${this.bar()} ${this.text()}`);
      this.drawn = true;
    } else {
      if (t - this.last < (this.opts.intervalMs ?? 10_000)) return;
      this.last = t;
      this.sink.write(`progress: ${this.bar().replace(/^\[[#-]*\] */, '')} of work, ${this.text()}\n`);
      this.drawn = true;
    }
  }

  /** Ends the display: clears the bar on a terminal; in a log, a last line if any was printed. */
  finish(): void {
    if (!this.drawn) return;
    if (this.sink.tty) this.sink.write('\r\x1b[2K');
    else this.sink.write(`progress: done, ${this.text()}\n`);
  }
}

/** Progress on stderr: a bar on a terminal, periodic lines otherwise. */
export function stderrProgress(): ProgressSink {
  return { tty: process.stderr.isTTY === true, write: (s) => void process.stderr.write(s) };
}

/** One status line redrawn in place on a terminal, or printed every `intervalMs` in a log. */
export interface ProgressLine {
  /** How often the caller should call {@link ProgressLine.show}. */
  readonly intervalMs: number;
  show(text: string): void;
  /** Clears the line on a terminal. */
  done(): void;
}

/** A {@link ProgressLine} on `sink`: every 0.5 s on a terminal, every 10 s (or `intervalMs`) in a log. */
export function progressLine(sink: ProgressSink, intervalMs = sink.tty ? 500 : 10_000): ProgressLine {
  let drawn = false;
  return {
    intervalMs,
    show: (text) => {
      sink.write(sink.tty ? `\r\x1b[2K${printable(text)}` : `progress: ${printable(text)}\n`);
      drawn = true;
    },
    done: () => {
      if (drawn && sink.tty) sink.write('\r\x1b[2K');
    },
  };
}

/** The progress text of the liveness engine's graph build: states, transitions, rate, elapsed time. */
export function livenessProgressText(p: LivenessProgress): string {
  const rate = Math.round(p.states / Math.max(p.ms / 1000, 1e-3));
  return `liveness: ${p.states} states, ${p.transitions} transitions, ${rate} states/s, ${clock(p.ms)} elapsed`;
}

/** The progress text of an exploration: states, depth, queue, rate, elapsed time. */
export function exploreProgressText(p: ExploreProgress): string {
  const rate = Math.round(p.states / Math.max(p.ms / 1000, 1e-3));
  return `explore: ${p.states} states, depth ${p.depth}, queue ${p.queue}, ${rate} states/s, ${clock(p.ms)} elapsed`;
}
