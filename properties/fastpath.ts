/**
 * The fast path's differential check (issue 18, `--check-fast-path`): the
 * fast path runs a model's own rules on plain copies instead of immer
 * drafts (model/kernel/immer.ts), so nothing but this check says the two
 * agree. Two random walks start from the initial state, one on each path,
 * and take the same action at every step; at each state every enabled
 * action is taken on both, and the check compares what an engine reads
 * (on the fast path both the copy, which judges a successor met before, and
 * the copy shared with its parent by `shareWith`, which an engine keeps):
 *
 * - the successor states, field by field (the first differing field named);
 * - the state keys, with symmetry and without (what the seen-set stores);
 * - the verdict of every property on the transition, and the obligations
 *   every eventually-property has pending;
 * - the enabled actions of the successors, and the step's trace text;
 * - the input state, which neither path may change.
 *
 * A disagreement names the step, the path that led there and the field or
 * property that differs. The walk is seeded: the same seed takes the same
 * steps.
 */
import type { ActionBase, AnyMachine, Transition } from '../model/contract.js';
import { actionLabel } from '../model/contract.js';
import { diff, differs } from '../model/diff.js';
import { nextOnFastPath, onFastPath, shareWith } from '../model/kernel/immer.js';
import { keyFunction, keyText } from './explore.js';
import { seededPick, walkPlace } from './hygiene.js';

/** Options of {@link checkFastPath}. */
export interface FastPathOptions {
  /** Transitions to compare (default 10,000). */
  readonly transitions?: number;
  /** Seed of the walk (default 1). */
  readonly seed?: number;
  /** Longest walk from the initial state before starting again (default 60). */
  readonly walk?: number;
}

/** Where the two paths first disagreed. */
export interface FastPathDisagreement {
  /** One line: the step, what differs, and the path that led there. */
  readonly message: string;
  /** Action labels from the initial state to the state whose step disagreed. */
  readonly path: readonly string[];
  /** The step taken on both paths. */
  readonly step: string;
}

/** What {@link checkFastPath} compared, and the first disagreement if any. */
export interface FastPathReport {
  /** Transitions taken on both paths and compared. */
  readonly transitions: number;
  /** Walks from the initial state. */
  readonly walks: number;
  readonly disagreement?: FastPathDisagreement;
}

const text = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** The verdict of every property and the pending obligations, as one comparable line each. */
function verdicts(m: AnyMachine, t: Transition<unknown, ActionBase>): string[] {
  const quiet = m.quiescent(t.next);
  return m.properties.map((p) => {
    if (p.kind === 'eventually') return `${p.name}: pending [${p.pending(t.next).join(', ')}]`;
    if (p.kind === 'sometimes') return `${p.name}: ${p.check(t) ? 'witnessed' : 'not witnessed'}`;
    if (p.kind === 'quiescent' && !quiet) return `${p.name}: not asked (not quiescent)`;
    return `${p.name}: ${p.check(t) ?? 'holds'}`;
  });
}

/** The first difference between two lists of lines, as `immer … / fast …`. */
function firstLine(a: readonly string[], b: readonly string[]): string | undefined {
  for (let i = 0; i < Math.max(a.length, b.length); i++) if (a[i] !== b[i]) return `immer "${a[i] ?? '(none)'}", fast path "${b[i] ?? '(none)'}"`;
  return undefined;
}

/**
 * Walks `m` on the immer path and the fast path side by side and returns
 * the first disagreement, or none over `transitions` transitions. `m` must
 * have opted in (`Machine.fastPath`); a machine that has not is refused.
 */
export function checkFastPath(m: AnyMachine, opts: FastPathOptions = {}): FastPathReport {
  if (m.fastPath !== true) throw new Error('this model has not opted in to the fast path (ModelSpec.fastPath)');
  const budget = opts.transitions ?? 10_000;
  const pick = seededPick(opts.seed ?? 1);
  const longest = opts.walk ?? 60;
  const keys = [keyFunction(m, true), keyFunction(m, false)];
  let done = 0;
  let walks = 0;
  while (done < budget) {
    walks++;
    let s1 = m.init();
    let s2 = onFastPath(() => m.init());
    const path: string[] = [];
    const disagree = (step: string, what: string): FastPathReport => ({
      transitions: done,
      walks,
      disagreement: { message: `the fast path disagrees with immer at ${step}, ${walkPlace(path)}: ${what}`, path: [...path], step },
    });
    // differs walks to the first difference; diff lists them only for the message
    if (differs(s1, s2)) return disagree('init', `the initial states differ: ${diff(s1, s2).slice(0, 3).join('; ')}`);
    let before = m.actions(s1);
    for (let i = 0; i < longest && done < budget && before.length > 0; i++) {
      const k = pick(before.length);
      let chosen: [unknown, unknown, readonly ActionBase[]] | undefined;
      for (let ai = 0; ai < before.length && done < budget; ai++) {
        const a = before[ai] as ActionBase;
        const step = actionLabel(a);
        let n1: unknown;
        let n2: unknown;
        let e1: string | undefined;
        let e2: string | undefined;
        try {
          n1 = m.next(s1, a);
        } catch (e) {
          e1 = text(e);
        }
        try {
          n2 = nextOnFastPath(m, s2, a);
        } catch (e) {
          e2 = text(e);
        }
        done++;
        if (e1 !== e2) return disagree(step, `immer ${e1 === undefined ? 'took the step' : `threw "${e1}"`}, the fast path ${e2 === undefined ? 'took it' : `threw "${e2}"`}`);
        if (differs(s1, s2)) return disagree(step, `a path changed the state it started from: ${diff(s1, s2).slice(0, 3).join('; ')}`);
        if (e1 !== undefined) continue;
        // an engine judges a successor it has met before as the copy (core.ts `known`), a new one once shared with its parent
        const raw = firstLine(verdicts(m, { prev: s1, action: a, next: n1 }), verdicts(m, { prev: s2, action: a, next: n2 }));
        if (raw !== undefined) return disagree(step, `a property judges the transition differently: ${raw}`);
        n2 = shareWith(s2, n2);
        if (differs(n1, n2)) return disagree(step, `the successors differ: ${diff(n1, n2).slice(0, 3).join('; ')} (immer → fast path)`);
        for (const key of keys) if (keyText(key(n1)) !== keyText(key(n2))) return disagree(step, 'the successors are equal but their state keys differ');
        const v = firstLine(verdicts(m, { prev: s1, action: a, next: n1 }), verdicts(m, { prev: s2, action: a, next: n2 }));
        if (v !== undefined) return disagree(step, `a property judges the transition differently: ${v}`);
        const t = firstLine([m.describe(a, s1, n1).text ?? ''], [m.describe(a, s2, n2).text ?? '']);
        if (t !== undefined) return disagree(step, `the trace text differs: ${t}`);
        const after1 = m.actions(n1);
        const l = firstLine(after1.map(actionLabel), m.actions(n2).map(actionLabel));
        if (l !== undefined) return disagree(step, `the successors enable different actions: ${l}`);
        if (ai === k) chosen = [n1, n2, after1];
      }
      if (chosen === undefined) break;
      path.push(actionLabel(before[k] as ActionBase));
      [s1, s2, before] = chosen;
    }
  }
  return { transitions: done, walks };
}
