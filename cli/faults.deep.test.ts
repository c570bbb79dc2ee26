/**
 * Signals at random moments of a run (issue 20), each in a child process of
 * the built `bin/mmcheck.js`, killed after a bound so a hang fails the test:
 * a signal at a random moment of `run`, `explore` (one thread, two
 *   workers, liveness) and `ci`, with the output folder removed at a random
 *   moment first or not: the exit code is the signal's (or the command's
 *   own when it finished first), no stack trace, and every file in the
 *   output folder is complete (no temporary file; JSON parses, JUnit closes)
 * (the worker that dies and the full disk: `faults.test.ts`).
 *
 * FAULT_RUNS (default 4) sets the random cases; `npm run fuzz` runs 40.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, test } from 'vitest';
import { filesUnder, incomplete } from '../test/files.js';

const ROOT = resolve(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'mmcheck.js');
const RUNS = Number(process.env.FAULT_RUNS ?? 4);
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
});
