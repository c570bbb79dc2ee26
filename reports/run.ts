/**
 * The reports of one `mmcheck run`: collects each variant's outcome as the
 * run goes, writes the HTML page of each counterexample as soon as it is
 * found (while its machine is at hand for the kernel slice), and at the end
 * the JUnit file, the Markdown summary and the HTML index. It never runs an
 * engine or replays a trace: `mmcheck report` (cli/commands/report.ts) replays a file,
 * then hands the trace to the page writer.
 */
import { statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { AnyModel } from '../model/contract.js';
import { variantOf } from '../model/contract.js';
import type { RandomResult } from '../properties/random.js';
import { foundOf } from './found.js';
import { randomOutcome } from '../properties/outcome.js';
import { counterexampleStem, replayCommand } from './counterexample.js';
import { indexHtml, traceHtml } from './html.js';
import { readCounterexample } from './itf.js';
import { junitXml } from './junit.js';
import { InputError, isLasso, replayMachine, writeAtomic } from './replay.js';
import type { RunReport, SavedCounterexample, VariantOutcome } from './results.js';
import { propertiesOf } from './results.js';
import { summaryMarkdown } from './summary.js';

/** Where the reports of a run go; each is optional. */
export interface ReportTargets {
  readonly junit?: string | undefined;
  readonly summary?: string | undefined;
  /** Folder of the HTML pages and their index. */
  readonly html?: string | undefined;
}

/** Collects a run's outcomes and writes its reports. */
export class RunRecorder {
  private readonly outcomes: VariantOutcome[] = [];
  private readonly pages = new Map<string, string>();
  private interrupted: string | undefined;

  constructor(
    private readonly seed: number,
    private readonly runsPerVariant: number,
    private readonly targets: ReportTargets,
    /** The `--model` module of a user model, named in replay commands. */
    private readonly modelPath?: string,
  ) {}

  /** Records one variant's random run; `saved` are the files of its counterexample, if any. */
  add(m: AnyModel, variant: string, r: RandomResult, saved?: { json: string; txt: string; itf: string }, engine: 'random' | 'pct' = 'random'): VariantOutcome {
    const v = variantOf(m, variant);
    const properties = propertiesOf(m, variant);
    let counterexample: SavedCounterexample | undefined;
    if (r.failure && saved) {
      const finding = randomOutcome(r, engine).findings[0];
      if (!finding) throw new Error('a failure without a finding');
      const found = foundOf(m, variant, finding, { modelPath: this.modelPath });
      const replay = replayCommand(saved.json, this.modelPath);
      const machine = m.machine(variant, r.failure.config);
      let html: string | undefined;
      if (this.targets.html !== undefined) {
        html = join(this.targets.html, `${counterexampleStem(found)}.html`);
        writeAtomic(html, traceHtml({ found, kernel: (s) => machine.kernel(s), replay, files: [saved.json, saved.itf, saved.txt], indexHref: 'index.html' }));
        this.pages.set(`${m.name}\u0000${variant}`, basename(html));
      }
      counterexample = { found, message: r.failure.message, replay, files: { ...saved, ...(html !== undefined ? { html } : {}) } };
    }
    const o: VariantOutcome = {
      model: m.name, variant, summary: v.summary, expect: v.expect, properties,
      seed: r.seed, runs: r.runs, budget: this.runsPerVariant, ms: r.ms, witnesses: r.witnesses,
      ...(counterexample ? { counterexample } : {}),
      ...(r.interrupted && !counterexample ? { interrupted: true } : {}),
    };
    this.outcomes.push(o);
    return o;
  }

  /** Records that the run stops early (for example at `--time-limit`); the reports say so. */
  interrupt(reason: string): void {
    this.interrupted = reason;
  }

  /** The run so far. */
  report(): RunReport {
    return { seed: this.seed, runsPerVariant: this.runsPerVariant, outcomes: [...this.outcomes], ...(this.interrupted !== undefined ? { interrupted: this.interrupted } : {}) };
  }

  /** Writes the JUnit file, the summary and the HTML index that were asked for; returns their paths. */
  finish(): string[] {
    const r = this.report();
    const written: string[] = [];
    if (this.targets.junit !== undefined) {
      writeAtomic(this.targets.junit, junitXml(r));
      written.push(this.targets.junit);
    }
    if (this.targets.summary !== undefined) {
      writeAtomic(this.targets.summary, summaryMarkdown(r));
      written.push(this.targets.summary);
    }
    if (this.targets.html !== undefined) {
      const index = join(this.targets.html, 'index.html');
      writeAtomic(index, indexHtml(r, (model, variant) => this.pages.get(`${model}\u0000${variant}`)));
      written.push(index);
    }
    return written;
  }
}

/** The page `mmcheck report FILE --html OUT` writes: OUT itself, or `<stem>.html` inside OUT when it is a folder (or ends with `/`). */
export function reportTarget(file: string, out: string): string {
  let dir = /[\\/]$/.test(out);
  try {
    dir ||= statSync(out).isDirectory();
  } catch {
    // a new file
  }
  return dir ? join(out, `${basename(file).replace(/(\.itf)?\.json$/, '')}.html`) : out;
}
