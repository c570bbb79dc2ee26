/**
 * Balloon V1 under the kernel's memory model (spec 06 §4, issue 19): the
 * 2009 "hand-made lock" with its atomics `hotplug_active` and
 * `hotplug_occurred` marked, every lock ordering. The verdict the model
 * header states, on the member cap-one-page (§7's own figures are in the
 * header and the README: `explore balloon --variant V1 --keep-going
 * [--memory lkmm]`):
 * - the reference marks nothing, so its runs under `lkmm` are its SC runs;
 * - V1 violates the same properties under LKMM as under SC, with a
 *   counterexample of the same length;
 * - V1 keeps B7 under both (the liveness engine keeps stale reads out of
 *   its cycles: every write becomes visible eventually);
 * - yet LKMM reaches executions SC cannot: T acts on `loaned` as G4 left it
 *   and still reads `hotplug_active` clear (message passing without a
 *   barrier on either side). The judge of that is a breadth-first search
 *   written here over the machine's own steps, with a flag of its own.
 */
import { describe, expect, test } from 'vitest';
import type { BalloonAction, BalloonConfig, BalloonState } from './state.js';
import { balloon } from './model.js';
import { SMALL } from './config.js';
import { explore } from '../../properties/explore.js';
import { checkLiveness } from '../../properties/liveness.js';
import type { Machine } from '../contract.js';

const CAP: BalloonConfig = { ...SMALL, minMem: 7 };
const LKMM: BalloonConfig = { ...CAP, memory: 'lkmm' };

describe('balloon under --memory lkmm', () => {
  test('the reference marks nothing: no weak memory, the same exploration as under SC', () => {
    expect(balloon.machine('reference', LKMM).init().k.mem).toBeUndefined();
    expect(explore(balloon.machine('reference', LKMM)).states).toBe(explore(balloon.machine('reference', CAP)).states);
  });

  test("V1: the same property violated, a counterexample as short, 2.8x the states (pinned)", () => {
    const sc = explore(balloon.machine('V1', CAP), { keepGoing: true });
    const lk = explore(balloon.machine('V1', LKMM), { keepGoing: true });
    expect([sc.complete, lk.complete]).toEqual([true, true]);
    expect({ sc: sc.states, lkmm: lk.states }).toEqual({ sc: 2_352, lkmm: 6_662 });
    expect([...lk.violated.keys()]).toEqual([...sc.violated.keys()]);
    expect([...lk.violated.keys()]).toEqual(['B5']);
    expect(lk.counterexample?.steps.length).toBe(sc.counterexample?.steps.length);
    // the trace names the message each lockless read returned
    expect(lk.counterexample?.steps.some((st) => st.action !== undefined && 'rd' in st.action)).toBe(true);
  });

  /**
   * T5 runs after G4 has unloaned the range's pages (so T decides from
   * `loaned` as G4 left it), then A1 passes while the pause is held: under SC
   * A1 then reads G1's 1 and stops.
   */
  const mpWitness = (m: Machine<BalloonState, BalloonAction>): string[] | undefined => {
    type Node = { s: BalloonState; after: boolean; path: string[] };
    const afterG4 = (s: BalloonState): boolean => s.H.cmm.pc === 'G4_occurred' || s.H.cmm.pc === 'G5' || s.H.cmm.pc === 'G6';
    const key = (n: Node): string => `${String(m.symmetry?.(n.s))}|${n.after}`;
    const seen = new Set<string>();
    let level: Node[] = [{ s: m.init(), after: false, path: [] }];
    while (level.length) {
      const next: Node[] = [];
      for (const n of level)
        for (const a of m.actions(n.s)) {
          const t = m.next(n.s, a);
          const path = [...n.path, `${m.describe(a).ctx}:${a.type}`];
          // the flag lasts while the same pause is held
          const after = t.pause.phase === 'held' && (n.after || (a.type === 'T5' && afterG4(n.s)));
          if (after && a.type === 'A1' && t.T.alloc?.pc === 'A2') return path;
          const node = { s: t, after, path };
          const k = key(node);
          if (!seen.has(k)) {
            seen.add(k);
            next.push(node);
          }
        }
      level = next;
    }
    return undefined;
  };

  test('LKMM reaches what SC cannot: T decides from G4’s loaned, then reads hotplug_active clear and goes on to A2', () => {
    expect(mpWitness(balloon.machine('V1', CAP))).toBeUndefined();
    const w = mpWitness(balloon.machine('V1', LKMM));
    expect(w).toBeDefined();
    // G1 sets the flag, G3 (with G4's scan) unloans, T5 then decides, and A1 still passes
    const at = (step: string): number => w?.indexOf(step) ?? -1;
    expect(at('H:G1')).toBeGreaterThan(-1);
    expect(at('H:G3')).toBeGreaterThan(at('H:G1'));
    expect(w?.lastIndexOf('T:T5')).toBeGreaterThan(at('H:G3'));
    expect(w?.at(-1)).toBe('T:A1');
  });

  test('V1 keeps B7 under LKMM too: no lasso once a read cannot return an old value forever (pinned)', () => {
    const sc = checkLiveness(balloon.machine('V1', CAP));
    const lk = checkLiveness(balloon.machine('V1', LKMM));
    expect([sc.complete, lk.complete]).toEqual([true, true]);
    expect({ sc: sc.states, lkmm: lk.states }).toEqual({ sc: 1_730, lkmm: 5_488 });
    expect([...sc.violations.keys(), ...lk.violations.keys()]).toEqual([]);
  });
});
