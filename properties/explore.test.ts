/**
 * The exhaustive engine's storage, bounds, symmetry and worker threads:
 * fingerprints agree with canonical keys, exact and fingerprint modes and
 * parallel runs give the pinned state counts, every bound names itself in
 * the verdict, and progress is reported. The engine is tried on the smaller
 * configurations (msgmni with two creators and its symmetry, slab V5); each
 * complete exploration is made once and shared (test/variants.ts).
 */
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { main } from '../cli/main.js';
import { canonical } from '../model/canonical.js';
import type { AnyModel } from '../model/contract.js';
import { SMALL as MSGMNI_SMALL, TWO_CREATORS } from '../model/msgmni/config.js';
import { msgmniModel } from '../model/msgmni/model.js';
import { SMALL as SLAB_SMALL } from '../model/slab/config.js';
import { slabModel } from '../model/slab/model.js';
import { modelSource } from '../model/registry.js';
import { exploreProgressText } from '../reports/progress.js';
import type { ExploreProgress } from './explore.js';
import { explore, verdict } from './explore.js';
import { exploreParallel } from './explore-parallel.js';
import { fingerprintOf, FingerprintSet } from './fingerprint.js';
import { explored } from '../test/variants.js';
import { runCli } from '../test/cli.js';

// the counts pinned in msgmni.test.ts and slab.test.ts
const MSGMNI_STATES = 23_831;
const SLAB_V5_STATES = 2_616;
/** msgmni's W2 configuration (two creators): with the ns1/ns2 swap, and counted one by one. */
const TWO_CREATORS_SYM = 4_392;
const TWO_CREATORS_ALL = 5_905;

const slabV5 = { ...SLAB_SMALL, cpus: 1 };

describe('fingerprints', () => {
  test('equal canonical texts give equal fingerprints and different ones different fingerprints', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), (a, b) => {
        const same = canonical(a) === canonical(b);
        const fa = fingerprintOf(a);
        const fb = fingerprintOf(b);
        expect(fa.lo === fb.lo && fa.hi === fb.hi).toBe(same);
      }),
      { numRuns: 2_000, seed: 20261122 },
    );
  });

  test('canonical text tells an empty object from one with an empty key, whichever comes first', () => {
    // regression: the sorted-keys cache once keyed both shapes as '', so the second seen took the first's
    expect(canonical({})).toBe('{}');
    expect(canonical({ '': null })).toBe('{"":null}');
    expect(canonical({ 'a\u0001': 1, b: 2 })).toBe('{"a\\u0001":1,"b":2}');
    expect(canonical({ a: 1, '\u0001b': 2 })).toBe('{"\\u0001b":2,"a":1}');
  });

  test('field order and undefined fields do not change a fingerprint; a moved value does', () => {
    expect(fingerprintOf({ a: 1, b: [2, { c: 'x' }] })).toEqual(fingerprintOf({ b: [2, { c: 'x', d: undefined }], a: 1 }));
    expect(fingerprintOf({ a: 1, b: 2 })).not.toEqual(fingerprintOf({ a: 2, b: 1 }));
    expect(fingerprintOf([1, 2])).not.toEqual(fingerprintOf([2, 1]));
    expect(fingerprintOf('1')).not.toEqual(fingerprintOf(1));
  });

  test('the table keeps every fingerprint across growth and answers known ones', () => {
    const t = new FingerprintSet(16);
    for (let i = 1; i <= 10_000; i++) expect(t.add(i * 2654435761, i)).toBe(true);
    for (let i = 1; i <= 10_000; i++) expect(t.add(i * 2654435761, i)).toBe(false);
    expect(t.add(0, 0)).toBe(true);
    expect(t.add(0, 0)).toBe(false);
    expect(t.size).toBe(10_001);
    expect(t.bytes).toBeLessThan(10_001 * 8 * 3);
  });

  test('fingerprints are numbered densely in the order they were first added', () => {
    const t = new FingerprintSet(16);
    for (let i = 0; i < 5_000; i++) expect(t.intern(i * 40503, ~i)).toBe(i);
    for (let i = 4_999; i >= 0; i--) expect(t.intern(i * 40503, ~i)).toBe(i);
    expect(t.size).toBe(5_000);
  });
});

