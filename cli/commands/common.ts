/** What more than one command does. */
import type { AnyModel } from '../../model/contract.js';
import { type MemoryMode, underMemoryModel } from '../../model/memory.js';
import { checkFastPath } from '../../properties/fastpath.js';
import { checkModel, hygieneMessage } from '../../properties/hygiene.js';
import { readJsonFile } from '../../reports/replay.js';
import { InputError } from '../../reports/replay.js';
import { UsageError } from '../session.js';

/** `--check-model` (run, explore): the hygiene check on a random walk of the variant's machine; a breach is bad input (exit 2). */
export function hygiene(m: AnyModel, variant: string, config: unknown): void {
  const p = checkModel(m.machine(variant, config));
  if (p) throw new InputError(`${m.name} ${variant}: ${hygieneMessage(p)}`);
}

/**
 * `--check-fast-path` (explore): the differential check of the fast path
 * against immer on 10,000 transitions of the variant's machine; prints
 * what it compared. A disagreement is a model that relies on immer (exit 2,
 * naming the step and the field); a model that has not opted in is a usage
 * error.
 */
export function fastPathCheck(m: AnyModel, variant: string, config: unknown, out: (line: string) => void): void {
  const machine = m.machine(variant, config);
  if (machine.fastPath !== true) throw new UsageError(`--check-fast-path: ${m.name} has not opted in to the fast path (ModelSpec.fastPath), so every engine runs it on immer`);
  const r = checkFastPath(machine);
  if (r.disagreement) throw new InputError(`${m.name} ${variant}: ${r.disagreement.message}`);
  out(`fast path agrees with immer: ${r.transitions} transitions compared on ${r.walks} random walks (seed 1): states, keys, property verdicts, trace text, enabled actions`);
}

/**
 * `--config` (explore, run): a JSON object (given inline, starting with `{`, or as
 * a file) whose fields replace those of the variant's exploration
 * configuration; the model validates the result.
 */
export function configOver(m: AnyModel, base: unknown, arg: string): unknown {
  let raw: unknown;
  if (/^\s*[[{]/.test(arg)) {
    try {
      raw = JSON.parse(arg);
    } catch (e) {
      throw new UsageError(`--config is not valid JSON (${(e as Error).message.split('\n')[0]})`);
    }
  } else raw = readJsonFile(arg);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new UsageError('--config must be a JSON object of configuration fields');
  try {
    return m.parseConfig({ ...(base as object), ...raw });
  } catch (e) {
    throw new InputError(`--config: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
  }
}

/** Parses `--memory` (default `sc`). */
export function memoryArg(text: string | undefined): MemoryMode {
  if (text === undefined || text === 'sc' || text === 'lkmm') return text ?? 'sc';
  throw new UsageError(`--memory must be sc or lkmm, got '${text}'`);
}

/**
 * `--memory lkmm` (run, explore): the model with `memory: 'lkmm'` in every
 * configuration (model/memory.ts). A model that marks no location is
 * refused: its runs would be SC, and a verdict printed "under lkmm" would
 * claim what was not checked.
 */
export function underMemory(m: AnyModel, mode: MemoryMode): AnyModel {
  if (mode !== 'sc' && m.weakMemory === undefined) throw new UsageError(`--memory lkmm: ${m.name} marks no lockless location yet (spec 06 §4), so it runs sequentially consistent only`);
  return underMemoryModel(m, mode);
}
