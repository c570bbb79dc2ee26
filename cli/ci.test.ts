/**
 * The CI gate: it passes, fails with the gate code when a known bug is no
 * longer caught, and shards cover exactly one run's work. The gate's
 * machinery is tried on toy models (test/toys.ts); the vacuity tests use
 * memcg, whose own witnesses they show reached. The gate on the real models
 * is `mmcheck ci`, and the model suites judge each variant with the same
 * check.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { AnyMachine, AnyModel } from '../model/contract.js';
import { memcgModel } from '../model/memcg/model.js';
import { runTrace } from '../properties/check.js';
import { explore } from '../properties/explore.js';
import { livenessModel, locksModel, toyMachine } from '../test/toys.js';
import { model as lostWakeup } from '../examples/lost-wakeup/model.js';
import { erase } from '../model/contract.js';
import { gateReport, parseShard, PROFILES, heaviestFirst, runItems, searchProfile, shardOf, withoutFindings, workItems } from './ci.js';
import type { ItemResult } from './ci.js';
import { MODELS } from '../model/registry.js';
import { soakMemoryLines } from './soak.js';
import type { Kept } from './retained.js';
import { EXIT, exitFor } from './exit.js';

const quick = PROFILES.quick ?? { seeds: 1, runs: 2_000, maxStates: 50_000, allowIncomplete: true, compareShortest: false, liveness: false };

describe('mmcheck ci', () => {
  test('the toy model passes the gate: its reference holds, its bugs are caught with their properties', () => {
    const profile = { ...quick, seeds: 2, runs: 200 };
    const { lines, code } = gateReport(runItems(workItems([locksModel], profile, 1), profile));
    expect(code).toBe(EXIT.ok);
    expect(lines.join('\n')).toMatch(/locks\s+reference\s+holds\s+ok\s+3\/3/);
    expect(lines.join('\n')).toMatch(/locks\s+abba\s+deadlock\s+ok\s+3\/3/);
    expect(lines.join('\n')).toMatch(/locks\s+non-owner\s+lock-discipline\s+ok\s+3\/3/);
  });

  test('a copy of the toy whose abba bug is fixed fails the gate: harness lost power, exit 6', () => {
    const fixed: AnyModel = { ...locksModel, machine: (v, c) => locksModel.machine(v === 'abba' ? 'reference' : v, c) };
    const items = workItems([fixed], { ...quick, seeds: 2, runs: 200 }, 1).filter((i) => i.variant === 'abba' || i.variant === 'reference');
    const { lines, code } = gateReport(runItems(items, { ...quick, seeds: 2, runs: 200 }));
    expect(code).toBe(EXIT.gate);
    expect(lines.join('\n')).toMatch(/locks\s+abba\s+deadlock\s+LOST POWER/);
    expect(lines.join('\n')).toMatch(/harness lost power: abba no longer caught/);
    expect(lines.join('\n')).toMatch(/locks\s+reference\s+holds\s+ok/);
  });

  test('shards 1/2 and 2/2 together run exactly the work of one unsharded run', () => {
    const profile = { ...quick, seeds: 2, runs: 100 };
    const all = workItems([locksModel], profile, 7);
    expect(all).toHaveLength(9);
    const a = shardOf(all, parseShard('1/2'));
    const b = shardOf(all, parseShard('2/2'));
    expect(a.length + b.length).toBe(all.length);
    const key = (i: { variant: string; seed?: number }): string => `${i.variant}:${i.seed ?? 'explore'}`;
    expect([...a, ...b].map(key).sort()).toEqual(all.map(key).sort());
    const whole = runItems(all, profile).map((r) => `${key(r.item)} ${r.detail} ${r.problems.length}`).sort();
    const split = [...runItems(a, profile), ...runItems(b, profile)].map((r) => `${key(r.item)} ${r.detail} ${r.problems.length}`).sort();
    expect(split).toEqual(whole);
  });

  test('under a search profile (mmcheck run) the loop makes one seed item per variant and reports what each found', () => {
    const profile = searchProfile(200, {});
    const items = workItems([locksModel], profile, 5);
    expect(items.map((i) => `${i.variant}:${i.seed ?? 'explore'}`)).toEqual(['reference:5', 'abba:5', 'non-owner:5']);
    expect(workItems([locksModel], profile, 5, 'abba').map((i) => i.variant)).toEqual(['abba']);
    const started: string[] = [];
    let runs = 0;
    const seen: string[] = [];
    const results = runItems(items, profile, { onStart: (i) => started.push(i.variant), onRun: () => runs++, onItem: (r) => seen.push(r.item.variant) });
    expect(started).toEqual(['reference', 'abba', 'non-owner']);
    expect(seen).toEqual(started);
    const byVariant = new Map(results.map((r) => [r.item.variant, r]));
    // the reference spends its whole budget; every run is counted once, shrink attempts not at all
    expect(byVariant.get('reference')?.search?.random.runs).toBe(200);
    expect(runs).toBe(results.reduce((a, r) => a + (r.search?.random.runs ?? 0), 0));
    // a bug found is reported by its kind (deadlock exit 3), not judged as the gate would
    expect(byVariant.get('abba')?.search?.random.failure?.property).toBe('deadlock');
    expect(exitFor(results.flatMap((r) => r.problems.map((p) => p.kind)))).toBe(EXIT.deadlock);
  });

  test('a search for one property tallies the others and does not stop at them', () => {
    const profile = searchProfile(100, { target: 'lock-discipline' });
    const [abba] = runItems(workItems([locksModel], profile, 1, 'abba'), profile);
    expect(abba?.search?.random.failure).toBeUndefined();
    expect(abba?.search?.random.runs).toBe(100);
    expect([...(abba?.search?.random.others ?? new Map<string, number>()).keys()]).toEqual(['deadlock']);
  });

  test('bad shard specifications are refused', () => {
    expect(() => parseShard('0/2')).toThrow(/--shard must be i\/n/);
    expect(() => parseShard('3/2')).toThrow(/--shard must be i\/n/);
    expect(() => parseShard('x')).toThrow(/--shard must be i\/n/);
  });
});

describe("the fast path's differential check is a gate item", () => {
  test('one per model that opted in, on its reference; none for a model that did not, nor under a search profile', () => {
    const items = workItems(MODELS, quick, 1).filter((it) => it.fastPath === true);
    expect(items.map((it) => `${it.model.name} ${it.variant}`)).toEqual(MODELS.map((m) => `${m.name} reference`));
    expect(workItems([lostWakeup as unknown as AnyModel], quick, 1).filter((it) => it.fastPath === true)).toEqual([]);
    expect(workItems(MODELS, searchProfile(10, {}), 1).filter((it) => it.fastPath === true)).toEqual([]);
  });

  test('a model whose property leans on immer (object identity) fails the gate as a model error, naming the step', () => {
    // memcg with one more property: "the kernel slice is the same object when its contents are", true only under immer's sharing
    const leaning: AnyModel = {
      ...memcgModel,
      machine: (v, c, o) => {
        const m = memcgModel.machine(v, c, o) as AnyMachine;
        const k = (s: unknown): unknown => (s as { k: unknown }).k;
        const check = (t: { prev?: unknown; next: unknown }): string | undefined =>
          t.prev !== undefined && k(t.prev) !== k(t.next) && JSON.stringify(k(t.prev)) === JSON.stringify(k(t.next)) ? 'k copied' : undefined;
        return { ...m, properties: [...m.properties, { kind: 'always', name: 'K1', doc: 'identity', check }] };
      },
    } as AnyModel;
    const items = workItems([leaning], quick, 1, 'reference').filter((it) => it.fastPath === true);
    const r = gateReport(runItems(items, quick));
    expect(r.code).toBe(EXIT.usage);
    expect(r.lines.join('\n')).toMatch(/memcg reference: the fast path disagrees with immer at \S+, .*a property judges the transition differently: immer "K1: holds", fast path "K1: k copied"/);
    expect(gateReport(runItems(workItems([memcgModel], quick, 1, 'reference').filter((it) => it.fastPath === true), quick)).code).toBe(EXIT.ok);
  });
});

describe('exit codes by kind', () => {
  test('precedence: a broken model, then deadlock, liveness, safety, lost power, vacuity', () => {
    expect(exitFor([])).toBe(0);
    expect(exitFor(['vacuity', 'safety'])).toBe(1);
    expect(exitFor(['safety', 'deadlock'])).toBe(3);
    expect(exitFor(['liveness', 'lost-power'])).toBe(4);
    expect(exitFor(['lost-power', 'vacuity'])).toBe(6);
    expect(exitFor(['vacuity'])).toBe(5);
    expect(exitFor(['model-error', 'deadlock'])).toBe(2);
  });
});

describe('a model that throws', () => {
  const throwing = toyMachine({ m: 'mutex' }, { A: [{ op: 'lock', lock: 'm' }, { op: 'lock', lock: 'm' }] });
  test('is reported as a counterexample with its trace, by both engines', () => {
    // A relocks a mutex it holds: the toy's mutexLock queues it behind itself, so make next throw instead
    const m: AnyMachine = { ...(throwing as unknown as AnyMachine), next: (s, a) => { if ((s as { pc: { A: number } }).pc.A === 1) throw new Error('boom at A1'); return (throwing as unknown as AnyMachine).next(s, a); } };
    const r = runTrace(m, (_, e) => e[0]);
    expect(r.trace.steps).toHaveLength(2);
    expect(r.trace.violations).toEqual([{ property: 'model-threw', message: 'model threw: boom at A1' }]);
    const b = explore(m);
    expect(b.counterexample?.violations[0]?.property).toBe('model-threw');
    expect(b.counterexample?.steps).toHaveLength(2);
  });
  test('the toy used above, left alone, deadlocks at the same step: the model-threw comes from the injected throw (sanity of the toy)', () => {
    const b = explore(throwing as unknown as AnyMachine);
    expect(b.counterexample?.violations.map((v) => v.property)).toEqual(['deadlock']);
    expect(b.counterexample?.steps).toHaveLength(2);
  });
});

describe('vacuity', () => {
  // memcg with one more sometimes-property that no state can satisfy
  const withUnreachable: AnyModel = {
    ...memcgModel,
    machine: (v, c) => {
      const m = memcgModel.machine(v, c);
      return { ...m, properties: [...m.properties, { kind: 'sometimes' as const, name: 'unreachable', doc: 'never holds', check: () => false }] };
    },
  };

  test('a reference whose witness is never reached fails the gate for vacuity, exit 5, with the rate', () => {
    const items = workItems([withUnreachable], { ...quick, runs: 300 }, 1).filter((i) => i.variant === 'reference' && i.seed !== undefined);
    const { lines, code } = gateReport(runItems(items, { ...quick, runs: 300 }));
    expect(code).toBe(EXIT.vacuity);
    expect(lines.join('\n')).toMatch(/sometimes unreachable witnessed in 0 of 300 runs \(0%\): vacuous/);
    // the model's own witnesses are all reached: only the unreachable one is reported
    expect(lines.filter((l) => /vacuous/.test(l))).toHaveLength(1);
  });

  test('the unchanged memcg reference passes the same budget', () => {
    const items = workItems([memcgModel], { ...quick, runs: 300 }, 1).filter((i) => i.variant === 'reference' && i.seed !== undefined);
    expect(gateReport(runItems(items, { ...quick, runs: 300 })).code).toBe(EXIT.ok);
  });
});

describe('liveness in the deep profile', () => {
  test('a fair cycle of a toy is caught on a lasso; a copy whose loop is fixed loses power, exit 6', () => {
    const profile = { ...quick, liveness: true, allowIncomplete: false };
    const live = (m: AnyModel) => workItems([m], profile, 1).filter((i) => i.liveness);
    expect(PROFILES.deep?.liveness).toBe(true);
    expect(PROFILES.ci?.liveness).toBe(false);
    // one liveness item per variant of a model with an eventually-property
    expect(live(livenessModel).map((i) => i.variant)).toEqual(['reference', 'loop']);
    const ok = runItems(live(livenessModel), profile);
    expect(ok.map((r) => r.detail)).toEqual(['liveness: 3 states, no violation', 'liveness: 3 states, E']);
    expect(gateReport(ok).code).toBe(EXIT.ok);
    const fixed: AnyModel = { ...livenessModel, machine: (v, c) => livenessModel.machine(v === 'loop' ? 'reference' : v, c) };
    const { lines, code } = gateReport(runItems(live(fixed), profile));
    expect(code).toBe(EXIT.gate);
    expect(lines.join('\n')).toMatch(/harness lost power: loop no longer caught — liveness: E not found/);
  });

  test('memcg V3 declares a liveness violation, so the deep profile gives it a liveness item (the lasso itself: properties/liveness-models.test.ts)', () => {
    const items = workItems([memcgModel], { ...quick, liveness: true }, 1).filter((i) => i.liveness);
    expect(items.map((i) => i.variant)).toContain('V3');
  });
});

describe('liveness in every profile', () => {
  const wake = erase(lostWakeup);
  const kinds = (m: AnyModel, profile: typeof quick) => workItems([m], profile, 1).map((i) => `${i.variant}:${i.liveness ? 'liveness' : i.seed !== undefined ? 'seed' : 'explore'}`);

  test('a bug declared only as an eventually-property (the lost wake-up, no safety twin) is judged by the liveness engine alone, and caught, in quick and ci', () => {
    for (const profile of [quick, PROFILES.ci ?? quick]) {
      expect(kinds(wake, profile).filter((k) => k.startsWith('test-before-set'))).toEqual(['test-before-set:liveness']);
      const { lines, code } = gateReport(runItems(workItems([wake], profile, 1), profile));
      expect({ code, lines: lines.filter((l) => /^lost-wakeup/.test(l)).map((l) => l.split(/\s+/).slice(0, 4).join(' ')) }).toEqual({
        code: EXIT.ok,
        lines: ['lost-wakeup reference holds ok', 'lost-wakeup test-before-set E1 ok'],
      });
    }
  });

  test('the references\' eventually-properties run on the liveness engine in every profile; a bug declared as a safety property gets its lasso in deep only', () => {
    expect(kinds(wake, quick)).toContain('reference:liveness');
    const memcg = (p: typeof quick) => workItems([memcgModel], p, 1).filter((i) => i.liveness).map((i) => i.variant);
    expect(memcg(PROFILES.ci ?? quick)).toContain('reference');
    expect(memcg(PROFILES.ci ?? quick)).not.toContain('V3');
    expect(memcg(PROFILES.deep ?? quick)).toContain('V3');
  });

  test('a copy whose lost wake-up is fixed loses power (exit 6); a copy whose reference loses the wake-up fails, the lasso among its findings', () => {
    const fixed: AnyModel = { ...wake, machine: (v, c) => wake.machine(v === 'test-before-set' ? 'reference' : v, c) };
    const lost = gateReport(runItems(workItems([fixed], quick, 1), quick));
    expect(lost.code).toBe(EXIT.gate);
    expect(lost.lines.join('\n')).toMatch(/harness lost power: test-before-set no longer caught — liveness: E1 not found/);
    const broken: AnyModel = { ...wake, machine: (v, c) => wake.machine(v === 'reference' ? 'test-before-set' : v, c) };
    const bad = gateReport(runItems(workItems([broken], quick, 1), quick));
    // W asleep for good with K done is also a state where no context can move: deadlock (exit 3) outranks liveness
    expect(bad.code).toBe(EXIT.deadlock);
    expect(bad.lines.join('\n')).toMatch(/liveness: E1 violated/);
    expect(bad.lines.join('\n')).toMatch(/deadlock/);
  });
});

describe('the time limit stops the item under way, whatever its engine', () => {
  // memcg's exploration configuration has 345,707 states: far more than a few milliseconds of work
  const profile = { ...quick, maxStates: 1_000_000 };
  test.each([
    ['an exploration', { model: memcgModel, variant: 'reference' }, /^explore: stopped after \d+ states$/],
    // the family's largest member, 17,003 states
    ['a family member', { model: memcgModel, variant: 'reference', member: 'charger-unbounded' }, /^family charger-unbounded: stopped after \d+ states$/],
    ['a liveness check', { model: memcgModel, variant: 'reference', liveness: true }, /^liveness: stopped after \d+ states$/],
  ] as const)('%s', (_, item, detail) => {
    const [r] = runItems([item], profile, { deadline: Date.now() + 30 });
    expect(r?.detail).toMatch(detail);
    expect(r?.skipped).toBe(true);
  });
});

describe('what a long gate run keeps', () => {
  test("an item that behaved as declared keeps no counterexample (withoutFindings); a departure keeps its own", () => {
    const profile = { ...quick, seeds: 1, runs: 200 };
    const items = workItems([locksModel], profile, 1).filter((it) => it.variant === 'abba');
    const full = runItems(items, profile);
    const kept = runItems(items, profile, { keep: withoutFindings });
    expect(full.filter((r) => r.found !== undefined || r.search?.random.failure !== undefined).length).toBeGreaterThan(0);
    expect(kept.filter((r) => r.found !== undefined || r.search !== undefined)).toEqual([]);
    expect(kept.map((r) => [r.detail, r.problems])).toEqual(full.map((r) => [r.detail, r.problems]));
    const first = full[0];
    if (first === undefined) throw new Error('no item');
    const departure: ItemResult = { ...first, problems: [{ kind: 'safety', text: 'a reference violated P' }] };
    expect(withoutFindings(departure)).toBe(departure);
  });
});

describe('the soak profile', () => {
  test('its memory lines: the series of tenths, and the growth from the first tenth to the end', () => {
    const MB = 1024 * 1024;
    const k = (rss: number, heap: number): Kept => ({ rss: rss * MB, heap: heap * MB });
    const lines = soakMemoryLines({ results: [], start: k(70, 10), tenths: [k(140, 20), k(150, 20), k(147, 21)], warmUp: { items: 9, seconds: 1.25 } });
    expect(lines).toEqual([
      'warm-up: 9 items once at a small budget (100 runs, 2000 states), 1.3s, not judged',
      'memory after each tenth, settled: resident 140 150 147 MB; heap kept 20 20 21 MB',
      'memory: resident 70 MB at the start, 140 MB after the first tenth, 147 MB at the end, growth 5.0 %',
      'memory: heap kept after a full collection 20 MB after the first tenth, 21 MB at the end, growth 5.0 %',
    ]);
  });

  test('runs its items heaviest first: liveness graphs, explorations, family members, seeds, fast-path checks, each group in order, none lost', () => {
    const soak = PROFILES.soak;
    if (!soak) throw new Error('no soak profile');
    const items = workItems(MODELS, soak, 1);
    const order = heaviestFirst(items);
    expect(order).toHaveLength(items.length);
    expect(new Set(order)).toEqual(new Set(items));
    const kind = (it: (typeof items)[number]): string => (it.fastPath === true ? 'fast path' : it.liveness ? 'liveness' : it.seed !== undefined ? 'seed' : it.member !== undefined ? 'member' : 'explore');
    const runs = order.map(kind).filter((k, i, all) => i === 0 || all[i - 1] !== k);
    expect(runs).toEqual(['liveness', 'explore', 'member', 'seed', 'fast path']);
    for (const k of runs) expect(order.filter((it) => kind(it) === k)).toEqual(items.filter((it) => kind(it) === k));
  });

  test('10⁶ random runs of each variant that must hold, every exhaustive check, the resident memory before and after', async () => {
    const soak = PROFILES.soak;
    expect(soak && soak.seeds * soak.runs).toBe(1_000_000);
    expect(soak?.allowIncomplete).toBe(false);
    expect(soak?.liveness).toBe(true);
    const { main } = await import('./main.js');
    const out: string[] = [];
    const code = await main(['ci', '--profile', 'soak', '--time-limit', '1', '--model', 'examples/refcount/model.ts', '--out', mkdtempSync(join(tmpdir(), 'mmcheck-soak-'))], (s) => out.push(s), () => {}, null);
    expect(code).toBe(EXIT.ok);
    const text = out.join('\n');
    expect(text).toMatch(/^warm-up: \d+ items once at a small budget \(100 runs, 2000 states\), \d+\.\ds, not judged$/m);
    // the refcount model's 22 items in slices of 3: eight readings
    expect(text).toMatch(/^memory after each tenth, settled: resident( \d+){8} MB; heap kept( \d+){8} MB$/m);
    expect(text).toMatch(/^memory: resident \d+ MB at the start, \d+ MB after the first tenth, \d+ MB at the end, growth -?\d+\.\d %$/m);
    expect(text).toMatch(/^memory: heap kept after a full collection \d+ MB after the first tenth, \d+ MB at the end, growth -?\d+\.\d %$/m);
    expect(out.at(-1)).toMatch(/^INTERRUPTED by --time-limit: \d+ of \d+ items not run;/);
    // a gate cut short says it judged only what it ran, not that it passed
    expect(out.at(-1)).toMatch(/; gate passed on the \d+ items run only$/);
  });
});
