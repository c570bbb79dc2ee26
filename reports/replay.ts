/**
 * The JSON replay file: everything needed to re-execute a counterexample by
 * action names, plus the seed and fast-check path that produced it. Files are
 * written atomically (temporary file, then rename), so an interrupted run
 * never leaves a half-written file.
 */
import { accessSync, constants, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import type { AnyMachine, AnyModel } from '../model/contract.js';
import { issueField } from '../model/config-schema.js';
import { MODEL_THREW } from '../properties/core.js';

/** Current replay format version. */
export const REPLAY_VERSION = 1;

/** Contents of a replay file. */
export interface ReplayFile {
  readonly format: 'mmcheck-replay';
  readonly version: number;
  readonly model: string;
  readonly variant: string;
  readonly engine: string;
  readonly config: unknown;
  readonly seed: number | null;
  readonly path: string | null;
  readonly property: string;
  readonly message: string;
  /** Actions by label (`actionLabel`), in order. */
  readonly actions: readonly string[];
  /** A lasso (liveness): index in `actions` of the first step of the cycle, which repeats forever. */
  readonly loop?: number;
}

/** Whether a replay file is a liveness counterexample, judged as a lasso (or a stuck end) rather than as a run. */
export function isLasso(r: Pick<ReplayFile, 'loop' | 'engine' | 'property'>): boolean {
  // the liveness engine also reports a model that threw, with a plain trace
  return r.loop !== undefined || (r.engine === 'liveness' && r.property !== MODEL_THREW);
}

/**
 * The machine a replay file runs on: built with symmetry off, so that it
 * offers every choice a model may prune as symmetric to another. A run made
 * with `--no-symmetry` may take such a choice; a run made with pruning only
 * takes choices this machine offers too, to the same states.
 */
export function replayMachine(m: AnyModel, r: Pick<ReplayFile, 'variant'>, config: unknown): AnyMachine {
  return m.machine(r.variant, config, { symmetry: false });
}

/** Bad input: a message for one line on stderr, exit code 2. */
export class InputError extends Error {}

/**
 * The nearest part of `dir` that exists (itself or an ancestor), with its
 * status, and the missing levels below it, outermost first; `existing` is
 * null when not even the root could be read.
 */
function nearestExisting(dir: string): { readonly existing: { readonly path: string; readonly isDir: boolean } | null; readonly missing: string[] } {
  const missing: string[] = [];
  for (let d = resolve(dir); ; d = dirname(d)) {
    try {
      return { existing: { path: d, isDir: statSync(d).isDirectory() }, missing: missing.reverse() };
    } catch {
      missing.push(d);
      if (dirname(d) === d) return { existing: null, missing: missing.reverse() };
    }
  }
}

/**
 * Creates a folder and its missing parents, one level at a time. Node 20's
 * `mkdirSync(…, { recursive: true })` never returns for a folder under
 * `/proc` (the parent exists, yet mkdir answers ENOENT, and it retries
 * forever, synchronously, so not even SIGTERM ends the process): each level
 * here is created once, and its error is thrown.
 */
export function makeDir(dir: string): void {
  const { existing, missing } = nearestExisting(dir);
  if (existing && !existing.isDir) throw new InputError(`cannot create folder ${dir}: ${existing.path} is not a folder`);
  for (const d of missing) {
    try {
      mkdirSync(d);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST' && statSync(d).isDirectory()) continue;
      throw new InputError(`cannot create folder ${dir}: ${(e as Error).message}`);
    }
  }
}

/**
 * Refuses, before any work, an output folder that cannot be written: a path
 * whose nearest existing part is not a folder, or a folder this process may
 * not write. (What passes here can still fail later — a folder that vanishes,
 * a full disk — and `makeDir`/`writeAtomic` report that then.)
 */
export function checkOutDir(dir: string): void {
  const { existing } = nearestExisting(dir);
  if (!existing) return;
  if (!existing.isDir) throw new InputError(`cannot write to folder ${dir}: ${existing.path} is not a folder`);
  try {
    accessSync(existing.path, constants.W_OK | constants.X_OK);
  } catch {
    throw new InputError(`cannot write to folder ${dir}: ${existing.path} is not writable`);
  }
}

/** Writes a file atomically, creating its folder. */
export function writeAtomic(file: string, text: string): void {
  makeDir(dirname(file));
  const tmp = join(dirname(file), `.${process.pid}.${Date.now()}.tmp`);
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, file);
  } catch (e) {
    // a full disk or a vanished folder: no half-written temporary file is left behind
    rmSync(tmp, { force: true });
    throw new InputError(`cannot write ${file}: ${(e as Error).message}`);
  }
}

