/**
 * One invocation of `mmcheck`: what every command works with, made once by
 * `main.ts` and handed to the command. It replaces the module globals the
 * commands used to share (the `--model` path above all), so two invocations
 * in one process (the tests call `main` many times) cannot see each other.
 */
import type { AnyModel } from '../model/contract.js';
import { MODELS } from '../model/registry.js';
import type { ProgressSink } from '../reports/progress.js';
import { checkOutDir } from '../reports/replay.js';
import { loadUserModel } from './usermodel.js';
import type { StopRequest } from './stop.js';

/** Raised for bad usage; `main` prints it as one line and exits 2. */
export class UsageError extends Error {}

/** Where output goes unless a command's `--out` says otherwise. */
export const DEFAULT_OUT = 'mmcheck-out';

/** What a command gets: the models in play, where to write, the progress sink and the stop request. */
export class Session {
  private constructor(
    /** The models in play: the built-in ones, or the one of the `--model` module. */
    readonly models: readonly AnyModel[],
    /** The `--model` module of this invocation, named in replay commands; undefined for the built-ins. */
    readonly modelPath: string | undefined,
    /** One line of normal output. */
    readonly out: (s: string) => void,
    /** One line of error output. */
    readonly err: (s: string) => void,
    /** Where `run` and `explore` draw their progress; null for none. */
    readonly progress: ProgressSink | null,
    /** Set by SIGINT/SIGTERM (`entry.ts`); the engines poll it. */
    readonly stop: StopRequest | undefined,
  ) {}

  /** A session over the built-in models, or over the model of the module at `modelPath` (loaded here). */
  static async open(modelPath: string | undefined, out: (s: string) => void, err: (s: string) => void, progress: ProgressSink | null, stop: StopRequest | undefined): Promise<Session> {
    const models = modelPath !== undefined ? [await loadUserModel(modelPath)] : MODELS;
    return new Session(models, modelPath, out, err, progress, stop);
  }

  /** A model by name among those in play. */
  pick(name: string): AnyModel {
    const m = this.models.find((x) => x.name === name);
    if (!m) throw new UsageError(unknownModel(name, this.models, this.modelPath));
    return m;
  }

  /** The output folder: the command's `--out`, or the default. */
  outDir(flag: string | undefined): string {
    const dir = flag ?? DEFAULT_OUT;
    checkOutDir(dir);
    return dir;
  }
}

/** A non-negative integer flag (at least `min`), or `dflt` when it was not given. */
export function nat(name: string, v: string | undefined, dflt: number, min = 0): number {
  if (v === undefined) return dflt;
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(Number(v)) || Number(v) < min) throw new UsageError(`--${name} must be an integer ≥ ${min}, got '${v}'`);
  return Number(v);
}

/** A command: its handler (the arguments after its name) and its lines in `--help`. */
export interface Command {
  readonly usage: string;
  run(args: string[], session: Session): number | Promise<number>;
}

/** The error for a model name not in play; without `--model`, it says how to bring a model of one's own. */
export function unknownModel(name: string, models: readonly AnyModel[], modelPath?: string): string {
  const hint = modelPath === undefined ? '; a model of your own: add --model PATH' : '';
  return `unknown model '${name}' (known: ${models.map((x) => x.name).join(', ')}${hint})`;
}
