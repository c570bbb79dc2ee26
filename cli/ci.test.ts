/**
 * The CI gate: it passes on the real models, fails with the gate code when a
 * known bug is no longer caught, and shards cover exactly one run's work.
 */
import { describe, expect, test } from 'vitest';
import type { AnyMachine, AnyModel } from '../model/contract.js';
import { memcgModel } from '../model/memcg/model.js';
import { runTrace } from '../properties/check.js';
import { explore } from '../properties/explore.js';
import { abba, toyMachine } from '../test/toys.js';
import { gateReport, parseShard, PROFILES, runItems, shardOf, workItems } from './ci.js';
import { EXIT, exitFor } from './exit.js';

const quick = PROFILES.quick ?? { seeds: 1, runs: 2_000, maxStates: 50_000, allowIncomplete: true, compareShortest: false, liveness: false };

describe('mmcheck ci', () => {
  test('a copy of memcg whose V2 bug is fixed fails the gate: harness lost power, exit 6', () => {
    const fixed: AnyModel = { ...memcgModel, machine: (v, c) => memcgModel.machine(v === 'V2' ? 'reference' : v, c) };
    const items = workItems([fixed], { ...quick, seeds: 2, runs: 200 }, 1).filter((i) => i.variant === 'V2' || i.variant === 'reference');
    const { lines, code } = gateReport(runItems(items, { ...quick, seeds: 2, runs: 200 }));
    expect(code).toBe(EXIT.gate);
    expect(lines.join('\n')).toMatch(/memcg\s+V2\s+M2\s+LOST POWER/);
    expect(lines.join('\n')).toMatch(/harness lost power: V2 no longer caught/);
    expect(lines.join('\n')).toMatch(/memcg\s+reference\s+holds\s+ok/);
  });

  test('shards 1/2 and 2/2 together run exactly the work of one unsharded run', () => {
    const profile = { ...quick, seeds: 2, runs: 100 };
    const all = workItems([memcgModel], profile, 7);
    const a = shardOf(all, parseShard('1/2'));
    const b = shardOf(all, parseShard('2/2'));
    expect(a.length + b.length).toBe(all.length);
    const key = (i: { variant: string; seed?: number }): string => `${i.variant}:${i.seed ?? 'explore'}`;
    expect([...a, ...b].map(key).sort()).toEqual(all.map(key).sort());
    const whole = runItems(all, profile).map((r) => `${key(r.item)} ${r.detail} ${r.problems.length}`).sort();
    const split = [...runItems(a, profile), ...runItems(b, profile)].map((r) => `${key(r.item)} ${r.detail} ${r.problems.length}`).sort();
    expect(split).toEqual(whole);
  });

  test('bad shard specifications are refused', () => {
    expect(() => parseShard('0/2')).toThrow(/--shard must be i\/n/);
    expect(() => parseShard('3/2')).toThrow(/--shard must be i\/n/);
    expect(() => parseShard('x')).toThrow(/--shard must be i\/n/);
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
  test('the abba toy still deadlocks (sanity of the toy used above)', () => {
    expect(explore(abba as unknown as AnyMachine).counterexample?.violations[0]?.property).toBe('deadlock');
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
  test('memcg V3 is caught on a lasso; a copy whose V3 loop is fixed loses power, exit 6', () => {
    const profile = { ...quick, liveness: true, allowIncomplete: false };
    const live = (m: AnyModel) => workItems([m], profile, 1).filter((i) => i.liveness && i.variant === 'V3');
    expect(PROFILES.deep?.liveness).toBe(true);
    expect(live(memcgModel)).toHaveLength(1);
    const ok = runItems(live(memcgModel), profile);
    expect(ok[0]?.detail).toMatch(/^liveness: \d+ states, L1\+/);
    expect(gateReport(ok).code).toBe(EXIT.ok);
    const fixed: AnyModel = { ...memcgModel, machine: (v, c) => memcgModel.machine(v === 'V3' ? 'reference' : v, c) };
    const { lines, code } = gateReport(runItems(live(fixed), profile));
    expect(code).toBe(EXIT.gate);
    expect(lines.join('\n')).toMatch(/harness lost power: V3 no longer caught — liveness: L1\+ not found/);
  });
});
