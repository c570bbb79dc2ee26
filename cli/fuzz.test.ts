/**
 * Fuzzed input (issue 20): corrupted replay, ITF and litmus files, `--model`
 * modules that export the wrong thing or throw, random `--config`
 * JSON and random argument vectors, each run through the CLI in-process.
 * Whatever the input, the command ends with a documented exit code, and an
 * error is exactly one line on stderr with no stack trace. `FUZZ_RUNS`
 * (default 60 per property here; `npm run fuzz` sets 2,000) sizes it, the
 * same for every kind; `FUZZ_SEED` picks the cases, so runs with different
 * seeds add up.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runCli } from '../test/cli.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 60);
const SEED = Number(process.env.FUZZ_SEED ?? 20);
/** A property's time bound, grown with its cases (a 50,000-case run takes most of an hour). */
const TIMEOUT = Math.max(300_000, RUNS * 250);
const CODES = [0, 1, 2, 3, 4, 5, 6];

const dir = mkdtempSync(join(tmpdir(), 'mmcheck-fuzz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let replay: Record<string, unknown> = {};
let itf: Record<string, unknown> = {};
beforeAll(async () => {
  expect((await runCli('run', 'memcg', '--variant', 'V2', '--runs', '200', '--out', dir)).code).toBe(1);
  replay = JSON.parse(readFileSync(join(dir, 'memcg-V2-random-seed1.json'), 'utf8')) as Record<string, unknown>;
  itf = JSON.parse(readFileSync(join(dir, 'memcg-V2-random-seed1.itf.json'), 'utf8')) as Record<string, unknown>;
});

/** The exit codes each property met: a fuzz that only ever met one code would prove little. */
const met = new Map<string, Set<number>>();

/** The CLI's answer is one of the documented ones: a code of the table, and on exit 2 one line, no stack. */
function wellBehaved(r: { code: number; out: string; err: string }, what: string): void {
  met.set(what, (met.get(what) ?? new Set()).add(r.code));
  expect(CODES).toContain(r.code);
  if (r.code === 2) {
    // one line; `litmus` checks every file it is given and says one line per file it cannot read
    const lines = r.err.split('\n');
    if (what !== 'litmus') expect(lines).toHaveLength(1);
    for (const l of lines) expect(l).toMatch(/^mmcheck: /);
  } else expect(r.err).toBe('');
  expect(`${r.out}\n${r.err}`).not.toMatch(/\n\s+at \S+ \(/);
}

/** A JSON value, or one of the strings and numbers that broke tools before. */
const anyValue = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(-1, 2 ** 53, -(2 ** 60), 1e308, '', '\u001b[2J', '../../x', '__proto__'),
);

/** One corruption of a parsed file: a field replaced or dropped, an action changed, the text cut. */
const corruption = (keys: () => string[]) =>
  fc.oneof(
    fc.record({ kind: fc.constant('set' as const), key: fc.nat(), value: anyValue }),
    fc.record({ kind: fc.constant('drop' as const), key: fc.nat() }),
    fc.record({ kind: fc.constant('action' as const), at: fc.nat(), label: fc.oneof(fc.string(), fc.constantFrom('charge', 'P9(w="S")', 'P1(w="Q")')) }),
    fc.record({ kind: fc.constant('cut' as const), at: fc.double({ min: 0, max: 1, noNaN: true }) }),
    // nested far deeper than anything mmcheck writes, built as text (an object that deep breaks JSON.stringify)
    fc.record({ kind: fc.constant('deep' as const), key: fc.nat(), at: fc.integer({ min: 1_000, max: 100_000 }) }),
  ).map((c) => ({ ...c, keys }));

function corrupt(base: Record<string, unknown>, c: { kind: string; key?: number; value?: unknown; at?: number; label?: string; keys: () => string[] }): string {
  const o: Record<string, unknown> = structuredClone(base);
  const names = c.keys();
  const key = names[(c.key ?? 0) % names.length] as string;
  if (c.kind === 'set') o[key] = c.value;
  if (c.kind === 'deep') o[key] = '@deep@';
  if (c.kind === 'drop') delete o[key];
  if (c.kind === 'action' && Array.isArray(o.actions)) {
    const a = [...(o.actions as unknown[])];
    a.splice((c.at ?? 0) % (a.length + 1), 0, c.label);
    o.actions = a;
  }
  const d = c.at ?? 0;
  const text = c.kind === 'deep' ? JSON.stringify(o).replace('"@deep@"', `${'['.repeat(d)}${']'.repeat(d)}`) : JSON.stringify(o);
  return c.kind === 'cut' ? text.slice(0, Math.floor((c.at ?? 0) * text.length)) : text;
}

describe('fuzzed input files', () => {
  test('repro and report of corrupted replay files', async () => {
    await fc.assert(
      fc.asyncProperty(corruption(() => Object.keys(replay)), async (c) => {
        const file = join(dir, 'fuzz.json');
        writeFileSync(file, corrupt(replay, c));
        wellBehaved(await runCli('repro', file), 'replay');
        wellBehaved(await runCli('report', file, '--html', join(dir, 'fuzz.html')), 'replay');
      }),
      { numRuns: RUNS, seed: SEED },
    );
    // some corruptions leave a file that still reproduces (exit 1), most are refused (exit 2)
    expect([...(met.get('replay') ?? [])].sort()).toEqual(expect.arrayContaining([0, 1, 2]));
  }, TIMEOUT);

  test('repro of corrupted ITF files', async () => {
    await fc.assert(
      fc.asyncProperty(corruption(() => Object.keys(itf)), async (c) => {
        const file = join(dir, 'fuzz.itf.json');
        writeFileSync(file, corrupt(itf, c));
        wellBehaved(await runCli('repro', file), 'itf');
      }),
      { numRuns: RUNS, seed: SEED },
    );
    expect([...(met.get('itf') ?? [])]).toEqual(expect.arrayContaining([1, 2]));
  }, TIMEOUT);

  test('run --config with random JSON', async () => {
    const models = ['memcg', 'slab', 'balloon', 'msgmni', 'reserve'];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...models), fc.oneof(fc.constant({}), fc.jsonValue({ maxDepth: 2 }), fc.dictionary(fc.constantFrom('toString', '__proto__', 'constructor', 'creates', 'blocks', 'k', 'charges'), anyValue)), async (m, config) => {
        const r = await runCli('run', m, '--variant', 'reference', '--config', JSON.stringify(config), '--runs', '1', '--out', join(dir, 'cfg'));
        wellBehaved(r, 'config');
      }),
      // each accepted configuration runs the model: fewer of these
      { numRuns: RUNS, seed: SEED },
    );
    // {} is a valid configuration of every model (the small one's fields are defaults): some runs ran
    const codes = [...(met.get('config') ?? [])];
    expect(codes).toContain(2);
    expect(codes.some((c) => c !== 2)).toBe(true);
  }, TIMEOUT);
});

