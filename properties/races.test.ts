/**
 * Spec 06 §5's data-race check on a small machine built from rules: two
 * contexts bump a counter, with or without a common lock, and one reads a
 * field the other writes. Each case checks what the footprint recorded and
 * whether the lockset log reports a race, so a check that never reports
 * (or always does) fails here.
 */
import { describe, expect, test } from 'vitest';
import type { AnyMachine } from '../model/contract.js';
import type { KernelState } from '../model/kernel/state.js';
import { kernelState } from '../model/kernel/state.js';
import { canProceed, downRead, downWrite, mutexLock, mutexUnlock, upRead, upWrite } from '../model/kernel/locks.js';
import { machineFromRules, rulesFor, when } from '../model/rules.js';
import { explore } from './explore.js';
import { exemptTest, RaceLog, raceReport, related } from './races.js';

interface Toy {
  readonly k: KernelState;
  readonly counter: number;
  readonly flag: boolean;
  readonly list: readonly number[];
  readonly pc: { readonly A: number; readonly B: number };
}

type Style = 'mutex' | 'unlocked' | 'inside' | 'rwsem-read' | 'rwsem-write' | 'list';

/** Contexts A and B each run `counter++` once (and B reads `flag`, which A sets), guarded as `style` says. */
function toy(style: Style, exempt?: Record<string, string>): AnyMachine {
  const rule = rulesFor<Toy>();
  const ctxs = ['A', 'B'] as const;
  const rules = ctxs.flatMap((c) => [
    rule({
      step: `${c}1`,
      fn: 'bump',
      ctx: c,
      // a context queued on the lock retries the same step once it may proceed
      enabled: (s) => when(s.pc[c] === 0 && canProceed(s.k, c)),
      ...(style === 'inside' ? { locks: ['counter_lock'] } : {}),
      apply: (d) => {
        const got = style === 'mutex' ? mutexLock(d.k, 'm', c) : style === 'rwsem-read' ? downRead(d.k, 'sem', c) : style === 'rwsem-write' ? downWrite(d.k, 'sem', c) : 'acquired';
        if (got === 'waiting') return;
        if (style === 'list') d.list.push(d.list.length);
        else d.counter += 1;
        if (c === 'A') d.flag = true;
        d.pc[c] = 1;
      },
    }),
    rule({
      step: `${c}2`,
      fn: 'unlock',
      ctx: c,
      enabled: (s) => when(s.pc[c] === 1),
      apply: (d) => {
        if (c === 'B' && d.flag) d.pc.B = 2;
        else d.pc[c] = 2;
        if (style === 'mutex') mutexUnlock(d.k, 'm', c);
        if (style === 'rwsem-read') upRead(d.k, 'sem', c);
        if (style === 'rwsem-write') upWrite(d.k, 'sem', c);
      },
    }),
  ]);
  const m = machineFromRules<Toy>({
    init: () => ({ k: kernelState({ m: 'mutex', sem: 'rwsem' }), counter: 0, flag: false, list: [], pc: { A: 0, B: 0 } }),
    rules,
    quiescent: (s) => s.pc.A === 2 && s.pc.B === 2,
    kernel: (s) => s.k,
    properties: [],
    ...(exempt ? { raceExempt: exempt } : {}),
  });
  return m as unknown as AnyMachine;
}

/** Every race of a complete exploration, as `field:ctx/ctx`. */
function races(m: AnyMachine): string[] {
  const log = new RaceLog(m.raceExempt ?? {});
  const r = explore(m, { races: log, keepGoing: true });
  expect(r.complete).toBe(true);
  return log.list().map((x) => `${x.first.field}:${[x.first.ctx, x.second.ctx].sort().join('/')}`);
}

