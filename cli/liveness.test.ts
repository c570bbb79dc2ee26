/**
 * `mmcheck explore --liveness` and `repro` of a lasso, in process: a lasso is
 * printed with its cycle marked, saved (replay file and ITF with `loop`),
 * exits 4, and replays to the same trace.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { main } from './main.js';

async function mmcheck(...argv: string[]): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const code = await main(argv, (s) => lines.push(s), (s) => lines.push(s), null);
  return { code, out: lines.join('\n') };
}

describe('explore --liveness', () => {
  test('memcg V3: a lasso, exit 4; the replay file and the ITF trace carry the loop; repro prints the same trace and exits 4', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mmcheck-live-'));
    const r = await mmcheck('explore', 'memcg', '--variant', 'V3', '--liveness', '--out', dir);
    expect(r.code).toBe(4);
    expect(r.out).toMatch(/memcg V3 — violates L1\+ \(liveness, 3 steps, then a cycle of 6\)/);
    expect(r.out).toMatch(/↻ cycle: steps 4–9 repeat forever/);
    // the unbudgeted charger's charge is C's step (fairness counts it there), not the environment's
    expect(r.out).toMatch(/^ #\s+S\s+│ C\s+│ changes$/m);
    expect(r.out).toMatch(/↻ repeats from step 4/);
    const json = join(dir, 'memcg-V3-liveness.json');
    expect(JSON.parse(readFileSync(json, 'utf8')).loop).toBe(3);
    expect(JSON.parse(readFileSync(join(dir, 'memcg-V3-liveness.itf.json'), 'utf8')).loop).toBe(3);
    const trace = readFileSync(join(dir, 'memcg-V3-liveness.txt'), 'utf8').trimEnd();
    const again = await mmcheck('repro', json);
    expect(again.code).toBe(4);
    expect(again.out).toBe(trace);
    const itf = await mmcheck('repro', join(dir, 'memcg-V3-liveness.itf.json'));
    expect(itf.code).toBe(4);
    expect(itf.out).toMatch(/violated L1\+ on this lasso/);
    // a loop index that no longer closes the cycle is judged again, not trusted
    const moved = join(dir, 'moved.json');
    writeFileSync(moved, JSON.stringify({ ...JSON.parse(readFileSync(json, 'utf8')), loop: 4 }));
    const stale = await mmcheck('repro', moved);
    expect(stale.code).toBe(0);
    expect(stale.out).toMatch(/no longer reproduces: the cycle does not return to the state after step 4/);
  });

  test('a variant that keeps its eventually-properties exits 0 and says so', async () => {
    const r = await mmcheck('explore', 'memcg', '--variant', 'W3', '--liveness');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^liveness: L1\+, L1 hold among \d+ states \(complete/);
  });

  test('a model without eventually-properties has nothing to check', async () => {
    const r = await mmcheck('explore', 'slab', '--liveness');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/no eventually-properties to check/);
  });

  test.each([
    [['--max-depth', '3'], /^mmcheck: --max-depth does not apply to --liveness/],
    [['--workers', '2'], /^mmcheck: --workers does not apply to --liveness/],
    [['--no-symmetry'], /^mmcheck: --no-symmetry does not apply to --liveness/],
  ])('%s does not combine with --liveness: one line, exit 2', async (flags, line) => {
    const r = await mmcheck('explore', 'memcg', '--liveness', ...flags);
    expect(r.code).toBe(2);
    expect(r.out).toMatch(line);
    expect(r.out.split('\n')).toHaveLength(1);
  });

  test('--exact keys states by their text and finds the same states; --time-limit and --max-states name the bound that stopped it', async () => {
    // one memory event, no manual write: a graph of 517 states, small enough to key by text twice
    const small = ['--config', '{"memEvents":1,"manualWrites":0}'];
    const exact = await mmcheck('explore', 'msgmni', '--liveness', '--exact', ...small);
    const fp = await mmcheck('explore', 'msgmni', '--liveness', ...small);
    expect([exact.code, fp.code]).toEqual([0, 0]);
    expect(exact.out).toMatch(/^liveness: P7 holds among 517 states \(complete/);
    expect(fp.out).toMatch(/^liveness: P7 holds among 517 states \(complete/);
    // full keys cost more than fingerprints: the --exact run did key by text
    const bytes = (out: string): number => Number(/(\d+) bytes\/state in the index/.exec(out)?.[1]);
    expect(bytes(exact.out)).toBeGreaterThan(bytes(fp.out));
    const cut = await mmcheck('explore', 'reserve', '--liveness', '--max-states', '500');
    expect(cut.code).toBe(5);
    expect(cut.out).toMatch(/^incomplete: no liveness violation among 50\d states; stopped at the state bound/);
    const timed = await mmcheck('explore', 'reserve', '--liveness', '--time-limit', '1');
    expect(timed.code).toBe(5);
    expect(timed.out).toMatch(/stopped at the time limit/);
  });
});
