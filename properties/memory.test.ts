/**
 * The memory bound (issue 20): an exhaustive search past `maxMemoryBytes`
 * stops with the verdict "incomplete: … memory limit", on one thread, with
 * workers, and in the liveness engine. A bound of 1 byte is always exceeded,
 * so each engine stops at its first check.
 */
import { describe, expect, test } from 'vitest';
import { explore, verdict } from './explore.js';
import { exploreParallel } from './explore-parallel.js';
import { checkLiveness } from './liveness.js';
import { defaultMaxMemory, memoryOver } from './core.js';
import { memcgModel } from '../model/memcg/model.js';
import { modelSource } from '../model/registry.js';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';

const m = memcgModel.machine('reference', memcgModel.smallConfig);

describe('the memory bound', () => {
  test('the default is three quarters of the machine, and this test process is under it', () => {
    expect(defaultMaxMemory()).toBe(Math.floor(0.75 * totalmem()));
    expect(memoryOver()).toBe(false);
    expect(memoryOver(1)).toBe(true);
  });

  test('explore stops at the memory limit, incomplete, and says so', () => {
    const r = explore(m, { maxMemoryBytes: 1, maxStates: 10_000 });
    expect(r.complete).toBe(false);
    expect(r.stopped).toBe('memory');
    expect(r.states).toBeLessThan(10_000);
    expect(verdict(r)).toMatch(/^incomplete: stopped at the memory limit after \d+ states, depth \d+$/);
    // the same search without the bound runs on to its state bound: the stop was the memory bound's
    expect(explore(m, { maxStates: 10_000 }).stopped).toBe('states');
  });

  test('explore with two workers stops at the memory limit', async () => {
    const r = await exploreParallel(m, { ...modelSource('memcg'), variant: 'reference', config: memcgModel.smallConfig }, 2, { maxMemoryBytes: 1 });
    expect(r.complete).toBe(false);
    expect(r.stopped).toBe('memory');
  });

  test('the liveness engine stops at the memory limit', () => {
    const r = checkLiveness(m, { maxMemoryBytes: 1, maxStates: 10_000 });
    expect(r.complete).toBe(false);
    expect(r.stopped).toBe('memory');
  });
});

describe('explore --max-memory', () => {
  const BIN = resolve(import.meta.dirname, '..', 'bin', 'mmcheck.js');
  const mmcheck = (...args: string[]) => {
    const r = spawnSync(process.execPath, [BIN, ...args, '--out', mkdtempSync(join(tmpdir(), 'mmcheck-mem-'))], { encoding: 'utf8', timeout: 60_000 });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };
  test('a bound below any process: the verdict names the memory limit, exit 5 (cut short)', () => {
    const r = mmcheck('explore', 'msgmni', '--max-memory', '1');
    expect(r.out).toMatch(/^incomplete: stopped at the memory limit after \d+ states/m);
    expect(r.code).toBe(5);
    const l = mmcheck('explore', 'msgmni', '--liveness', '--max-memory', '1');
    expect(l.out).toMatch(/^incomplete: no liveness violation among \d+ states; stopped at the memory limit/m);
    expect(l.code).toBe(5);
  });
  test('a bad bound: one line, exit 2', () => {
    const r = mmcheck('explore', 'msgmni', '--max-memory', '0');
    expect(r.code).toBe(2);
    expect(r.err).toBe("mmcheck: --max-memory must be an integer ≥ 1, got '0'\n");
  });
});