describe('exact and fingerprint modes, one thread and two', () => {
  // msgmni with two creators also has the engine apply its symmetry in every mode
  // exact keys on worker threads once (msgmni); slab V5 tries the other three modes
  const cases: [string, AnyModel, string, unknown, number, boolean][] = [
    ['msgmni reference, two creators', msgmniModel, 'reference', TWO_CREATORS, TWO_CREATORS_SYM, true],
    ['slab V5', slabModel, 'V5', slabV5, SLAB_V5_STATES, false],
  ];
  test.each(cases)('%s: the pinned count in every mode', async (_, model, variant, config, pinned, parallelExact) => {
    const m = model.machine(variant, config);
    const fp = explored(model, variant, config);
    const ex = explored(model, variant, config, { exact: true });
    const par = await exploreParallel(m, { ...modelSource(model.name), variant, config }, 2);
    const parExact = parallelExact ? [await exploreParallel(m, { ...modelSource(model.name), variant, config }, 2, { exact: true })] : [];
    for (const r of [fp, ex, par, ...parExact]) {
      expect(r.states).toBe(pinned);
      expect(r.complete).toBe(true);
      expect(r.depth).toBe(fp.depth);
      expect(r.transitions).toBe(fp.transitions);
      expect([...r.witnesses]).toEqual([...fp.witnesses]);
    }
    expect([fp.mode, ex.mode, par.workers]).toEqual(['fingerprint', 'exact', 2]);
    // fingerprints and links: tens of bytes a state; full keys cost more
    expect(fp.bytesPerState).toBeLessThan(100);
    expect(ex.bytesPerState).toBeGreaterThan(fp.bytesPerState);
  });

  test('two workers find the same shortest counterexample as one thread', async () => {
    const m = msgmniModel.machine('W2', TWO_CREATORS);
    const one = explore(m, { target: 'P2' });
    const two = await exploreParallel(m, { ...modelSource('msgmni'), variant: 'W2', config: TWO_CREATORS }, 2, { target: 'P2' });
    expect(one.counterexample?.steps.length).toBe(8);
    expect(two.counterexample?.steps.map((s) => s.label)).toEqual(one.counterexample?.steps.map((s) => s.label));
    expect(two.states).toBe(one.states);
  });
});

describe('symmetry', () => {
  test('swapping the created namespaces merges states, and verdicts and shortest traces stay', () => {
    const sym = explored(msgmniModel, 'reference', TWO_CREATORS);
    const all = explored(msgmniModel, 'reference', TWO_CREATORS, { symmetry: false });
    expect([sym.states, sym.symmetry]).toEqual([TWO_CREATORS_SYM, true]);
    expect([all.states, all.symmetry]).toEqual([TWO_CREATORS_ALL, false]);
    expect(sym.depth).toBe(all.depth);
    const w2 = msgmniModel.machine('W2', TWO_CREATORS);
    expect(explore(w2, { target: 'P2' }).counterexample?.steps.length).toBe(explore(w2, { target: 'P2', symmetry: false }).counterexample?.steps.length);
  });
});

describe('bounds and verdicts', () => {
  const m = msgmniModel.machine('reference', MSGMNI_SMALL);
  test('the state bound', () => {
    const r = explore(m, { maxStates: 1_000 });
    expect([r.states, r.complete, r.stopped]).toEqual([1_000, false, 'states']);
    expect(verdict(r)).toBe(`incomplete: stopped at the state bound after 1000 states, depth ${r.depth}`);
  });
  test('the depth bound', () => {
    const r = explore(m, { maxDepth: 5 });
    expect([r.depth, r.complete, r.stopped]).toEqual([5, false, 'depth']);
    expect(verdict(r)).toMatch(/^incomplete: stopped at the depth bound after \d+ states, depth 5$/);
  });
  test('the time limit', () => {
    const r = explore(m, { timeLimitMs: 0 });
    expect([r.complete, r.stopped]).toEqual([false, 'time']);
    expect(r.states).toBeLessThan(MSGMNI_STATES);
    expect(verdict(r)).toMatch(/^incomplete: stopped at the time limit after \d+ states, depth \d+$/);
  });
  test('a complete run', () => {
    const r = explored(slabModel, 'V5', slabV5);
    expect(r.stopped).toBeUndefined();
    expect(verdict(r)).toBe(`no violation: ${SLAB_V5_STATES} distinct states, depth ${r.depth}, complete`);
  });
  test('progress reports states, depth and queue while exploring', () => {
    const seen: ExploreProgress[] = [];
    // reported every 256 transitions at the shortest interval: a bounded run reports often enough
    explore(m, { onProgress: (p) => seen.push(p), progressMs: 0, maxStates: 5_000 });
    expect(seen.length).toBeGreaterThan(10);
    const last = seen[seen.length - 1] as ExploreProgress;
    expect(last.states).toBeGreaterThan((seen[0] as ExploreProgress).states);
    expect(exploreProgressText(last)).toMatch(/^explore: \d+ states, depth \d+, queue \d+, \d+ states\/s, \d+:\d\d elapsed$/);
  });
});