describe('footprints', () => {
  test("a step's reads and writes, the kernel slice left out, and locks taken within the step", () => {
    const m = toy('mutex');
    const s = m.init();
    const a = m.actions(s)[0];
    if (!a) throw new Error('no action');
    const fp = m.footprint?.(s, a);
    expect(fp?.reads).toEqual(['counter']);
    expect(fp?.writes).toEqual(['counter', 'flag', 'pc.A']);
    expect(fp?.taken).toEqual([{ lock: 'm', ctx: 'A', shared: false }]);
    // recording changed nothing: the step's successor is what next gives
    expect(m.next(s, a)).toEqual(m.next(s, a));
    expect((s as Toy).counter).toBe(0);
  });

  test('a push reads and writes the length and writes the new slot', () => {
    const m = toy('list');
    const s = m.init();
    const a = m.actions(s)[0];
    if (!a) throw new Error('no action');
    expect(m.footprint?.(s, a)?.writes).toEqual(['list[0]', 'list.length', 'flag', 'pc.A']);
  });
});

describe('races by locksets', () => {
  test('two unlocked increments race on the counter, and the unlocked flag races too', () => {
    expect(races(toy('unlocked')).sort()).toEqual(['counter:A/B', 'flag:A/B']);
  });

  test('a mutex held across both accesses removes both races', () => {
    expect(races(toy('mutex'))).toEqual([]);
  });

  test("a lock the step takes and drops within itself (a rule's `locks`) protects the counter, not the flag", () => {
    expect(races(toy('inside'))).toEqual(['flag:A/B']);
  });

  test('an rwsem taken for read excludes nobody: the writes race; taken for write they do not', () => {
    expect(races(toy('rwsem-read')).sort()).toEqual(['counter:A/B', 'flag:A/B']);
    expect(races(toy('rwsem-write'))).toEqual([]);
  });

  test('an exempt field is left out, and counted', () => {
    const m = toy('unlocked', { flag: 'a flag the kernel reads locklessly' });
    const log = new RaceLog(m.raceExempt ?? {});
    explore(m, { races: log, keepGoing: true });
    expect(log.list().map((x) => x.first.field)).toEqual(['counter']);
    expect(log.exempted.get('flag')).toBeGreaterThan(0);
  });

  test('the report names the field, both steps with their locks, and the actions that reached them', () => {
    const m = toy('unlocked');
    const log = new RaceLog();
    explore(m, { races: log, keepGoing: true });
    const r = log.list().find((x) => x.first.field === 'counter');
    if (!r) throw new Error('no race on counter');
    const text = raceReport(r);
    expect(text).toMatch(/^data race on counter: A and B, no common lock/);
    expect(text).toMatch(/A writes counter in A1 bump, holding no lock, at step 1 of explore/);
    expect(text).toMatch(/B writes counter in B1 bump, holding no lock/);
    expect(text).toMatch(/actions: /);
  });
});

describe('patterns', () => {
  test('a pattern covers the field and what lies under it; [*] any index; STEP: one step', () => {
    const t = exemptTest(['pages', 'tasks[*].pc', 'S1: usage', 'C:ns1 RC: ns.ns1']);
    expect(t('ns.ns1.msgmni', 'RC', 'C:ns1')).toBe('C:ns1 RC: ns.ns1');
    expect(t('ns.ns1.msgmni', 'RC', 'K')).toBeUndefined();
    expect(t('ns.init.msgmni', 'RC', 'C:ns1')).toBeUndefined();
    expect(t('pages[3].state', 'A1')).toBe('pages');
    expect(t('pagesx', 'A1')).toBeUndefined();
    expect(t('tasks[12].pc', 'A1')).toBe('tasks[*].pc');
    expect(t('tasks[1].pcx', 'A1')).toBeUndefined();
    expect(t('usage', 'S1')).toBe('S1: usage');
    expect(t('usage', 'S3')).toBeUndefined();
  });

  test('related paths: equal, or one under the other', () => {
    expect(related('a.b', 'a.b')).toBe(true);
    expect(related('a', 'a.b')).toBe(true);
    expect(related('a[1].c', 'a')).toBe(true);
    expect(related('a.b', 'a.bc')).toBe(false);
    expect(related('a.b', 'a.c')).toBe(false);
  });
});
