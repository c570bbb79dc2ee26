/**
 * `mmcheck races` (spec 06 §5): a race is reported as a lock-order cycle is
 * (the field, both steps with their locks, the actions), exit 1; none,
 * exit 0, with what was checked and what each model exempts; bad input,
 * one line and exit 2; `mmcheck list` prints every exemption.
 */
import { describe, expect, test } from 'vitest';
import { runCli } from '../test/cli.js';

describe('mmcheck races', () => {
  test('reserve V5 (ADJ without var_free_mutex): the races, both steps and their traces, exit 1', async () => {
    const r = await runCli('races', 'reserve', '--variant', 'V5');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^data race on varFreeKb: S2 and S1, no common lock$/m);
    expect(r.out).toMatch(/^ {2}S2 reads varFreeKb in A2 __mem_reserve_add, holding no lock, at step \d+ of explore$/m);
    expect(r.out).toMatch(/^ {5}actions: /m);
    expect(r.out).toMatch(/^races: reserve V5, complete exploration of 259 states \(the variant's configuration, memory sc\), locksets; \d+ fields checked, \d+ accessed by more than one context$/m);
    expect(r.out).toMatch(/^ {2}exempt zone\.free \([\d,]+ accesses\): the page allocator's free count/m);
    expect(r.out).toMatch(/^7 data races$/m);
    expect(r.err).toBe('');
  });

  test('memcg W3: no data race, exit 0', async () => {
    const r = await runCli('races', 'memcg', '--variant', 'W3');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^no data race$/m);
    expect(r.out).toMatch(/exempt S1: usage/);
  });

  test('a bound that cuts the exploration short says so, exit 5', async () => {
    const r = await runCli('races', 'memcg', '--max-states', '50');
    expect(r.code).toBe(5);
    expect(r.out).toMatch(/INCOMPLETE exploration of/);
    expect(r.out).toMatch(/^no data race among the states explored$/m);
  });

  test('an unknown model or variant, two models: one line, exit 2', async () => {
    expect(await runCli('races', 'nosuch')).toMatchObject({ code: 2, out: '' });
    const v = await runCli('races', 'memcg', '--variant', 'V9');
    expect(v.code).toBe(2);
    expect(v.err.split('\n').filter(Boolean)).toHaveLength(1);
    expect((await runCli('races', 'memcg', 'slab')).err).toBe('mmcheck: races takes exactly one MODEL');
  });

  test('list prints what each model exempts from the race check, and why', async () => {
    const r = await runCli('list');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^ {2}races: pages exempt: the page allocator's page states/m);
    expect(r.out).toMatch(/^ {2}races: oomPending exempt: the OOM handshake/m);
  });
});