describe('fuzzed litmus files and model modules', () => {
  // a few of the kernel's own tests (test/litmus/kernel), cut and spliced
  const LITMUS = ['CoRR+poonceonce+Once.litmus', 'CoWW+poonceonce.litmus', 'IRIW+fencembonceonces+OnceOnce.litmus'].map((f) => readFileSync(join(import.meta.dirname, '..', 'test', 'litmus', 'kernel', f), 'utf8'));
  // `run` with no model runs every variant of every model (5 s a vector): its vectors name one (or an
  // unknown one); the main job's own tests run it whole
  const RUN_MODELS = ['memcg', 'msgmni', 'nosuch', '--variant'];
  const TOKENS = ['{', '}', '(', ')', ';', 'P9', 'int *x', 'READ_ONCE(', 'smp_mb();', 'exists', '/\\', '\\/', '~', '0:r0=', 'x=', '\u0000', '\u001b[2J', 'C', 'locations [x;y]', 'filter (', '*', '-'.repeat(10_000)];
  test('litmus of corrupted kernel litmus tests', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: LITMUS.length - 1 }),
        fc.oneof(
          fc.record({ kind: fc.constant('cut' as const), at: fc.double({ min: 0, max: 1, noNaN: true }) }),
          fc.record({ kind: fc.constant('insert' as const), at: fc.double({ min: 0, max: 1, noNaN: true }), token: fc.oneof(fc.constantFrom(...TOKENS), fc.string()) }),
          fc.record({ kind: fc.constant('drop-line' as const), at: fc.nat() }),
        ),
        async (i, c) => {
          const text = LITMUS[i] as string;
          const at = 'at' in c && c.kind !== 'drop-line' ? Math.floor(c.at * text.length) : 0;
          const lines = text.split('\n');
          const bad = c.kind === 'cut' ? text.slice(0, at) : c.kind === 'insert' ? text.slice(0, at) + c.token + text.slice(at) : lines.filter((_, k) => k !== c.at % lines.length).join('\n');
          const file = join(dir, 'fuzz.litmus');
          writeFileSync(file, bad);
          wellBehaved(await runCli('litmus', file), 'litmus-file');
        },
      ),
      { numRuns: RUNS, seed: SEED },
    );
    // a cut at the very end or a splice in a comment leaves a test that still runs; most are refused
    expect([...(met.get('litmus-file') ?? [])]).toEqual(expect.arrayContaining([2]));
    expect([...(met.get('litmus-file') ?? [])].some((c) => c !== 2)).toBe(true);
  }, TIMEOUT);

  test('--model modules that export the wrong thing or throw at import', async () => {
    const body = fc.oneof(
      anyValue.map((v) => `export const model = ${JSON.stringify(v)};`),
      anyValue.map((v) => `export default ${JSON.stringify(v)};`),
      fc.dictionary(fc.constantFrom('name', 'variants', 'machine', 'smallConfig', 'randomConfig', 'properties'), anyValue).map((o) => `export const model = ${JSON.stringify(o)};`),
      fc.string().map((m) => `throw new Error(${JSON.stringify(m)});`),
      fc.constantFrom('throw 42;', 'throw null;', 'export const model = { name: "x", machine: () => { throw new Error("no") } };', 'syntax error here', ''),
    );
    // a module is imported once per URL and cached: each case gets its own file
    let n = 0;
    await fc.assert(
      fc.asyncProperty(body, async (text) => {
        const file = join(dir, `fuzz-model-${n++}.mjs`);
        writeFileSync(file, `${text}\n`);
        wellBehaved(await runCli('run', '--model', file, '--runs', '1', '--out', join(dir, 'mod')), 'model-module');
      }),
      { numRuns: RUNS, seed: SEED },
    );
    expect([...(met.get('model-module') ?? [])]).toEqual([2]);
  }, TIMEOUT);
});

