/**
 * Faults in the middle of a run (issue 20), each in a child process of the
 * built `bin/mmcheck.js`, killed after a bound so a hang fails the test:
 * - a signal at a random moment of `run`, `explore` (one thread, two
 *   workers, liveness) and `ci`, with the output folder removed at a random
 *   moment first or not: the exit code is the signal's (or the command's
 *   own when it finished first), no stack trace, and every file in the
 *   output folder is complete (no temporary file; JSON parses, JUnit closes);
 * - a worker thread that dies mid-search: one line, exit 2;
 * - a full disk, as a file-size limit (`ulimit -f`) makes a write fail with
 *   EFBIG: one line naming the file, exit 2, no temporary file left.
 *
 * FAULT_RUNS (default 2) sets the random cases; `npm run fuzz` runs more.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, test } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'mmcheck.js');
const RUNS = Number(process.env.FAULT_RUNS ?? 2);
let dir = '';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mmcheck-faults-'));
  if (!existsSync(join(ROOT, 'dist', 'cli', 'entry.js'))) throw new Error('dist/ missing: run npm run build (npm test does)');
});

interface Ended {
  readonly code: number | null;
  /** The signal that ended the process, when its default action did (before mmcheck's handler was installed). */
  readonly signal: NodeJS.Signals | null;
  readonly out: string;
  readonly err: string;
  readonly killed: boolean;
}

/** Runs mmcheck in `cwd`; after `removeAt` ms removes `removeDir`, after `signalAt` ms sends `signal`; SIGKILL after 40 s. */
function faulted(cwd: string, args: readonly string[], signal: 'SIGINT' | 'SIGTERM', signalAt: number, removeAt: number | null, removeDir: string): Promise<Ended> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd });
    let out = '';
    let err = '';
    let killed = false;
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    const timers = [
      setTimeout(() => child.kill(signal), signalAt),
      setTimeout(() => {
        killed = true;
        child.kill('SIGKILL');
      }, 40_000),
      ...(removeAt !== null ? [setTimeout(() => rmSync(removeDir, { recursive: true, force: true }), removeAt)] : []),
    ];
    child.on('close', (code, sig) => {
      for (const t of timers) clearTimeout(t);
      done({ code, signal: sig, out, err, killed });
    });
  });
}

/** Every file under `d`, recursively. */
function filesUnder(d: string): string[] {
  if (!existsSync(d)) return [];
  return readdirSync(d, { recursive: true }).map((f) => join(d, String(f))).filter((f) => statSync(f).isFile());
}

/** Why a written file is not complete, or null: a temporary file left, JSON that does not parse, a JUnit file not closed, an empty file. */
function incomplete(file: string): string | null {
  const text = readFileSync(file, 'utf8');
  if (/\/\.\d+\.\d+\.tmp$/.test(file)) return 'temporary file left';
  if (text.length === 0) return 'empty';
  if (file.endsWith('.json')) {
    try {
      JSON.parse(text);
    } catch {
      return 'JSON does not parse';
    }
  }
  if (file.endsWith('.xml') && !text.trimEnd().endsWith('</testsuites>')) return 'JUnit not closed';
  if (file.endsWith('.html') && !text.trimEnd().endsWith('</html>')) return 'HTML not closed';
  return null;
}

/** The commands signalled, each writing into `out/`; long enough that a signal within 3 s usually lands mid-run. */
const COMMANDS: readonly (readonly string[])[] = [
  ['run', 'msgmni', '--runs', '10000000', '--junit', 'out/r.xml', '--summary', 'out/r.md', '--html', 'out/html', '--out', 'out'],
  ['explore', 'balloon', '--no-symmetry', '--out', 'out'],
  ['explore', 'balloon', '--no-symmetry', '--workers', '2', '--out', 'out'],
  ['explore', 'balloon', '--liveness', '--out', 'out'],
  ['ci', '--profile', 'ci', '--out', 'out'],
];

describe('faults mid-run', () => {
  test('a signal at a random moment, the output folder removed or not: the right exit code, complete files, no hang', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: COMMANDS.length - 1 }),
        fc.constantFrom('SIGINT' as const, 'SIGTERM' as const),
        fc.integer({ min: 300, max: 3_000 }),
        fc.option(fc.integer({ min: 100, max: 2_500 }), { nil: null }),
        async (ci, signal, signalAt, removeAt) => {
          const cwd = mkdtempSync(join(dir, 'case-'));
          const r = await faulted(cwd, COMMANDS[ci] as readonly string[], signal, signalAt, removeAt, join(cwd, 'out'));
          expect(r.killed).toBe(false);
          // the signal's code, or the command's own when it ended first (documented codes only); a signal
          // that lands while Node is still starting, before the handler exists, ends it as the signal's default
          if (r.code === null) expect(r.signal).toBe(signal);
          else expect([0, 1, 3, 4, 5, 6, signal === 'SIGINT' ? 130 : 143]).toContain(r.code);
          expect(r.err).not.toMatch(/^\s+at /m);
          expect(filesUnder(join(cwd, 'out')).map((f) => [f, incomplete(f)]).filter(([, why]) => why !== null)).toEqual([]);
        },
      ),
      { numRuns: RUNS },
    );
  }, 60_000 * Math.max(RUNS, 1));

  test('a worker thread that dies mid-search: one line, exit 2, no hang', () => {
    const r = spawnSync(process.execPath, [BIN, 'explore', '--model', join(ROOT, 'test', 'fixtures', 'dies-in-worker.mjs'), '--workers', '2', '--out', join(dir, 'dies')], { encoding: 'utf8', timeout: 40_000, killSignal: 'SIGKILL' });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('mmcheck: explore worker exited with code 7\n');
  });

  test.runIf(existsSync('/bin/bash'))('a full disk (a write past the file-size limit fails): one line naming the file, exit 2, no temporary file', () => {
    const out = join(dir, 'full');
    // ulimit -f counts 1,024-byte blocks: the replay and text files fit, the ITF trace does not
    const r = spawnSync('/bin/bash', ['-c', `ulimit -f 2; exec "${process.execPath}" "${BIN}" explore memcg --variant V2 --out "${out}"`], { encoding: 'utf8', timeout: 40_000, killSignal: 'SIGKILL' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^mmcheck: cannot write ${out}/memcg-V2-explore\\.itf\\.json: EFBIG: file too large, write\\n$`));
    const files = filesUnder(out);
    expect(files.map((f) => f.slice(out.length + 1)).sort()).toEqual(['memcg-V2-explore.json', 'memcg-V2-explore.txt']);
    expect(files.map(incomplete)).toEqual([null, null]);
  });
});
