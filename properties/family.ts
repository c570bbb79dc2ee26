/**
 * Exploring a variant on every member of its model's family of
 * configurations (issue 15, `ModelDef.family`), so an exhaustive "holds"
 * says what it covered: the small configuration hides any bug that needs a
 * value on the other side of a clamp or an optional event it leaves out.
 *
 * Each member is explored on its own, bounded by its `maxStates` (default
 * {@link DEFAULT_MEMBER_STATES}); a member cut short is reported as
 * incomplete, not as a failure. One verdict sums the members up: a variant
 * that must hold "holds on the family (k of n members complete)"; a buggy
 * one is "caught on" the members where its declared property was found.
 * The gate (cli/ci.ts) runs one item per (variant, member) through
 * {@link exploreMember} and {@link memberProblems}.
 */
import type { AnyModel, FamilyMember } from '../model/contract.js';
import { expectedProperty, variantOf } from '../model/contract.js';
import type { Trace } from './check.js';
import { explore } from './explore.js';
import type { Problem } from './suite.js';
import { violationKind } from './suite.js';

/** State budget of a member that names none. */
export const DEFAULT_MEMBER_STATES = 200_000;

/** What exploring one member found. */
export interface MemberOutcome {
  readonly member: string;
  readonly why: string;
  readonly config: unknown;
  readonly states: number;
  readonly depth: number;
  readonly complete: boolean;
  readonly ms: number;
  /** The state budget the member was explored with. */
  readonly maxStates: number;
  /** Shortest trace to the first violation (of the declared property, for a buggy variant). */
  readonly counterexample?: Trace;
  /** The property that trace violates. */
  readonly property?: string;
  /** Every property violated on the way (the first violation of each). */
  readonly violated: readonly string[];
  /** Sometimes-properties never witnessed (meaningful only when complete). */
  readonly unwitnessed: readonly string[];
  /** Stopped by the caller's `stop` (a signal, a time limit) before it ended: judges nothing. */
  readonly stopped?: boolean;
}

/** The members of a model's family (empty when it declares none). */
export function familyOf(model: AnyModel): readonly FamilyMember<unknown>[] {
  return model.family ?? [];
}

/** A member by name, with a one-line error listing the known ones. */
export function memberOf(model: AnyModel, name: string): FamilyMember<unknown> {
  const m = familyOf(model).find((x) => x.name === name);
  if (!m) throw new Error(`model '${model.name}' has no family member '${name}' (known: ${familyOf(model).map((x) => x.name).join(', ') || 'none'})`);
  return m;
}

/**
 * Explores `variant` on one member. A buggy variant's search targets its
 * declared property (others met on the way are recorded, as the gate does);
 * `cap` lowers the member's own budget (the quick profile).
 */
export function exploreMember(model: AnyModel, variant: string, member: FamilyMember<unknown>, cap?: number, stop?: () => boolean): MemberOutcome {
  const v = variantOf(model, variant);
  const target = expectedProperty(v);
  const maxStates = Math.min(member.maxStates ?? DEFAULT_MEMBER_STATES, cap ?? Infinity);
  const r = explore(model.machine(v.name, member.config), { maxStates, ...(target !== undefined ? { target } : {}), ...(stop ? { stop } : {}) });
  const cx = r.counterexample;
  const property = cx ? (cx.violations.find((x) => x.property === target) ?? cx.violations[0])?.property : undefined;
  return {
    member: member.name,
    why: member.why,
    config: member.config,
    states: r.states,
    depth: r.depth,
    complete: r.complete,
    ms: r.ms,
    maxStates,
    ...(cx ? { counterexample: cx } : {}),
    ...(property !== undefined ? { property } : {}),
    violated: [...new Set([...r.violated.keys(), ...(property !== undefined ? [property] : [])])],
    unwitnessed: [...r.witnesses].filter(([, seen]) => !seen).map(([w]) => w),
    ...(r.stopped === 'stop' ? { stopped: true } : {}),
  };
}

/**
 * The departures of one member's outcome from the variant's expectation. A
 * variant that must hold may violate nothing. A witness a member never
 * reaches is reported (in the summary and the member's line), not failed:
 * a member leaves events out on purpose (no online after an offline, no
 * second memory event), and the small configuration, which the gate's
 * exploration item holds to every witness, is where they must all show. A
 * buggy variant need not
 * show on every member (most bugs need one particular shape), so a member
 * that does not catch it is no problem: whether it is caught at all is
 * judged on its exploration configuration by the gate's exploration item.
 */
export function memberProblems(model: AnyModel, variant: string, o: MemberOutcome): Problem[] {
  if (expectedProperty(variantOf(model, variant)) !== undefined) return [];
  return o.violated.map((p) => ({ kind: violationKind(model, variant, p), text: `family member ${o.member}: ${p} violated` }));
}

/** The verdict over the whole family. */
export interface FamilyVerdict {
  readonly model: string;
  readonly variant: string;
  readonly outcomes: readonly MemberOutcome[];
  readonly problems: readonly Problem[];
  /** One line: "holds on the family (k of n members complete)", "violates …", or "caught on …". */
  readonly summary: string;
}

/** Explores `variant` on every member of its model's family and sums the outcomes up. */
export function exploreFamily(model: AnyModel, variant: string, cap?: number, onMember?: (o: MemberOutcome) => void): FamilyVerdict {
  const outcomes = familyOf(model).map((m) => {
    const o = exploreMember(model, variant, m, cap);
    onMember?.(o);
    return o;
  });
  const problems = outcomes.flatMap((o) => memberProblems(model, variant, o));
  return { model: model.name, variant, outcomes, problems, summary: familySummary(model, variant, outcomes) };
}

/** The one-line verdict of a family exploration. */
export function familySummary(model: AnyModel, variant: string, outcomes: readonly MemberOutcome[]): string {
  const v = variantOf(model, variant);
  const n = outcomes.length;
  const complete = outcomes.filter((o) => o.complete).length;
  if (n === 0) return `${model.name} declares no family`;
  const target = expectedProperty(v);
  if (target !== undefined) {
    const caught = outcomes.filter((o) => o.property === target);
    return caught.length
      ? `${variant} (${target}) caught on ${caught.length} of ${n} members: ${caught.map((o) => o.member).join(', ')}`
      : `${variant} (${target}) not caught on any of the ${n} members (${complete} complete); its exploration configuration is judged by plain explore`;
  }
  const bad = outcomes.filter((o) => o.violated.length);
  if (bad.length) return `${variant} VIOLATES on ${bad.length} of ${n} members: ${bad.map((o) => `${o.member} (${o.violated.join(', ')})`).join(', ')}`;
  return `${variant} holds on the family (${complete} of ${n} members complete)`;
}

/** One line per member: name, result, states, depth, time, and why the member exists. */
export function memberLine(o: MemberOutcome): string {
  const what = o.counterexample
    ? `${o.property ?? '?'} in ${o.counterexample.steps.length} steps`
    : o.violated.length ? `violates ${o.violated.join(', ')}` : o.complete ? 'complete' : `incomplete (bound ${o.maxStates})`;
  const unseen = o.complete && !o.counterexample && o.unwitnessed.length ? ` (never witnessed here: ${o.unwitnessed.join(', ')})` : '';
  return `  ${o.member}: ${what}, ${o.states} states, depth ${o.depth}, ${(o.ms / 1000).toFixed(2)}s${unseen} — ${o.why}`;
}
