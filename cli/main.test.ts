/**
 * The CLI as a user meets it: the built `bin/mmcheck.js` in a fresh folder
 * (`npm test` builds first). Counterexample files, byte-identical repro,
 * and one-line errors with exit code 2 for bad input.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';

const BIN = resolve(import.meta.dirname, '..', 'bin', 'mmcheck.js');
let dir = '';

function mmcheck(...args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: dir, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mmcheck-cli-'));
  if (!existsSync(resolve(import.meta.dirname, '..', 'dist', 'cli', 'main.js'))) throw new Error('dist/ missing: run npm run build (npm test does)');
});

describe('mmcheck run and repro', () => {
  test('run --config draws every run on that configuration (over the variant\'s own); without a MODEL or with a bad field: one line, exit 2', () => {
    const r = mmcheck('run', 'msgmni', '--variant', 'V2', '--config', '{"creates":2}', '--runs', '50', '--out', 'cfg');
    expect(r.code).toBe(1);
    const saved = JSON.parse(readFileSync(join(dir, 'cfg', 'msgmni-V2-random-seed1.json'), 'utf8')) as { config: { creates: number; memEvents: number } };
    // creates from --config, the rest from the small configuration (V2 has none of its own), not a random draw
    expect({ creates: saved.config.creates, memEvents: saved.config.memEvents }).toEqual({ creates: 2, memEvents: 2 });
    expect(mmcheck('run', '--config', '{"creates":2}')).toMatchObject({ code: 2, err: 'mmcheck: --config needs a MODEL\n' });
    expect(mmcheck('run', 'msgmni', '--config', '{"creates":9}')).toMatchObject({ code: 2, err: "mmcheck: --config: msgmni config field 'creates': must be at most 2\n" });
  });

  test('run writes a replay file and trace; repro prints the identical trace twice and exits 1', () => {
    const run = mmcheck('run', 'memcg', '--variant', 'V2', '--seed', '3', '--runs', '500');
    expect(run.code).toBe(1);
    expect(run.out).toMatch(/violates M2/);
    const file = join('mmcheck-out', 'memcg-V2-random-seed3.json');
    expect(existsSync(join(dir, file))).toBe(true);
    const txt = readFileSync(join(dir, 'mmcheck-out', 'memcg-V2-random-seed3.txt'), 'utf8');
    expect(txt.trimEnd().split('\n').at(-1)).toBe(`replay: npx mmcheck repro ${file}`);
    const a = mmcheck('repro', file);
    const b = mmcheck('repro', file);
    expect(a.code).toBe(1);
    expect(a.out).toBe(b.out);
    expect(a.out).toBe(txt);
  });

  test('repro exits 0 once the trace replays whole and its property holds; a trace that no longer applies exits 2', () => {
    // W1's wrapping parse: the same single write on the reference replays, and M5 holds
    expect(mmcheck('run', 'memcg', '--variant', 'W1', '--runs', '300', '--seed', '3', '--out', 'w1').code).toBe(1);
    const w1 = JSON.parse(readFileSync(join(dir, 'w1', 'memcg-W1-random-seed3.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(dir, 'fixed.json'), JSON.stringify({ ...w1, variant: 'reference' }));
    const fixed = mmcheck('repro', 'fixed.json');
    expect(fixed.code).toBe(0);
    expect(fixed.out).toMatch(/no longer reproduces: M5 holds/);
    // V2's trace takes the shrink callback's step, which the reference does not have
    const v2 = JSON.parse(readFileSync(join(dir, 'mmcheck-out', 'memcg-V2-random-seed3.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(dir, 'gone.json'), JSON.stringify({ ...v2, variant: 'reference' }));
    const gone = mmcheck('repro', 'gone.json');
    expect(gone.code).toBe(2);
    expect(gone.err).toMatch(/gone\.json does not replay on this model \(step \d+: action .* is not enabled/);
  });

  test('explore reports a complete verdict for a harmless variant and a shortest counterexample for a buggy one', () => {
    const ok = mmcheck('explore', 'memcg', '--variant', 'W3');
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/^no violation: \d+ distinct states, depth \d+, complete \(/m);
    const bad = mmcheck('explore', 'memcg', '--variant', 'W1');
    expect(bad.code).toBe(1);
    expect(bad.out).toMatch(/shortest counterexample: 1 steps/);
    expect(readdirSync(join(dir, 'mmcheck-out'))).toContain('memcg-W1-explore.json');
  });

  test('run --property searches for one property; violations of others on the way are tallied', () => {
    const r = mmcheck('run', 'msgmni', '--variant', 'V1', '--property', 'P3', '--seed', '1');
    expect(r.code).toBe(1);
    // the table gives the minimized length, its preemptions and the BFS-shortest of its configuration
    expect(r.out).toMatch(/^model\s+variant\s+expected\s+found\s+runs\s+time\s+counterexample\s+steps\s+preempt\.\s+bfs-shortest$/m);
    expect(r.out).toMatch(/msgmni-V1-random-seed1\.json\s+5\s+\d+\s+5$/m);
    expect(r.out).toMatch(/^msgmni\s+V1\s+P3\s+P3 \(also P2×\d+\)/m);
  });

  test('run --time-limit: an interrupted run says so and still writes every report', () => {
    const r = mmcheck('run', 'msgmni', '--runs', '10000000', '--time-limit', '1', '--summary', 'tl.md', '--junit', 'tl.xml');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/INTERRUPTED by --time-limit 1s: 11 variant\(s\) did not spend their 10000000 runs/);
    expect(r.out).toMatch(/^msgmni\s+W4-27\s+P4\s+not run/m);
    expect(readFileSync(join(dir, 'tl.md'), 'utf8')).toMatch(/\*\*Interrupted\*\* \(--time-limit 1s\)/);
    expect(readFileSync(join(dir, 'tl.xml'), 'utf8')).toMatch(/<skipped message="interrupted by the time limit after 0 of 10000000 runs"\/>/);
  });

  test('list shows every variant with its expected verdict', () => {
    const r = mmcheck('list');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/memcg\s+V2\s+M2/);
    expect(r.out).toMatch(/memcg\s+W3\s+harmless/);
  });
});

describe('bad input: one line on stderr, exit 2, no stack trace', () => {
  const oneLine = (r: { code: number | null; err: string; out: string }, pattern: RegExp): void => {
    expect(r.code).toBe(2);
    expect(r.err.trimEnd().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(pattern);
    expect(r.err).not.toMatch(/\n\s+at /);
  };
  test('a truncated replay file', () => {
    const full = readFileSync(join(dir, 'mmcheck-out', 'memcg-V2-random-seed3.json'), 'utf8');
    writeFileSync(join(dir, 'cut.json'), full.slice(0, Math.floor(full.length / 2)));
    oneLine(mmcheck('repro', 'cut.json'), /cut\.json is not valid JSON/);
  });
  // a trace whose steps no longer apply says nothing about the bug: never exit 0 as if it were fixed
  test('a replay file naming an unknown action', () => {
    const src = JSON.parse(readFileSync(join(dir, 'mmcheck-out', 'memcg-V2-random-seed3.json'), 'utf8')) as { actions: string[] };
    writeFileSync(join(dir, 'odd.json'), JSON.stringify({ ...src, actions: ['nonsense', ...src.actions] }));
    oneLine(mmcheck('repro', 'odd.json'), /odd\.json does not replay on this model \(step 1: action nonsense is not enabled.*says nothing about the bug/);
    oneLine(mmcheck('report', 'odd.json', '--html', 'odd.html'), /odd\.json does not replay on this model/);
    expect(existsSync(join(dir, 'odd.html'))).toBe(false);
  });
  test('a replay file whose actions diverge midway', () => {
    const src = JSON.parse(readFileSync(join(dir, 'mmcheck-out', 'memcg-V2-random-seed3.json'), 'utf8')) as { actions: string[] };
    expect(src.actions.length).toBeGreaterThan(2);
    writeFileSync(join(dir, 'skip.json'), JSON.stringify({ ...src, actions: [src.actions[0], ...src.actions.slice(2)] }));
    oneLine(mmcheck('repro', 'skip.json'), /skip\.json does not replay on this model \(step 2: action .* is not enabled/);
  });
  test('a --model module whose import never settles', () => {
    writeFileSync(join(dir, 'never.mjs'), 'await new Promise(() => {});\nexport const model = {};\n');
    oneLine(mmcheck('run', '--model', 'never.mjs'), /the command ended without finishing: something it waited for never settled/);
  });
  test('a --model module that loops at import is stopped after the load timeout', () => {
    writeFileSync(join(dir, 'loop.mjs'), 'for (;;) {}\nexport const model = {};\n');
    const r = spawnSync(process.execPath, [BIN, 'run', '--model', 'loop.mjs'], { cwd: dir, encoding: 'utf8', env: { ...process.env, MMCHECK_LOAD_TIMEOUT: '2' } });
    oneLine({ code: r.status, out: r.stdout, err: r.stderr }, /the models did not finish loading in 2 s \(a --model module that loops at import\?\); stopped/);
  });
  test('a replay file with no actions', () => {
    const src = JSON.parse(readFileSync(join(dir, 'mmcheck-out', 'memcg-V2-random-seed3.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(dir, 'empty.json'), JSON.stringify({ ...src, actions: [] }));
    oneLine(mmcheck('repro', 'empty.json'), /empty\.json records no step, and the initial state violates nothing/);
  });
  test('a device or a folder as the replay file is refused before it is read', () => {
    oneLine(mmcheck('repro', '/dev/zero'), /\/dev\/zero is not a regular file/);
    oneLine(mmcheck('repro', 'mmcheck-out'), /mmcheck-out is not a regular file/);
    oneLine(mmcheck('run', 'memcg', '--config', '/dev/zero'), /\/dev\/zero is not a regular file/);
  });
  test('a replay file nested deeper than the parser\'s stack', () => {
    writeFileSync(join(dir, 'deep.json'), `{"format":"mmcheck-replay","config":${'['.repeat(200_000)}${']'.repeat(200_000)}}`);
    oneLine(mmcheck('repro', 'deep.json'), /deep\.json (is not valid JSON|is not an mmcheck replay file|has replay format)/);
  });
  test('a replay file with a malformed configuration', () => {
    const src = JSON.parse(readFileSync(join(dir, 'mmcheck-out', 'memcg-V2-random-seed3.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(dir, 'cfg.json'), JSON.stringify({ ...src, config: { retries: 'many' } }));
    oneLine(mmcheck('repro', 'cfg.json'), /memcg config field/);
  });
  test('a missing replay file', () => oneLine(mmcheck('repro', 'nope.json'), /cannot read nope\.json: ENOENT/));
  test('an unknown model, with the hint for a model of your own', () => oneLine(mmcheck('run', 'nosuch'), /unknown model 'nosuch' \(known: memcg.*; a model of your own: add --model PATH\)/));
  test('an unknown variant', () => oneLine(mmcheck('run', 'memcg', '--variant', 'V9'), /unknown variant 'V9' of model 'memcg'/));
  test('--runs -1', () => oneLine(mmcheck('run', 'memcg', '--runs', '-1'), /--runs must be a non-negative integer, got '-1'/));
  test('an unknown property', () => oneLine(mmcheck('run', 'msgmni', '--property', 'Q9'), /unknown property 'Q9' \(known: deadlock, lock-discipline/));
  test('an unknown flag and an unknown command', () => {
    oneLine(mmcheck('run', '--bogus'), /Unknown option '--bogus'/);
    oneLine(mmcheck('frobnicate'), /unknown command 'frobnicate'/);
  });
});

describe('run --scheduler pct and witness rates', () => {
  test('PCT catches memcg V2 and prints its guarantee for the variants it passes', () => {
    const r = mmcheck('run', 'memcg', '--variant', 'V2', '--scheduler', 'pct', '--depth', '2', '--runs', '300', '--seed', '2');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^memcg\s+V2\s+M2\s+M2\s+\d+\s+[\d.]+s\s+mmcheck-out\/memcg-V2-pct-seed2\.json/m);
    const ok = mmcheck('run', 'memcg', '--variant', 'reference', '--scheduler', 'pct', '--depth', '2', '--runs', '300', '--seed', '2');
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/memcg reference: PCT depth 2: n = \d+ contexts, k = \d+ steps: one run finds a depth-2 bug with probability ≥ 1\/[\d,]+; 99% needs [\d,]+ runs \(300 made\)/);
    expect(r.out).toMatch(/^PCT, seed 2;/m);
  });
  test('a variant that must hold lists each witness as N of M runs (p%)', () => {
    const r = mmcheck('run', 'memcg', '--variant', 'reference', '--runs', '200');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/memcg reference: witnessed limit-ok in \d+ of 200 runs \(\d+\.\d%\)/);
  });
  test('bad scheduler flags', () => {
    expect(mmcheck('run', 'memcg', '--scheduler', 'dfs').err).toMatch(/--scheduler must be random or pct, got 'dfs'/);
    expect(mmcheck('run', 'memcg', '--depth', '2').err).toMatch(/--depth needs --scheduler pct/);
    expect(mmcheck('run', 'memcg', '--scheduler', 'pct', '--depth', '0').code).toBe(2);
  });
});

describe('a reader that goes away', () => {
  // `mmcheck … | head -1`: the shell closes the pipe after one line
  const piped = (args: string[]): { code: number | null; err: string; first: string } => {
    const r = spawnSync('bash', ['-c', `set -o pipefail; node ${JSON.stringify(BIN)} ${args.join(' ')} | head -1; echo "rc=\${PIPESTATUS[0]}" >&2`], { cwd: dir, encoding: 'utf8' });
    return { code: Number(/rc=(\d+)/.exec(r.stderr)?.[1]), err: r.stderr.replace(/rc=\d+\n?/, ''), first: r.stdout };
  };
  test('list | head -1 prints one line, no stack trace, exit 0', () => {
    const r = piped(['list']);
    expect(r.first.split('\n').filter(Boolean)).toHaveLength(1);
    expect(r.err).not.toMatch(/EPIPE|at .*\.js/);
    expect(r.code).toBe(0);
  });
  test('run | head -1 keeps the run\'s own exit code and still writes its replay file', () => {
    const r = piped(['run', 'memcg', '--variant', 'V2', '--seed', '4', '--runs', '300', '--out', 'pipe-out']);
    expect(r.first).toMatch(/memcg V2/);
    expect(r.err).not.toMatch(/EPIPE|at .*\.js/);
    expect(r.code).toBe(1);
    expect(existsSync(join(dir, 'pipe-out', 'memcg-V2-random-seed4.json'))).toBe(true);
  });
});