/** The largest input file read (replay, ITF, configuration, litmus): far above any mmcheck writes, far below what exhausts the heap. */
export const MAX_INPUT_BYTES = 64 * 1024 * 1024;

/**
 * Reads an input file's text. Anything but a regular file (a device, a
 * FIFO, a folder) and anything above {@link MAX_INPUT_BYTES} is refused
 * before it is read: `/dev/zero` would never end. Every problem is an
 * {@link InputError} with one line.
 */
export function readInputText(file: string): string {
  try {
    const st = statSync(file);
    if (!st.isFile()) throw new InputError(`${file} is not a regular file`);
    if (st.size > MAX_INPUT_BYTES) throw new InputError(`${file} is ${(st.size / 1024 / 1024).toFixed(0)} MiB; an input file is at most ${MAX_INPUT_BYTES / 1024 / 1024} MiB`);
    return readFileSync(file, 'utf8');
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
  }
}

/** Reads and parses a JSON input file ({@link readInputText}); a malformed one is an {@link InputError} with one line. */
export function readJsonFile(file: string): unknown {
  const text = readInputText(file);
  try {
    return JSON.parse(text);
  } catch (e) {
    // a RangeError too: nesting deep enough to exhaust the parser's stack
    throw new InputError(`${file} is not valid JSON (${(e as Error).message.split('\n')[0]})`);
  }
}

/** Reads and validates a replay file; throws {@link InputError} with one line. */
export function readReplay(file: string): ReplayFile {
  const raw = readJsonFile(file);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new InputError(`${file} is not a replay file (not an object)`);
  const o = raw as Record<string, unknown>;
  if (o.format !== 'mmcheck-replay') throw new InputError(`${file} is not an mmcheck replay file (format is ${JSON.stringify(o.format)})`);
  if (o.version !== REPLAY_VERSION) throw new InputError(`${file} has replay format version ${JSON.stringify(o.version)}; this mmcheck reads version ${REPLAY_VERSION}`);
  const r = REPLAY_FIELDS.safeParse(o);
  if (!r.success) throw new InputError(`${file}: ${fieldError(r.error)}`);
  return r.data as ReplayFile;
}

/** The fields of a replay file after its format and version (checked first, with their own messages). */
const REPLAY_FIELDS = z
  .object({
    format: z.literal('mmcheck-replay'),
    version: z.literal(REPLAY_VERSION),
    model: z.string(),
    variant: z.string(),
    engine: z.string(),
    property: z.string(),
    message: z.string(),
    seed: z.int().nullable(),
    path: z.string().nullable(),
    // any JSON the model's parseConfig accepts; it must be there
    config: z.custom<unknown>((v) => v !== undefined, { message: 'is missing' }),
    actions: z.array(z.string()),
    loop: z.int().min(0).optional(),
  })
  .refine((x) => x.loop === undefined || x.loop < x.actions.length, { message: 'must be the index of an action', path: ['loop'] });

/** One line for the first problem of a parsed file: the field, then what is wrong. */
export function fieldError(e: z.ZodError): string {
  const i = e.issues[0];
  return i ? `field '${issueField(i)}': ${i.message}` : 'invalid';
}

/** Serialises a replay file (stable key order, two-space indent). */
export function replayText(r: ReplayFile): string {
  const ordered: ReplayFile = {
    format: r.format,
    version: r.version,
    model: r.model,
    variant: r.variant,
    engine: r.engine,
    property: r.property,
    message: r.message,
    seed: r.seed,
    path: r.path,
    config: r.config,
    actions: r.actions,
    ...(r.loop !== undefined ? { loop: r.loop } : {}),
  };
  return JSON.stringify(ordered, null, 2) + '\n';
}