describe('fuzzed argument vectors', () => {
  // every command, with bounds that keep a valid vector short
  const COMMANDS = ['list', 'run', 'explore', 'repro', 'report', 'ci', 'litmus', 'races', 'help', '--help', 'nosuch'];
  // `run` with no model runs every variant of every model (5 s a vector): its vectors name one (or an
  // unknown one); the main job's own tests run it whole
  const RUN_MODELS = ['memcg', 'msgmni', 'nosuch', '--variant'];
  const TOKENS = ['memcg', 'slab', 'nosuch', '--variant', 'V2', 'reference', 'toString', '--seed', '-1', '7', 'x', '--runs', '--max-states', '--depth', '--scheduler', 'pct', '--property', 'M1', '--model', '--config', '{}', '--no-symmetry', '--check-fast-path', '--immer-path', '--profile', 'nope', '--shard', '3/2', '--workers', '0', '--', '\u001b[2J', '', '--help'];
  test('random vectors end with a documented code and one-line errors', async () => {
    // options that name a file to write come with a path inside the test's folder, never a random token
    const WRITERS = [['--html', join(dir, 'argv-html')], ['--junit', join(dir, 'argv.xml')], ['--summary', join(dir, 'argv.md')]];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...COMMANDS), fc.constantFrom(...RUN_MODELS), fc.array(fc.oneof(fc.constantFrom(...TOKENS).map((t) => [t]), fc.constantFrom(...WRITERS)), { maxLength: 5 }), async (cmd, model, parts) => {
        const rest = cmd === 'run' ? [model, ...parts.flat()] : parts.flat();
        // never a long search: the commands that search get a bound and a private output folder
        const out = ['--out', join(dir, 'argv')];
        // (ci: a shard past its last item, so a valid vector parses, checks and ends at once, instead
        // of spending its second of gate work: that second was three quarters of this property's time)
        const bound = cmd === 'run' ? ['--runs', '3', ...out] : cmd === 'explore' ? ['--max-states', '200', ...out] : cmd === 'races' ? ['--max-states', '200'] : cmd === 'ci' ? ['--time-limit', '1', '--shard', '1000/1000', ...out] : [];
        wellBehaved(await runCli(cmd, ...rest, ...bound), cmd === 'litmus' ? 'litmus' : 'argv');
      }),
      { numRuns: RUNS, seed: SEED },
    );
    expect([...(met.get('argv') ?? [])]).toEqual(expect.arrayContaining([0, 2]));
  }, TIMEOUT);
});
