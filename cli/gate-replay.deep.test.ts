/**
 * Every counterexample of the gate replays byte for byte (issue 20): for
 * each known bug, `mmcheck ci MODEL --variant V --profile ci
 * --counterexamples` is run twice in fresh processes and must write the
 * same files and print the same report (durations masked); each item of the
 * variant (its exploration or lasso, and its three seeds) must have saved
 * one counterexample; `repro` of each replay file, in a fresh process,
 * prints its trace file byte for byte; and `explore` of the variant — one
 * thread or two workers, fingerprint or exact keys — writes the same files
 * as the gate's exploration.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, expect, test } from 'vitest';
import { MODELS } from '../model/registry.js';

const ROOT = resolve(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'mmcheck.js');
let dir = '';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mmcheck-gate-replay-'));
  if (!existsSync(join(ROOT, 'dist', 'cli', 'entry.js'))) throw new Error('dist/ missing: run npm run build (npm test does)');
});

const run = promisify(execFile);

/** One command in a fresh process: its exit code and stdout (a non-zero exit is an answer, not an error). */
async function mmcheck(cwd: string, ...args: string[]): Promise<{ code: number; out: string }> {
  try {
    const r = await run(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', timeout: 300_000, killSignal: 'SIGKILL', maxBuffer: 64 << 20 });
    return { code: 0, out: r.stdout };
  } catch (e) {
    const x = e as { code?: unknown; stdout?: string };
    if (typeof x.code !== 'number') throw e;
    return { code: x.code, out: x.stdout ?? '' };
  }
}

/** Runs `jobs` two at a time (the machine's two cores), results in order. */
async function pooled<T>(jobs: readonly (() => Promise<T>)[], width = 2): Promise<T[]> {
  const out: T[] = new Array<T>(jobs.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < jobs.length) {
      const i = next++;
      out[i] = await (jobs[i] as () => Promise<T>)();
    }
  };
  await Promise.all(Array.from({ length: width }, lane));
  return out;
}

/** Every file under `d` with its bytes, by name. */
function contents(d: string): Map<string, string> {
  const files = existsSync(d) ? readdirSync(d).filter((f) => statSync(join(d, f)).isFile()).sort() : [];
  return new Map(files.map((f) => [f, readFileSync(join(d, f), 'utf8')]));
}

const maskDurations = (t: string): string => t.replace(/\b\d+(\.\d+)? ?m?s\b/g, 'T');

/** The known bugs of one model. */
const bugsOf = (model: (typeof MODELS)[number]) => model.variants.filter((v) => v.expect.kind === 'violates').map((v) => ({ model: model.name, variant: v.name }));

test.each(MODELS.map((m) => [m.name, m] as const))('%s: every counterexample of the ci profile found the same twice, replayed byte for byte, and explore agrees with one thread or workers, fingerprint or exact', async (_, model) => {
  const BUGS = bugsOf(model);
  expect(BUGS.length).toBeGreaterThan(2);
  // each job in its own folder, by the same relative --out: a trace file names its replay command by that path
  const gate = (b: (typeof BUGS)[number], pass: string) => async () => {
    const cwd = mkdtempSync(join(dir, `${b.model}-${b.variant}-${pass}-`));
    const r = await mmcheck(cwd, 'ci', b.model, '--variant', b.variant, '--profile', 'ci', '--counterexamples', '--out', 'out');
    return { ...b, cwd, code: r.code, out: maskDurations(r.out), files: contents(join(cwd, 'out')) };
  };
  const first = await pooled(BUGS.map((b) => gate(b, 'a')));
  const again = await pooled(BUGS.map((b) => gate(b, 'b')));
  const problems: string[] = [];
  const replays: { cwd: string; file: string; text: string }[] = [];
  const explores: { model: string; variant: string; files: Map<string, string> }[] = [];
  for (const [i, a] of first.entries()) {
    const b = again[i];
    const name = `${a.model} ${a.variant}`;
    if (a.code !== 0) problems.push(`${name}: ci exit ${a.code}`);
    if (b?.out !== a.out) problems.push(`${name}: the second ci printed something else`);
    if (b === undefined || [...b.files].some(([f, t]) => a.files.get(f) !== t) || b.files.size !== a.files.size) problems.push(`${name}: the second ci wrote other bytes`);
    // every item of a known bug found one counterexample, and saved it
    const items = Number(/: (\d+) items/.exec(a.out)?.[1]);
    const saved = Number(/--counterexamples: (\d+) counterexample/.exec(a.out)?.[1]);
    const jsons = [...a.files.keys()].filter((f) => f.endsWith('.json') && !f.endsWith('.itf.json'));
    if (!(items >= 1) || saved !== items || jsons.length !== items) problems.push(`${name}: ${items} items, ${saved} saved, ${jsons.length} replay files`);
    for (const f of jsons) replays.push({ cwd: a.cwd, file: f, text: a.files.get(f.replace(/\.json$/, '.txt')) ?? '' });
    const own = new Map([...a.files].filter(([f]) => f.includes('-explore.')));
    if (own.size) explores.push({ model: a.model, variant: a.variant, files: own });
  }
  expect(problems).toEqual([]);
  expect(replays.length).toBeGreaterThan(3 * BUGS.length);
  // a replay in a fresh process prints its trace file, byte for byte
  const reproduced = await pooled(replays.map((r) => async () => ((await mmcheck(r.cwd, 'repro', join('out', r.file))).out === r.text ? '' : `${r.file}: repro printed something else`)));
  expect(reproduced.filter((x) => x !== '')).toEqual([]);
  // the gate's exploration is the one explore finds, whatever the threads and the keys
  expect(explores.length).toBeGreaterThan(0);
  const modes = [['--exact'], ['--workers', '2'], ['--workers', '2', '--exact']];
  const agree = await pooled(
    explores.flatMap((e) =>
      modes.map((mode) => async () => {
        const cwd = mkdtempSync(join(dir, `explore-${e.model}-${e.variant}-`));
        await mmcheck(cwd, 'explore', e.model, '--variant', e.variant, ...mode, '--out', 'out');
        const got = contents(join(cwd, 'out'));
        return [...e.files].every(([f, t]) => got.get(f) === t) && got.size === e.files.size ? '' : `${e.model} ${e.variant} ${mode.join(' ')}: other files`;
      }),
    ),
  );
  expect(agree.filter((x) => x !== '')).toEqual([]);
  // balloon's and reserve's took 7–8 min each at load 18; a few minutes on the idle machine
}, 1_800_000);