describe('mmcheck explore', () => {
  const run = (...args: string[]) => runCli('explore', ...args);
  test('--time-limit gives the time-limit verdict and exit 5 (an exploration cut short proves nothing)', async () => {
    const r = await run('memcg', '--time-limit', '1');
    expect(r.code).toBe(5);
    expect(r.out).toMatch(/^incomplete: stopped at the time limit after \d+ states, depth \d+ \(/);
  });
  test('--config replaces fields of the small configuration, inline or from a file; a bad one is one line and exit 2', async () => {
    // two created namespaces: the symmetry applies, which it does not on the small configuration
    const two = await run('msgmni', '--config', '{"creates":2}', '--max-states', '2000');
    expect([two.code, two.out]).toEqual([5, expect.stringMatching(/^incomplete: stopped at the state bound after 2000 states, .*\(fingerprint, symmetry, fast path\)\)\n/)]);
    const file = join(mkdtempSync(join(tmpdir(), 'mmcheck-config-')), 'c.json');
    writeFileSync(file, '{"creates":2}');
    const verdictOnly = (o: string): string => o.split(' (')[0] ?? o;
    expect(verdictOnly((await run('msgmni', '--config', file, '--max-states', '2000')).out)).toBe(verdictOnly(two.out));
    for (const [arg, line] of [
      ['{"creates":3}', "mmcheck: --config: msgmni config field 'creates': must be at most 2"],
      ['{"create":2}', "mmcheck: --config: msgmni config has unknown field 'create'"],
      ['[2]', 'mmcheck: --config must be a JSON object of configuration fields'],
      ['{creates', expect.stringMatching(/^mmcheck: --config is not valid JSON \(/)],
      [join(tmpdir(), 'no-such-mmcheck-config.json'), expect.stringMatching(/^mmcheck: cannot read .*no-such-mmcheck-config\.json: ENOENT$/)],
    ] as const) {
      const bad = await run('msgmni', '--config', arg);
      expect([bad.code, bad.err, bad.out]).toEqual([2, line, '']);
    }
  });

  test('--property targets one property; when another is violated instead, its trace is written and the output says what was not searched', async () => {
    const out = mkdtempSync(join(tmpdir(), 'mmcheck-property-'));
    const wake = ['--model', join(import.meta.dirname, '..', 'examples', 'lost-wakeup', 'model.ts'), '--variant', 'test-before-set', '--out', out];
    // the sleeper stuck for good is also a state where no context can move: deadlock, found instead of A1
    const r = await run(...wake, '--property', 'A1');
    expect(r.code).toBe(3);
    expect(r.out).toMatch(/violated deadlock after step 4/);
    expect(r.out).toMatch(/A1 was looked for and not found: deadlock was violated instead/);
    expect(r.out).toMatch(/so A1 is unsearched beyond them\.\nno violation of A1: 13 distinct states/);
    expect(readdirSync(out)).toContain('lost-wakeup-test-before-set-explore-deadlock.json');
    expect((await run(...wake, '--property', 'deadlock')).out).toMatch(/^lost-wakeup test-before-set — violates deadlock \(explore, 4 steps/);
    const bad = await run(...wake, '--property', 'E1');
    expect([bad.code, bad.err]).toEqual([2, 'mmcheck: unknown property \'E1\' of lost-wakeup test-before-set (known: A1, deadlock, lock-discipline, sleep-in-atomic)']);
    expect((await run(...wake, '--property', 'E1', '--liveness')).code).toBe(4);
  });

  test('--max-depth, --exact, --no-symmetry and --workers', async () => {
    expect((await run('msgmni', '--max-depth', '3')).out).toMatch(/^incomplete: stopped at the depth bound after \d+ states, depth 3 /);
    expect((await run('slab', '--variant', 'V5', '--exact')).out).toMatch(new RegExp(`^no violation: ${SLAB_V5_STATES} distinct states, .*\\(exact, fast path\\)\\)$`));
    expect((await run('slab', '--variant', 'V5', '--workers', '2')).out).toMatch(new RegExp(`^no violation: ${SLAB_V5_STATES} distinct states, .*2 workers, fast path\\)\\)$`));
    const bad = await run('msgmni', '--workers', '0');
    expect([bad.code, bad.err]).toEqual([2, "mmcheck: --workers must be an integer ≥ 1, got '0'"]);
  });
  test('a progress line appears on a terminal sink', async () => {
    const lines: string[] = [];
    const code = await main(['explore', 'memcg', '--time-limit', '1'], () => {}, () => {}, { tty: true, write: (s) => void lines.push(s) });
    expect(code).toBe(5);
    expect(lines.join('')).toMatch(/explore: \d+ states, depth \d+, queue \d+, \d+ states\/s/);
  });
});
