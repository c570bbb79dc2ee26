/**
 * One counterexample written out: the replay file (`.json`), its text
 * trace (`.txt`), with the replay command as the trace's last line, and the
 * same trace in the Informal Trace Format (`.itf.json`) for other tools.
 */
import { join } from 'node:path';
import type { Trace } from '../properties/check.js';
import { REPLAY_VERSION, replayText, writeAtomic } from './replay.js';
import type { Found } from './found.js';
import { itfText, toItf } from './itf.js';
import { renderTrace } from './text.js';

export type { Found } from './found.js';

/** The command that replays a file (naming the model module for a user model). */
export function replayCommand(file: string, modelPath?: string): string {
  return `npx mmcheck repro ${file}${modelPath !== undefined ? ` --model ${modelPath}` : ''}`;
}

/**
 * One part of a file name, safe whatever a model calls itself: characters
 * other than letters, digits and `._+=-` become `_` (no `/`, no `..` can
 * lead out of the output folder; no control character reaches the file
 * system), a leading dot too (no hidden file), and the part is cut to 80.
 */
export function fileNamePart(s: string): string {
  const safe = s.replace(/[^A-Za-z0-9._+=-]/g, '_').replace(/^\./, '_').slice(0, 80);
  return safe === '' ? '_' : safe;
}

/** File name stem of a counterexample: `<model>-<variant>-<engine>[-seed<N>][-<tag>]`, each part made safe by {@link fileNamePart}. */
export function counterexampleStem(f: Pick<Found, 'model' | 'variant' | 'engine' | 'seed' | 'tag'>): string {
  const p = fileNamePart;
  return `${p(f.model)}-${p(f.variant)}-${p(f.engine)}${f.seed !== null ? `-seed${f.seed}` : ''}${f.tag !== undefined ? `-${p(f.tag)}` : ''}`;
}

/** Writes `<stem>.{json,txt,itf.json}` into `dir` (see {@link counterexampleStem}); returns the paths and the trace text. */
export function saveCounterexample(dir: string, f: Found): { json: string; txt: string; itf: string; text: string } {
  const stem = counterexampleStem(f);
  const json = join(dir, `${stem}.json`);
  const txt = join(dir, `${stem}.txt`);
  const itf = join(dir, `${stem}.itf.json`);
  const v = f.trace.violations.find((x) => x.property === f.property) ?? f.trace.violations[0];
  writeAtomic(
    json,
    replayText({
      format: 'mmcheck-replay',
      version: REPLAY_VERSION,
      model: f.model,
      variant: f.variant,
      engine: f.engine,
      property: f.property,
      message: v?.message ?? '',
      seed: f.seed,
      path: f.path,
      config: f.config,
      actions: f.trace.steps.map((s) => s.label),
      ...(f.trace.loop !== undefined ? { loop: f.trace.loop } : {}),
    }),
  );
  const text = renderTrace(f.trace, {
    model: f.model,
    variant: f.variant,
    engine: f.engine,
    seed: f.seed ?? undefined,
    path: f.path ?? undefined,
    property: f.property,
    replayCommand: replayCommand(json, f.modelPath),
    preemptions: f.preemptions,
  });
  writeAtomic(txt, text);
  writeAtomic(itf, itfText(toItf(f, f.spec)));
  return { json, txt, itf, text };
}
